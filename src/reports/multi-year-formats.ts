import { csv } from './csv.js';
import { MONEY_FIGURES, type MoneyFigure, type MultiYearReport } from './multi-year.js';
import type { CellValue, Column } from './rows.js';
import { rowsXlsx, XLSX_TYPE } from './xlsx.js';

/*
 * The multi-year report as rows, for the CSV and the Excel workbook, as the programme-year
 * report's are (./rows.ts): one header row listing every column, a leading `kind` column,
 * each row filling the columns of its kind. Kinds, in order: `plan` (the plan in force and its
 * decision), `goal`, `indicator-year` (an indicator's target, value and outcome in a year),
 * `assignment`, `money-year`, `money-total`. Amounts in whole öre (`<figure>_ore`) and kronor
 * (`<figure>_kr`); outcomes and statuses as codes: met, missed, not-measured, not-yet-due,
 * no-target; open, in-progress, done, cancelled. The workbook has a sheet per kind.
 */

export { XLSX_TYPE };

export const MULTI_YEAR_KINDS = ['plan', 'goal', 'indicator-year', 'assignment', 'money-year', 'money-total'] as const;
export type MultiYearKind = (typeof MULTI_YEAR_KINDS)[number];

/** The figures' column stems: `granted` for grantedOre, and so on. */
const stem = (figure: MoneyFigure) => figure.slice(0, -3);
const moneyColumns: Column[] = [
  ...MONEY_FIGURES.map((f) => ({ name: `${stem(f)}_ore`, type: 'ore' as const })),
  ...MONEY_FIGURES.map((f) => ({ name: `${stem(f)}_kr`, type: 'kr' as const, ore: `${stem(f)}_ore` })),
];

const TEXT: Record<string, Column['type']> = {
  year: 'count',
  plan_version: 'count',
  title: 'text',
  adopted_by: 'text',
  reference: 'text',
  decision_date: 'date',
  next_revision_due: 'date',
  revision_overdue: 'bool',
  goal_id: 'text',
  horizon_years: 'count',
  target_year: 'count',
  areas: 'text',
  indicator_id: 'text',
  indicator_kind: 'text',
  unit: 'text',
  target: 'decimal',
  value: 'decimal',
  outcome: 'text',
  document_title: 'text',
  document_reference: 'text',
  assignment_id: 'text',
  responsible: 'text',
  due_from: 'date',
  due_to: 'date',
  due_label: 'text',
  status: 'text',
  overdue: 'bool',
  pools: 'count',
};

/** Every column, in order: the one header row of the CSV. */
export const MULTI_YEAR_COLUMNS: Column[] = [
  { name: 'kind', type: 'text' },
  ...Object.entries(TEXT).map(([name, type]) => ({ name, type })),
  ...moneyColumns,
];

const KIND_TEXT: Record<MultiYearKind, string[]> = {
  plan: ['plan_version', 'title', 'adopted_by', 'reference', 'decision_date', 'next_revision_due', 'revision_overdue'],
  goal: ['goal_id', 'title', 'horizon_years', 'target_year', 'areas'],
  'indicator-year': [
    'indicator_id',
    'title',
    'indicator_kind',
    'unit',
    'year',
    'target',
    'value',
    'outcome',
    'document_title',
    'document_reference',
  ],
  assignment: ['assignment_id', 'title', 'responsible', 'due_from', 'due_to', 'due_label', 'status', 'overdue'],
  'money-year': ['year', 'pools'],
  'money-total': ['pools'],
};

/** A kind's columns, in the CSV's order: a sheet of the workbook. */
export function multiYearColumnsOf(kind: MultiYearKind): Column[] {
  const money = kind === 'money-year' || kind === 'money-total';
  return MULTI_YEAR_COLUMNS.filter((c) => KIND_TEXT[kind].includes(c.name) || (money && (c.type === 'ore' || c.type === 'kr')));
}

export interface MultiYearRow {
  kind: MultiYearKind;
  cells: Record<string, CellValue>;
}

function row(kind: MultiYearKind, cells: Record<string, CellValue | null | undefined>): MultiYearRow {
  const out: Record<string, CellValue> = {};
  for (const c of multiYearColumnsOf(kind)) {
    if (c.type === 'kr') continue;
    const value = cells[c.name];
    out[c.name] = value ?? '';
  }
  return { kind, cells: out };
}

const moneyCells = (figures: Record<MoneyFigure, number>) => Object.fromEntries(MONEY_FIGURES.map((f) => [`${stem(f)}_ore`, figures[f]]));

/** The report's rows, in the CSV's order. */
export function multiYearRows(report: MultiYearReport): MultiYearRow[] {
  const rows: MultiYearRow[] = [];
  const plan = report.plan;
  if (plan) {
    rows.push(
      row('plan', {
        plan_version: plan.version,
        title: plan.title,
        adopted_by: plan.adoptedBy,
        reference: plan.reference,
        decision_date: plan.decisionDate,
        next_revision_due: plan.nextRevisionDue,
        revision_overdue: plan.revisionOverdue,
      }),
    );
    for (const g of plan.goals) {
      rows.push(
        row('goal', {
          goal_id: g.id,
          title: g.title,
          horizon_years: g.horizonYears,
          target_year: g.targetYear,
          areas: g.areas.map((a) => a.label).join(', '),
        }),
      );
    }
    for (const ind of plan.indicators) {
      for (const y of ind.years) {
        rows.push(
          row('indicator-year', {
            indicator_id: ind.id,
            title: ind.label,
            indicator_kind: ind.kind,
            unit: ind.unit,
            year: y.year,
            target: y.target,
            value: y.value,
            outcome: y.outcome,
            document_title: y.document?.title,
            document_reference: y.document?.reference,
          }),
        );
      }
    }
    for (const a of plan.assignments) {
      rows.push(
        row('assignment', {
          assignment_id: a.id,
          title: a.title,
          responsible: a.responsible,
          due_from: a.due.from,
          due_to: a.due.to,
          due_label: a.due.label,
          status: a.status,
          overdue: a.overdue,
        }),
      );
    }
  }
  for (const y of report.money.years) rows.push(row('money-year', { year: y.year, pools: y.pools, ...moneyCells(y) }));
  const pools = report.money.years.reduce((n, y) => n + y.pools, 0);
  rows.push(row('money-total', { pools, ...moneyCells(report.money.totals) }));
  return rows;
}

export function multiYearCsv(report: MultiYearReport): string {
  return csv(MULTI_YEAR_COLUMNS, multiYearRows(report));
}

/** The same rows as an Excel workbook, one sheet per kind with that kind's columns; numbers are numbers. */
export async function multiYearXlsx(report: MultiYearReport, generatedAt: Date): Promise<Buffer> {
  return rowsXlsx(MULTI_YEAR_KINDS, multiYearColumnsOf, multiYearRows(report), generatedAt);
}
