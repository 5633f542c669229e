import crypto from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { idempotencyKeys } from '../db/schema.js';
import { DomainError } from '../errors.js';

/*
 * Idempotency-Key (a repeat of a command is answered as the first time, not done twice).
 * The first answer is stored with the change it describes, in the same transaction (the
 * command's own savepoint of the group commit), and replayed for a repeat with the same
 * request; the same key with another request is refused. Keys live at least 24 hours.
 */

/** An HTTP answer as it is stored and replayed. */
export interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface IdempotencyKey {
  key: string;
  /** A hash of everything that makes the request what it is (see hashRequest). */
  requestHash: string;
}

export const hashRequest = (value: unknown) =>
  crypto
    .createHash('sha256')
    .update(JSON.stringify(value ?? null))
    .digest('hex');

/** The key of a request, when it sent one. */
export const keyOf = (key: string | undefined, request: unknown): IdempotencyKey | undefined =>
  key ? { key, requestHash: hashRequest(request) } : undefined;

export function createIdempotency(db: Db, now: () => Date) {
  return {
    /** Answers with `work`, or with the stored answer of an earlier request with the same key. */
    run(userId: string, idem: IdempotencyKey | undefined, work: () => Answer): Answer {
      if (!idem) return work();
      return db.transaction(
        () => {
          const stored = db
            .select()
            .from(idempotencyKeys)
            .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, idem.key)))
            .get();
          if (stored) {
            if (stored.requestHash !== idem.requestHash) {
              throw new DomainError('idempotency-key-reused', `Idempotency-Key ${idem.key} was used for a different request`);
            }
            return {
              status: stored.status,
              body: JSON.parse(stored.body),
              headers: { ...(stored.headers as Record<string, string>), 'idempotent-replay': 'true' },
            };
          }
          const answer = work();
          db.insert(idempotencyKeys)
            .values({
              userId,
              key: idem.key,
              requestHash: idem.requestHash,
              status: answer.status,
              body: JSON.stringify(answer.body),
              headers: answer.headers,
              createdAt: now().toISOString(),
            })
            .run();
          return answer;
        },
        { behavior: 'immediate' },
      );
    },

    /** Forgets stored answers after `hours` (kept for at least 24 h). */
    purge(hours = 48): number {
      const cutoff = new Date(now().getTime() - Math.max(hours, 24) * 3_600_000).toISOString();
      return db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, cutoff)).run().changes;
    },
  };
}

export type Idempotency = ReturnType<typeof createIdempotency>;
