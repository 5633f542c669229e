/*
 * The limits of retention rules: a time this many days, months or years before a moment, in
 * UTC. A month back from the 31st is the last day of the shorter month (31 March → 28 or 29
 * February), never a day of the month after.
 */

export type PeriodUnit = 'days' | 'months' | 'years';

export function before(at: Date, count: number, unit: PeriodUnit): Date {
  if (unit === 'days') return new Date(at.getTime() - count * 86_400_000);
  const months = unit === 'years' ? count * 12 : count;
  const first = new Date(at.getTime());
  first.setUTCDate(1);
  first.setUTCMonth(first.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(at.getUTCDate(), lastDay));
  return first;
}
