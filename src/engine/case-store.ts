import { and, desc, eq, sql } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import { param, type Db } from '../db/client.js';
import { caseEvents, caseMembers, cases, caseSteps, diaryCounters } from '../db/schema.js';
import { joinSnapshot, partChanges, splitSnapshot, type PartTexts } from './case-parts.js';
import { reportFacts } from './report-facts.js';
import { createLogPeople } from './log-people.js';
import { stepsOf, statePaths, type CaseSnapshot } from './snapshot.js';

/*
 * The SQL of a case, in one place: its row (snapshot, version and the columns the lists
 * filter on), its append-only event log, its members, the step index the case list reads
 * and the diary numbers. The hot statements are built and prepared once (drizzle otherwise
 * builds each query anew). Nothing here decides anything: the engine does.
 */

export type CaseRow = typeof cases.$inferSelect;
export type CaseRelation = (typeof caseMembers.$inferSelect)['relation'];

/** The columns derived from a snapshot, which the case list filters and searches on. */
export function projection(snapshot: CaseSnapshot, diaryNumber: string, steps = stepsOf(snapshot).join(',')) {
  const ctx = snapshot.context;
  return {
    steps: `,${steps},`,
    statePaths: statePaths(snapshot.value).join(','),
    status: snapshot.status === 'done' ? ('done' as const) : ('active' as const),
    outcome: ctx.outcome?.kind ?? null,
    priorityAreaId: ctx.eligibility?.priorityAreaId ?? null,
    searchText: `${diaryNumber} ${ctx.idea.title} ${ctx.idea.summary}`.toLowerCase(),
    reportFacts: reportFacts(ctx),
  };
}

export type CaseChanges = ReturnType<typeof projection> & { version: number; updatedAt: string };

/** The projection's columns, as the row and `projection()` name them, with their SQL names. */
const PROJECTED = {
  steps: 'steps',
  statePaths: 'state_paths',
  status: 'status',
  outcome: 'outcome',
  priorityAreaId: 'priority_area_id',
  searchText: 'search_text',
  reportFacts: 'report_facts',
} as const satisfies Record<keyof ReturnType<typeof projection>, string>;
type Projected = keyof typeof PROJECTED;

/**
 * The parts' texts as a loaded or written row holds them (src/engine/case-parts.ts): a write
 * compares against them and writes only the parts that changed.
 */
const partsRead = new WeakMap<object, PartTexts>();

export interface LoggedEvent {
  caseId: string;
  version: number;
  type: string;
  payload: unknown;
  actorId: string;
  role: string;
  at: string;
  /** The states before (null when the case was created) and after, as xstate state values. */
  stateBefore: unknown;
  stateAfter: unknown;
  /** The steps before and after as "10,11,12". */
  stepsBefore: string | null;
  stepsAfter: string;
}

