import { and, asc, desc, eq, exists, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { STEP_COUNT } from '../../machines/case/catalogue.js';
import type { CaseContext } from '../../machines/case/context.js';
import { requirementsFor, unmet } from '../../machines/case/requirements.js';
import { CASE_EVENT_TYPES, type CaseEventType } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import type { Db } from '../db/client.js';
import { afterCursor, cutPage } from '../db/paging.js';
import { caseDocuments, caseEvents, caseMembers, cases, caseSteps } from '../db/schema.js';
import { canSeeCase, roleFor } from '../engine/access.js';
import type { CaseRow, CaseStore } from '../engine/case-store.js';
import type { Engine } from '../engine/engine.js';
import { acceptedEventTypes, restoreSnapshot, statePaths, type CaseSnapshot } from '../engine/snapshot.js';
import { DomainError } from '../errors.js';
import { inProgrammeWords, t, type Language, type ProgrammeWords } from '../i18n/index.js';
import type { ProgrammeConfig } from '../programmes/config.js';
import { requirementWords } from '../programmes/requirement-words.js';
import { belongsTo, programmesWhere, rolesIn, seesAllCasesOf, type Actor } from '../people/actor.js';
import type { PeopleService } from '../people/service.js';
import type { TimerStore } from '../scheduler/timers.js';

/** A page of a case's history: oldest first, `limit` events after the cursor's (the first page without one). */
export const historyQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100).describe('events per page (1–500, 100 unless said)'),
    cursor: z.string().min(1).max(200).optional().describe("`nextCursor` of the page before; without it, the case's first page"),
  })
  .strict();
export type HistoryPage = { limit: number; cursor?: string };

/** The cursor of a history page: the version of the last event it holds. */
const historyCursor = (version: number) => Buffer.from(JSON.stringify({ after: version })).toString('base64url');
function afterVersion(cursor: string): number {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (Number.isSafeInteger(value.after) && (value.after as number) >= 0) return value.after as number;
  } catch {
    // answered below
  }
  throw new DomainError('validation-failed', 'the cursor is not one this API returned', {
    errors: [{ path: 'cursor', message: 'invalid cursor' }],
  });
}

export const listQuerySchema = z
  .object({
    step: z.coerce.number().int().min(1).max(STEP_COUNT).optional(),
    state: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z.]+$/, 'a state path such as open.preparation.proposal')
      .optional(),
    programme: z.string().trim().min(1).max(64).optional(),
    priorityArea: z.string().trim().min(1).max(64).optional(),
    status: z.enum(['active', 'done']).optional(),
    q: z.string().trim().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(500).optional(),
  })
  .strict();
export type ListQuery = z.infer<typeof listQuerySchema>;

export const createCaseSchema = z
  .object({
    programmeId: z.string().trim().min(1).max(64).optional(),
    title: z.string().trim().min(1).max(200),
    summary: z.string().trim().min(1).max(10_000),
  })
  .strict();

export interface EventAvailability {
  type: CaseEventType;
  label: string;
  allowed: boolean;
  /** The role the caller would act in. */
  role?: Role;
  reasons: { code: string; message: string; requirement?: string; subject?: string; roles?: readonly Role[] }[];
}

export interface CaseServiceDeps {
  db: Db;
  engine: Pick<Engine, 'create' | 'send' | 'tryOut'>;
  store: Pick<CaseStore, 'load' | 'isMember' | 'takesPart' | 'isGuestAnywhere' | 'logReader'>;
  people: Pick<PeopleService, 'displayNames'>;
  timers: Pick<TimerStore, 'ofCase'>;
  /** What a programme calls its bodies and roles: a case's labels use its programme's words. */
  wordsOf: (programmeId: string) => ProgrammeWords | undefined;
  /** A programme's settings, for the names of what its rules are about (criteria, areas). */
  programme?: (programmeId: string) => ProgrammeConfig | undefined;
}

/** A programme's settings as a key: one number per settings object (a version is never edited, so its object is kept). */
const configKeys = new WeakMap<object, number>();
let nextConfigKey = 1;
function configKey(config: object): number {
  let key = configKeys.get(config);
  if (key === undefined) configKeys.set(config, (key = nextConfigKey++));
  return key;
}

