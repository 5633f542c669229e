import { and, asc, eq, lte } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { outbox } from '../db/schema.js';
import type { Language } from '../i18n/index.js';
import type { Log } from '../log.js';
import { RenderError, type MessageKinds, type Renderer } from './render.js';
import { isPermanent, type MailTransport } from './transport.js';

/*
 * The outbox relay: after commit, claims due messages, renders and sends them, and marks
 * each sent, or backs off exponentially, or parks it as failed with its reason. A message
 * that can never be sent (no template, a missing variable, an invalid address, an SMTP
 * 5xx) fails at once; a connection or 4xx problem is retried.
 */

export interface RelayOptions {
  from: string;
  maxAttempts: number;
  retryBaseMs: number;
  /** What each kind of message is (whether it carries a calendar invitation). */
  kinds: MessageKinds;
  /** Messages claimed per round. */
  batch?: number;
  log?: Log;
}

/** How long a claimed message stays invisible to other rounds while it is being sent. */
const CLAIM_MS = 5 * 60_000;
const MAX_DELAY_MS = 24 * 3_600_000;
const address = z.email();

type Row = typeof outbox.$inferSelect;

export function createRelay(db: Db, transport: MailTransport, renderer: Renderer, now: () => Date, options: RelayOptions) {
  const batch = options.batch ?? 50;
  let running: Promise<number> | undefined;
  let again = false;
  let poll: NodeJS.Timeout | undefined;
  let started = false;

  const update = (id: string, values: Partial<Row>) => db.update(outbox).set(values).where(eq(outbox.id, id)).run();

  /** Claims due messages by pushing their next attempt past the claim window. */
  function claim(): Row[] {
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
        return rows;
      },
      { behavior: 'immediate' },
    );
  }

  async function deliver(row: Row): Promise<boolean> {
    const attempts = row.attempts + 1;
    let location: string;
    try {
      if (!address.safeParse(row.toAddress).success) throw new RenderError(`invalid recipient address`);
      const data = row.data as Record<string, unknown>;
      const mail = renderer.render(row.kind, row.language as Language, data);
      const calendar = options.kinds(row.kind)?.calendar && typeof data.calendar === 'string' ? data.calendar : undefined;
      ({ location } = await transport.send({
        messageId: row.messageId,
        from: options.from,
        to: row.toAddress,
        language: row.language,
        ...mail,
        icalEvent: calendar ? { method: 'REQUEST', filename: 'dialogforum.ics', content: calendar } : undefined,
      }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
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

  /** Sends everything due now, round after round, until nothing due is left. */
  async function drain(): Promise<number> {
    let sent = 0;
    for (;;) {
      const rows = claim();
      for (const row of rows) if (await deliver(row)) sent += 1;
      if (rows.length < batch) return sent;
    }
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
      poll = setInterval(() => void run(), pollMs);
      poll.unref();
      void run();
    },
    async stop() {
      started = false;
      again = false;
      clearInterval(poll);
      while (running) await running;
      transport.close();
    },
  };
}

/** SMTP replies can echo the recipient; keep addresses out of the log. */
const redact = (text: string) => text.replace(/[^\s<>@]+@[^\s<>@]+/g, '<address>');

export type Relay = ReturnType<typeof createRelay>;
