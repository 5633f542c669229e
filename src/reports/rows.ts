import { t } from '../i18n/index.js';
import type { MoneyFigures, PublicInitiatives, YearReport } from './programme-year.js';

/*
 * The programme-year report as rows for spreadsheets: one row type (`kind`) per line, each
 * with a fixed set of columns. The CSV (src/reports/csv.ts) writes them all under one header
 * row that lists every column, with a leading `kind` column, and leaves a cell empty where a
 * kind has no such column; the Excel workbook (src/reports/xlsx.ts) has one sheet per kind
 * with that kind's columns only, in the same order. So a spreadsheet user can filter the CSV
 * on `kind`, or open the sheet of one kind, and the same column always means the same thing.
 *
 * Every amount is given twice: `<figure>_ore` in whole öre (an integer) and `<figure>_kr` in
 * kronor (a decimal comma in the CSV, a number with two decimals in the workbook).
 */

export const ROW_KINDS = ['pool', 'earmark', 'override', 'area', 'sub-area', 'scope', 'distribution', 'initiative', 'total'] as const;
export type RowKind = (typeof ROW_KINDS)[number];

/** The columns that are not amounts, in the order the CSV gives them. */
export const TEXT_COLUMNS = {
  /** The report's year (every row). */
  year: 'count',
  /** A pool's kind: `state` (the state grant) or `joint` (a joint county-level pool). */
  pool_kind: 'text',
  /** A pool's name. */
  pool_name: 'text',
  /** The top-level area, as id and label; for a sub-area or an initiative, the area it counts under. */
  area_id: 'text',
  area: 'text',
  /** The sub-area, as id and label, when there is one. */
  sub_area_id: 'text',
  sub_area: 'text',
  diary_number: 'text',
  title: 'text',
  /** An initiative: `active` or `done`. */
  status: 'text',
  /** An initiative: its outcome, or the steps it stands at, as text. */
  stage: 'text',
  /** `county`, `sub-regional` or `local`, and the same as text. */
  scope_code: 'text',
  scope: 'text',
  municipalities: 'text',
  /** A distribution line's recipient (a sub-region or municipality; empty for county-wide). */
  recipient: 'text',
  decided_by: 'text',
  decision_date: 'date',
  reference: 'text',
  /** Why a decision granted more than was left in the pool. */
  override_motivation: 'text',
  /** A pool (or all of them, on the total row) has granted more than it has. */
  overdrawn: 'bool',
  initiatives: 'count',
} as const;
export type TextColumn = keyof typeof TEXT_COLUMNS;

/** The amounts, each written as `<figure>_ore` and `<figure>_kr`. */
export const FIGURES = [
  'initial',
  'corrections',
  'carried_in',
  'carried_out',
  'pool',
  'earmarked',
  'distributed',
  'granted',
  'released',
  'paid',
  'repaid',
  'unpaid',
  'remaining',
  'spent',
] as const;
export type Figure = (typeof FIGURES)[number];

const POOL_FIGURES: Figure[] = [
  'initial',
  'corrections',
  'carried_in',
  'carried_out',
  'pool',
  'granted',
  'released',
  'paid',
  'repaid',
  'unpaid',
  'remaining',
];
const AREA_FIGURES: Figure[] = ['granted', 'paid', 'unpaid', 'released', 'repaid', 'spent'];

