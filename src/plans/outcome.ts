import { localDate } from '../mail/calendar.js';
import type { AssignmentStatus, IndicatorValue, PlanAssignment, PlanIndicator } from './document.js';

/*
 * How a plan is followed up, in one place for the plan's page and the multi-year report:
 * whether a year's measured value meets its target, what a year's outcome is, and whether an
 * assignment is overdue. Pure: "today" and "this year" are given by the caller's clock.
 */

/** The day a plan is followed up on, in Swedish time (YYYY-MM-DD), at the clock's `now`. */
export const followUpDay = (now: Date) => localDate(now.toISOString());

/**
 * Whether a year's value meets its target. A number or percentage goes the indicator's own
 * direction; where none is given it reaches its target from below, unless the target is lower
 * than the baseline or is zero (a count to bring down, a "nollvision"); yes/no must be yes; a
 * document is met once delivered.
 */
export function targetMet(ind: Pick<PlanIndicator, 'baseline' | 'direction'>, target: number | true, v: IndicatorValue): boolean {
  if (v.kind === 'document') return true;
  if (v.kind === 'yes-no') return v.value;
  if (typeof target !== 'number') return true;
  const base = ind.baseline && typeof ind.baseline.value === 'number' ? ind.baseline.value : undefined;
  const down = ind.direction ? ind.direction === 'decrease' : base !== undefined ? target < base : target === 0;
  return down ? v.value <= target : v.value >= target;
}

export const YEAR_OUTCOMES = ['met', 'missed', 'not-measured', 'not-yet-due', 'no-target'] as const;
/**
 * A year of an indicator: its target met or missed; no value recorded for a year that has
 * passed (`not-measured`) or for this year or a later one (`not-yet-due`); or no target set
 * for the year (`no-target`).
 */
export type YearOutcome = (typeof YEAR_OUTCOMES)[number];

export function yearOutcome(
  ind: Pick<PlanIndicator, 'baseline' | 'direction'>,
  year: number,
  target: number | true | undefined,
  value: IndicatorValue | undefined,
  thisYear: number,
): YearOutcome {
  if (target === undefined) return 'no-target';
  if (!value) return year < thisYear ? 'not-measured' : 'not-yet-due';
  return targetMet(ind, target, value) ? 'met' : 'missed';
}

/** An assignment still open or in progress after the last day of its due range (`today` as YYYY-MM-DD, Swedish time). */
export const isOverdue = (assignment: Pick<PlanAssignment, 'due'>, status: AssignmentStatus | string, today: string): boolean =>
  assignment.due.to < today && status !== 'done' && status !== 'cancelled';
