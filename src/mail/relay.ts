import { and, asc, eq, lte } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { outbox } from '../db/schema.js';
import type { Language } from '../i18n/index.js';
import type { Log } from '../log.js';
import { RenderError, type MessageKinds, type Renderer } from './render.js';
import { isPermanent, SMTP_CONNECTION_TIMEOUT_MS, SMTP_GREETING_TIMEOUT_MS, type MailTransport } from './transport.js';

/*
 * The outbox relay: after commit, claims due messages, renders and sends them, and marks
 * each sent, or backs off exponentially, or parks it as failed with its reason. A message
 * that can never be sent (no template, a missing variable, an invalid address, an SMTP
 * 5xx) fails at once; a connection or 4xx problem is retried.
 *
 * Stopping (on shutdown) starts no further message: the one in flight ends as it would have
 * (sent, retried later or failed), and the messages claimed but not started are given back,
 * due as they were, so that a restart sends them at once. A send still under way after the
 * grace is cut short; the server may have taken that message, so it stays claimed for a whole
 * claim window before it goes again (with the same Message-ID).
 */

export interface RelayOptions {
  from: string;
  maxAttempts: number;
  retryBaseMs: number;
  /** What each kind of message is (whether it carries a calendar invitation). */
  kinds: MessageKinds;
  /** Messages claimed per round. */
  batch?: number;
  /** How long stop() lets the message in flight finish before cutting it short. */
  stopGraceMs?: number;
  log?: Log;
}

/** How long a claimed message stays invisible to other rounds while it is being sent. */
const CLAIM_MS = 5 * 60_000;
/**
 * Longer than the SMTP connection and greeting timeouts (src/mail/transport.ts): a server that
 * never answers ends the send by itself, with nothing sent, before stop() has to cut it short.
 */
const STOP_GRACE_MS = Math.max(SMTP_CONNECTION_TIMEOUT_MS, SMTP_GREETING_TIMEOUT_MS) + 5_000;
const MAX_DELAY_MS = 24 * 3_600_000;
const address = z.email();

type Row = typeof outbox.$inferSelect;

