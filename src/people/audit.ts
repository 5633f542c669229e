import crypto from 'node:crypto';
import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { afterCursor, cutPage } from '../db/paging.js';
import { auditLog } from '../db/schema.js';

/*
 * The audit of what was done to accounts: who did what, to whom, when and why. Append-only:
 * nothing here updates or deletes a row. Written in the transaction of the act it records.
 * The one exception is a retention rule's: the entries of log-ins ('sso.logged-in') are
 * removed under the programme's decision (./login-records.ts, src/retention).
 */

export const AUDIT_ACTIONS = [
  'person.disabled',
  'person.enabled',
  'person.unlocked',
  'person.roles-changed',
  'password.changed',
  'session.ended',
  'sessions.ended-all',
  'token.created',
  'token.revoked',
  'person.invited',
  'invitation.accepted',
  'registration.confirmed',
  'password.reset',
  'sso.logged-in',
  'sso.account-created',
  'programme.changed',
  // A person's data (src/privacy): exported, erased (details count what changed; no personal data).
  'person.exported',
  'person.erased',
  // What was done with a programme's money (src/money): details name the pool or case.
  'pool.corrected',
  'pool.carried-over',
  'pool.distributed',
  'grant.paid',
  'grant.repaid',
  'grant.released',
  // What was done with a programme's plan (src/plans): details name the version or item.
  'plan.draft-saved',
  'plan.adopted',
  'plan.value-recorded',
  'plan.assignment-status-changed',
  'plan.case-linked',
  'plan.case-unlinked',
  // Running cases moved to another version of the process (src/cases/migration.ts): details name the version and the cases.
  'process.migrated',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  actorId: string | null;
  programmeId?: string | null;
  action: AuditAction;
  subjectUserId?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

export function createAudit(db: Db, now: () => Date) {
  let sequence = 0;
  /** Ids that sort as the entries were written (the time, a counter, then chance), so newest first is exact. */
  const nextId = (at: Date) =>
    `${at.getTime().toString(16).padStart(12, '0')}-${(sequence++ % 0x10000).toString(16).padStart(4, '0')}-${crypto.randomBytes(6).toString('hex')}`;
  return {
    record(entry: AuditEntry) {
      const at = now();
      db.insert(auditLog)
        .values({
          id: nextId(at),
          at: at.toISOString(),
          actorId: entry.actorId,
          programmeId: entry.programmeId ?? null,
          action: entry.action,
          subjectUserId: entry.subjectUserId ?? null,
          reason: entry.reason ?? null,
          details: entry.details ?? {},
        })
        .run();
    },

    /** Entries of some programmes (and, optionally, about one person), newest first. */
    list(filter: { programmeIds: string[]; subjectUserId?: string; limit: number; cursor?: string }) {
      if (filter.programmeIds.length === 0) return { items: [], nextCursor: null };
      const where: SQL[] = [inArray(auditLog.programmeId, filter.programmeIds)];
      if (filter.subjectUserId) where.push(eq(auditLog.subjectUserId, filter.subjectUserId));
      if (filter.cursor) where.push(afterCursor(filter.cursor, auditLog.at, auditLog.id));
      const rows = db
        .select()
        .from(auditLog)
        .where(and(...where))
        .orderBy(desc(auditLog.at), desc(auditLog.id))
        .limit(filter.limit + 1)
        .all()
        .map((r) => ({ ...r, createdAt: r.at }));
      const page = cutPage(rows, filter.limit);
      return { items: page.items.map(({ createdAt: _c, ...r }) => r), nextCursor: page.nextCursor };
    },
  };
}

export type Audit = ReturnType<typeof createAudit>;
