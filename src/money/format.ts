import type { Language } from '../i18n/index.js';

/* Whole öre shown to people: as kronor in their language, or as a CSV figure. */

/** E.g. 1 250 000,00 kr (sv) or SEK 1,250,000.00 (en). */
export function formatOre(ore: number, lang: Language): string {
  return new Intl.NumberFormat(lang === 'sv' ? 'sv-SE' : 'en-GB', { style: 'currency', currency: 'SEK' }).format(ore / 100);
}

/** Kronor with a decimal comma and no grouping, for spreadsheets: 1250000,00. */
export const kronor = (ore: number) => (ore / 100).toFixed(2).replace('.', ',');
