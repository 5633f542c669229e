import { parse } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';

/** exceljs, loaded when a workbook is first made or read, not with the server (a third of its bundle). */
const excel = async () => (await import('exceljs')).default;

/*
 * Tables people bring from their spreadsheets, read the one way every import reads them: a
 * CSV file (UTF-8, comma or semicolon, as Excel saves it in Sweden) or an Excel workbook,
 * each sheet a table whose first row names the columns. Every cell comes back as trimmed
 * text with the row number the person sees in their spreadsheet (the header is row 1), so
 * an import can name the row and the column of each error. Empty rows are no rows.
 */

export const CSV_TYPE = 'text/csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export type TableFormat = 'csv' | 'xlsx';

export interface TableRow {
  /** The row's number in the spreadsheet; the header is row 1. */
  row: number;
  /** Cell text by column name as the header writes it (trimmed); a missing cell is ''. */
  cells: Record<string, string>;
}

export interface Table {
  /** The sheet's name in a workbook; undefined for a CSV file. */
  sheet?: string;
  columns: string[];
  rows: TableRow[];
}

/** Why a file cannot be read at all (not one row's error). */
export class UnreadableTable extends Error {
  constructor(readonly reason: 'not-utf8' | 'not-csv' | 'not-xlsx' | 'empty' | 'too-many-rows') {
    super(`the file cannot be read as a table: ${reason}`);
  }
}

export const MAX_ROWS = 5000;

/** The format a file has by its first bytes: an Excel workbook is a zip file, all else is CSV. */
export function formatOf(bytes: Buffer): TableFormat {
  return bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50 ? 'xlsx' : 'csv';
}

/** Every table in a file: one for CSV, one per non-empty sheet for a workbook. */
export async function readTables(bytes: Buffer): Promise<Table[]> {
  const tables = formatOf(bytes) === 'xlsx' ? await readWorkbook(bytes) : [readCsv(bytes)];
  if (tables.every((t) => t.rows.length === 0 && t.columns.length === 0)) throw new UnreadableTable('empty');
  if (tables.reduce((n, t) => n + t.rows.length, 0) > MAX_ROWS) throw new UnreadableTable('too-many-rows');
  return tables;
}

function readCsv(bytes: Buffer): Table {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UnreadableTable('not-utf8');
  }
  text = text.replace(/^\uFEFF/, '');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  let records: string[][];
  try {
    records = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: false, bom: true }) as string[][];
  } catch {
    throw new UnreadableTable('not-csv');
  }
  return fromMatrix(records.map((cells) => cells.map((c) => c.trim())));
}

async function readWorkbook(bytes: Buffer): Promise<Table[]> {
  const workbook = new (await excel()).Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw new UnreadableTable('not-xlsx');
  }
  const tables: Table[] = [];
  workbook.eachSheet((sheet) => {
    const matrix: string[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row, number) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: true }, (cell, col) => {
        cells[col - 1] = cellText(cell.value);
      });
      matrix[number - 1] = Array.from(cells, (c) => c ?? '');
    });
    const table = fromMatrix(Array.from(matrix, (r) => r ?? []));
    if (table.columns.length > 0) tables.push({ sheet: sheet.name, ...table });
  });
  return tables;
}

function fromMatrix(matrix: string[][]): Table {
  const header = matrix[0] ?? [];
  const columns = header.map((c) => c.trim());
  const rows: TableRow[] = [];
  for (let i = 1; i < matrix.length; i++) {
    const line = matrix[i] ?? [];
    if (line.every((c) => c.trim() === '')) continue;
    const cells: Record<string, string> = {};
    columns.forEach((name, j) => {
      if (name) cells[name] = (line[j] ?? '').trim();
    });
    rows.push({ row: i + 1, cells });
  }
  while (columns.length > 0 && columns[columns.length - 1] === '') columns.pop();
  return { columns: columns.filter((c) => c !== ''), rows };
}

function pad(n: number) {
  return String(n).padStart(2, '0');
}

/** A cell's value as the text a person reads: dates as YYYY-MM-DD, formulas as their result. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
  if (typeof value === 'object') {
    if ('richText' in value)
      return value.richText
        .map((r) => r.text)
        .join('')
        .trim();
    if ('result' in value) return cellText((value.result ?? '') as ExcelJS.CellValue);
    if ('text' in value) return String(value.text).trim();
    if ('error' in value) return '';
    return '';
  }
  return String(value).trim();
}

/** A template to fill in: the header row (and example rows) of each table, as CSV or a workbook. */
export async function tableTemplate(format: TableFormat, tables: { sheet: string; columns: string[]; examples?: string[][] }[]) {
  if (format === 'csv') {
    const quote = (c: string) => (/[";\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
    const lines = tables.flatMap((t) => [t.columns, ...(t.examples ?? [])].map((r) => r.map(quote).join(';')));
    return Buffer.from('\uFEFF' + lines.join('\r\n') + '\r\n', 'utf8');
  }
  const workbook = new (await excel()).Workbook();
  workbook.creator = 'Satsa';
  for (const t of tables) {
    const sheet = workbook.addWorksheet(t.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = t.columns.map((c) => ({ header: c, key: c, width: Math.max(14, c.length + 4), style: { numFmt: '@' } }));
    sheet.getRow(1).font = { bold: true };
    for (const e of t.examples ?? []) sheet.addRow(e);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
