import { t } from '../i18n/index.js';
import { kronor } from '../money/format.js';
import type { PublicInitiatives, YearReport } from './programme-year.js';

/*
 * The reports as CSV, for spreadsheets: semicolons, UTF-8 with BOM, amounts in whole öre
 * and in kronor. The printable page of the same report object is src/web/report.ts.
 */

/** One CSV cell: quoted when needed; text that a spreadsheet would run as a formula is defused. */
export function csvCell(value: string | number): string {
  const text = String(value);
  const isAmount = typeof value === 'number' || /^-?\d+(,\d+)?$/.test(text);
  const safe = !isAmount && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[";\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function reportCsv(report: YearReport): string {
  const lang = report.language;
  const header = [
    'kind',
    'id',
    'name',
    'area',
    'scope',
    'state',
    'pool_ore',
    'granted_ore',
    'spent_ore',
    'remaining_ore',
    'pool_kr',
    'granted_kr',
    'spent_kr',
    'remaining_kr',
  ];
  const rows: (string | number)[][] = [];
  for (const p of report.pools) {
    rows.push([
      'pool',
      p.id,
      p.name,
      '',
      '',
      p.kind,
      p.amountOre,
      p.committedOre,
      '',
      p.remainingOre,
      kronor(p.amountOre),
      kronor(p.committedOre),
      '',
      kronor(p.remainingOre),
    ]);
  }
  for (const i of report.initiatives) {
    rows.push([
      'initiative',
      i.diaryNumber,
      i.title,
      i.priorityArea,
      i.scope,
      i.state,
      '',
      i.grantedOre,
      i.spentOre,
      '',
      '',
      kronor(i.grantedOre),
      kronor(i.spentOre),
      '',
    ]);
  }
  const tot = report.totals;
  rows.push([
    'total',
    String(report.year),
    t(lang, 'reports.total'),
    '',
    '',
    '',
    tot.poolOre,
    tot.committedOre,
    tot.spentOre,
    tot.remainingOre,
    kronor(tot.poolOre),
    kronor(tot.committedOre),
    kronor(tot.spentOre),
    kronor(tot.remainingOre),
  ]);
  return '\ufeff' + [header, ...rows].map((r) => r.map(csvCell).join(';')).join('\r\n') + '\r\n';
}

/** The public export of decided initiatives as CSV. */
export function publicInitiativesCsv(data: PublicInitiatives): string {
  const header = ['diary_number', 'title', 'purpose', 'parties', 'granted_ore', 'decision_date', 'decision_reference'];
  const rows = data.initiatives.map((i) =>
    [i.diaryNumber, i.title, i.purpose, i.parties.map((p) => p.name).join(', '), String(i.grantedOre), i.decisionDate, i.decisionReference]
      .map(csvCell)
      .join(';'),
  );
  return '\ufeff' + [header.join(';'), ...rows].join('\r\n') + '\r\n';
}
