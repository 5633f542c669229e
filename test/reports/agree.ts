import ExcelJS from 'exceljs';
import { expect } from 'vitest';
import type { MoneyFigures, YearReport } from '../../src/reports/programme-year.js';
import { auth, type TestApp } from '../helpers.js';

/*
 * The programme-year report's formats agree cell by cell. `assertFormatsAgree` fetches the
 * report over HTTP as JSON, CSV, an Excel workbook and the page, and checks that
 *   - every CSV row is what the JSON says, column by column, written out here independently
 *     of the code that makes the rows (so a figure put in the wrong column is caught), and
 *     every column a kind of row has is checked;
 *   - every sheet of the workbook holds exactly the CSV's rows of its kind, cell by cell, with
 *     numbers as numbers (öre as integers);
 *   - the page shows the same figures (its amount cells carry their öre);
 *   - the areas, and the initiatives, add up exactly to the totals.
 * Any test can call it on any programme and year it has set up.
 */

export type Row = Record<string, string>;

/** RFC 4180 with semicolons: quoted cells may hold ; and "" and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) throw new Error('the CSV does not end with CRLF');
  return rows;
}

/** The CSV as objects by column name, after checking the BOM, the line ends and that every row is as wide as the header. */
export function csvRows(body: string): { header: string[]; rows: Row[] } {
  expect(body.startsWith('\ufeff'), 'the CSV starts with a BOM').toBe(true);
  const [header, ...lines] = parseCsv(body.slice(1));
  for (const line of lines) expect(line, 'every row is as wide as the header').toHaveLength(header!.length);
  return { header: header!, rows: lines.map((line) => Object.fromEntries(header!.map((name, i) => [name, line[i]!]))) };
}

/** A text as the CSV writes it: one a spreadsheet would take for a formula starts with an apostrophe. */
const csvText = (text: string) => (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(,\d+)?$/.test(text) ? `'${text}` : text);
/** Kronor as the CSV writes them, computed here from öre with integers only. */
const kronor = (ore: number) => `${ore < 0 ? '-' : ''}${Math.floor(Math.abs(ore) / 100)},${String(Math.abs(ore) % 100).padStart(2, '0')}`;

type Expected = Record<string, string | number | boolean>;

/** What each row of a kind must say, from the JSON alone; amounts by figure (`granted` → granted_ore and granted_kr). */
function expectedRows(report: YearReport): Record<string, Expected[]> {
  const year = report.year;
  const areaLabel = new Map(report.byPriorityArea.map((a) => [a.priorityAreaId, a.label]));
  const figures = (a: MoneyFigures) => ({
    granted: a.grantedOre,
    paid: a.paidOre,
    unpaid: a.unpaidOre,
    released: a.releasedOre,
    repaid: a.repaidOre,
    spent: a.spentOre,
  });
  const tot = report.totals;
  return {
    pool: report.pools.map((p) => ({
      year,
      pool_kind: p.kind,
      pool_name: p.name,
      overdrawn: p.overdrawn,
      initial: p.initialAmountOre,
      corrections: p.correctionsOre,
      carried_in: p.carriedInOre,
      carried_out: p.carriedOutOre,
      pool: p.amountOre,
      granted: p.committedOre,
      released: p.releasedOre,
      paid: p.paidOre,
      repaid: p.repaidOre,
      unpaid: p.unpaidOre,
      remaining: p.remainingOre,
    })),
    earmark: report.pools.flatMap((p) =>
      p.earmarks.map((e) => ({
        year,
        pool_kind: p.kind,
        pool_name: p.name,
        area_id: e.priorityAreaId,
        area: areaLabel.get(e.priorityAreaId) ?? '',
        earmarked: e.amountOre,
        granted: e.committedOre,
        remaining: e.remainingOre,
      })),
    ),
    override: report.overrides.map((o) => ({
      year,
      pool_kind: o.poolKind,
      pool_name: o.poolName,
      diary_number: o.diaryNumber,
      title: o.title,
      override_motivation: o.motivation,
      granted: o.amountOre,
    })),
    area: report.byPriorityArea.map((a) => ({
      year,
      area_id: a.priorityAreaId ?? '',
      area: a.label,
      initiatives: a.initiatives,
      ...figures(a),
    })),
    'sub-area': report.byPriorityArea.flatMap((a) =>
      a.subAreas.map((s) => ({
        year,
        area_id: a.priorityAreaId ?? '',
        area: a.label,
        sub_area_id: s.priorityAreaId,
        sub_area: s.label,
        initiatives: s.initiatives,
        ...figures(s),
      })),
    ),
    scope: report.byScope.map((s) => ({
      year,
      scope_code: s.scope ?? '',
      scope: s.label,
      initiatives: s.initiatives,
      granted: s.grantedOre,
      distributed: s.distributedOre,
    })),
    distribution: report.distributions.flatMap((d) =>
      d.lines.map((l) => ({
        year,
        pool_kind: d.poolKind,
        pool_name: d.poolName,
        decided_by: d.decidedBy,
        decision_date: d.decisionDate,
        reference: d.reference,
        scope_code: l.scope,
        scope: l.scopeLabel,
        recipient: l.recipient,
        area_id: l.priorityAreaId ?? '',
        area: l.priorityArea,
        distributed: l.amountOre,
      })),
    ),
    initiative: report.initiatives.map((i) => ({
      year,
      diary_number: i.diaryNumber,
      title: i.title,
      area_id: i.topAreaId ?? '',
      area: i.topArea,
      sub_area_id: i.subAreaId ?? '',
      sub_area: i.subArea,
      scope_code: i.scopeLevel ?? '',
      scope: i.scopeLevel ? i.scope.split(':')[0]! : '',
      municipalities: i.municipalities.join(', '),
      status: i.status,
      stage: i.state,
      override_motivation: i.override ?? '',
      ...figures(i),
    })),
    total: [
      {
        year,
        overdrawn: tot.overdrawn,
        initiatives: tot.initiatives,
        initial: tot.initialOre,
        corrections: tot.correctionsOre,
        carried_in: tot.carriedInOre,
        carried_out: tot.carriedOutOre,
        pool: tot.poolOre,
        granted: tot.committedOre,
        released: tot.releasedOre,
        paid: tot.paidOre,
        repaid: tot.repaidOre,
        unpaid: tot.unpaidOre,
        remaining: tot.remainingOre,
        spent: tot.spentOre,
      },
    ],
  };
}

