import { kronor } from '../money/format.js';
import type { PublicInitiatives, YearReport } from './programme-year.js';
import { ALL_COLUMNS, PUBLIC_COLUMNS, publicRows, reportRows, type CellValue, type Column } from './rows.js';

/*
 * The reports as CSV, for spreadsheets: RFC 4180 with semicolons, UTF-8 with a BOM, CRLF.
 * One header row lists every column; each row says its `kind` first and fills the columns of
 * that kind (src/reports/rows.ts lists them), leaving the others empty. Amounts in whole öre
 * and in kronor with a decimal comma. The same rows make the Excel workbook (./xlsx.ts).
 */

/** One CSV cell: quoted when needed; text that a spreadsheet would run as a formula is defused. */
export function csvCell(value: string | number): string {
  const text = String(value);
  const isAmount = typeof value === 'number' || /^-?\d+(,\d+)?$/.test(text);
  const safe = !isAmount && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[";\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A cell as the CSV writes it: amounts as integers, kronor with a decimal comma, yes/no as true/false. */
function cellText(column: Column, cells: Record<string, CellValue>): string | number {
  if (column.type === 'kr') {
    const ore = cells[column.ore!];
    return typeof ore === 'number' ? kronor(ore) : '';
  }
  const value = cells[column.name];
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (column.type === 'decimal' && typeof value === 'number') return String(value).replace('.', ',');
  return value;
}

/** Rows as CSV under one header row of `columns`: each row's `kind` first, its own cells filled, the others empty. */
export function csv(columns: Column[], rows: { kind: string; cells: Record<string, CellValue> }[]): string {
  const lines = [
    columns.map((c) => c.name).join(';'),
    ...rows.map((r) => columns.map((c) => csvCell(c.name === 'kind' ? r.kind : cellText(c, r.cells))).join(';')),
  ];
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

export function reportCsv(report: YearReport): string {
  return csv(ALL_COLUMNS, reportRows(report));
}

/** The public export of decided initiatives as CSV: a row per initiative and a row per party. */
export function publicInitiativesCsv(data: PublicInitiatives): string {
  return csv(PUBLIC_COLUMNS, publicRows(data));
}
