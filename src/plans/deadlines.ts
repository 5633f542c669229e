import { localDate, shiftDate, zonedTime } from '../mail/calendar.js';
import type { DateRange } from './dates.js';

/*
 * The deadlines of a plan's assignments: a reminder some days before the assignment's due
 * range ends, and an escalation some days after it has ended, each at 08:00 Swedish time as
 * the case deadlines are. Which timers an assignment should have is a pure function of its
 * due range, when the plan carrying that due date was adopted, its status and the
 * programme's settings; the plans service reconciles the `timers` table with it whenever a
 * revision is adopted or a status changes, and the scheduler fires them.
 *
 * The rule for dates in the past (the import of older plans relies on it): no reminder and no
 * escalation is set for a due date whose range had already ended (in Swedish time) when the
 * first adopted revision carrying that assignment with that due date was adopted. A reminder
 * whose time had already come at that adoption is due at the adoption instead (as a case's
 * follow-up reminder is); after an assignment is reopened (done or cancelled, then open
 * again), only the deadlines still ahead of the reopening are set again.
 */

export const ASSIGNMENT_TIMER_KINDS = ['assignment-reminder', 'assignment-overdue'] as const;

/**
 * Raise when the rules below change meaning: at the next start every programme's assignment
 * timers are reconciled with them once (as TIMER_RULES_VERSION does for the cases).
 */
export const ASSIGNMENT_TIMER_RULES_VERSION = 1;
export type AssignmentTimerKind = (typeof ASSIGNMENT_TIMER_KINDS)[number];

/** The statuses under which an assignment's deadlines stand. */
export const ACTIVE_STATUSES: readonly string[] = ['open', 'in-progress'];

export interface AssignmentDeadlineSettings {
  assignmentReminderDays: number;
  assignmentGraceDays: number;
}

export interface AssignmentTimer {
  /** Stable within the assignment: the same deadline of the same due date always has the same key. */
  key: string;
  kind: AssignmentTimerKind;
  dueAt: string;
  data: Record<string, string>;
}

export interface AssignmentDeadlineInput {
  due: DateRange;
  status: string;
  /** When the first adopted revision carrying the assignment with this due date was adopted. */
  adoptedAt: string;
  /** When the assignment was last reopened after being done or cancelled, if it was. */
  reopenedAt?: string;
}

/** Reminders go out at 08:00 Swedish time. */
const morning = (date: string, days: number) => zonedTime(shiftDate(date, days), '08:00').toISOString();

/** Whether a due range had ended when a plan carrying it was adopted: then it gets no deadlines. */
export const endedBefore = (due: DateRange, adoptedAt: string) => due.to < localDate(adoptedAt);

export function assignmentTimers(input: AssignmentDeadlineInput, settings: AssignmentDeadlineSettings): AssignmentTimer[] {
  const { due, adoptedAt, reopenedAt } = input;
  if (!ACTIVE_STATUSES.includes(input.status) || endedBefore(due, adoptedAt)) return [];
  const data = { dueTo: due.to };
  const reminder = morning(due.to, -settings.assignmentReminderDays);
  const timers: AssignmentTimer[] = [
    { key: `assignment-reminder:${due.to}`, kind: 'assignment-reminder', dueAt: reminder < adoptedAt ? adoptedAt : reminder, data },
    { key: `assignment-overdue:${due.to}`, kind: 'assignment-overdue', dueAt: morning(due.to, settings.assignmentGraceDays), data },
  ];
  return reopenedAt && reopenedAt > adoptedAt ? timers.filter((timer) => timer.dueAt >= reopenedAt) : timers;
}