const TEXT_COLUMNS = new Set([
  'year',
  'pool_kind',
  'pool_name',
  'area_id',
  'area',
  'sub_area_id',
  'sub_area',
  'diary_number',
  'title',
  'status',
  'stage',
  'scope_code',
  'scope',
  'municipalities',
  'recipient',
  'decided_by',
  'decision_date',
  'reference',
  'override_motivation',
  'overdrawn',
  'initiatives',
]);

/** The CSV cells an expected row stands for: text as written, amounts in öre and kronor. */
function csvCellsOf(expected: Expected): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(expected)) {
    if (TEXT_COLUMNS.has(key)) out[key] = typeof value === 'string' ? csvText(value) : String(value);
    else {
      out[`${key}_ore`] = String(value);
      out[`${key}_kr`] = kronor(value as number);
    }
  }
  return out;
}

/** A workbook cell as the CSV writes it, checking that numbers are numbers of the right kind. */
function asCsv(column: string, value: ExcelJS.CellValue, where: string): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'number') {
    if (column.endsWith('_kr')) return kronor(Math.round(value * 100));
    expect(Number.isInteger(value), `${where}: ${column} is an integer`).toBe(true);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    expect(
      column.endsWith('_ore') || column.endsWith('_kr') || column === 'year' || column === 'initiatives',
      `${where}: ${column} is a number`,
    ).toBe(false);
    return csvText(value);
  }
  throw new Error(`${where}: ${column} holds ${JSON.stringify(value)}, not a plain value`);
}

export interface Formats {
  report: YearReport;
  csv: { header: string[]; rows: Row[] };
  workbook: ExcelJS.Workbook;
  page: string;
}

