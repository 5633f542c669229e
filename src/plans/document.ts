import crypto from 'node:crypto';
import { z } from 'zod';
import { fieldErrors, type FieldError } from '../errors.js';
import { isDay, parseDatePhrase, type DateRange } from './dates.js';

/*
 * A revision of a programme's plan as one document: goals with their horizon and areas,
 * indicators with yearly targets, action-plan rows and assignments. Everything in it has a
 * stable id (given by whoever wrote it, or made here) that survives the next revision, so
 * measured values, statuses and the links of cases keep pointing at the same thing. Ids are
 * for machines: people see the titles.
 */

export const INDICATOR_KINDS = ['number', 'percentage', 'yes-no', 'document'] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];
export const ASSIGNMENT_STATUSES = ['open', 'in-progress', 'done', 'cancelled'] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

const itemId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and hyphens')
  .describe('stable across revisions; made by the server when left out');
const text = (max: number) => z.string().trim().min(1).max(max);
const year = z.number().int().min(2000).max(2100);
const ids = z.array(itemId).max(200).prefault([]);

const day = z.string().refine(isDay, 'a day as YYYY-MM-DD');
const dateRangeSchema = z
  .object({ from: day, to: day, label: z.string().trim().min(1).max(100).optional() })
  .strict()
  .refine((r) => r.from <= r.to, { message: 'from must not be after to', path: ['to'] });
/** A date as the plan writes it ("våren 2023", "2027", "Q3 2025", a day), or the range itself. */
const dateInput = z
  .union([z.string().trim().min(1).max(100), dateRangeSchema])
  .describe('"våren 2023", "hösten 2024", "2027", "Q3 2025", "kvartal 3 2025", a day (YYYY-MM-DD), or { from, to, label }');

/** A yearly target: a number for numbers and percentages, `true` (or "delivered") for yes/no and documents. */
const targetValue = z.union([z.number().finite(), z.literal(true), z.literal('delivered')]);

export const goalInputSchema = z
  .object({
    id: itemId.optional(),
    title: text(1000),
    description: text(5000).optional(),
    horizonYears: z.number().int().min(1).max(50).describe('within how many years, e.g. 4, 8 or 12'),
    targetYear: year.describe('the year the goal is to be reached'),
    areaIds: ids.describe("the programme's areas the goal belongs to"),
  })
  .strict();

export const indicatorInputSchema = z
  .object({
    id: itemId.optional(),
    label: text(500),
    kind: z.enum(INDICATOR_KINDS),
    unit: text(50).optional(),
    source: text(500).optional(),
    /** For a number or percentage: the target is met at or above it (`increase`) or at or below it (`decrease`, a zero vision). */
    direction: z.enum(['increase', 'decrease']).optional(),
    goalIds: ids,
    baseline: z
      .object({ year, value: z.union([z.number().finite(), z.boolean()]) })
      .strict()
      .optional(),
    targets: z
      .array(z.object({ year, value: targetValue }).strict())
      .max(100)
      .prefault([]),
  })
  .strict();

export const rowInputSchema = z
  .object({
    id: itemId.optional(),
    activity: text(2000),
    targetGroup: text(500).optional(),
    responsible: text(500).optional(),
    timeFrame: dateInput.optional(),
    indicatorIds: ids,
    goalIds: ids,
    costOre: z.number().int().min(0).max(1e15).optional().describe('whole öre'),
    staffHours: z.number().min(0).max(1e7).optional(),
  })
  .strict();

export const assignmentInputSchema = z
  .object({
    id: itemId.optional(),
    title: text(2000),
    description: text(5000).optional(),
    responsible: text(500),
    due: dateInput,
    goalIds: ids,
    rowIds: ids,
  })
  .strict();

