import crypto from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { retentionRuns } from '../db/schema.js';
import { DomainError } from '../errors.js';
import type { Log } from '../log.js';
import type { SentMailPurge } from '../mail/outbox.js';
import type { Actor } from '../people/actor.js';
import type { LoginRecords } from '../people/login-records.js';
import type { ProgrammeConfig } from '../programmes/config.js';
import { before, type PeriodUnit } from './periods.js';

/*
 * Retention (gallring): each programme's rules, each resting on a decision whose reference the
 * configuration in force gives, remove what they name once it is old enough. A rule left out
 * removes nothing.
 *
 *   sentMail     outbox rows sent more than `days` ago, with their .eml files in the embedded
 *                mail store; pending and failed messages are never touched.
 *   logins       sessions that expired, failed log-in attempts last made, and the audit's
 *                entries of log-ins ('sso.logged-in') made more than `months` ago.
 *   closedCases  the personal data of cases closed more than `years` ago (and, when
 *                `afterDelivery` or the archive settings' keepUntilDelivered say so, delivered
 *                to the e-archive) handed to the privacy service's pseudonymisation.
 *
 * Whose rule applies to a person's sessions and attempts, which belong to no one programme:
 * the safe reading of the archive rules, that nothing is removed before every decision
 * concerning it allows. A person's records are removed only when every programme they are in
 * (their roles, and cases they are a guest on) has a log-in rule, and then after the longest of
 * them, under the decision of the programme with that longest rule (the one that allows it
 * last). Attempts at an address no account has, and people in no programme, concern every
 * programme. An audit entry names its programme, whose rule applies to it alone.
 *
 * Each rule that removed anything writes one `retention_runs` row: the rule, its decision, the
 * time, how many, and counts and limits but no personal data. A pass works a batch at a time,
 * each batch one short transaction that removes and brings the row up to date together, with
 * the event loop let go in between, so that neither requests nor timers wait for a pass.
 */

export const RETENTION_RULES = ['sentMail', 'closedCases', 'logins'] as const;
export type RetentionRule = (typeof RETENTION_RULES)[number];

/** The privacy service's pseudonymisation of one closed case (src/privacy), idempotent. */
export interface CasePseudonymiser {
  pseudonymiseCase(caseId: string, options: { reason: string; at: string }): unknown;
  /** Whether the case's personal data is pseudonymised already (such cases are not handed over again). */
  isPseudonymised(caseId: string): boolean;
}

/** What a run row says, beside its count: no personal data. */
export interface RunDetails {
  /** Removed what was older than this. */
  before: string;
  period: { unit: PeriodUnit; count: number };
  /** How many of each kind: messages; sessions, failedLogins, logInEntries; cases. */
  counts: Record<string, number>;
  /** closedCases: the diary numbers of the cases pseudonymised. */
  diaryNumbers?: string[];
}

export interface RetentionRun {
  id: string;
  programmeId: string;
  rule: RetentionRule;
  decision: string;
  ranAt: string;
  removed: number;
  details: RunDetails;
}

export interface RetentionDeps {
  db: Db;
  now: () => Date;
  programmes: { get(id: string): ProgrammeConfig | undefined; list(): ProgrammeConfig[] };
  sentMail: SentMailPurge;
  logins: LoginRecords;
  /** The privacy service; without it the closed-cases rule removes nothing (and says so in the log). */
  privacy?: CasePseudonymiser;
  /** Refuses anyone but the programme's administrator (not-found or forbidden). */
  requireAdministrator: (actor: Actor, programmeId: string) => unknown;
  log?: Log;
  /** Rows removed per transaction. */
  batch?: number;
}

/** A case due to be pseudonymised. */
export interface DueCase {
  caseId: string;
  diaryNumber: string;
  closedAt: string;
}

const letGo = () => new Promise((resolve) => setImmediate(resolve));

