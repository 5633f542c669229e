import { isDay } from '../plans/dates.js';

/*
 * Cells as people write them in a Swedish spreadsheet: "250 000", "1 234,50 kr", "20 %",
 * "ja", a day as 2022-06-21. Each reader gives back the value, or undefined when the text is
 * not one; the import names the row and the column of what it could not read.
 */

/** A number written the Swedish or the English way: spaces between thousands, a decimal comma or point, "kr", ":-" or "%" after it. */
export function parseNumber(text: string): number | undefined {
  const t = text
    .replace(/[\s\u00a0\u202f]/g, '')
    .replace(/(kr|sek|:-|%)$/i, '')
    .replace(/^−/, '-');
  if (!/^-?\d+(?:[.,]\d+)?$/.test(t)) return undefined;
  const n = Number(t.replace(',', '.'));
  return Number.isFinite(n) ? n : undefined;
}

/** An amount in kronor as whole öre. */
export function parseKronor(text: string): number | undefined {
  const n = parseNumber(text);
  if (n === undefined || n < 0) return undefined;
  const ore = Math.round(n * 100);
  return Math.abs(ore - n * 100) < 1e-6 && Number.isSafeInteger(ore) ? ore : undefined;
}

/** A whole year, e.g. 2027. */
export function parseYear(text: string): number | undefined {
  return /^\d{4}$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

/** A day as YYYY-MM-DD (what a spreadsheet's date cell becomes). */
export function parseDay(text: string): string | undefined {
  const t = text.trim();
  return isDay(t) ? t : undefined;
}

const YES = new Set(['ja', 'yes', 'j', 'y', 'sant', 'true', 'x', 'levererad', 'levererat', 'delivered', 'klar', 'done']);
const NO = new Set(['nej', 'no', 'n', 'falskt', 'false']);

/** Yes or no in Swedish or English. */
export function parseYesNo(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  return YES.has(t) ? true : NO.has(t) ? false : undefined;
}

/** A list in one cell, separated by semicolons or line breaks. */
export function parseList(text: string): string[] {
  return text
    .split(/[;\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
