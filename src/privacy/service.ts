import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/client.js';
import { DomainError } from '../errors.js';
import { ERASED_TEXT } from '../engine/log-people.js';
import type { CaseStore } from '../engine/case-store.js';
import type { Engine } from '../engine/engine.js';
import { programmesWhere, type Actor } from '../people/actor.js';
import type { Audit } from '../people/audit.js';
import type { ProgrammeConfig } from '../programmes/config.js';

/*
 * A person's data (GDPR articles 15, 17 and 20): everything Satsa holds about a person, as one
 * document; and its erasure, which keeps the record. Erasure gives the person's account a
 * pseudonym (a new id, no name, no address, no way in) and points every reference at it,
 * destroys the keys their text on cases is encrypted with (src/engine/log-people.ts), so that
 * the log, never rewritten, reads as the pseudonym and ERASED_TEXT; each case they were on is
 * replayed from its log and written with an event that says so. Decisions, amounts and who
 * did what (as the pseudonym) stay. A retention rule pseudonymises a closed case the same way
 * for its own people only (`pseudonymiseCase`).
 *
 * Who may: the person themselves (their export), a programme's administrators within their
 * programme, a system administrator across programmes. Nothing is erased while the archive
 * rules say the record must be kept as it is.
 */

export interface PrivacyDeps {
  db: Db;
  engine: Pick<Engine, 'rewriteFromLog'>;
  store: Pick<CaseStore, 'log' | 'textsOf'>;
  audit: Audit;
  programme: (id: string) => ProgrammeConfig | undefined;
  /** Where the embedded mail transport keeps each sent message as an .eml file. */
  mailDir: string;
  /**
   * Where Satsa keeps its copy of each package delivered to the e-archive (src/archive). Once a
   * person is erased, or a case pseudonymised, the copies of their cases go: the e-archive holds
   * the record, and the checksums of what was delivered stay in `archive_deliveries`.
   */
  archiveDir: string;
  now: () => Date;
}

/** Why a case's record must be kept as it is. */
export type KeepReason = 'running' | 'not-delivered' | 'no-archive';

/** What an erasure changes, counted (the administrator sees it before it is done). */
export interface ErasureCounts {
  cases: number;
  textsMadeUnreadable: number;
  comments: number;
  documents: number;
  drafts: number;
  emails: number;
  emailFiles: number;
  logins: number;
  otherRecords: number;
}

/** The tables whose rows are handled one by one below, not by the generic sweep of references. */
const LOG_TABLES = new Set(['case_events', 'cases', 'case_people', '__drizzle_migrations']);
/** Besides those, the sweep leaves the accounts alone (another person may have the same name). */
const NOT_SWEPT = new Set(['users']);

/** The file name the embedded mail transport gives a message (src/mail/transport.ts). */
const emlName = (messageId: string) => `${messageId.replace(/^<|>$/g, '').replace(/[^a-zA-Z0-9.@-]/g, '_')}.eml`;

type Row = Record<string, unknown>;

