import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { loginAttempts } from '../db/schema.js';
import { DomainError } from '../errors.js';

/*
 * Log-in throttling per account and client address together. The first few failures cost
 * nothing; from then on each failure makes the next attempt from that address wait twice as
 * long, up to a bound. While it waits, even the right password is refused (429 with
 * Retry-After), and the refused attempt counts as one more failure, so guessing from one
 * address gets nowhere; the same account from another address, and other accounts from this
 * one, are not held up. A success clears the count; an administrator can unlock an account
 * everywhere.
 */

export interface ThrottleOptions {
  /** Failures allowed before any wait. */
  freeFailures: number;
  /** The first wait, doubled with every further failure. */
  firstDelayMs: number;
  /** The longest wait. */
  maxDelayMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { freeFailures: 5, firstDelayMs: 1000, maxDelayMs: 15 * 60_000 };

export function createLoginThrottle(db: Db, now: () => Date, options: ThrottleOptions = DEFAULT_THROTTLE) {
  const key = (account: string, address: string) => ({ account: account.trim().toLowerCase(), address });
  const row = (account: string, address: string) => {
    const k = key(account, address);
    return db
      .select()
      .from(loginAttempts)
      .where(and(eq(loginAttempts.account, k.account), eq(loginAttempts.address, k.address)))
      .get();
  };

  /** Counts a failure and returns until when the address must wait (null: not yet). */
  function fail(account: string, address: string): string | null {
    const k = key(account, address);
    const at = now();
    const failures = (row(account, address)?.failures ?? 0) + 1;
    const over = failures - options.freeFailures;
    const lockedUntil =
      over >= 0
        ? new Date(at.getTime() + Math.min(options.maxDelayMs, options.firstDelayMs * 2 ** Math.min(over, 30))).toISOString()
        : null;
    db.insert(loginAttempts)
      .values({ ...k, failures, lastFailureAt: at.toISOString(), lockedUntil })
      .onConflictDoUpdate({
        target: [loginAttempts.account, loginAttempts.address],
        set: { failures: sql`excluded.failures`, lastFailureAt: sql`excluded.last_failure_at`, lockedUntil: sql`excluded.locked_until` },
      })
      .run();
    return lockedUntil;
  }

  return {
    /**
     * Refuses an attempt that must still wait (429 with the seconds to wait). A refused attempt
     * counts as a failure too, so hammering from one address only lengthens its own wait.
     */
    check(account: string, address: string) {
      const lockedUntil = row(account, address)?.lockedUntil;
      if (!lockedUntil || Date.parse(lockedUntil) <= now().getTime()) return;
      const until = fail(account, address)!;
      throw new DomainError('too-many-attempts', 'too many failed log-ins from this address; wait before trying again', {
        retryAfterSeconds: Math.ceil((Date.parse(until) - now().getTime()) / 1000),
      });
    },

    /** Counts a failure; from `freeFailures` on, the next attempt waits, twice as long each time. */
    failed(account: string, address: string) {
      fail(account, address);
    },

    /** A successful log-in clears the count for this account and address. */
    succeeded(account: string, address: string) {
      const k = key(account, address);
      db.delete(loginAttempts)
        .where(and(eq(loginAttempts.account, k.account), eq(loginAttempts.address, k.address)))
        .run();
    },

    /** Lifts every wait on an account, from every address; returns how many addresses were waiting. */
    unlock(account: string): number {
      return db.delete(loginAttempts).where(eq(loginAttempts.account, account.trim().toLowerCase())).run().changes;
    },

    /** Whether an account must wait from some address now. */
    isLocked(account: string): boolean {
      const rows = db
        .select({ lockedUntil: loginAttempts.lockedUntil })
        .from(loginAttempts)
        .where(eq(loginAttempts.account, account.trim().toLowerCase()))
        .all();
      const at = now().toISOString();
      return rows.some((r) => r.lockedUntil !== null && r.lockedUntil > at);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
