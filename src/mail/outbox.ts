import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { param, type Db } from '../db/client.js';
import { afterCursor, cutPage } from '../db/paging.js';
import { outbox } from '../db/schema.js';
import { DomainError } from '../errors.js';

/** One message to put in the outbox: pending, due now, sent by the relay after the commit. */
export interface OutboxMessage {
  id: string;
  messageId: string;
  programmeId: string;
  caseId: string | null;
  source: string;
  kind: string;
  language: string;
  recipientUserId: string | null;
  toAddress: string;
  /** The template's variables, as JSON. */
  data: string;
  at: string;
}

/** Writes messages to the outbox (a prepared statement); call inside the transaction of what caused them. */
export function createOutboxWriter(db: Db) {
  const insert = db
    .insert(outbox)
    .values({
      id: sql.placeholder('id'),
      messageId: sql.placeholder('messageId'),
      programmeId: sql.placeholder('programmeId'),
      caseId: sql.placeholder('caseId'),
      source: sql.placeholder('source'),
      kind: sql.placeholder('kind'),
      language: sql.placeholder('language'),
      recipientUserId: sql.placeholder('recipientUserId'),
      toAddress: sql.placeholder('toAddress'),
      data: param('data'),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: sql.placeholder('at'),
      createdAt: sql.placeholder('at'),
    })
    .prepare();
  return (message: OutboxMessage) => void insert.run({ ...message });
}

/** What an administrator sees and does with the outbox of their programme. */
export function createOutboxAdmin(db: Db, now: () => Date) {
  const columns = {
    id: outbox.id,
    messageId: outbox.messageId,
    caseId: outbox.caseId,
    source: outbox.source,
    kind: outbox.kind,
    language: outbox.language,
    recipientUserId: outbox.recipientUserId,
    toAddress: outbox.toAddress,
    status: outbox.status,
    attempts: outbox.attempts,
    nextAttemptAt: outbox.nextAttemptAt,
    lastError: outbox.lastError,
    createdAt: outbox.createdAt,
    sentAt: outbox.sentAt,
  };

  return {
    list(programmeIds: string[], filter: { status?: 'pending' | 'sent' | 'failed'; caseId?: string; limit: number; cursor?: string }) {
      const where: SQL[] = [inArray(outbox.programmeId, programmeIds)];
      if (filter.status) where.push(eq(outbox.status, filter.status));
      if (filter.caseId) where.push(eq(outbox.caseId, filter.caseId));
      if (filter.cursor) where.push(afterCursor(filter.cursor, outbox.createdAt, outbox.id));
      const rows = db
        .select(columns)
        .from(outbox)
        .where(and(...where))
        .orderBy(desc(outbox.createdAt), desc(outbox.id))
        .limit(filter.limit + 1)
        .all();
      return cutPage(rows, filter.limit);
    },

    /** Puts every failed message of the programme back in line (after fixing the SMTP settings, say). */
    retryFailed(programmeIds: string[]): number {
      return db
        .update(outbox)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: now().toISOString() })
        .where(and(inArray(outbox.programmeId, programmeIds), eq(outbox.status, 'failed')))
        .run().changes;
    },

    /** Puts a failed (or waiting) message back in line for an attempt now. */
    retry(programmeIds: string[], id: string) {
      const row = db
        .select(columns)
        .from(outbox)
        .where(and(eq(outbox.id, id), inArray(outbox.programmeId, programmeIds)))
        .get();
      if (!row) throw new DomainError('not-found', `no message ${id}`);
      if (row.status === 'sent') throw new DomainError('conflict', 'the message has already been sent');
      db.update(outbox).set({ status: 'pending', attempts: 0, nextAttemptAt: now().toISOString() }).where(eq(outbox.id, id)).run();
      return db.select(columns).from(outbox).where(eq(outbox.id, id)).get()!;
    },
  };
}

export type OutboxAdmin = ReturnType<typeof createOutboxAdmin>;