/** Which columns each kind of row has. */
export const KIND_COLUMNS: Record<RowKind, { text: TextColumn[]; figures: Figure[] }> = {
  pool: { text: ['year', 'pool_kind', 'pool_name', 'overdrawn'], figures: POOL_FIGURES },
  earmark: { text: ['year', 'pool_kind', 'pool_name', 'area_id', 'area'], figures: ['earmarked', 'granted', 'remaining'] },
  override: { text: ['year', 'pool_kind', 'pool_name', 'diary_number', 'title', 'override_motivation'], figures: ['granted'] },
  area: { text: ['year', 'area_id', 'area', 'initiatives'], figures: AREA_FIGURES },
  'sub-area': { text: ['year', 'area_id', 'area', 'sub_area_id', 'sub_area', 'initiatives'], figures: AREA_FIGURES },
  scope: { text: ['year', 'scope_code', 'scope', 'initiatives'], figures: ['granted', 'distributed'] },
  distribution: {
    text: [
      'year',
      'pool_kind',
      'pool_name',
      'decided_by',
      'decision_date',
      'reference',
      'scope_code',
      'scope',
      'recipient',
      'area_id',
      'area',
    ],
    figures: ['distributed'],
  },
  initiative: {
    text: [
      'year',
      'diary_number',
      'title',
      'area_id',
      'area',
      'sub_area_id',
      'sub_area',
      'scope_code',
      'scope',
      'municipalities',
      'status',
      'stage',
      'override_motivation',
    ],
    figures: AREA_FIGURES,
  },
  total: { text: ['year', 'overdrawn', 'initiatives'], figures: [...POOL_FIGURES, 'spent'] },
};

export type CellValue = string | number | boolean;
/** `decimal`: a measured number that may have decimals (the CSV writes a decimal comma). */
export type ColumnType = 'text' | 'count' | 'date' | 'bool' | 'ore' | 'kr' | 'decimal';
export interface Column {
  name: string;
  type: ColumnType;
  /** For `_kr`: the öre column it shows in kronor. */
  ore?: string;
}

const textColumn = (name: TextColumn): Column => ({ name, type: TEXT_COLUMNS[name] });
const amountColumns = (figures: readonly Figure[]): Column[] => [
  ...figures.map((f) => ({ name: `${f}_ore`, type: 'ore' as const })),
  ...figures.map((f) => ({ name: `${f}_kr`, type: 'kr' as const, ore: `${f}_ore` })),
];

/** Every column, in order: the one header row of the CSV. */
export const ALL_COLUMNS: Column[] = [
  { name: 'kind', type: 'text' },
  ...(Object.keys(TEXT_COLUMNS) as TextColumn[]).map(textColumn),
  ...amountColumns(FIGURES),
];

/** A kind's columns, in the CSV's order: a sheet of the workbook. */
export function columnsOf(kind: RowKind): Column[] {
  const { text, figures } = KIND_COLUMNS[kind];
  return ALL_COLUMNS.filter(
    (c) =>
      (text as string[]).includes(c.name) ||
      (c.type === 'ore' && figures.includes(c.name.slice(0, -4) as Figure)) ||
      (c.type === 'kr' && figures.includes(c.name.slice(0, -3) as Figure)),
  );
}

export interface ReportRow {
  kind: RowKind;
  /** By column name; a `_kr` column is derived from its `_ore` one. */
  cells: Record<string, CellValue>;
}

type Cells = Partial<Record<TextColumn, CellValue>> & Partial<Record<Figure, number>>;

function row(kind: RowKind, cells: Cells): ReportRow {
  const out: Record<string, CellValue> = {};
  const { text, figures } = KIND_COLUMNS[kind];
  for (const c of text) out[c] = cells[c] ?? '';
  for (const f of figures) out[`${f}_ore`] = cells[f] ?? 0;
  return { kind, cells: out };
}

