import type { Db } from '../db/client.js';

/*
 * The records of log-ins, as retention rules remove them (src/retention): sessions that ended
 * (by their expiry), failed log-in attempts (by the last failure) and the audit's entries of
 * log-ins through an OpenID Connect provider ('sso.logged-in', by when). No other audit entry
 * is ever touched: the audit is otherwise append-only. Each delete takes at most `limit` rows,
 * so that a removal holds the write lock briefly; call it inside the transaction that records it.
 *
 * Sessions and attempts belong to a person, not a programme: `programmesOfPeople` says which
 * programmes each account is in (its roles, and the cases it is a guest on), so that the
 * caller can decide whose rules apply.
 */

/** A list as one bound parameter (json_each), whatever its length. */
const list = (values: string[]) => JSON.stringify(values);

export function createLoginRecords(db: Db) {
  const sqlite = db.$client;
  const people = sqlite.prepare(
    `SELECT u.id AS userId, lower(u.email) AS email,
       (SELECT json_group_array(p) FROM (
          SELECT m.programme_id AS p FROM memberships m WHERE m.user_id = u.id
          UNION SELECT c.programme_id FROM case_members cm JOIN cases c ON c.id = cm.case_id WHERE cm.user_id = u.id)) AS programmes
     FROM users u`,
  );
  const sessions = sqlite.prepare(
    `DELETE FROM sessions WHERE rowid IN (
       SELECT rowid FROM sessions WHERE user_id IN (SELECT value FROM json_each(?)) AND expires_at < ? LIMIT ?)`,
  );
  const attempts = sqlite.prepare(
    `DELETE FROM login_attempts WHERE rowid IN (
       SELECT rowid FROM login_attempts WHERE account IN (SELECT value FROM json_each(?)) AND last_failure_at < ? LIMIT ?)`,
  );
  const unknownAttempts = sqlite.prepare(
    `DELETE FROM login_attempts WHERE rowid IN (
       SELECT rowid FROM login_attempts a WHERE last_failure_at < ?
         AND NOT EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = a.account) LIMIT ?)`,
  );
  const programmeEntries = sqlite.prepare(
    `DELETE FROM audit_log WHERE id IN (
       SELECT id FROM audit_log WHERE programme_id = ? AND action = 'sso.logged-in' AND at < ? LIMIT ?)`,
  );
  const ownEntries = sqlite.prepare(
    `DELETE FROM audit_log WHERE id IN (
       SELECT id FROM audit_log WHERE programme_id IS NULL AND action = 'sso.logged-in'
         AND subject_user_id IN (SELECT value FROM json_each(?)) AND at < ? LIMIT ?)`,
  );
  return {
    /** Every account with its e-mail address (lower case) and the programmes it is in. */
    programmesOfPeople(): { userId: string; email: string; programmeIds: string[] }[] {
      return (people.all() as { userId: string; email: string; programmes: string }[]).map((r) => ({
        userId: r.userId,
        email: r.email,
        programmeIds: (JSON.parse(r.programmes) as (string | null)[]).filter((p): p is string => p !== null),
      }));
    },
    /** Sessions of these people that expired before `before`. */
    deleteSessions: (userIds: string[], before: string, limit: number): number =>
      userIds.length === 0 ? 0 : sessions.run(list(userIds), before, limit).changes,
    /** Failed attempts at these accounts (e-mail addresses, lower case) last failed before `before`. */
    deleteAttempts: (emails: string[], before: string, limit: number): number =>
      emails.length === 0 ? 0 : attempts.run(list(emails), before, limit).changes,
    /** Failed attempts at addresses no account has, last failed before `before`. */
    deleteUnknownAttempts: (before: string, limit: number): number => unknownAttempts.run(before, limit).changes,
    /** The programme's audit entries of log-ins made before `before`. */
    deleteProgrammeLogIns: (programmeId: string, before: string, limit: number): number =>
      programmeEntries.run(programmeId, before, limit).changes,
    /** Audit entries of log-ins of these people that name no programme (they had no role then), made before `before`. */
    deleteOwnLogIns: (userIds: string[], before: string, limit: number): number =>
      userIds.length === 0 ? 0 : ownEntries.run(list(userIds), before, limit).changes,
  };
}

export type LoginRecords = ReturnType<typeof createLoginRecords>;
