/*
 * Dates as plans write them: "våren 2023", "hösten 2024", "2027", "Q3 2025", "slutet av 2022",
 * or a day. Each is kept as the range of days it covers, with the words it was written in, so
 * a reminder can be set for its end and the page can show it as the plan said it.
 */

/** A range of whole days, both ends included (YYYY-MM-DD), with the words it was given in. */
export interface DateRange {
  from: string;
  to: string;
  label?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const range = (year: number, firstMonth: number, lastMonth: number, label: string): DateRange => ({
  from: `${year}-${pad(firstMonth)}-01`,
  to: `${year}-${pad(lastMonth)}-${pad(lastDay(year, lastMonth))}`,
  label,
});

const MONTHS = ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'];
const MONTHS_EN = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** The months of a season or half-year word (Swedish and English), first and last. */
const PERIODS: Record<string, [number, number]> = {
  våren: [1, 6],
  vår: [1, 6],
  spring: [1, 6],
  första: [1, 6],
  hösten: [7, 12],
  höst: [7, 12],
  autumn: [7, 12],
  fall: [7, 12],
  andra: [7, 12],
  sommaren: [6, 8],
  summer: [6, 8],
  början: [1, 3],
  slutet: [10, 12],
};

/** A valid calendar day, YYYY-MM-DD. */
export function isDay(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= lastDay(y, mo);
}

/**
 * Reads a plan's date phrase, or undefined for words it does not know. Understood: a day
 * (2024-09-30), a year (2027), a half-year or season ("våren 2023", "hösten 2024", "första
 * halvåret 2025", "sommaren 2026", "början av 2024", "slutet av 2022"), a quarter ("Q3 2025",
 * "kvartal 3 2025", "3:e kvartalet 2025"), a month ("september 2023"), in Swedish or English.
 */
export function parseDatePhrase(input: string): DateRange | undefined {
  const label = input.trim().replace(/\s+/g, ' ');
  const text = label.toLowerCase().replace(/^(senast|under|till|by|in)\s+/, '');
  let m: RegExpExecArray | null;
  if (isDay(text)) return { from: text, to: text, label };
  if ((m = /^(\d{4})$/.exec(text))) return range(Number(m[1]), 1, 12, label);
  if ((m = /^(?:q|kvartal |quarter )([1-4]) (\d{4})$/.exec(text)) || (m = /^([1-4])(?::[ae])? kvartalet (\d{4})$/.exec(text))) {
    const q = Number(m[1]);
    return range(Number(m[2]), q * 3 - 2, q * 3, label);
  }
  if ((m = /^(\d{4})[- ]?q([1-4])$/.exec(text))) return range(Number(m[1]), Number(m[2]) * 3 - 2, Number(m[2]) * 3, label);
  if ((m = /^(första|andra) halvåret (\d{4})$/.exec(text)) || (m = /^(början|slutet) (?:av|på) (\d{4})$/.exec(text))) {
    const [a, b] = PERIODS[m[1]!]!;
    return range(Number(m[2]), a, b, label);
  }
  if ((m = /^(\p{L}+) (\d{4})$/u.exec(text))) {
    const word = m[1]!;
    const year = Number(m[2]);
    const period = PERIODS[word];
    if (period && !['första', 'andra', 'början', 'slutet'].includes(word)) return range(year, period[0], period[1], label);
    const month = Math.max(MONTHS.indexOf(word), MONTHS_EN.indexOf(word)) + 1;
    if (month > 0) return range(year, month, month, label);
  }
  return undefined;
}