export function createPrivacy(deps: PrivacyDeps) {
  const { db, engine, store, audit, now } = deps;
  const sqlite = db.$client;

  /** Every table with its text columns (the generic sweep reads and rewrites those). */
  function textColumns(): { table: string; columns: string[] }[] {
    const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
      name: string;
    }[];
    return tables
      .filter((t) => !LOG_TABLES.has(t.name))
      .map((t) => ({
        table: t.name,
        columns: (sqlite.pragma(`table_info("${t.name}")`) as { name: string; type: string }[])
          .filter((c) => c.type.toLowerCase() === 'text')
          .map((c) => c.name),
      }))
      .filter((t) => t.columns.length > 0);
  }

  const userRow = (id: string) =>
    sqlite
      .prepare(
        'SELECT id, email, display_name AS displayName, language, disabled, system_administrator AS systemAdministrator, erased_at AS erasedAt, created_at AS createdAt FROM users WHERE id = ?',
      )
      .get(id) as
      | {
          id: string;
          email: string;
          displayName: string;
          language: string;
          disabled: number;
          systemAdministrator: number;
          erasedAt: string | null;
          createdAt: string;
        }
      | undefined;

  const isSystemAdministrator = (actor: Actor) => userRow(actor.id)?.systemAdministrator === 1;

  /** The programmes a person is found in: their roles, and the cases they are on. */
  function programmesOf(userId: string): string[] {
    const rows = sqlite
      .prepare(
        `SELECT programme_id AS p FROM memberships WHERE user_id = @id
         UNION SELECT c.programme_id FROM case_members m JOIN cases c ON c.id = m.case_id WHERE m.user_id = @id
         UNION SELECT c.programme_id FROM case_people p JOIN cases c ON c.id = p.case_id WHERE p.user_id = @id`,
      )
      .all({ id: userId }) as { p: string }[];
    return rows.map((r) => r.p);
  }

  /**
   * The programmes whose data about the person the caller may act on, or every one. Someone
   * who may not is not told whether the person exists.
   */
  function scopeOf(caller: Actor, userId: string, act: 'export' | 'erase'): { all: boolean; programmes: string[] } {
    const subject = userRow(userId);
    if (!subject || subject.erasedAt) throw new DomainError('not-found', `no person ${userId}`);
    const theirs = programmesOf(userId);
    if (isSystemAdministrator(caller)) return { all: true, programmes: theirs };
    const administered = programmesWhere(caller, 'administrator');
    const shared = theirs.filter((p) => administered.includes(p));
    if (caller.id === userId && act === 'export') return { all: true, programmes: theirs };
    if (shared.length === 0) throw new DomainError('not-found', `no person ${userId}`);
    if (act === 'erase' && shared.length < theirs.length) {
      throw new DomainError('forbidden', 'the person is also found in another programme: a system administrator erases them', {
        reason: 'other-programmes',
      });
    }
    return { all: act === 'erase', programmes: shared };
  }

  /** The cases a person is on: owner, participant, guest, or named in the log. */
  function casesOf(userId: string, scope: { all: boolean; programmes: string[] }) {
    const rows = sqlite
      .prepare(
        `SELECT c.id, c.programme_id AS programmeId, c.diary_number AS diaryNumber, c.title, c.status, c.version,
                (SELECT relation FROM case_members m WHERE m.case_id = c.id AND m.user_id = @id) AS relation
         FROM cases c
         WHERE c.id IN (SELECT case_id FROM case_members WHERE user_id = @id UNION SELECT case_id FROM case_people WHERE user_id = @id)
         ORDER BY c.created_at`,
      )
      .all({ id: userId }) as {
      id: string;
      programmeId: string;
      diaryNumber: string;
      title: string;
      status: string;
      version: number;
      relation: string | null;
    }[];
    return scope.all ? rows : rows.filter((r) => scope.programmes.includes(r.programmeId));
  }

  /** Rows of every other table that hold the person's id, e-mail address or name. */
  function rowsNaming(values: string[], scope: { all: boolean; programmes: string[] }) {
    const found: Record<string, Row[]> = {};
    for (const { table, columns } of textColumns()) {
      const where = columns.map((c) => values.map((_, i) => `instr("${c}", @v${i}) > 0`).join(' OR ')).join(' OR ');
      const params = Object.fromEntries(values.map((v, i) => [`v${i}`, v]));
      let rows = sqlite.prepare(`SELECT * FROM "${table}" WHERE ${where}`).all(params) as Row[];
      if (!scope.all && columns.includes('programme_id')) {
        rows = rows.filter((r) => r.programme_id === null || scope.programmes.includes(String(r.programme_id)));
      }
      // Secrets are no one's data to read back: only that they exist.
      rows = rows.map((r) => {
        const { password_hash: _p, token_hash: _t, csrf_token: _c, ...rest } = r;
        return table === 'sessions' ? { ...rest, id: undefined } : rest;
      });
      if (rows.length > 0) found[table] = rows;
    }
    return found;
  }

  function identifying(subject: { id: string; email: string; displayName: string }) {
    return [...new Set([subject.id, subject.email, subject.email.toLowerCase(), subject.displayName])].filter((v) => v.length >= 3);
  }

  /** What the person wrote on a case, as the log reads now (their events' free text). */
  function textsOn(caseId: string, userId: string): { version: number; type: string; at: string; role: string; payload: unknown }[] {
    return store
      .log(caseId)
      .filter((e) => e.actorId === userId)
      .map((e) => ({ version: e.version, type: e.type, at: e.at, role: e.role, payload: e.payload }));
  }

  /** Why each case the person is on must be kept as it is now (none: they may be erased). */
  function mustKeep(cases: ReturnType<typeof casesOf>) {
    const delivered = sqlite.prepare('SELECT 1 FROM archive_deliveries WHERE case_id = ? LIMIT 1');
    const kept: { caseId: string; diaryNumber: string; reason: KeepReason }[] = [];
    for (const c of cases) {
      const archive = deps.programme(c.programmeId)?.archive;
      let reason: KeepReason | undefined;
      if (c.status !== 'done') reason = 'running';
      else if (!archive) reason = 'no-archive';
      else if (archive.keepUntilDelivered && !delivered.get(c.id)) reason = 'not-delivered';
      if (reason) kept.push({ caseId: c.id, diaryNumber: c.diaryNumber, reason });
    }
    return kept;
  }

  /** Satsa's copies of the packages delivered of these cases. */
  function packageFilesFor(caseIds: string[]): string[] {
    const rows = sqlite
      .prepare('SELECT id FROM archive_deliveries WHERE case_id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(caseIds)) as { id: string }[];
    return rows.map((r) => path.join(deps.archiveDir, `${r.id}.zip`)).filter((f) => fs.existsSync(f));
  }

  function mailFilesFor(rows: { message_id: string }[]): string[] {
    return rows.map((r) => path.join(deps.mailDir, emlName(r.message_id))).filter((f) => fs.existsSync(f));
  }

  /** The outbox rows an erasure reaches: to the person, or about a case they are on. */
  function outboxFor(userId: string, email: string, caseIds: string[]) {
    const rows = sqlite
      .prepare(
        `SELECT * FROM outbox WHERE recipient_user_id = @id OR lower(to_address) = lower(@email)
         OR case_id IN (SELECT value FROM json_each(@cases))`,
      )
      .all({ id: userId, email, cases: JSON.stringify(caseIds) }) as Row[];
    return rows as (Row & { id: string; message_id: string; data: string })[];
  }

  function counts(subjectId: string, email: string, cases: ReturnType<typeof casesOf>): ErasureCounts {
    const one = (sql: string, ...params: unknown[]) => (sqlite.prepare(sql).get(...params) as { n: number }).n;
    const mails = outboxFor(
      subjectId,
      email,
      cases.map((c) => c.id),
    );
    const texts = cases.reduce((n, c) => n + textsOn(c.id, subjectId).reduce((m, e) => m + store.textsOf(e.type, e.payload).length, 0), 0);
    return {
      cases: cases.length,
      textsMadeUnreadable: texts,
      comments: one('SELECT count(*) AS n FROM case_comments WHERE author_id = ?', subjectId),
      documents: one('SELECT count(*) AS n FROM case_documents WHERE added_by = ? OR withdrawn_by = ?', subjectId, subjectId),
      drafts: one('SELECT count(*) AS n FROM case_drafts WHERE user_id = ?', subjectId),
      emails: mails.length,
      emailFiles: mailFilesFor(mails).length,
      logins:
        one('SELECT count(*) AS n FROM sessions WHERE user_id = ?', subjectId) +
        one('SELECT count(*) AS n FROM login_attempts WHERE account = lower(?)', email),
      otherRecords: Object.values(rowsNaming(identifying(userRow(subjectId)!), { all: true, programmes: [] })).reduce(
        (n, rows) => n + rows.length,
        0,
      ),
    };
  }

  /** Replaces every occurrence of each `from` by its `to` in every text column but the log's. */
  function sweep(replacements: [string, string][]) {
    let changed = 0;
    for (const { table, columns } of textColumns().filter((t) => !NOT_SWEPT.has(t.table))) {
      for (const [from, to] of replacements) {
        for (const c of columns) {
          changed += sqlite
            .prepare(`UPDATE "${table}" SET "${c}" = replace("${c}", @from, @to) WHERE instr("${c}", @from) > 0`)
            .run({ from, to }).changes;
        }
      }
    }
    return changed;
  }

  /** A pseudonym account: no address anyone reads, no password, no roles; it stands where a person was. */
  function pseudonymAccount(): { id: string; email: string; displayName: string } {
    const id = crypto.randomUUID();
    // A number to tell removed people apart in a case's history; not the account's id.
    return { id, email: `borttagen-${id}@invalid`, displayName: `Borttagen person ${crypto.randomInt(1000, 10_000)}` };
  }

  /**
   * Makes the database's files hold no copy of what was just overwritten. `secure_delete` has
   * zeroed what the change freed; the WAL's older frames are checkpointed and truncated. Free
   * pages from before `secure_delete` was on (a database older than this version) are cleared
   * by one VACUUM, the first time, which the meta table then remembers.
   */
  function forgetOldPages() {
    if (sqlite.inTransaction) return;
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    if (!sqlite.prepare("SELECT 1 FROM meta WHERE key = 'free-pages-zeroed'").get()) {
      sqlite.exec('VACUUM');
      sqlite.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('free-pages-zeroed', ?)").run(now().toISOString());
      sqlite.pragma('wal_checkpoint(TRUNCATE)');
    }
  }

  return {
    /** Everything Satsa holds about a person that the caller may see, as one document. */
    exportPerson(caller: Actor, userId: string) {
      const scope = scopeOf(caller, userId, 'export');
      const subject = userRow(userId)!;
      const cases = casesOf(userId, scope);
      const inScope = (programmeId: unknown) => scope.all || scope.programmes.includes(String(programmeId));
      const memberships = (
        sqlite.prepare('SELECT programme_id AS programmeId, role FROM memberships WHERE user_id = ?').all(userId) as {
          programmeId: string;
          role: string;
        }[]
      ).filter((m) => inScope(m.programmeId));
      const caseIds = cases.map((c) => c.id);
      // E-mails to them, and e-mails to others that name them.
      const mails = [
        ...outboxFor(userId, subject.email, []),
        ...((rowsNaming(identifying(subject), scope).outbox ?? []) as ReturnType<typeof outboxFor>),
      ]
        .filter((m, i, all) => inScope(m.programme_id) && all.findIndex((n) => n.id === m.id) === i)
        .map((m) => {
          const file = mailFilesFor([m])[0];
          return {
            id: m.id,
            kind: String(m.kind),
            caseId: m.case_id ? String(m.case_id) : null,
            to: String(m.to_address),
            status: String(m.status),
            createdAt: String(m.created_at),
            sentAt: m.sent_at ? String(m.sent_at) : null,
            data: JSON.parse(String(m.data)) as unknown,
            message: file ? fs.readFileSync(file, 'utf8') : null,
          };
        });
      const comments = sqlite
        .prepare(
          `SELECT id, case_id AS caseId, visibility, body, created_at AS createdAt FROM case_comments
           WHERE author_id = ? AND case_id IN (SELECT value FROM json_each(?)) ORDER BY created_at`,
        )
        .all(userId, JSON.stringify(caseIds)) as { id: string; caseId: string; visibility: string; body: string; createdAt: string }[];
      const documents = sqlite
        .prepare(
          `SELECT id, case_id AS caseId, file_name AS fileName, description, media_type AS mediaType, size, sha256, added_at AS addedAt
           FROM case_documents WHERE added_by = ? AND case_id IN (SELECT value FROM json_each(?)) ORDER BY added_at`,
        )
        .all(userId, JSON.stringify(caseIds)) as {
        id: string;
        caseId: string;
        fileName: string;
        description: string | null;
        mediaType: string;
        size: number;
        sha256: string;
        addedAt: string;
      }[];
      const drafts = sqlite
        .prepare(
          `SELECT case_id AS caseId, event_type AS eventType, "values", updated_at AS updatedAt FROM case_drafts
           WHERE user_id = ? AND case_id IN (SELECT value FROM json_each(?))`,
        )
        .all(userId, JSON.stringify(caseIds)) as { caseId: string; eventType: string; values: string; updatedAt: string }[];
      const logins = {
        sessions: sqlite
          .prepare('SELECT created_at AS createdAt, expires_at AS expiresAt FROM sessions WHERE user_id = ? ORDER BY created_at')
          .all(userId),
        failedAttempts: sqlite
          .prepare(
            'SELECT address, failures, last_failure_at AS lastFailureAt, locked_until AS lockedUntil FROM login_attempts WHERE account = lower(?)',
          )
          .all(subject.email),
        tokens: sqlite
          .prepare(
            'SELECT name, created_at AS createdAt, last_used_at AS lastUsedAt, expires_at AS expiresAt, revoked_at AS revokedAt FROM api_tokens WHERE user_id = ?',
          )
          .all(userId),
      };
      // Satsa's copies of the packages delivered to the e-archive of their cases (the person's data is in them).
      const packages = (
        sqlite
          .prepare(
            `SELECT id, programme_id AS programmeId, case_id AS caseId, package_name AS packageName, sha256, size, delivered_at AS deliveredAt
             FROM archive_deliveries WHERE case_id IN (SELECT value FROM json_each(?)) ORDER BY delivered_at`,
          )
          .all(JSON.stringify(caseIds)) as {
          id: string;
          programmeId: string;
          caseId: string;
          packageName: string;
          sha256: string;
          size: number;
          deliveredAt: string;
        }[]
      ).map((d) => ({ ...d, download: `/api/programmes/${d.programmeId}/archive-deliveries/${d.id}/package` }));
      audit.record({
        actorId: caller.id,
        action: 'person.exported',
        subjectUserId: userId,
        programmeId: scope.all ? undefined : scope.programmes[0],
      });
      return {
        exportedAt: now().toISOString(),
        person: {
          id: subject.id,
          email: subject.email,
          displayName: subject.displayName,
          language: subject.language,
          disabled: subject.disabled === 1,
          createdAt: subject.createdAt,
        },
        roles: memberships,
        cases: cases.map((c) => ({
          id: c.id,
          programmeId: c.programmeId,
          diaryNumber: c.diaryNumber,
          title: c.title,
          relation: c.relation,
          closed: c.status === 'done',
          events: textsOn(c.id, userId),
        })),
        comments,
        documents: documents.map((d) => ({ ...d, download: `/api/cases/${d.caseId}/documents/${d.id}/file` })),
        drafts: drafts.map((d) => ({ ...d, values: JSON.parse(d.values) as unknown })),
        emails: mails,
        archivePackages: packages,
        logins,
        /** Every other row that names the person (their id, address or name), table by table. */
        otherRecords: rowsNaming(identifying(subject), scope),
      };
    },

    /** What an erasure of the person would change, and why it cannot be done yet if it cannot. */
    erasurePreview(caller: Actor, userId: string) {
      const scope = scopeOf(caller, userId, 'erase');
      const subject = userRow(userId)!;
      const cases = casesOf(userId, scope);
      const kept = mustKeep(cases);
      return {
        person: { id: subject.id, displayName: subject.displayName, email: subject.email },
        allowed: kept.length === 0,
        mustKeep: kept,
        changes: counts(userId, subject.email, cases),
      };
    },

    /**
     * Erases the person, keeping the record: one transaction (with `secure_delete` on, as the
     * connection always has it), then the WAL and the free pages are cleared and the sent
     * messages' files removed. Gives the pseudonym's id and what changed.
     */
    erase(caller: Actor, userId: string, reason: string) {
      if (caller.id === userId) {
        throw new DomainError('forbidden', 'no one erases their own account: another administrator does', { reason: 'self' });
      }
      const scope = scopeOf(caller, userId, 'erase');
      const result = db.transaction(
        () => {
          const subject = userRow(userId)!;
          const cases = casesOf(userId, scope);
          const kept = mustKeep(cases);
          if (kept.length > 0) {
            throw new DomainError('must-be-kept', 'the archive rules say these cases must be kept as they are', { cases: kept });
          }
          const changes = counts(userId, subject.email, cases);
          const at = now().toISOString();
          const pseudonym = pseudonymAccount();
          const caseIds = cases.map((c) => c.id);

          // What the person wrote, as it reads now: to be made unreadable wherever a copy was made (e-mails).
          const written = [...new Set(caseIds.flatMap((id) => textsOn(id, userId).flatMap((e) => store.textsOf(e.type, e.payload))))]
            .filter((s) => s.length >= 4)
            .sort((a, b) => b.length - a.length);
          const mails = outboxFor(userId, subject.email, caseIds);
          const files = [...mailFilesFor(mails), ...packageFilesFor(caseIds)];

          sqlite.pragma('defer_foreign_keys = ON');
          // The account becomes the pseudonym: new id, no name, no address, no way in.
          sqlite
            .prepare(
              `UPDATE users SET id = @id, email = @email, display_name = @name, password_hash = NULL, disabled = 1,
               system_administrator = 0, muted_notifications = '[]', erased_at = @at WHERE id = @old`,
            )
            .run({ id: pseudonym.id, email: pseudonym.email, name: pseudonym.displayName, at, old: userId });
          // Secrets and ways in go; so do their own unsent drafts, roles and follows.
          sqlite.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
          sqlite.prepare('DELETE FROM api_tokens WHERE user_id = ?').run(userId);
          sqlite.prepare('DELETE FROM memberships WHERE user_id = ?').run(userId);
          sqlite.prepare('DELETE FROM case_drafts WHERE user_id = ?').run(userId);
          sqlite.prepare('DELETE FROM case_follows WHERE user_id = ?').run(userId);
          sqlite.prepare('DELETE FROM one_time_links WHERE lower(email) = lower(?)').run(subject.email);
          sqlite.prepare('DELETE FROM login_attempts WHERE account = lower(?)').run(subject.email);
          // Stored answers to repeated requests hold copies of what the cases said: they go.
          sqlite
            .prepare(
              `DELETE FROM idempotency_keys WHERE user_id = @id OR EXISTS (SELECT 1 FROM json_each(@cases) WHERE instr(body, value) > 0)`,
            )
            .run({ id: userId, cases: JSON.stringify(caseIds) });
          // What they wrote beside the process: comments, the names and descriptions of their documents.
          sqlite.prepare('UPDATE case_comments SET body = ? WHERE author_id = ?').run(ERASED_TEXT, userId);
          const renamed = sqlite.prepare('UPDATE case_documents SET file_name = ?, description = NULL WHERE id = ?');
          for (const d of sqlite.prepare('SELECT id, file_name AS name FROM case_documents WHERE added_by = ?').all(userId) as {
            id: string;
            name: string;
          }[]) {
            renamed.run(`dokument${path.extname(d.name)}`, d.id);
          }
          sqlite.prepare('UPDATE case_documents SET withdrawn_reason = ? WHERE withdrawn_by = ?').run(ERASED_TEXT, userId);
          // The log: their references name the pseudonym, their keys are destroyed.
          sqlite.prepare('UPDATE case_people SET user_id = ?, key = NULL, shredded_at = ? WHERE user_id = ?').run(pseudonym.id, at, userId);
          sqlite.prepare('UPDATE cases SET initiator_id = ? WHERE initiator_id = ?').run(pseudonym.id, userId);
          // E-mails: copies of what they wrote, then their address and name, everywhere else.
          const copies = mails.map((m) => m.id);
          for (const text of written) {
            sqlite
              .prepare(
                `UPDATE outbox SET data = replace(data, @from, @to) WHERE id IN (SELECT value FROM json_each(@ids)) AND instr(data, @from) > 0`,
              )
              .run({ from: JSON.stringify(text).slice(1, -1), to: ERASED_TEXT, ids: JSON.stringify(copies) });
          }
          const otherRecords = sweep([
            [userId, pseudonym.id],
            [subject.email, pseudonym.email],
            [subject.email.toLowerCase(), pseudonym.email],
            [subject.displayName, pseudonym.displayName],
          ]);
          // Each case reads its log anew: the pseudonym where the person was, their text unreadable.
          for (const id of caseIds) {
            engine.rewriteFromLog(caller, id, { type: 'PERSON_ERASED', payload: {}, role: 'administrator' });
          }
          const broken = sqlite.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`the erasure left ${broken.length} broken references`);
          audit.record({
            actorId: caller.id,
            action: 'person.erased',
            subjectUserId: pseudonym.id,
            programmeId: scope.programmes.length === 1 ? scope.programmes[0] : undefined,
            reason,
            details: { ...changes, otherRecords },
          });
          return { pseudonymId: pseudonym.id, changes, files };
        },
        { behavior: 'immediate' },
      );
      for (const file of result.files) fs.rmSync(file, { force: true });
      forgetOldPages();
      return { pseudonymId: result.pseudonymId, changes: result.changes };
    },

    /**
     * A retention rule's pseudonymisation of one closed case: every person on it is replaced in
     * the case by one pseudonym account, their keys on it destroyed, the case's own records of
     * them (membership, comments, documents' names, e-mails about it) made to name no one, and
     * the case replayed from its log. False when the case is already pseudonymised (nothing done).
     * Runs in the caller's transaction when there is one.
     */
    pseudonymiseCase(caseId: string, o: { decision: string; actor: Actor }): boolean {
      const done = db.transaction(
        () => {
          const row = sqlite.prepare('SELECT status FROM cases WHERE id = ?').get(caseId) as { status: string } | undefined;
          if (!row) throw new DomainError('not-found', `no case ${caseId}`);
          if (row.status !== 'done') throw new DomainError('case-not-running', 'only a closed case is pseudonymised');
          if (sqlite.prepare("SELECT 1 FROM case_events WHERE case_id = ? AND type = 'CASE_PSEUDONYMISED'").get(caseId)) return false;
          const at = now().toISOString();
          const pseudonym = pseudonymAccount();
          sqlite
            .prepare(
              `INSERT INTO users (id, email, display_name, language, disabled, erased_at, created_at) VALUES (@id, @email, @name, 'sv', 1, @at, @at)`,
            )
            .run({ id: pseudonym.id, email: pseudonym.email, name: pseudonym.displayName, at });
          const people = (
            sqlite.prepare('SELECT DISTINCT user_id AS id FROM case_people WHERE case_id = ?').all(caseId) as { id: string }[]
          )
            .map((p) => p.id)
            .filter((id) => id !== o.actor.id);
          const ids = JSON.stringify(people);
          sqlite
            .prepare(
              `UPDATE case_people SET user_id = @p, key = NULL, shredded_at = @at WHERE case_id = @c AND user_id IN (SELECT value FROM json_each(@ids))`,
            )
            .run({ p: pseudonym.id, at, c: caseId, ids });
          sqlite.prepare('DELETE FROM case_members WHERE case_id = ?').run(caseId);
          sqlite.prepare('DELETE FROM case_drafts WHERE case_id = ?').run(caseId);
          sqlite.prepare('DELETE FROM case_follows WHERE case_id = ?').run(caseId);
          sqlite.prepare('UPDATE cases SET initiator_id = ? WHERE id = ?').run(pseudonym.id, caseId);
          sqlite.prepare('UPDATE case_comments SET body = ?, author_id = ? WHERE case_id = ?').run(ERASED_TEXT, pseudonym.id, caseId);
          sqlite
            .prepare(
              `UPDATE case_documents SET file_name = 'dokument', description = NULL, added_by = @p,
               withdrawn_by = CASE WHEN withdrawn_by IS NULL THEN NULL ELSE @p END,
               withdrawn_reason = CASE WHEN withdrawn_reason IS NULL THEN NULL ELSE @erased END WHERE case_id = @c`,
            )
            .run({ p: pseudonym.id, erased: ERASED_TEXT, c: caseId });
          const mails = sqlite.prepare("SELECT id, message_id FROM outbox WHERE case_id = ? AND status <> 'pending'").all(caseId) as {
            id: string;
            message_id: string;
          }[];
          sqlite
            .prepare(
              `UPDATE outbox SET data = '{}', to_address = @email, recipient_user_id = CASE WHEN recipient_user_id IS NULL THEN NULL ELSE @p END
               WHERE case_id = @c AND status <> 'pending'`,
            )
            .run({ email: pseudonym.email, p: pseudonym.id, c: caseId });
          sqlite.prepare('DELETE FROM idempotency_keys WHERE instr(body, ?) > 0').run(caseId);
          engine.rewriteFromLog(o.actor, caseId, { type: 'CASE_PSEUDONYMISED', payload: { decision: o.decision }, role: 'administrator' });
          return { files: [...mailFilesFor(mails), ...packageFilesFor([caseId])] };
        },
        { behavior: 'immediate' },
      );
      if (!done) return false;
      for (const file of done.files) fs.rmSync(file, { force: true });
      forgetOldPages();
      return true;
    },

    /** Whether a closed case's people have been replaced by a pseudonym already (a retention rule's work). */
    isPseudonymised: (caseId: string) =>
      sqlite.prepare("SELECT 1 FROM case_events WHERE case_id = ? AND type = 'CASE_PSEUDONYMISED' LIMIT 1").get(caseId) !== undefined,
  };
}

export type Privacy = ReturnType<typeof createPrivacy>;
