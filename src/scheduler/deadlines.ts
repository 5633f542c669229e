import type { CaseContext } from '../../machines/case/context.js';
import {
  CASE_DEADLINES,
  TIMER_RULES_VERSION,
  type DeadlineAnchor,
  type DeadlineSetting,
  type TimerKind,
} from '../../machines/case/deadlines.js';
import { localDate, shiftDate, zonedTime } from '../mail/calendar.js';
import { memoise } from '../memo.js';
import type { ProgrammeConfig } from '../programmes/config.js';

/*
 * Which timers a case should have: a pure function of its state and its programme's
 * settings, computed from the deadlines declared beside the chart (machines/case/deadlines.ts).
 * The timer store (./timers.ts) reconciles the `timers` table with it after every change.
 */

export { TIMER_RULES_VERSION };

/** The programme settings a case's deadlines count with (the plan's assignments have their own). */
export type Deadlines = Pick<ProgrammeConfig['deadlines'], DeadlineSetting>;

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

const dateOf = (from: DeadlineAnchor['from']) => ('date' in from ? from.date : localDate(from.instant));

export interface SnapshotLike {
  status: string;
  context: CaseContext;
  matches: (value: never) => boolean;
}

export function desiredTimers(snapshot: SnapshotLike, deadlines: Deadlines): DesiredTimer[] {
  if (snapshot.status !== 'active') return [];
  const ctx = snapshot.context;
  const matches = (value: unknown) => (snapshot.matches as (value: unknown) => boolean).call(snapshot, value);
  // Deadlines that count from the same anchor are listed together, in declaration order.
  const byAnchor = new Map<string, DesiredTimer[]>();
  for (const deadline of CASE_DEADLINES) {
    if (!matches(deadline.state)) continue;
    const { setting, direction } = deadline.days;
    const days = direction === 'before' ? -deadlines[setting] : deadlines[setting];
    for (const anchor of deadline.countsFrom(ctx)) {
      const morning = morningAfter(dateOf(anchor.from), days);
      const notBefore = deadline.notBefore?.(ctx);
      const timer: DesiredTimer = {
        key: `${deadline.kind}:${anchor.key}`,
        kind: deadline.kind,
        dueAt: notBefore !== undefined && morning < notBefore ? notBefore : morning,
        data: { ...anchor.data },
      };
      const together = byAnchor.get(anchor.key);
      if (together) together.push(timer);
      else byAnchor.set(anchor.key, [timer]);
    }
  }
  return [...byAnchor.values()].flat();
}