export function createCaseStore(db: Db) {
  const people = createLogPeople(db.$client);
  const caseQuery = db
    .select()
    .from(cases)
    .where(eq(cases.id, sql.placeholder('id')))
    .prepare();
  const memberQuery = db
    .select({ relation: caseMembers.relation })
    .from(caseMembers)
    .where(and(eq(caseMembers.caseId, sql.placeholder('caseId')), eq(caseMembers.userId, sql.placeholder('userId'))))
    .prepare();
  const participantsQuery = db
    .select({ userId: caseMembers.userId })
    .from(caseMembers)
    .where(and(eq(caseMembers.caseId, sql.placeholder('caseId')), eq(caseMembers.relation, 'participant')))
    .prepare();
  const sqlite = db.$client;
  const partsOf = sqlite.prepare<[string], { part: string; data: string }>('SELECT part, data FROM case_parts WHERE case_id = ?');
  const writePart = sqlite.prepare(
    'INSERT INTO case_parts (case_id, part, data) VALUES (?, ?, ?) ON CONFLICT (case_id, part) DO UPDATE SET data = excluded.data',
  );
  const removePart = sqlite.prepare('DELETE FROM case_parts WHERE case_id = ? AND part = ?');
  /**
   * The UPDATE of a command, one prepared statement per set of projected columns it changes:
   * a column (and its index) the command did not change is not written.
   */
  const updates = new Map<string, Database.Statement>();
  function updateStatement(changed: Projected[]) {
    const key = changed.join();
    let statement = updates.get(key);
    if (!statement) {
      const set = [
        'snapshot = @snapshot',
        'version = @version',
        'updated_at = @updatedAt',
        ...changed.map((c) => `${PROJECTED[c]} = @${c}`),
      ];
      statement = sqlite.prepare(`UPDATE cases SET ${set.join(', ')} WHERE id = @id AND version = @expectedVersion`);
      updates.set(key, statement);
    }
    return statement;
  }

  /** A row as read, with its parts joined into its snapshot (and remembered for the next write). */
  function joined<R extends { id: string; snapshot: unknown }>(row: R | undefined): R | undefined {
    if (!row) return row;
    const parts = partsOf.all(row.id);
    joinSnapshot(row.snapshot, parts);
    partsRead.set(row, new Map(parts.map((p) => [p.part, p.data])));
    return row;
  }

  /** Writes the parts that differ from what `before` held; gives the parts now stored. */
  function writeParts(caseId: string, before: PartTexts | undefined, after: PartTexts) {
    const { write, remove } = partChanges(before, after);
    for (const [part, data] of write) writePart.run(caseId, part, data);
    for (const part of remove) removePart.run(caseId, part);
  }

  const insertEvent = db
    .insert(caseEvents)
    .values({
      caseId: sql.placeholder('caseId'),
      version: sql.placeholder('version'),
      type: sql.placeholder('type'),
      actorId: sql.placeholder('actorId'),
      actorRole: sql.placeholder('actorRole'),
      at: sql.placeholder('at'),
      payload: param('payload'),
      stateBefore: param('stateBefore'),
      stateAfter: param('stateAfter'),
      stepsBefore: sql.placeholder('stepsBefore'),
      stepsAfter: sql.placeholder('stepsAfter'),
    })
    .prepare();

  /** The case list's step index: one row per step the case stands at. */
  function writeSteps(row: Pick<CaseRow, 'id' | 'programmeId' | 'createdAt'>, steps: number[]) {
    if (steps.length === 0) return;
    db.insert(caseSteps)
      .values(steps.map((step) => ({ caseId: row.id, programmeId: row.programmeId, step, createdAt: row.createdAt })))
      .run();
  }

  return {
    load: (id: string): CaseRow | undefined => joined(caseQuery.get({ id })),

    /** Whether the user owns, takes part in or is a guest of the case (sees it). */
    isMember: (caseId: string, userId: string) => memberQuery.get({ caseId, userId }) !== undefined,

    /** Whether the user owns or takes part in the case (may act on it as its initiator); a guest does not. */
    takesPart: (caseId: string, userId: string) => {
      const relation = memberQuery.get({ caseId, userId })?.relation;
      return relation === 'owner' || relation === 'participant';
    },

    /** How the user is a member of the case, if they are. */
    relationOf: (caseId: string, userId: string): CaseRelation | undefined => memberQuery.get({ caseId, userId })?.relation,

    /** The users who take part in the case besides its owner. */
    participants: (caseId: string): string[] => participantsQuery.all({ caseId }).map((m) => m.userId),

    /** Adds a member; a guest who is added as a participant becomes one (a member never becomes a guest). */
    addMember(caseId: string, userId: string, relation: CaseRelation) {
      const insert = db.insert(caseMembers).values({ caseId, userId, relation });
      if (relation === 'participant') {
        insert
          .onConflictDoUpdate({
            target: [caseMembers.caseId, caseMembers.userId],
            set: { relation },
            where: eq(caseMembers.relation, 'guest'),
          })
          .run();
      } else insert.onConflictDoNothing().run();
    },

    /** The guests of a case (people from outside invited to it). */
    guests: (caseId: string): string[] =>
      db
        .select({ userId: caseMembers.userId })
        .from(caseMembers)
        .where(and(eq(caseMembers.caseId, caseId), eq(caseMembers.relation, 'guest')))
        .all()
        .map((m) => m.userId),

    /** Everyone who is a member of the case: owner, participants and guests. */
    members: (caseId: string): { userId: string; relation: CaseRelation }[] =>
      db
        .select({ userId: caseMembers.userId, relation: caseMembers.relation })
        .from(caseMembers)
        .where(eq(caseMembers.caseId, caseId))
        .all(),

    /** The programme of a case the user is a guest of (the newest), if any. */
    guestProgrammeOf: (userId: string): string | undefined =>
      db
        .select({ programmeId: cases.programmeId })
        .from(caseMembers)
        .innerJoin(cases, eq(cases.id, caseMembers.caseId))
        .where(and(eq(caseMembers.userId, userId), eq(caseMembers.relation, 'guest')))
        .orderBy(desc(cases.createdAt))
        .limit(1)
        .get()?.programmeId,

    /** Whether the user is a guest of any case. */
    isGuestAnywhere: (userId: string) =>
      db
        .select({ one: sql`1` })
        .from(caseMembers)
        .where(and(eq(caseMembers.userId, userId), eq(caseMembers.relation, 'guest')))
        .limit(1)
        .get() !== undefined,

    /** The next diary number of a programme's year, e.g. UPH-2026-0042. */
    nextDiaryNumber(programmeId: string, prefix: string, year: number): string {
      const row = db
        .insert(diaryCounters)
        .values({ programmeId, year, last: 1 })
        .onConflictDoUpdate({
          target: [diaryCounters.programmeId, diaryCounters.year],
          set: { last: sql`${diaryCounters.last} + 1` },
        })
        .returning({ last: diaryCounters.last })
        .get();
      return `${prefix}-${year}-${String(row.last).padStart(4, '0')}`;
    },

    /** Whether a diary number is used by a case (of any programme: diary numbers are unique). */
    diaryNumberTaken: (diaryNumber: string) =>
      db.select({ id: cases.id }).from(cases).where(eq(cases.diaryNumber, diaryNumber)).get() !== undefined,

    /** Keeps a diary number given from elsewhere: the year's counter never hands out `number` or one below it again. */
    reserveDiaryNumber(programmeId: string, year: number, number: number) {
      db.insert(diaryCounters)
        .values({ programmeId, year, last: number })
        .onConflictDoUpdate({
          target: [diaryCounters.programmeId, diaryCounters.year],
          set: { last: sql`max(${diaryCounters.last}, ${number})` },
        })
        .run();
    },

    /** A new case's row (its snapshot split from its parts), its parts and its step index. */
    insert(row: CaseRow, steps: number[]) {
      const { inline, parts } = splitSnapshot(row.snapshot as object);
      db.insert(cases)
        .values({ ...row, snapshot: JSON.parse(inline) as object })
        .run();
      writeParts(row.id, new Map(), parts);
      partsRead.set(row, parts);
      writeSteps(row, steps);
    },

    /**
     * Writes a command's change if the case is still at the version `before` was read at: the
     * row's snapshot, version and the projected columns that changed, and the parts that
     * changed. Gives the row as it now is, or undefined when the case had moved on.
     */
    update(before: CaseRow, persisted: object, changes: CaseChanges): CaseRow | undefined {
      const { inline, parts } = splitSnapshot(persisted);
      const changed = (Object.keys(PROJECTED) as Projected[]).filter((c) => changes[c] !== before[c]);
      const values: Record<string, unknown> = { snapshot: inline, version: changes.version, updatedAt: changes.updatedAt, id: before.id };
      for (const c of changed) values[c] = changes[c];
      values.expectedVersion = before.version;
      if (updateStatement(changed).run(values).changes !== 1) return undefined;
      writeParts(before.id, partsRead.get(before), parts);
      // The persisted snapshot itself (not parsed back from its texts): nothing changes a row's snapshot in place.
      const row: CaseRow = { ...before, ...changes, snapshot: persisted };
      partsRead.set(row, parts);
      return row;
    },

    /** The case's title column, as its snapshot now reads (after an erasure of what its initiator wrote). */
    setTitle(id: string, title: string) {
      db.update(cases).set({ title }).where(eq(cases.id, id)).run();
    },

    /**
     * Moves the case to another version of the process (a migration): its machine version,
     * snapshot and projection, if it is still at `expectedVersion`; false when it is not.
     */
    migrate(id: string, expectedVersion: number, machineVersion: number, snapshotJson: string, changes: CaseChanges): boolean {
      const { inline, parts } = splitSnapshot(JSON.parse(snapshotJson) as object);
      const moved =
        db
          .update(cases)
          .set({ ...changes, machineVersion, snapshot: JSON.parse(inline) as object })
          .where(and(eq(cases.id, id), eq(cases.version, expectedVersion)))
          .run().changes === 1;
      // What was read before is not at hand here: every part is written, and any other removed.
      if (moved) writeParts(id, undefined, parts);
      return moved;
    },

    /** A new version of the case without a change of its snapshot (a system event); false when it moved on. */
    touch(id: string, expectedVersion: number, version: number, at: string): boolean {
      return (
        db
          .update(cases)
          .set({ version, updatedAt: at })
          .where(and(eq(cases.id, id), eq(cases.version, expectedVersion)))
          .run().changes === 1
      );
    },

    /** Replaces the case's rows in the step index. */
    replaceSteps(row: Pick<CaseRow, 'id' | 'programmeId' | 'createdAt'>, steps: number[]) {
      db.delete(caseSteps).where(eq(caseSteps.caseId, row.id)).run();
      writeSteps(row, steps);
    },

    /** Appends one event to the case's log; the log is never rewritten. */
    appendEvent(event: LoggedEvent) {
      // People by their reference on the case, their text encrypted (src/engine/log-people.ts).
      const stored = people.encode(event.caseId, event.type, event.actorId, event.payload ?? {}, event.at);
      insertEvent.run({
        caseId: event.caseId,
        version: event.version,
        type: event.type,
        actorId: stored.actorRef,
        actorRole: event.role,
        at: event.at,
        payload: JSON.stringify(stored.payload),
        stateBefore: event.stateBefore === null ? null : JSON.stringify(event.stateBefore),
        stateAfter: JSON.stringify(event.stateAfter),
        stepsBefore: event.stepsBefore,
        stepsAfter: event.stepsAfter,
      });
    },

    /** Reads a case's log back as it was sent (people by account id, text in clear or erased). */
    logReader: (caseId: string) => people.decoder(caseId),

    /** A case's whole log, oldest first, read back as it was sent. */
    log(caseId: string) {
      const read = people.decoder(caseId);
      return db
        .select({
          version: caseEvents.version,
          type: caseEvents.type,
          actorId: caseEvents.actorId,
          role: caseEvents.actorRole,
          at: caseEvents.at,
          payload: caseEvents.payload,
        })
        .from(caseEvents)
        .where(eq(caseEvents.caseId, caseId))
        .orderBy(caseEvents.version)
        .all()
        .map(read);
    },

    /** The free text of an event's payload. */
    textsOf: people.textsOf,

    /** Every active case, of one programme or all. */
    activeCases(programmeId?: string): CaseRow[] {
      const where = programmeId ? and(eq(cases.status, 'active'), eq(cases.programmeId, programmeId)) : eq(cases.status, 'active');
      return db
        .select()
        .from(cases)
        .where(where)
        .all()
        .map((row) => joined(row)!);
    },
  };
}

export type CaseStore = ReturnType<typeof createCaseStore>;
