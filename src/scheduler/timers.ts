import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { CaseContext } from '../../machines/case/context.js';
import { memoise } from '../memo.js';
import type { Db } from '../db/client.js';
import { timers } from '../db/schema.js';
import { localDate, shiftDate, zonedTime } from '../mail/calendar.js';
import type { TimerKind } from '../notifications/rules.js';
import type { ProgrammeConfig } from '../programmes/config.js';

/*
 * Durable deadlines. Which timers a case should have is a pure function of its state
 * (`desiredTimers`); after every change the engine reconciles the `timers` table with it
 * in the same transaction: new deadlines are set, and pending ones whose state has been
 * left are cancelled. A timer that fired stays fired and is never set again.
 */

export type Deadlines = ProgrammeConfig['deadlines'];

/**
 * Raise when `desiredTimers` changes meaning: at the next start every active case is
 * reconciled once, so cases that were already under way get the new deadlines.
 */
export const TIMER_RULES_VERSION = 1;

export interface DesiredTimer {
  /** Stable within the case: the same deadline always has the same key. */
  key: string;
  kind: TimerKind;
  dueAt: string;
  data: Record<string, string>;
}

/** Reminders go out at 08:00 Swedish time. */
const REMINDER_TIME = '08:00';

/** 08:00 Swedish time `days` after `date`, as an instant; remembered, as every change of a case asks again. */
const mornings = memoise(10_000, (key) => {
  const [date, days] = key.split(' ') as [string, string];
  return zonedTime(shiftDate(date, Number(days)), REMINDER_TIME).toISOString();
});
const morningAfter = (date: string, days: number) => mornings(`${date} ${days}`);

interface SnapshotLike {
  status: string;
  context: CaseContext;
  matches: (value: never) => boolean;
}

export function desiredTimers(snapshot: SnapshotLike, deadlines: Deadlines): DesiredTimer[] {
  if (snapshot.status !== 'active') return [];
  const ctx = snapshot.context;
  const matches = (value: unknown) => (snapshot.matches as (value: unknown) => boolean).call(snapshot, value);
  const out: DesiredTimer[] = [];

  // Step 4: the coordinators respond to a submitted idea by placing it on the agenda.
  const submitted = ctx.ideaTemplate?.at;
  if (submitted && matches({ open: { preparation: 'coordinationGroup' } }) && !ctx.coordinationGroup.agenda) {
    out.push({
      key: `idea-unanswered:${submitted}`,
      kind: 'idea-unanswered',
      dueAt: morningAfter(localDate(submitted), deadlines.ideaResponseDays),
      data: { submittedAt: submitted },
    });
  }

  // Step 10: one reminder before and one escalation after each follow-up date not yet reported.
  const decision = ctx.decision;
  if (decision && matches({ running: { execution: 'ongoing' } })) {
    const dates = [...new Set(decision.followUpDates ?? [])].sort();
    for (const date of dates.slice(ctx.followUps.length)) {
      const remind = morningAfter(date, -deadlines.followUpReminderDays);
      out.push({
        key: `follow-up-reminder:${date}`,
        kind: 'follow-up-reminder',
        // Within the reminder window already when decided: remind at once.
        dueAt: remind < decision.at ? decision.at : remind,
        data: { followUpDate: date },
      });
      out.push({
        key: `follow-up-overdue:${date}`,
        kind: 'follow-up-overdue',
        dueAt: morningAfter(date, deadlines.followUpGraceDays),
        data: { followUpDate: date },
      });
    }
  }
  return out;
}

export const timerId = (caseId: string, key: string) => `${caseId}:${key}`;

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
  const timerQuery = db.select().from(timers).where(eq(timers.id, sql.placeholder('id'))).prepare();
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
      const at = now().toISOString();
      const existing = new Map(
        stateOfCaseQuery.all({ caseId }).map((row) => [row.id, row]),
      );
      let set = 0;
      let cancelled = 0;
      const wanted = new Set<string>();
      for (const timer of desired) {
        const id = timerId(caseId, timer.key);
        wanted.add(id);
        const row = existing.get(id);
        if (!row) {
          db.insert(timers)
            .values({ id, caseId, programmeId, kind: timer.kind, dueAt: timer.dueAt, data: timer.data, status: 'pending', createdAt: at })
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
  };
}

export type TimerStore = ReturnType<typeof createTimerStore>;