export function createRetention(deps: RetentionDeps) {
  const { db, now, programmes } = deps;
  const batch = deps.batch ?? 500;
  const transaction = <T>(work: () => T): T => db.transaction(work, { behavior: 'immediate' });
  /** One pass at a time, whoever starts it: the scheduler or an administrator. */
  let queue: Promise<unknown> = Promise.resolve();

  /** The run row of one rule in one pass, written with the first removal and kept up to date with each batch. */
  function recorder(programmeId: string, rule: RetentionRule, decision: string, ranAt: string, details: RunDetails) {
    let id: string | undefined;
    let removed = 0;
    return {
      /** Call inside the transaction of the removal. */
      add(counts: Record<string, number>, diaryNumbers: string[] = []) {
        const n = Object.values(counts).reduce((a, b) => a + b, 0);
        if (n === 0) return;
        removed += n;
        for (const [k, v] of Object.entries(counts)) details.counts[k] = (details.counts[k] ?? 0) + v;
        if (details.diaryNumbers) details.diaryNumbers.push(...diaryNumbers);
        if (id === undefined) {
          id = crypto.randomUUID();
          db.insert(retentionRuns).values({ id, programmeId, rule, decision, ranAt, removed, details }).run();
        } else {
          db.update(retentionRuns).set({ removed, details }).where(eq(retentionRuns.id, id)).run();
        }
      },
      result: (): RetentionRun | undefined =>
        id === undefined ? undefined : { id, programmeId, rule, decision, ranAt, removed, details: structuredClone(details) },
    };
  }

  const closedQuery = db.$client.prepare(
    `SELECT caseId, diaryNumber, closedAt FROM (
       SELECT c.id AS caseId, c.diary_number AS diaryNumber, (
         SELECT MIN(e.at) FROM case_events e
          WHERE e.case_id = c.id
            AND e.state_after = (SELECT l.state_after FROM case_events l WHERE l.case_id = c.id ORDER BY l.version DESC LIMIT 1)
            AND (e.state_before IS NULL OR e.state_before != e.state_after)) AS closedAt
       FROM cases c
       WHERE c.programme_id = ? AND c.status = 'done'
         AND (? = 0 OR EXISTS (SELECT 1 FROM archive_deliveries d WHERE d.case_id = c.id)))
     WHERE closedAt < ?
     ORDER BY closedAt, caseId`,
  );

  /**
   * The programme's closed cases whose personal data the rule would pseudonymise at `at`:
   * closed (the time of the event that closed them) more than `years` before, delivered to
   * the e-archive when that is required, and not pseudonymised already.
   */
  function closedCasesDue(programmeId: string, at: Date = now()): DueCase[] {
    const config = programmes.get(programmeId);
    const rule = config?.retention.closedCases;
    if (!config || !rule) return [];
    const limit = before(at, rule.years, 'years').toISOString();
    const rows = closedQuery.all(programmeId, deliveryRequired(config) ? 1 : 0, limit) as DueCase[];
    return deps.privacy ? rows.filter((r) => !deps.privacy!.isPseudonymised(r.caseId)) : rows;
  }

  /** A case is pseudonymised only after its delivery when the rule says so, or the archive settings keep it until then. */
  const deliveryRequired = (config: ProgrammeConfig) =>
    (config.retention.closedCases?.afterDelivery ?? true) || (config.archive?.keepUntilDelivered ?? false);

  async function sentMail(config: ProgrammeConfig, at: Date, signal?: AbortSignal) {
    const rule = config.retention.sentMail;
    if (!rule) return undefined;
    const limit = before(at, rule.days, 'days').toISOString();
    const run = recorder(config.id, 'sentMail', rule.decision, at.toISOString(), {
      before: limit,
      period: { unit: 'days', count: rule.days },
      counts: {},
    });
    for (;;) {
      const ids = transaction(() => {
        const removed = deps.sentMail.deleteSent(config.id, limit, batch);
        run.add({ messages: removed.length });
        return removed;
      });
      // The files go once their rows are gone for good; a file left by a crash here is in no outbox row.
      deps.sentMail.removeFiles(ids);
      if (ids.length < batch || signal?.aborted) break;
      await letGo();
    }
    return run.result();
  }

  /** The programme whose log-in rule governs records concerning these programmes (none: every one), if all have one. */
  function governing(programmeIds: string[], all: ProgrammeConfig[]): string | undefined {
    const concerned = programmeIds.length > 0 ? all.filter((c) => programmeIds.includes(c.id)) : all;
    if (concerned.length === 0 || concerned.some((c) => !c.retention.logins)) return undefined;
    return concerned.reduce((a, b) =>
      b.retention.logins!.months > a.retention.logins!.months || (b.retention.logins!.months === a.retention.logins!.months && b.id < a.id)
        ? b
        : a,
    ).id;
  }

  async function logins(config: ProgrammeConfig, at: Date, signal?: AbortSignal) {
    const rule = config.retention.logins;
    if (!rule) return undefined;
    const limit = before(at, rule.months, 'months').toISOString();
    const all = programmes.list();
    const people = deps.logins.programmesOfPeople().filter((p) => governing(p.programmeIds, all) === config.id);
    const userIds = people.map((p) => p.userId);
    const emails = people.map((p) => p.email);
    const unknown = governing([], all) === config.id;
    const run = recorder(config.id, 'logins', rule.decision, at.toISOString(), {
      before: limit,
      period: { unit: 'months', count: rule.months },
      counts: {},
    });
    for (;;) {
      const counts = transaction(() => {
        const c = {
          sessions: deps.logins.deleteSessions(userIds, limit, batch),
          failedLogins: deps.logins.deleteAttempts(emails, limit, batch) + (unknown ? deps.logins.deleteUnknownAttempts(limit, batch) : 0),
          logInEntries: deps.logins.deleteProgrammeLogIns(config.id, limit, batch) + deps.logins.deleteOwnLogIns(userIds, limit, batch),
        };
        run.add(c);
        return c;
      });
      if (Object.values(counts).every((n) => n < batch) || signal?.aborted) break;
      await letGo();
    }
    return run.result();
  }

  async function closedCases(config: ProgrammeConfig, at: Date, signal?: AbortSignal) {
    const rule = config.retention.closedCases;
    if (!rule) return undefined;
    const due = closedCasesDue(config.id, at);
    if (due.length === 0) return undefined;
    const privacy = deps.privacy;
    if (!privacy) {
      deps.log?.warn(
        { programmeId: config.id, cases: due.length },
        'retention: closed cases are due, but no privacy service pseudonymises them',
      );
      return undefined;
    }
    const run = recorder(config.id, 'closedCases', rule.decision, at.toISOString(), {
      before: before(at, rule.years, 'years').toISOString(),
      period: { unit: 'years', count: rule.years },
      counts: {},
      diaryNumbers: [],
    });
    for (const c of due) {
      try {
        transaction(() => {
          if (privacy.isPseudonymised(c.caseId)) return;
          privacy.pseudonymiseCase(c.caseId, { reason: rule.decision, at: at.toISOString() });
          run.add({ cases: 1 }, [c.diaryNumber]);
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        deps.log?.warn(
          { programmeId: config.id, caseId: c.caseId, code: error.code },
          'retention: a closed case could not be pseudonymised',
        );
      }
      if (signal?.aborted) break;
      await letGo();
    }
    return run.result();
  }

  const RULES: Record<RetentionRule, typeof sentMail> = { sentMail, closedCases, logins };

  /**
   * Runs the rules of one programme, or of every programme, as their configurations in force
   * say at `at`; resolves with the run rows written (a rule that removed nothing writes none).
   * `signal` stops the pass between batches (the scheduler's stop).
   */
  function run(programmeId?: string, at: Date = now(), signal?: AbortSignal): Promise<RetentionRun[]> {
    const pass = queue.then(async () => {
      const configs = programmeId === undefined ? programmes.list() : [programmes.get(programmeId)].filter((c) => c !== undefined);
      const runs: RetentionRun[] = [];
      for (const config of configs) {
        for (const rule of RETENTION_RULES) {
          if (signal?.aborted) return runs;
          const result = await RULES[rule](config, at, signal);
          if (result) runs.push(result);
        }
      }
      if (runs.length > 0)
        deps.log?.info({ runs: runs.map((r) => ({ programmeId: r.programmeId, rule: r.rule, removed: r.removed })) }, 'retention: removed');
      return runs;
    });
    queue = pass.catch(() => undefined);
    return pass;
  }

  const runColumns = {
    id: retentionRuns.id,
    programmeId: retentionRuns.programmeId,
    rule: retentionRuns.rule,
    decision: retentionRuns.decision,
    ranAt: retentionRuns.ranAt,
    removed: retentionRuns.removed,
    details: retentionRuns.details,
  };

  /** The programme's most recent run rows, newest first. */
  function recentRuns(programmeId: string, limit = 50): RetentionRun[] {
    return db
      .select(runColumns)
      .from(retentionRuns)
      .where(eq(retentionRuns.programmeId, programmeId))
      .orderBy(desc(retentionRuns.ranAt), desc(sql`rowid`))
      .limit(limit)
      .all() as RetentionRun[];
  }

  /** The rules in force (null: no rule), each with its decision, and the archive settings they depend on. */
  function rulesOf(config: ProgrammeConfig) {
    const r = config.retention;
    return {
      sentMail: r.sentMail ?? null,
      closedCases: r.closedCases ?? null,
      logins: r.logins ?? null,
      archive: config.archive ?? null,
    };
  }

  return {
    run,
    closedCasesDue,
    recentRuns,
    /** The rules in force and the recent runs, for the programme's administrator. */
    view(actor: Actor, programmeId: string) {
      deps.requireAdministrator(actor, programmeId);
      const config = programmes.get(programmeId)!;
      return { ...rulesOf(config), runs: recentRuns(programmeId) };
    },
    /** Runs the programme's rules now, for its administrator; resolves with the run rows written. */
    async runNow(actor: Actor, programmeId: string) {
      deps.requireAdministrator(actor, programmeId);
      return { runs: await run(programmeId) };
    },
  };
}

export type Retention = ReturnType<typeof createRetention>;