/** The report's rows, in the CSV's order: pools, their earmarks and overrides, areas each followed by its sub-areas, scopes, distributions, initiatives, the total. */
export function reportRows(report: YearReport): ReportRow[] {
  const year = report.year;
  const rows: ReportRow[] = [];
  const areaLabel = new Map(report.byPriorityArea.map((a) => [a.priorityAreaId, a.label]));
  for (const p of report.pools) {
    rows.push(
      row('pool', {
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
      }),
    );
  }
  for (const p of report.pools) {
    for (const e of p.earmarks) {
      rows.push(
        row('earmark', {
          year,
          pool_kind: p.kind,
          pool_name: p.name,
          area_id: e.priorityAreaId,
          area: areaLabel.get(e.priorityAreaId) ?? '',
          earmarked: e.amountOre,
          granted: e.committedOre,
          remaining: e.remainingOre,
        }),
      );
    }
  }
  for (const o of report.overrides) {
    rows.push(
      row('override', {
        year,
        pool_kind: o.poolKind,
        pool_name: o.poolName,
        diary_number: o.diaryNumber,
        title: o.title,
        override_motivation: o.motivation,
        granted: o.amountOre,
      }),
    );
  }
  const areaFigures = (a: MoneyFigures & { initiatives: number }) => ({
    initiatives: a.initiatives,
    granted: a.grantedOre,
    paid: a.paidOre,
    unpaid: a.unpaidOre,
    released: a.releasedOre,
    repaid: a.repaidOre,
    spent: a.spentOre,
  });
  for (const a of report.byPriorityArea) {
    rows.push(row('area', { year, area_id: a.priorityAreaId ?? '', area: a.label, ...areaFigures(a) }));
    for (const s of a.subAreas) {
      rows.push(
        row('sub-area', {
          year,
          area_id: a.priorityAreaId ?? '',
          area: a.label,
          sub_area_id: s.priorityAreaId,
          sub_area: s.label,
          ...areaFigures(s),
        }),
      );
    }
  }
  for (const s of report.byScope) {
    rows.push(
      row('scope', {
        year,
        scope_code: s.scope ?? '',
        scope: s.label,
        initiatives: s.initiatives,
        granted: s.grantedOre,
        distributed: s.distributedOre,
      }),
    );
  }
  for (const d of report.distributions) {
    for (const l of d.lines) {
      rows.push(
        row('distribution', {
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
        }),
      );
    }
  }
  for (const i of report.initiatives) {
    rows.push(
      row('initiative', {
        year,
        diary_number: i.diaryNumber,
        title: i.title,
        area_id: i.topAreaId ?? '',
        area: i.topArea,
        sub_area_id: i.subAreaId ?? '',
        sub_area: i.subArea,
        scope_code: i.scopeLevel ?? '',
        scope: i.scopeLevel ? t(report.language, `scopes.${i.scopeLevel}`) : '',
        municipalities: i.municipalities.join(', '),
        status: i.status,
        stage: i.state,
        override_motivation: i.override ?? '',
        ...areaFigures({ ...i, initiatives: 1 }),
      }),
    );
  }
  const tot = report.totals;
  rows.push(
    row('total', {
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
    }),
  );
  return rows;
}

/**
 * The public export as rows: a row of kind `initiative` for each decided initiative, then one
 * of kind `party` for each of its parties (diary number and title repeated), so a name with a
 * comma, a semicolon or quotes stays one cell and a spreadsheet can filter or count parties.
 */
export const PUBLIC_COLUMNS: Column[] = [
  { name: 'kind', type: 'text' },
  { name: 'diary_number', type: 'text' },
  { name: 'title', type: 'text' },
  { name: 'purpose', type: 'text' },
  { name: 'party', type: 'text' },
  { name: 'party_kind', type: 'text' },
  { name: 'granted_ore', type: 'ore' },
  { name: 'granted_kr', type: 'kr', ore: 'granted_ore' },
  { name: 'decision_date', type: 'date' },
  { name: 'decision_reference', type: 'text' },
];

export function publicRows(data: PublicInitiatives): { kind: 'initiative' | 'party'; cells: Record<string, CellValue> }[] {
  return data.initiatives.flatMap((i) => [
    {
      kind: 'initiative' as const,
      cells: {
        diary_number: i.diaryNumber,
        title: i.title,
        purpose: i.purpose,
        granted_ore: i.grantedOre,
        decision_date: i.decisionDate,
        decision_reference: i.decisionReference,
      },
    },
    ...i.parties.map((p) => ({
      kind: 'party' as const,
      cells: { diary_number: i.diaryNumber, title: i.title, party: p.name, party_kind: p.kind },
    })),
  ]);
}
