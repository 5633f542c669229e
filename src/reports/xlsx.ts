import type { YearReport } from './programme-year.js';
import { columnsOf, reportRows, ROW_KINDS, type Column } from './rows.js';

/** exceljs, loaded when a workbook is first made or read, not with the server (a third of its bundle). */
const excel = async () => (await import('exceljs')).default;

/*
 * The programme-year report as an Excel workbook: one sheet per kind of row, named by the
 * kind, with the same columns as the CSV (./csv.ts) for that kind and a header row. Numbers
 * are numbers: öre as integers, kronor with two decimals, counts and the year as integers;
 * yes/no as booleans; dates and text as text (a text starting with = is text, never a formula).
 */

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const FORMAT: Partial<Record<Column['type'], string>> = { ore: '0', kr: '#,##0.00', count: '0' };

export async function reportXlsx(report: YearReport, generatedAt: Date): Promise<Buffer> {
  return rowsXlsx(ROW_KINDS, columnsOf, reportRows(report), generatedAt);
}

/**
 * Rows of a report as a workbook: one sheet per kind, named by the kind, with that kind's
 * columns and a header row; kronor columns from their öre cells.
 */
export async function rowsXlsx<K extends string>(
  kinds: readonly K[],
  columnsOf: (kind: K) => Column[],
  rows: { kind: string; cells: Record<string, unknown> }[],
  generatedAt: Date,
): Promise<Buffer> {
  const workbook = new (await excel()).Workbook();
  workbook.creator = 'Satsa';
  workbook.created = generatedAt;
  workbook.modified = generatedAt;
  for (const kind of kinds) {
    const columns = columnsOf(kind);
    const sheet = workbook.addWorksheet(kind, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = columns.map((c) => ({
      header: c.name,
      key: c.name,
      width: c.type === 'text' ? 30 : 16,
      style: FORMAT[c.type] ? { numFmt: FORMAT[c.type] } : {},
    }));
    sheet.getRow(1).font = { bold: true };
    for (const r of rows.filter((x) => x.kind === kind)) {
      sheet.addRow(columns.map((c) => (c.type === 'kr' ? (r.cells[c.ore!] as number) / 100 : (r.cells[c.name] ?? ''))));
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