export function createRelay(db: Db, transport: MailTransport, renderer: Renderer, now: () => Date, options: RelayOptions) {
  const batch = options.batch ?? 50;
  let running: Promise<number> | undefined;
  let again = false;
  let poll: NodeJS.Timeout | undefined;
  let started = false;
  /** Set by stop(): no further message is started. */
  let stopping = false;
  /** Cuts the send under way short. */
  let inFlight: AbortController | undefined;

  const update = (id: string, values: Partial<Row>) => db.update(outbox).set(values).where(eq(outbox.id, id)).run();

  /** Claims due messages by pushing their next attempt past the claim window. */
  function claim(): { rows: Row[]; until: string } {
    return db.transaction(
      () => {
        const at = now();
        const rows = db
          .select()
          .from(outbox)
          .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, at.toISOString())))
          .orderBy(asc(outbox.nextAttemptAt))
          .limit(batch)
          .all();
        const until = new Date(at.getTime() + CLAIM_MS).toISOString();
        for (const row of rows) update(row.id, { nextAttemptAt: until });
        return { rows, until };
      },
      { behavior: 'immediate' },
    );
  }

  /** Gives claimed messages that were not started back, due when they were (if still ours). */
  function release(rows: Row[], until: string): number {
    return db.transaction(
      () =>
        rows.reduce(
          (released, row) =>
            released +
            db
              .update(outbox)
              .set({ nextAttemptAt: row.nextAttemptAt })
              .where(and(eq(outbox.id, row.id), eq(outbox.status, 'pending'), eq(outbox.nextAttemptAt, until)))
              .run().changes,
          0,
        ),
      { behavior: 'immediate' },
    );
  }

  async function deliver(row: Row): Promise<boolean> {
    const attempts = row.attempts + 1;
    let location: string;
    const cut = new AbortController();
    inFlight = cut;
    try {
      if (!address.safeParse(row.toAddress).success) throw new RenderError(`invalid recipient address`);
      const data = row.data as Record<string, unknown>;
      const mail = renderer.render(row.kind, row.language as Language, data);
      const calendar = options.kinds(row.kind)?.calendar && typeof data.calendar === 'string' ? data.calendar : undefined;
      ({ location } = await transport.send(
        {
          messageId: row.messageId,
          from: options.from,
          to: row.toAddress,
          language: row.language,
          ...mail,
          icalEvent: calendar ? { method: 'REQUEST', filename: 'dialogforum.ics', content: calendar } : undefined,
        },
        cut.signal,
      ));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (cut.signal.aborted) {
        // Cut short by stop(): the server may already have the message, so it is not sent again
        // before a whole claim window has passed. Not counted as an attempt: it did not fail.
        update(row.id, {
          lastError: `cut short by a shutdown (${reason}); the server may have it`,
          nextAttemptAt: new Date(now().getTime() + CLAIM_MS).toISOString(),
        });
        options.log?.warn({ outboxId: row.id, kind: row.kind, retryInMs: CLAIM_MS }, 'mail cut short by a shutdown');
        return false;
      }
      const permanent = error instanceof RenderError || isPermanent(error);
      if (permanent || attempts >= options.maxAttempts) {
        update(row.id, { status: 'failed', attempts, lastError: reason });
        options.log?.warn({ outboxId: row.id, kind: row.kind, attempts, reason: redact(reason) }, 'mail failed');
      } else {
        const delay = Math.min(options.retryBaseMs * 2 ** (attempts - 1), MAX_DELAY_MS);
        update(row.id, { attempts, lastError: reason, nextAttemptAt: new Date(now().getTime() + delay).toISOString() });
        options.log?.warn({ outboxId: row.id, kind: row.kind, attempts, retryInMs: delay, reason: redact(reason) }, 'mail deferred');
      }
      return false;
    } finally {
      inFlight = undefined;
    }
    // Sent: from here on, never send again. If recording it fails, the row stays claimed and
    // is only sent again when the claim runs out, with the same Message-ID.
    try {
      update(row.id, { status: 'sent', attempts, sentAt: now().toISOString(), lastError: null });
    } catch (error) {
      options.log?.error(
        { outboxId: row.id, reason: error instanceof Error ? error.message : String(error) },
        'mail sent but not recorded',
      );
      return true;
    }
    // No addresses in the log: the kind and the outbox id say enough.
    options.log?.info(
      { outboxId: row.id, kind: row.kind, transport: transport.kind, location: transport.kind === 'file' ? location : undefined },
      'mail sent',
    );
    return true;
  }

  /** Sends everything due now, round after round, until nothing due is left or the relay stops. */
  async function drain(): Promise<number> {
    let sent = 0;
    while (!stopping) {
      const { rows, until } = claim();
      for (const [index, row] of rows.entries()) {
        if (stopping) {
          const released = release(rows.slice(index), until);
          options.log?.info({ released }, 'mail relay stopped; the messages it had not started are due again');
          return sent;
        }
        if (await deliver(row)) sent += 1;
      }
      if (rows.length < batch) break;
    }
    return sent;
  }

  /** One drain at a time; a kick during a drain runs another one after it (until stopped). */
  function run(): Promise<number> {
    if (running) {
      again = started;
      return running;
    }
    running = drain()
      .catch((error: unknown) => {
        options.log?.warn({ reason: error instanceof Error ? error.message : String(error) }, 'mail relay round failed');
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && started) {
          again = false;
          void run();
        }
      });
    return running;
  }

  return {
    /** Sends what is due now and resolves when done (tests and the CLI call this directly). */
    async drain(): Promise<number> {
      while (running) await running;
      return run();
    },
    /** Wakes the relay after a commit, off the request's path; does nothing until started. */
    kick() {
      if (started) setImmediate(() => void run());
    },
    start(pollMs: number) {
      started = true;
      stopping = false;
      poll = setInterval(() => void run(), pollMs);
      poll.unref();
      void run();
    },
    /**
     * Stops after the message in flight (cut short after the grace) and gives back the messages
     * claimed but not started; resolves when nothing is being sent any more.
     */
    async stop() {
      started = false;
      again = false;
      stopping = true;
      clearInterval(poll);
      const grace = setTimeout(() => inFlight?.abort(), options.stopGraceMs ?? STOP_GRACE_MS);
      try {
        while (running) await running;
      } finally {
        clearTimeout(grace);
      }
      transport.close();
    },
  };
}

/** SMTP replies can echo the recipient; keep addresses out of the log. */
const redact = (text: string) => text.replace(/[^\s<>@]+@[^\s<>@]+/g, '<address>');

export type Relay = ReturnType<typeof createRelay>;