/** What a draft's save sends. */
export const planDocumentInputSchema = z
  .object({
    title: text(300),
    summary: text(10_000).optional(),
    goals: z.array(goalInputSchema).min(1).max(200),
    indicators: z.array(indicatorInputSchema).max(500).prefault([]),
    rows: z.array(rowInputSchema).max(1000).prefault([]),
    assignments: z.array(assignmentInputSchema).max(1000).prefault([]),
  })
  .strict();
export type PlanDocumentInput = z.input<typeof planDocumentInputSchema>;

type Parsed = z.infer<typeof planDocumentInputSchema>;
type WithId<T> = Omit<T, 'id'> & { id: string };

export interface PlanIndicator extends WithId<Omit<Parsed['indicators'][number], 'targets'>> {
  targets: { year: number; value: number | true }[];
}
export interface PlanRow extends WithId<Omit<Parsed['rows'][number], 'timeFrame'>> {
  timeFrame?: DateRange;
}
export interface PlanAssignment extends WithId<Omit<Parsed['assignments'][number], 'due'>> {
  due: DateRange;
}
/** A revision as it is stored and read. */
export interface PlanDocument {
  title: string;
  summary?: string;
  goals: WithId<Parsed['goals'][number]>[];
  indicators: PlanIndicator[];
  rows: PlanRow[];
  assignments: PlanAssignment[];
}

export const PLAN_LISTS = ['goals', 'indicators', 'rows', 'assignments'] as const;
export type PlanList = (typeof PLAN_LISTS)[number];

/** The words a person knows an item by: a goal's title, an indicator's label, a row's activity. */
export function itemLabel(list: PlanList, item: Record<string, unknown>): string {
  return String(list === 'indicators' ? item.label : list === 'rows' ? item.activity : item.title);
}

function toRange(input: string | DateRange | undefined, path: string, errors: FieldError[]): DateRange | undefined {
  if (input === undefined) return undefined;
  if (typeof input !== 'string') return input;
  const found = parseDatePhrase(input);
  if (!found)
    errors.push({ path, message: `"${input}" is not a date this plan understands, e.g. "våren 2023", "2027", "Q3 2025" or 2024-09-30` });
  return found;
}

/**
 * Checks a draft as sent and makes it the stored document: every failing field named at once
 * (under `body.`), date phrases read into ranges, missing ids made. `areaIds` are the areas of
 * the programme's configuration in force.
 */
