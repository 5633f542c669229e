import { eq } from 'drizzle-orm';
import type { CaseContext } from '../../machines/case/context.js';
import type { Db } from '../db/client.js';
import { inSavepoint } from '../db/savepoint.js';
import { meta } from '../db/schema.js';
import type { CaseStore } from '../engine/case-store.js';
import { restoreSnapshot, whereItStands } from '../engine/snapshot.js';
import type { PlanMail } from '../notifications/plan-mail.js';
import type { Notifications } from '../notifications/service.js';
import type { Plans } from '../plans/service.js';
import type { TimerKind } from '../../machines/case/deadlines.js';
import { ASSIGNMENT_TIMER_RULES_VERSION } from '../plans/deadlines.js';
import { TIMER_RULES_VERSION } from './deadlines.js';
import type { TimerStore } from './timers.js';

/*
 * Firing due timers, and keeping every case's timers in line with its state. A timer fires
 * in an IMMEDIATE transaction like a person's command. The timer's own row is the command
 * id: only a pending timer fires, and firing settles it, so a timer fired twice (two
 * pollers, a restart) is applied once. A timer whose state the case has left is cancelled.
 * The timers of a plan's assignments fire the same way: the assignment's timers are brought
 * in line with the plan in force and its status first, then the timer fires if still due.
 */

export type TimerOutcome = 'fired' | 'cancelled' | 'skipped';

export interface FiringDeps {
  db: Db;
  cases: Pick<CaseStore, 'load' | 'activeCases'>;
  timers: TimerStore;
  notifications: Pick<Notifications, 'forTimer'>;
  /** The plans, for the timers of assignments (absent: those are left pending). */
  assignments?: Pick<Plans, 'timersOf' | 'reconcileEveryProgramme'>;
  planMail?: Pick<PlanMail, 'forAssignmentTimer'>;
  now: () => Date;
  /** Called after a commit that fired something (wakes the mail relay). */
  afterCommit?: () => void;
}

export function createTimerFiring(deps: FiringDeps) {
  const { db, cases, timers, now } = deps;

  /** Fires one timer inside the caller's transaction. */
  function fireOne(id: string): TimerOutcome {
    const timer = timers.get(id);
    const at = now().toISOString();
    if (!timer || timer.status !== 'pending' || timer.dueAt > at) return 'skipped';
    if (timer.assignmentId !== null) return fireAssignmentTimer(id, timer.programmeId, timer.assignmentId, timer.kind, at);
    const row = cases.load(timer.caseId!)!;
    const snapshot = restoreSnapshot(row);
    // The case's state (or the programme's deadlines) may have moved on since the timer
    // was set: bring the timers in line first, then fire only if still due.
    timers.reconcile(row.id, row.programmeId, timers.wished(row.programmeId, snapshot));
    const current = timers.get(id)!;
    if (current.status === 'cancelled') return 'cancelled';
    if (current.dueAt > at) return 'skipped';
    deps.notifications.forTimer({
      row,
      timerId: id,
      kind: timer.kind as TimerKind,
      data: timer.data as Record<string, string>,
      at: whereItStands(snapshot),
      context: snapshot.context as CaseContext,
    });
    timers.settle(id, at);
    return 'fired';
  }

  /** Fires an assignment's timer inside the caller's transaction (see fireOne). */
  function fireAssignmentTimer(id: string, programmeId: string, assignmentId: string, kind: string, at: string): TimerOutcome {
    if (!deps.assignments || !deps.planMail) return 'skipped';
    const { assignment, wished } = deps.assignments.timersOf(programmeId, assignmentId);
    timers.reconcileAssignments(programmeId, wished, assignmentId);
    const current = timers.get(id)!;
    if (current.status === 'cancelled') return 'cancelled';
    if (current.dueAt > at || !assignment) return 'skipped';
    deps.planMail.forAssignmentTimer({ programmeId, timerId: id, kind, assignment });
    timers.settle(id, at);
    return 'fired';
  }

  /**
   * Fires several timers in one transaction (one durable commit for the lot), each in a
   * savepoint of its own: a timer that fails is rolled back alone and reported as its error.
   */
  function fireTimers(ids: readonly string[]): Map<string, TimerOutcome | Error> {
    const results = new Map<string, TimerOutcome | Error>();
    db.transaction(
      () => {
        for (const id of ids) {
          const outcome = inSavepoint(db.$client, () => fireOne(id));
          results.set(id, outcome.ok ? outcome.value : outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error)));
        }
      },
      { behavior: 'immediate' },
    );
    if ([...results.values()].includes('fired')) deps.afterCommit?.();
    return results;
  }

  /**
   * Brings the timers of every active case (of one programme, or all) in line with its
   * state and the programme's deadlines: after a programme's deadlines change, and once
   * when the timer rules themselves change (see backfill).
   */
  function reconcileAll(programmeId?: string): number {
    return db.transaction(
      () => {
        const rows = cases.activeCases(programmeId);
        for (const row of rows) timers.reconcile(row.id, row.programmeId, timers.wished(row.programmeId, restoreSnapshot(row)));
        return rows.length;
      },
      { behavior: 'immediate' },
    );
  }

  return {
    fireTimers,

    /** Fires one timer (see fireTimers); its error, if any, is thrown. */
    fireTimer(id: string): TimerOutcome {
      const result = fireTimers([id]).get(id)!;
      if (result instanceof Error) throw result;
      return result;
    },

    reconcileAll,

    /**
     * At start: reconciles all active cases once per version of the timer rules, and every
     * programme's assignments once per version of theirs. Gives how many cases, if any were.
     */
    backfill(): number | undefined {
      const once = <T>(key: string, version: number, work: () => T): T | undefined => {
        const stored = db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)).get();
        if (stored?.value === String(version)) return undefined;
        const result = work();
        db.insert(meta)
          .values({ key, value: String(version) })
          .onConflictDoUpdate({ target: meta.key, set: { value: String(version) } })
          .run();
        return result;
      };
      if (deps.assignments) {
        const plans = deps.assignments;
        once('assignment-timer-rules-version', ASSIGNMENT_TIMER_RULES_VERSION, () => plans.reconcileEveryProgramme());
      }
      return once('timer-rules-version', TIMER_RULES_VERSION, reconcileAll);
    },
  };
}

export type TimerFiring = ReturnType<typeof createTimerFiring>;