/** Fetches the report of `programmeId` for `year` in every format and checks that they agree cell by cell. */
export async function assertFormatsAgree(
  t: TestApp,
  programmeId: string,
  year: number,
  token = t.tokens['county-coordinator'],
): Promise<Formats> {
  const get = (format: string) =>
    t.app.inject({ method: 'GET', url: `/api/programmes/${programmeId}/reports/${year}?format=${format}`, headers: auth(token) });
  const [jsonRes, csvRes, xlsxRes, htmlRes] = await Promise.all(['json', 'csv', 'xlsx', 'html'].map(get));
  expect(jsonRes!.statusCode, jsonRes!.body).toBe(200);
  const report = jsonRes!.json<YearReport>();

  // CSV: one header row, a leading kind, every row exactly as the JSON says.
  expect(csvRes!.statusCode).toBe(200);
  expect(csvRes!.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
  expect(csvRes!.headers['content-disposition']).toBe(`attachment; filename="${programmeId}-${year}.csv"`);
  const csv = csvRows(csvRes!.body);
  expect(csv.header[0]).toBe('kind');
  expect(csv.header).not.toContain('id');
  expect(csv.header).not.toContain('state');
  const expected = expectedRows(report);
  const kinds = Object.keys(expected);
  expect(new Set(csv.rows.map((r) => r.kind))).toEqual(new Set(kinds.filter((k) => expected[k]!.length > 0)));

  // The workbook: one sheet per kind, the CSV's rows of that kind, cell by cell.
  expect(xlsxRes!.statusCode).toBe(200);
  expect(xlsxRes!.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  expect(xlsxRes!.headers['content-disposition']).toBe(`attachment; filename="${programmeId}-${year}.xlsx"`);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsxRes!.rawPayload as unknown as ArrayBuffer);
  expect(workbook.worksheets.map((s) => s.name).sort()).toEqual([...kinds].sort());

  for (const kind of kinds) {
    const rows = csv.rows.filter((r) => r.kind === kind);
    const want = expected[kind]!.map(csvCellsOf);
    expect(rows, `the CSV has a ${kind} row for each in the JSON`).toHaveLength(want.length);
    const sheet = workbook.getWorksheet(kind)!;
    const columns = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
    // Each kind's columns are those the JSON mapping gives, so no column escapes the check.
    if (want.length > 0) expect([...columns].sort(), `the ${kind} sheet's columns`).toEqual(Object.keys(want[0]!).sort());
    expect(columns, `the ${kind} sheet's columns are in the CSV's order`).toEqual(csv.header.filter((h) => columns.includes(h)));
    expect(sheet.actualRowCount, `the ${kind} sheet has a header and a row per CSV row`).toBe(rows.length + 1);
    rows.forEach((row, n) => {
      const where = `${kind} row ${n + 1}`;
      for (const column of csv.header.slice(1)) {
        const cell = row[column]!;
        if (!columns.includes(column)) expect(cell, `${where}: ${column} is not a ${kind} column`).toBe('');
        else expect(cell, `${where}: ${column} (CSV against JSON)`).toBe(want[n]![column]);
      }
      const values = sheet.getRow(n + 2);
      columns.forEach((column, c) => {
        expect(asCsv(column, values.getCell(c + 1).value, where), `${where}: ${column} (workbook against CSV)`).toBe(row[column]);
      });
    });
  }

  // The areas, the scopes and the initiatives add up to the totals.
  const tot = report.totals;
  const add = (rows: { grantedOre: number }[]) => rows.reduce((a, r) => a + r.grantedOre, 0);
  expect(add(report.byPriorityArea), 'the areas add up to what was granted').toBe(tot.committedOre);
  expect(add(report.byScope), 'the scopes add up to what was granted').toBe(tot.committedOre);
  expect(add(report.initiatives), 'the initiatives add up to what was granted').toBe(tot.committedOre);
  for (const key of ['paidOre', 'unpaidOre', 'releasedOre', 'repaidOre', 'spentOre'] as const) {
    expect(
      report.byPriorityArea.reduce((a, r) => a + r[key], 0),
      `the areas add up: ${key}`,
    ).toBe(tot[key]);
  }
  expect(report.byPriorityArea.reduce((a, r) => a + r.initiatives, 0)).toBe(tot.initiatives);
  expect(tot.remainingOre).toBe(tot.poolOre - (tot.committedOre - tot.releasedOre - tot.repaidOre));

  // The page, reached from ?format=html, shows the same figures.
  expect(htmlRes!.statusCode).toBe(303);
  expect(htmlRes!.headers.location).toBe(`/programmes/${programmeId}/reports/${year}`);
  const pageRes = await t.app.inject({ method: 'GET', url: htmlRes!.headers.location, headers: { ...auth(token), accept: 'text/html' } });
  expect(pageRes.statusCode).toBe(200);
  const page = pageRes.body;
  const field = (name: string) =>
    [...page.matchAll(new RegExp(`data-field="${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" data-(?:ore|count)="(-?\\d+)"`, 'g'))].map(
      (m) => Number(m[1]),
    );
  for (const [key, value] of Object.entries(tot)) {
    if (typeof value === 'number' && key.endsWith('Ore')) expect(field(`total.${key}`), `the page: total ${key}`).toEqual([value]);
  }
  expect(field('total.initiatives')).toEqual([tot.initiatives]);
  expect(page).toContain(`data-field="total.overdrawn" data-value="${tot.overdrawn}"`);
  for (const a of report.byPriorityArea) {
    const key = `area.${a.priorityAreaId ?? '-'}`;
    expect(field(`${key}.initiatives`), `the page: ${a.label}`).toEqual([a.initiatives]);
    for (const f of ['grantedOre', 'paidOre', 'unpaidOre', 'releasedOre', 'repaidOre', 'spentOre'] as const) {
      expect(field(`${key}.${f}`), `the page: ${a.label} ${f}`).toEqual([a[f]]);
    }
    for (const s of a.subAreas) expect(field(`sub-area.${s.priorityAreaId}.grantedOre`)).toEqual([s.grantedOre]);
  }
  for (const p of report.pools) {
    expect(field(`pool.${p.kind}.remainingOre`)).toEqual([p.remainingOre]);
    expect(page).toContain(`data-field="pool.${p.kind}.overdrawn" data-value="${p.overdrawn}"`);
  }
  expect(field('grantedOre')).toEqual(report.initiatives.map((i) => i.grantedOre));
  expect(field('override.grantedOre')).toEqual(report.overrides.map((o) => o.amountOre));
  return { report, csv, workbook, page };
}
