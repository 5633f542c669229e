import type { SnapshotFrom } from 'xstate';
import type { CaseContext } from './context.js';
import type { CaseMachine } from './machine.js';

/*
 * The case's deadlines, declared beside the chart. Each kind of deadline belongs to a
 * state: while the case is in it, the deadline stands for each of its anchors (the things
 * it counts from); once the state is left, or the anchor is settled, it is cancelled. How
 * long it runs is a programme setting in whole days. The engine turns these declarations
 * into durable timers (src/scheduler/deadlines.ts) and fires them through the notification
 * rules; reminders go out in the morning, in the programme's time zone.
 */

export const TIMER_KINDS = ['idea-unanswered', 'follow-up-reminder', 'follow-up-overdue'] as const;
export type TimerKind = (typeof TIMER_KINDS)[number];

/**
 * Raise when the deadlines change meaning: at the next start every active case is
 * reconciled once, so cases that were already under way get the new deadlines.
 */
export const TIMER_RULES_VERSION = 1;

/** The programme settings (`deadlines` of a programme's configuration) that give a deadline's length in days. */
export type DeadlineSetting = 'ideaResponseDays' | 'followUpReminderDays' | 'followUpGraceDays';

/** A state of the case machine, as a value its snapshots `matches`. */
export type CaseStateValue = Parameters<SnapshotFrom<CaseMachine>['matches']>[0];

/** One thing a deadline counts from. */
export interface DeadlineAnchor {
  /** Stable within the case; the deadline's key is `${kind}:${key}`. */
  key: string;
  /** The day counted from: a calendar date, or an instant, taken at its date in the programme's time zone. */
  from: { date: string } | { instant: string };
  /** What the fired timer carries to its message. */
  data: Record<string, string>;
}

export interface DeadlineDeclaration {
  kind: TimerKind;
  /** The state the deadline belongs to; leaving it cancels the deadline. */
  state: CaseStateValue;
  /** What it counts from: the outstanding anchors of the case's data, none when there are none. */
  countsFrom: (context: CaseContext) => DeadlineAnchor[];
  /** How many days `before` or `after` its anchor it is due: the programme setting that says. */
  days: { setting: DeadlineSetting; direction: 'before' | 'after' };
  /**
   * The earliest it may be due, if any: a reminder whose time had already come when its
   * anchor was set is due at that moment instead.
   */
  notBefore?: (context: CaseContext) => string | undefined;
}

/** Step 4: an idea submitted with the template and not yet placed on the coordination group's agenda. */
function unansweredIdea(ctx: CaseContext): DeadlineAnchor[] {
  const submittedAt = ctx.ideaTemplate?.at;
  if (!submittedAt || ctx.coordinationGroup.agenda) return [];
  return [{ key: submittedAt, from: { instant: submittedAt }, data: { submittedAt } }];
}

/**
 * Step 10: the decision's follow-up dates, in order, that have not been reported yet (from
 * version 4: for which the initiator has submitted no report). An
 * imported case counts only the dates from the day it was imported on: a date already past
 * when it was recorded has no reminder and no escalation.
 */
function unreportedFollowUps(ctx: CaseContext): DeadlineAnchor[] {
  if (!ctx.decision) return [];
  const importedOn = ctx.imported?.at.slice(0, 10);
  const dates = [...new Set(ctx.decision.followUpDates ?? [])].filter((d) => importedOn === undefined || d >= importedOn).sort();
  // From version 4 (which keeps the initiator's reports) a date is settled by its report;
  // before, the steering group's follow-ups settle the dates in order.
  const reported = ctx.followUpReports && new Set(ctx.followUpReports.map((r) => r.followUpDate));
  return (reported ? dates.filter((d) => !reported.has(d)) : dates.slice(ctx.followUps.length)).map((followUpDate) => ({
    key: followUpDate,
    from: { date: followUpDate },
    data: { followUpDate },
  }));
}

/**
 * Every deadline of a case. Deadlines that count from the same anchor are listed together,
 * in this order (a follow-up date's reminder, then its escalation).
 */
export const CASE_DEADLINES: readonly DeadlineDeclaration[] = [
  {
    // The coordinators respond to a submitted idea by placing it on the agenda.
    kind: 'idea-unanswered',
    state: { open: { preparation: 'coordinationGroup' } },
    countsFrom: unansweredIdea,
    days: { setting: 'ideaResponseDays', direction: 'after' },
  },
  {
    // Those who report are reminded before each follow-up date …
    kind: 'follow-up-reminder',
    state: { running: { execution: 'ongoing' } },
    countsFrom: unreportedFollowUps,
    days: { setting: 'followUpReminderDays', direction: 'before' },
    // … at once if the date was already within the reminder window when it was decided.
    notBefore: (ctx) => ctx.decision?.at,
  },
  {
    // … and the coordinators are told when a follow-up date has passed without a report.
    kind: 'follow-up-overdue',
    state: { running: { execution: 'ongoing' } },
    countsFrom: unreportedFollowUps,
    days: { setting: 'followUpGraceDays', direction: 'after' },
  },
];