export function normalisePlanDocument(input: unknown, areaIds: ReadonlySet<string>): { document?: PlanDocument; errors: FieldError[] } {
  const parsed = planDocumentInputSchema.safeParse(input);
  if (!parsed.success) return { errors: fieldErrors(parsed.error.issues, 'body') };
  const d = parsed.data;
  const errors: FieldError[] = [];
  const newId = () => crypto.randomUUID();

  const uniqueIds = (list: PlanList, items: { id?: string }[]) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (item.id && seen.has(item.id)) errors.push({ path: `body.${list}.${i}.id`, message: `the id ${item.id} is used twice` });
      if (item.id) seen.add(item.id);
    });
    return seen;
  };
  const goalIds = uniqueIds('goals', d.goals);
  const indicatorIds = uniqueIds('indicators', d.indicators);
  const rowIds = uniqueIds('rows', d.rows);
  uniqueIds('assignments', d.assignments);
  const refs = (known: Set<string>, what: string, list: string[], path: string) =>
    list.forEach((ref, j) => {
      if (!known.has(ref)) errors.push({ path: `${path}.${j}`, message: `no ${what} ${ref} in this plan` });
    });

  const goals = d.goals.map((g, i) => {
    g.areaIds.forEach((a, j) => {
      if (!areaIds.has(a)) errors.push({ path: `body.goals.${i}.areaIds.${j}`, message: `the programme has no area ${a}` });
    });
    return { ...g, id: g.id ?? newId() };
  });

  const indicators = d.indicators.map((ind, i): PlanIndicator => {
    refs(goalIds, 'goal', ind.goalIds, `body.indicators.${i}.goalIds`);
    const numeric = ind.kind === 'number' || ind.kind === 'percentage';
    const years = new Set<number>();
    const targets = ind.targets.map((target, j) => {
      const path = `body.indicators.${i}.targets.${j}`;
      if (years.has(target.year)) errors.push({ path: `${path}.year`, message: `the year ${target.year} has two targets` });
      years.add(target.year);
      const value = target.value === 'delivered' ? true : target.value;
      if (numeric && typeof value !== 'number') errors.push({ path: `${path}.value`, message: 'a number' });
      if (!numeric && value !== true) errors.push({ path: `${path}.value`, message: 'true (or "delivered")' });
      if (ind.kind === 'percentage' && typeof value === 'number' && (value < 0 || value > 100)) {
        errors.push({ path: `${path}.value`, message: 'a percentage from 0 to 100' });
      }
      return { year: target.year, value };
    });
    if (ind.baseline && numeric !== (typeof ind.baseline.value === 'number')) {
      errors.push({ path: `body.indicators.${i}.baseline.value`, message: numeric ? 'a number' : 'true or false' });
    }
    return { ...ind, id: ind.id ?? newId(), targets };
  });

  const rows = d.rows.map((row, i): PlanRow => {
    refs(goalIds, 'goal', row.goalIds, `body.rows.${i}.goalIds`);
    refs(indicatorIds, 'indicator', row.indicatorIds, `body.rows.${i}.indicatorIds`);
    const { timeFrame, ...rest } = row;
    const range = toRange(timeFrame, `body.rows.${i}.timeFrame`, errors);
    return { ...rest, id: row.id ?? newId(), ...(range ? { timeFrame: range } : {}) };
  });

  const assignments = d.assignments.map((a, i): PlanAssignment => {
    refs(goalIds, 'goal', a.goalIds, `body.assignments.${i}.goalIds`);
    refs(rowIds, 'row', a.rowIds, `body.assignments.${i}.rowIds`);
    const due = toRange(a.due, `body.assignments.${i}.due`, errors);
    return { ...a, id: a.id ?? newId(), due: due ?? { from: '2000-01-01', to: '2000-01-01' } };
  });

  if (errors.length > 0) return { errors };
  return {
    document: { title: d.title, ...(d.summary ? { summary: d.summary } : {}), goals, indicators, rows, assignments },
    errors,
  };
}

/** A measured value as sent: a number (numbers, percentages), yes/no, or a delivered document. */
export const indicatorValueInputSchema = z
  .object({
    year,
    value: z
      .union([z.number().finite(), z.boolean(), z.object({ title: text(500), reference: text(500).optional() }).strict()])
      .describe('a number or percentage, true/false for yes/no, { title, reference } for a delivered document'),
    note: text(2000).optional(),
  })
  .strict();

export type IndicatorValue =
  | { kind: 'number' | 'percentage'; value: number }
  | { kind: 'yes-no'; value: boolean }
  | { kind: 'document'; value: { title: string; reference?: string } };

/** The value typed by the indicator's kind, or the error naming `body.value`. */
export function typedValue(kind: IndicatorKind, value: z.infer<typeof indicatorValueInputSchema>['value']): IndicatorValue | FieldError {
  const path = 'body.value';
  switch (kind) {
    case 'number':
      return typeof value === 'number' ? { kind, value } : { path, message: 'this indicator is measured as a number' };
    case 'percentage':
      return typeof value === 'number' && value >= 0 && value <= 100
        ? { kind, value }
        : { path, message: 'this indicator is measured as a percentage from 0 to 100' };
    case 'yes-no':
      return typeof value === 'boolean' ? { kind, value } : { path, message: 'this indicator is measured as yes (true) or no (false)' };
    case 'document':
      return typeof value === 'object' ? { kind, value } : { path, message: 'this indicator is a document: send { title, reference }' };
  }
}