/**
 * Cases as people read them (a case, its history, lists) and the two ways to change one
 * (raise an idea, send an event), which go through the engine. Answers are data; the
 * routes add status and ETag.
 */
export function createCaseService({ db, engine, store, people, timers, wordsOf, programme }: CaseServiceDeps) {
  /*
   * What the caller may do on a case, in two parts. The part that depends only on where the
   * case stands (machine version, state), the caller's roles there and membership, the language
   * and the programme's words (every event's label, the wrong step, the wrong role) is built
   * once per such key; the part that reads the case's data (the unmet rules of the events its
   * state takes) once per case version. Every change of a case is a new version, so neither
   * goes stale; both are bounded.
   */
  type Reason = EventAvailability['reasons'][number];
  interface BaseAvailability {
    type: CaseEventType;
    label: string;
    accepted: boolean;
    role?: Role;
    reasons: Reason[];
  }
  const MEMO_LIMIT = 2000;
  const baseMemo = new Map<string, BaseAvailability[]>();
  const dataMemo = new Map<string, ReadonlyMap<CaseEventType, Reason[]>>();
  const memoStats = { base: { hits: 0, misses: 0 }, data: { hits: 0, misses: 0 } };
  /** `keep: false` answers without keeping (a version read inside a transaction may yet be rolled back, and made again otherwise). */
  const remember = <V>(memo: Map<string, V>, key: string, stats: { hits: number; misses: number }, compute: () => V, keep = true): V => {
    let value = memo.get(key);
    if (value !== undefined) {
      stats.hits++;
      return value;
    }
    stats.misses++;
    value = compute();
    if (keep) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(key, value);
    }
    return value;
  };

  function availability(
    actor: Actor,
    row: CaseRow,
    snapshot: CaseSnapshot,
    member: boolean,
    lang: Language,
    words: ProgrammeWords | undefined,
  ): EventAvailability[] {
    const config = programme?.(row.programmeId);
    const roles = rolesIn(actor, row.programmeId);
    const wordsKey = words ? JSON.stringify(words) : '';
    const baseKey = JSON.stringify([row.machineVersion, snapshot.status, snapshot.value, roles, member, lang, wordsKey]);
    const base = remember(baseMemo, baseKey, memoStats.base, () => {
      const accepted = acceptedEventTypes(snapshot);
      return CASE_EVENT_TYPES.map((type): BaseAvailability => {
        const reasons: Reason[] = [];
        if (!accepted.has(type)) reasons.push({ code: 'wrong-step', message: t(lang, 'reasons.wrong-step') });
        const role = roleFor(actor, row.programmeId, type, member);
        if (!role.ok) {
          const names = role.roles.map((r) => t(lang, `roles.${r}`)).join(', ');
          reasons.push({ code: role.reason, roles: role.roles, message: t(lang, `reasons.${role.reason}`, { roles: names }) });
        }
        return { type, label: t(lang, `events.${type}`), accepted: accepted.has(type), role: role.ok ? role.role : undefined, reasons };
      });
    });
    // The programme's settings name the rules' subjects (criteria, areas): a new version of them is a new key.
    const dataKey = JSON.stringify([row.id, row.version, row.machineVersion, lang, wordsKey, config ? configKey(config) : 0]);
    const unmetOf = remember(
      dataMemo,
      dataKey,
      memoStats.data,
      () => {
        const out = new Map<CaseEventType, Reason[]>();
        for (const b of base) {
          if (!b.accepted) continue;
          const reasons = unmet(requirementsFor(b.type, snapshot.context as CaseContext, undefined, row.machineVersion)).map(
            (r): Reason => ({
              code: 'requirement-unmet',
              requirement: r.id,
              subject: r.subject,
              message: requirementWords(lang, r, config),
            }),
          );
          if (reasons.length > 0) out.set(b.type, reasons);
        }
        return out;
      },
      !db.$client.inTransaction,
    );
    return base.map((b) => {
      const reasons = [...b.reasons, ...(unmetOf.get(b.type) ?? [])];
      return { type: b.type, label: b.label, allowed: reasons.length === 0, role: b.role, reasons };
    });
  }

  const lastEventQuery = db.$client.prepare('SELECT coalesce(max(id), 0) FROM case_events').pluck();
  const stepCountsKept = new Map<string, { lastEvent: number; counts: ReadonlyMap<number, number> }>();

  /** What a list shows of a case: everything but the snapshot (large, and parsed from JSON). */
  const summaryColumns = {
    id: cases.id,
    diaryNumber: cases.diaryNumber,
    programmeId: cases.programmeId,
    title: cases.title,
    status: cases.status,
    outcome: cases.outcome,
    steps: cases.steps,
    statePaths: cases.statePaths,
    priorityAreaId: cases.priorityAreaId,
    initiatorId: cases.initiatorId,
    version: cases.version,
    createdAt: cases.createdAt,
    updatedAt: cases.updatedAt,
  };
  type SummaryRow = Pick<CaseRow, keyof typeof summaryColumns>;

  function summary(row: SummaryRow, lang: Language) {
    return inProgrammeWords(wordsOf(row.programmeId), () => summaryIn(row, lang));
  }

  function summaryIn(row: SummaryRow, lang: Language) {
    const steps = row.steps.split(',').filter(Boolean).map(Number);
    return {
      id: row.id,
      diaryNumber: row.diaryNumber,
      programmeId: row.programmeId,
      title: row.title,
      status: row.status,
      outcome: row.outcome,
      outcomeLabel: row.outcome ? t(lang, `outcomes.${row.outcome}`) : null,
      steps,
      stepCount: STEP_COUNT,
      stepText: steps.map((step) => `${t(lang, 'app.stepOf', { step, total: STEP_COUNT })}: ${t(lang, `steps.${step}`)}`).join('; '),
      state: row.statePaths.split(','),
      priorityAreaId: row.priorityAreaId,
      initiatorId: row.initiatorId,
      version: row.version,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  function view(actor: Actor, row: CaseRow, snapshot: CaseSnapshot, lang: Language) {
    const words = wordsOf(row.programmeId);
    return inProgrammeWords(words, () => viewIn(actor, row, snapshot, lang, words));
  }

  function viewIn(actor: Actor, row: CaseRow, snapshot: CaseSnapshot, lang: Language, words: ProgrammeWords | undefined) {
    // A guest sees the case but acts on it in no role: only its owner and participants act as its initiator.
    const member = store.takesPart(row.id, actor.id);
    const events = availability(actor, row, snapshot, member, lang, words);
    const names = people.displayNames([row.initiatorId]);
    return {
      ...summary(row, lang),
      initiator: { id: row.initiatorId, displayName: names.get(row.initiatorId) ?? null },
      machineVersion: row.machineVersion,
      programmeVersion: row.programmeVersion,
      data: snapshot.context,
      /** Durable deadlines of the case: pending, fired or cancelled. */
      deadlines: timers.ofCase(row.id).map((d) => ({ ...d, label: t(lang, `timers.${d.kind}`) })),
      allowedEvents: events.filter((e) => e.allowed),
      blockedEvents: events.filter((e) => !e.allowed),
    };
  }

  function loadVisible(actor: Actor, caseId: string): CaseRow {
    const row = store.load(caseId);
    if (!row || !canSeeCase(actor, row.programmeId, store.isMember(row.id, actor.id))) {
      throw new DomainError('not-found', `no case ${caseId}`);
    }
    return row;
  }

  /** An imported decision says, besides when it was recorded, when and by whom it was made. */
  function importedLabel(lang: Language, payload: unknown) {
    const p = payload as { decisionDate: string; decidingBody: string; reference: string };
    return t(lang, 'imports.initiatives.historyLabel', {
      label: t(lang, 'events.IMPORT_DECIDED'),
      date: p.decisionDate,
      body: p.decidingBody,
      reference: p.reference,
    });
  }

  /** A move to another version of the process, in words (the versions only: no state names). */
  function migratedLabel(lang: Language, payload: unknown) {
    const p = payload as { fromVersion: number; toVersion: number };
    return t(lang, 'processMigration.history', { from: p.fromVersion, to: p.toVersion });
  }

  /** The names of the documents a case's events name (by id only: the name is looked up now). */
  function documentNames(caseId: string, events: { type: string }[]) {
    if (!events.some((e) => e.type.startsWith('DOCUMENT_'))) return new Map<string, string>();
    const rows = db
      .select({ id: caseDocuments.id, fileName: caseDocuments.fileName })
      .from(caseDocuments)
      .where(eq(caseDocuments.caseId, caseId))
      .all();
    return new Map(rows.map((r) => [r.id, r.fileName]));
  }

  /** A document's event in words, naming the file; any other event by its label. */
  function documentLabel(lang: Language, type: string, payload: unknown, documents: Map<string, string>) {
    const p = payload as { documentId?: string; replacesId?: string };
    const name = p.documentId && documents.get(p.documentId);
    if (!name) return t(lang, `events.${type}`);
    if (type === 'DOCUMENT_ADDED') return t(lang, 'documents.history.added', { name });
    if (type === 'DOCUMENT_WITHDRAWN') return t(lang, 'documents.history.withdrawn', { name });
    if (type === 'DOCUMENT_REPLACED') return t(lang, 'documents.history.replaced', { name, old: documents.get(p.replacesId ?? '') ?? '' });
    return t(lang, `events.${type}`);
  }

  function historyOf(row: CaseRow, lang: Language, staff: boolean, page?: HistoryPage) {
    return inProgrammeWords(wordsOf(row.programmeId), () => historyIn(row, lang, staff, page));
  }

  /** An internal comment is the programme's staff's own: its event is not in anyone else's history. */
  const internalComment = (e: { type: string; payload: unknown }) =>
    e.type === 'COMMENT_ADDED' && (e.payload as { visibility?: string } | null)?.visibility !== 'shared';

  function historyIn(row: CaseRow, lang: Language, staff: boolean, page?: HistoryPage) {
    const after = page?.cursor === undefined ? 0 : afterVersion(page.cursor);
    const fetched = db
      .select({
        version: caseEvents.version,
        type: caseEvents.type,
        actorId: caseEvents.actorId,
        role: caseEvents.actorRole,
        at: caseEvents.at,
        payload: caseEvents.payload,
        stateBefore: caseEvents.stateBefore,
        stateAfter: caseEvents.stateAfter,
        stepsBefore: caseEvents.stepsBefore,
        stepsAfter: caseEvents.stepsAfter,
      })
      .from(caseEvents)
      .where(and(eq(caseEvents.caseId, row.id), gt(caseEvents.version, after)))
      .orderBy(asc(caseEvents.version))
      .limit(page ? page.limit + 1 : -1)
      .all();
    // One more than the page says whether there is a next; an internal comment a reader may not see leaves a gap, never a hole in the cursor.
    const read = store.logReader(row.id);
    const shown = (page ? fetched.slice(0, page.limit) : fetched).map(read);
    const nextCursor = page && fetched.length > page.limit ? historyCursor(shown[shown.length - 1]!.version) : null;
    const events = shown.filter((e) => staff || !internalComment(e));
    const steps = (s: string | null) => (s ? s.split(',').filter(Boolean).map(Number) : []);
    const names = people.displayNames(events.map((e) => e.actorId));
    const documents = documentNames(row.id, events);
    return {
      caseId: row.id,
      diaryNumber: row.diaryNumber,
      version: row.version,
      nextCursor,
      events: events.map((e) => ({
        version: e.version,
        type: e.type,
        label:
          e.type === 'CASE_CREATED'
            ? t(lang, 'steps.1')
            : e.type === 'IMPORT_DECIDED'
              ? importedLabel(lang, e.payload)
              : e.type === 'CASE_MIGRATED'
                ? migratedLabel(lang, e.payload)
                : documentLabel(lang, e.type, e.payload, documents),
        actor: { id: e.actorId, displayName: names.get(e.actorId) ?? null },
        role: e.role,
        roleLabel: e.role === 'guest' ? t(lang, 'guests.role') : t(lang, `roles.${e.role}`),
        at: e.at,
        payload: e.payload,
        stateBefore: e.stateBefore === null ? null : statePaths(e.stateBefore as never),
        stateAfter: statePaths(e.stateAfter as never),
        stepsBefore: steps(e.stepsBefore),
        stepsAfter: steps(e.stepsAfter),
      })),
    };
  }

  return {
    /** How often the case view's allowed and blocked events were built and how often remembered (for tests). */
    availabilityStats: () => ({ base: { ...memoStats.base }, data: { ...memoStats.data } }),

    /** One case as the actor may see it: where it stands, its data, and what they may do now. */
    get(actor: Actor, caseId: string, lang: Language) {
      const row = loadVisible(actor, caseId);
      return view(actor, row, restoreSnapshot(row), lang);
    },

    /** `states` (not in the API) lists cases at any of several states in one query, for the pages. */
    list(actor: Actor, query: ListQuery & { states?: string[] }, lang: Language) {
      // Every programme the caller holds a role in, or the one asked for: another programme's
      // cases are never visible, and asking for them gives an empty page.
      const programmes = query.programme ? [query.programme].filter((p) => belongsTo(actor, p)) : programmesWhere(actor);
      // A guest's cases (of programmes they hold no role in) are in their list too; nothing else of those programmes.
      const guest = store.isGuestAnywhere(actor.id)
        ? exists(
            db
              .select({ one: sql`1` })
              .from(caseMembers)
              .where(and(eq(caseMembers.caseId, cases.id), eq(caseMembers.userId, actor.id), eq(caseMembers.relation, 'guest'))),
          )
        : undefined;
      if (programmes.length === 0 && !guest) return { items: [], nextCursor: null };
      // With a step, the step index (case_steps) drives the query, newest first; otherwise the
      // cases' own (programme, [status,] created) indexes do.
      const created = query.step ? caseSteps.createdAt : cases.createdAt;
      const id = query.step ? caseSteps.caseId : cases.id;
      const programmeColumn = query.step ? caseSteps.programmeId : cases.programmeId;
      const inProgrammes = (ids: string[]) => (ids.length === 1 ? eq(programmeColumn, ids[0]!) : inArray(programmeColumn, ids));
      // Where the caller has a programme role they see every case; elsewhere only their own.
      const everyCase = programmes.filter((p) => seesAllCasesOf(actor, p));
      const ownCases = programmes.filter((p) => !seesAllCasesOf(actor, p));
      const member = exists(
        db
          .select({ one: sql`1` })
          .from(caseMembers)
          .where(and(eq(caseMembers.caseId, cases.id), eq(caseMembers.userId, actor.id))),
      );
      const ofRoles =
        programmes.length === 0
          ? undefined
          : ownCases.length === 0
            ? inProgrammes(everyCase)
            : everyCase.length === 0
              ? and(inProgrammes(ownCases), member)!
              : or(inProgrammes(everyCase), and(inProgrammes(ownCases), member))!;
      const asGuest = guest && (query.programme ? and(guest, eq(cases.programmeId, query.programme))! : guest);
      const visible = ofRoles && asGuest ? or(ofRoles, asGuest)! : (ofRoles ?? asGuest)!;
      const conditions: SQL[] = query.step ? [visible, eq(caseSteps.step, query.step)] : [visible];
      const states = [...(query.state ? [query.state] : []), ...(query.states ?? [])];
      if (states.length > 0) {
        // The named state or one inside it: "open.idea" must not match "open.ideaTemplate".
        const paths = sql`(',' || ${cases.statePaths} || ',')`;
        conditions.push(or(...states.flatMap((state) => [sql`${paths} LIKE ${`%,${state},%`}`, sql`${paths} LIKE ${`%,${state}.%`}`]))!);
      }
      if (query.priorityArea) conditions.push(eq(cases.priorityAreaId, query.priorityArea));
      if (query.status) conditions.push(eq(cases.status, query.status));
      if (query.q) {
        const q = query.q.toLowerCase();
        conditions.push(sql`instr(${cases.searchText}, ${q}) > 0`);
        // From three characters on, the trigram index (case_search) finds the candidates;
        // instr keeps the meaning exact: the text contains q.
        if ([...q].length >= 3) {
          const phrase = `{body} : "${q.replace(/"/g, '""')}"`;
          conditions.push(sql`${cases.id} IN (SELECT case_id FROM case_search WHERE case_search MATCH ${phrase})`);
        }
      }
      if (query.cursor) conditions.push(afterCursor(query.cursor, created, id));
      const base = query.step
        ? db.select(summaryColumns).from(caseSteps).innerJoin(cases, eq(cases.id, caseSteps.caseId))
        : db.select(summaryColumns).from(cases);
      const rows = base
        .where(and(...conditions))
        .orderBy(desc(created), desc(id))
        .limit(query.limit + 1)
        .all();
      const page = cutPage(rows, query.limit);
      return { items: page.items.map((row) => summary(row, lang)), nextCursor: page.nextCursor };
    },

    /** The case's complete event log. */
    /**
     * How many cases stand at each step of a programme (a case running steps 10–12 counts at
     * each of them), for those who see every case of it: the same cases the list gives by step.
     */
    stepCounts(actor: Actor, programmeId: string): Map<number, number> {
      if (!belongsTo(actor, programmeId) || !seesAllCasesOf(actor, programmeId)) {
        throw new DomainError('forbidden', 'the counts are for those who see every case of the programme');
      }
      // Kept until the case log grows: the step index changes only with an event of a case, in
      // its transaction (also another process's). Counted afresh inside a transaction.
      const last = lastEventQuery.get() as number;
      const kept = stepCountsKept.get(programmeId);
      if (kept && kept.lastEvent === last && !db.$client.inTransaction) return new Map(kept.counts);
      const rows = db
        .select({ step: caseSteps.step, count: sql<number>`count(*)` })
        .from(caseSteps)
        .where(eq(caseSteps.programmeId, programmeId))
        .groupBy(caseSteps.step)
        .all();
      const counts = new Map(rows.map((r) => [r.step, Number(r.count)]));
      if (!db.$client.inTransaction) {
        if (stepCountsKept.size >= 100) stepCountsKept.clear();
        stepCountsKept.set(programmeId, { lastEvent: last, counts });
      }
      return new Map(counts);
    },

    /** The case's history: every event, or one page of them (the API's answers are paged). */
    history(actor: Actor, caseId: string, lang: Language, page?: HistoryPage) {
      const row = loadVisible(actor, caseId);
      return historyOf(row, lang, seesAllCasesOf(actor, row.programmeId), page);
    },

    /** Step 1: an initiator raises an idea, in the programme named or the only one they are an initiator in. */
    create(actor: Actor, body: z.infer<typeof createCaseSchema>, lang: Language) {
      const own = programmesWhere(actor, 'initiator');
      const programmeId = body.programmeId ?? (own.length === 1 ? own[0] : undefined);
      if (!programmeId) {
        throw own.length === 0
          ? new DomainError('forbidden', 'only an initiator can raise an idea', { roles: ['initiator'] })
          : new DomainError('validation-failed', 'say in which programme the idea is raised', {
              errors: [{ path: 'body.programmeId', message: `one of: ${own.join(', ')}` }],
            });
      }
      const row = engine.create(actor, programmeId, { title: body.title, summary: body.summary });
      return view(actor, row, restoreSnapshot(row), lang);
    },

    /** Whether the case would take the event now: throws what `send` would, and writes nothing. */
    tryOut(actor: Actor, caseId: string, body: { type: CaseEventType; payload?: unknown; role?: Role }, expectedVersion: number) {
      engine.tryOut({ caseId, type: body.type, payload: body.payload, actor, role: body.role, expectedVersion });
    },

    /**
     * Sends an event to a case. The case's view comes back unless `minimal` (the caller needs
     * only the new version), built in the same transaction as the change.
     */
    send(
      actor: Actor,
      caseId: string,
      body: { type: CaseEventType; payload?: unknown; role?: Role },
      expectedVersion: number,
      lang: Language,
      options: { minimal?: boolean } = {},
    ) {
      const { row, snapshot } = engine.send({ caseId, type: body.type, payload: body.payload, actor, role: body.role, expectedVersion });
      return { version: row.version, view: options.minimal ? undefined : view(actor, row, snapshot, lang) };
    },
  };
}

export type CaseView = ReturnType<CaseService['get']>;
export type CaseService = ReturnType<typeof createCaseService>;
