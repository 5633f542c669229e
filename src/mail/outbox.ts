import fs from 'node:fs';
import path from 'node:path';
import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { param, type Db } from '../db/client.js';
import { afterCursor, cutPage } from '../db/paging.js';
import { outbox } from '../db/schema.js';
import { DomainError } from '../errors.js';
import { emlFileName } from './transport.js';

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

/**
 * Removal of sent messages under a programme's retention rule (src/retention): the outbox rows
 * sent before a time, a batch at a time, and their files in the embedded mail store. Pending
 * and failed messages are never touched. Call `deleteSent` inside the transaction that records
 * the removal; remove the files after it commits (a rolled-back removal keeps its files).
 */
export function createSentMailPurge(db: Db, mailDir: string) {
  const sentBefore = db
    .select({ id: outbox.id, messageId: outbox.messageId })
    .from(outbox)
    .where(
      and(eq(outbox.programmeId, sql.placeholder('programmeId')), eq(outbox.status, 'sent'), lt(outbox.sentAt, sql.placeholder('before'))),
    )
    .limit(sql.placeholder('limit'))
    .prepare();
  return {
    /** Deletes up to `limit` messages of the programme sent before `before`; returns their Message-IDs. */
    deleteSent(programmeId: string, before: string, limit: number): string[] {
      const rows = sentBefore.all({ programmeId, before, limit });
      if (rows.length === 0) return [];
      db.delete(outbox)
        .where(
          and(
            inArray(
              outbox.id,
              rows.map((r) => r.id),
            ),
            eq(outbox.status, 'sent'),
          ),
        )
        .run();
      return rows.map((r) => r.messageId);
    },
    /** Removes the messages' files from the embedded mail store (those there are); returns how many went. */
    removeFiles(messageIds: string[]): number {
      let removed = 0;
      for (const messageId of messageIds) {
        try {
          fs.rmSync(path.join(mailDir, emlFileName(messageId)));
          removed += 1;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
      return removed;
    },
  };
}

export type SentMailPurge = ReturnType<typeof createSentMailPurge>;
