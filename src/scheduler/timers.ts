import { and, asc, eq, isNotNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { timers } from '../db/schema.js';
import { desiredTimers, type Deadlines, type DesiredTimer, type SnapshotLike } from './deadlines.js';

/*
 * Durable deadlines. Which timers a case should have is a pure function of its state
 * (`desiredTimers`, ./deadlines.ts, from the deadlines declared beside the chart); after
 * every change the engine reconciles the `timers` table with it in the same transaction:
 * new deadlines are set, and pending ones whose state has been left are cancelled. A timer
 * that fired stays fired and is never set again.
 *
 * The assignments of a programme's plan have timers in the same table, with an assignment
 * id instead of a case (src/plans/deadlines.ts says which); the plans service reconciles
 * them the same way when a revision is adopted or an assignment's status changes.
 */

export const timerId = (caseId: string, key: string) => `${caseId}:${key}`;

/** An assignment's timer: assignment ids are stable within their programme's plan only. */
export const assignmentTimerId = (programmeId: string, assignmentId: string, key: string) => `plan-${programmeId}:${assignmentId}:${key}`;

/** A timer as a subject (a case, an assignment) wants it. */
export interface WantedTimer {
  key: string;
  kind: string;
  dueAt: string;
  data: Record<string, string>;
}

/**
 * The `timers` table. `deadlinesOf` gives a programme's deadline settings (day counts), from
 * which `wished` computes what a case in a given state should have.
 */
export function createTimerStore(db: Db, now: () => Date, deadlinesOf: (programmeId: string) => Deadlines) {
  const ofCaseQuery = db
    .select({ kind: timers.kind, dueAt: timers.dueAt, status: timers.status, settledAt: timers.settledAt, data: timers.data })
    .from(timers)
    .where(eq(timers.caseId, sql.placeholder('caseId')))
    .orderBy(asc(timers.dueAt))
    .prepare();
  const stateOfCaseQuery = db
    .select({ id: timers.id, status: timers.status, dueAt: timers.dueAt })
    .from(timers)
    .where(eq(timers.caseId, sql.placeholder('caseId')))
    .prepare();
  const timerQuery = db
    .select()
    .from(timers)
    .where(eq(timers.id, sql.placeholder('id')))
    .prepare();
  /**
   * The one way timers change: new ones are set, cancelled ones (and pending ones whose time
   * moved) set again, pending ones no longer wanted cancelled. A fired timer stays fired.
   */
  function apply(
    rows: { id: string; status: string; dueAt: string }[],
    desired: (WantedTimer & { id: string; programmeId: string; subject: { caseId: string } | { assignmentId: string } })[],
  ): { set: number; cancelled: number } {
    const at = now().toISOString();
    const existing = new Map(rows.map((row) => [row.id, row]));
    let set = 0;
    let cancelled = 0;
    const wanted = new Set<string>();
    for (const timer of desired) {
      const { id } = timer;
      wanted.add(id);
      const row = existing.get(id);
      if (!row) {
        db.insert(timers)
          .values({
            id,
            ...timer.subject,
            programmeId: timer.programmeId,
            kind: timer.kind,
            dueAt: timer.dueAt,
            data: timer.data,
            status: 'pending',
            createdAt: at,
          })
          .run();
        set += 1;
      } else if (row.status === 'cancelled' || (row.status === 'pending' && row.dueAt !== timer.dueAt)) {
        db.update(timers).set({ status: 'pending', dueAt: timer.dueAt, settledAt: null }).where(eq(timers.id, id)).run();
        set += 1;
      }
    }
    for (const row of existing.values()) {
      if (row.status === 'pending' && !wanted.has(row.id)) {
        db.update(timers).set({ status: 'cancelled', settledAt: at }).where(eq(timers.id, row.id)).run();
        cancelled += 1;
      }
    }
    return { set, cancelled };
  }

  return {
    /** The deadlines a case in this state wants, by its programme's settings. */
    wished: (programmeId: string, snapshot: SnapshotLike) => desiredTimers(snapshot, deadlinesOf(programmeId)),

    /** One timer's row. */
    get: (id: string) => timerQuery.get({ id }),

    /** Marks a timer fired at `at`. */
    settle(id: string, at: string) {
      db.update(timers).set({ status: 'fired', settledAt: at }).where(eq(timers.id, id)).run();
    },

    /** Brings the case's timers in line with its state. Call inside the change's transaction. */
    reconcile(caseId: string, programmeId: string, desired: DesiredTimer[]): { set: number; cancelled: number } {
      return apply(
        stateOfCaseQuery.all({ caseId }),
        desired.map((timer) => ({ ...timer, id: timerId(caseId, timer.key), subject: { caseId }, programmeId })),
      );
    },

    /**
     * Brings a programme's assignment timers in line with its plan in force: those of one
     * assignment (`assignmentId`), or of all (then the timers of assignments the plan no longer
     * has are cancelled too). Call inside the change's transaction.
     */
    reconcileAssignments(
      programmeId: string,
      desired: (WantedTimer & { assignmentId: string })[],
      assignmentId?: string,
    ): { set: number; cancelled: number } {
      const existing = db
        .select({ id: timers.id, status: timers.status, dueAt: timers.dueAt })
        .from(timers)
        .where(
          and(
            eq(timers.programmeId, programmeId),
            assignmentId === undefined ? isNotNull(timers.assignmentId) : eq(timers.assignmentId, assignmentId),
          ),
        )
        .all();
      return apply(
        existing,
        desired
          .filter((timer) => assignmentId === undefined || timer.assignmentId === assignmentId)
          .map(({ assignmentId: id, ...timer }) => ({
            ...timer,
            id: assignmentTimerId(programmeId, id, timer.key),
            subject: { assignmentId: id },
            programmeId,
          })),
      );
    },

    /** Pending timers due now, oldest first. */
    due(limit: number) {
      return db
        .select({ id: timers.id })
        .from(timers)
        .where(and(eq(timers.status, 'pending'), lte(timers.dueAt, now().toISOString())))
        .orderBy(asc(timers.dueAt))
        .limit(limit)
        .all()
        .map((r) => r.id);
    },

    ofCase(caseId: string) {
      return ofCaseQuery.all({ caseId });
    },

    /** The timers of a programme's assignments (of one, if named), by due time. */
    ofAssignments(programmeId: string, assignmentId?: string) {
      return db
        .select({ id: timers.id, assignmentId: timers.assignmentId, kind: timers.kind, dueAt: timers.dueAt, status: timers.status })
        .from(timers)
        .where(
          and(
            eq(timers.programmeId, programmeId),
            assignmentId === undefined ? isNotNull(timers.assignmentId) : eq(timers.assignmentId, assignmentId),
          ),
        )
        .orderBy(asc(timers.dueAt), asc(timers.id))
        .all();
    },
  };
}

export type TimerStore = ReturnType<typeof createTimerStore>;
