import crypto from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { caseImports, cases } from '../db/schema.js';
import type { Engine } from '../engine/engine.js';
import { DomainError } from '../errors.js';
import { isDay } from '../plans/dates.js';
import { allAreas, type ProgrammeConfig } from '../programmes/config.js';
import { parseKronor } from './cells.js';
import type { ImportError, ImportItem, ImportKind, ImportResult, ImportSource } from './kind.js';
import { readTables, tableTemplate, UnreadableTable, type Table, type TableFormat } from './table.js';

/*
 * Decided initiatives recorded from a spreadsheet (issue 15): one row per initiative that was
 * decided before Satsa, with its real decision date, body and reference, the money granted in
 * its decision year and its follow-up dates. Each row becomes a case through the engine's one
 * road (`engine.importCase`: a case on machine version 3 whose first event is IMPORT_DECIDED).
 *
 * The dry run does the whole import in a transaction and rolls it back, so it finds every
 * error the real import would (diary numbers, money left in the pools) and shows the diary
 * number each initiative would get. What an earlier import created (table case_imports, keyed
 * by the diary number the file gives, otherwise by a hash of the row) is listed as existing.
 */

export const INITIATIVE_SHEET = { sv: 'Satsningar', en: 'Initiatives' } as const;

type ColumnId =
  | 'diaryNumber'
  | 'title'
  | 'summary'
  | 'area'
  | 'decisionDate'
  | 'body'
  | 'reference'
  | 'amount'
  | 'followUpDates'
  | 'endDate'
  | 'motivation';

interface Column {
  id: ColumnId;
  sv: string;
  en: string;
  required: boolean;
  /** Other headers read as this column. */
  also?: string[];
  max: number;
}

export const INITIATIVE_COLUMNS: readonly Column[] = [
  { id: 'diaryNumber', sv: 'Diarienummer', en: 'Diary number', required: false, max: 40 },
  { id: 'title', sv: 'Rubrik', en: 'Title', required: true, max: 300 },
  { id: 'summary', sv: 'Beskrivning', en: 'Description', required: true, max: 20_000 },
  {
    id: 'area',
    sv: 'Fokusområde',
    en: 'Focus area',
    required: true,
    also: ['Prioriterat område', 'Priority area', 'Område', 'Area'],
    max: 300,
  },
  { id: 'decisionDate', sv: 'Beslutsdatum', en: 'Decision date', required: true, max: 40 },
  { id: 'body', sv: 'Beslutande organ', en: 'Deciding body', required: true, max: 300 },
  { id: 'reference', sv: 'Beslutsreferens', en: 'Decision reference', required: true, max: 300 },
  {
    id: 'amount',
    sv: 'Beviljat belopp',
    en: 'Granted amount',
    required: true,
    also: ['Beviljat belopp (kr)', 'Granted amount (SEK)'],
    max: 40,
  },
  { id: 'followUpDates', sv: 'Uppföljningsdatum', en: 'Follow-up dates', required: false, max: 2000 },
  { id: 'endDate', sv: 'Slutdatum', en: 'End date', required: false, max: 40 },
  { id: 'motivation', sv: 'Motivering', en: 'Motivation', required: false, max: 20_000 },
];

const normalise = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');
const HEADERS = new Map<string, ColumnId>(
  INITIATIVE_COLUMNS.flatMap((c) => [c.sv, c.en, ...(c.also ?? [])].map((h) => [normalise(h), c.id] as const)),
);

const EXAMPLES: Record<'sv' | 'en', string[][]> = {
  sv: [
    [
      'UPH-2021-0007',
      'Stöd i skolan',
      'Samtalsstöd för elever i högstadiet, tillsammans med elevhälsan.',
      'Barn och unga',
      '2021-03-15',
      'Regiondirektören',
      'RS 2021/123 § 12',
      '250 000',
      '2021-09-30; 2022-03-31',
      '2022-12-31',
      '',
    ],
  ],
  en: [
    [
      'UPH-2021-0007',
      'Support at school',
      'Counselling for pupils in lower secondary school, together with the school health service.',
      'Barn och unga',
      '2021-03-15',
      'Regional director',
      'RS 2021/123 § 12',
      '250000',
      '2021-09-30; 2022-03-31',
      '2022-12-31',
      '',
    ],
  ],
};

export interface InitiativeImportDeps {
  db: Db;
  engine: Pick<Engine, 'importCase'>;
  programme: (id: string) => ProgrammeConfig | undefined;
  now: () => Date;
}

interface Candidate {
  row: number;
  sheet?: string;
  key: string;
  title: string;
  diaryNumber?: string;
  payload: Record<string, unknown>;
  /** The file's header of each column, to name it in an error. */
  headers: Partial<Record<ColumnId, string>>;
}

/** Where the engine's paths point in the row. */
function columnOfPath(path: string): ColumnId | undefined {
  const [first, second] = path.split('.');
  if (first === 'diaryNumber') return 'diaryNumber';
  if (first !== 'payload') return undefined;
  const byField: Record<string, ColumnId> = {
    title: 'title',
    summary: 'summary',
    priorityAreaId: 'area',
    decisionDate: 'decisionDate',
    decidingBody: 'body',
    reference: 'reference',
    motivation: 'motivation',
    grantedBudget: 'amount',
    followUpDates: 'followUpDates',
    endDate: 'endDate',
  };
  return second ? byField[second] : undefined;
}

export function createInitiativeImport(deps: InitiativeImportDeps): ImportKind {
  const { db, engine, now } = deps;

  function pickTable(tables: Table[]): Table | undefined {
    const named = tables.find(
      (t) => t.sheet && [INITIATIVE_SHEET.sv, INITIATIVE_SHEET.en].some((n) => normalise(n) === normalise(t.sheet!)),
    );
    return named ?? (tables.length === 1 ? tables[0] : undefined);
  }

  /** Reads the rows: every error of each cell, and the candidates the cells make. */
  function parse(table: Table, config: ProgrammeConfig, source: ImportSource, fileSha256: string) {
    const errors: ImportError[] = [];
    const sheet = table.sheet;
    const headers: Partial<Record<ColumnId, string>> = {};
    for (const header of table.columns) {
      const id = HEADERS.get(normalise(header));
      if (!id) errors.push({ sheet, column: header, key: 'imports.initiatives.errors.unknownColumn' });
      else if (headers[id]) errors.push({ sheet, column: header, key: 'imports.initiatives.errors.repeatedColumn' });
      else headers[id] = header;
    }
    for (const c of INITIATIVE_COLUMNS) {
      if (c.required && !headers[c.id])
        errors.push({ sheet, column: c.sv, key: 'imports.initiatives.errors.missingColumn', values: { en: c.en } });
    }
    if (errors.length > 0) return { errors, candidates: [] };
    if (table.rows.length === 0) return { errors: [{ sheet, key: 'imports.initiatives.errors.noRows' }], candidates: [] };

    const areas = allAreas(config);
    const today = now().toISOString().slice(0, 10);
    const candidates: Candidate[] = [];
    for (const line of table.rows) {
      const rowErrors: ImportError[] = [];
      const cell = (id: ColumnId) => (headers[id] ? (line.cells[headers[id]] ?? '') : '');
      const fail = (id: ColumnId, key: string, values?: Record<string, string | number>) =>
        rowErrors.push({ sheet, row: line.row, column: headers[id] ?? id, key: `imports.initiatives.errors.${key}`, values });
      for (const c of INITIATIVE_COLUMNS) {
        const value = cell(c.id);
        if (c.required && value === '') fail(c.id, 'required');
        else if (value.length > c.max) fail(c.id, 'tooLong', { max: c.max });
      }
      const text = (id: ColumnId) => cell(id);
      // Area: its name as the programme writes it (Swedish or English), or its id.
      const areaText = normalise(text('area'));
      const area = areaText
        ? areas.find((a) => a.id === areaText || normalise(a.label.sv) === areaText || normalise(a.label.en ?? '') === areaText)
        : undefined;
      if (areaText && !area) fail('area', 'unknownArea', { value: text('area') });
      const decisionDate = text('decisionDate');
      if (decisionDate && !isDay(decisionDate)) fail('decisionDate', 'notADate', { value: decisionDate });
      else if (decisionDate && decisionDate > today) fail('decisionDate', 'decisionInFuture', { value: decisionDate });
      const year = isDay(decisionDate) ? Number(decisionDate.slice(0, 4)) : undefined;
      if (year !== undefined && (year < config.years.first || year > config.years.last)) {
        fail('decisionDate', 'yearOutside', { year, first: config.years.first, last: config.years.last });
      }
      const amountText = text('amount');
      const amountOre = amountText ? parseKronor(amountText) : undefined;
      if (amountText && amountOre === undefined) fail('amount', 'notAnAmount', { value: amountText });
      else if (amountOre === 0) fail('amount', 'amountZero');
      const followUpDates = text('followUpDates')
        .split(/[;,\n]/)
        .map((d) => d.trim())
        .filter((d) => d !== '');
      for (const d of followUpDates) if (!isDay(d)) fail('followUpDates', 'notADate', { value: d });
      if (followUpDates.length > 100) fail('followUpDates', 'tooMany', { max: 100 });
      const endDate = text('endDate');
      if (endDate && !isDay(endDate)) fail('endDate', 'notADate', { value: endDate });
      else if (endDate && isDay(decisionDate) && endDate < decisionDate) fail('endDate', 'endBeforeDecision');
      const diaryNumber = text('diaryNumber') || undefined;
      if (diaryNumber) {
        const m = new RegExp(`^${config.diaryPrefix}-(\\d{4})-(\\d{4,6})$`).exec(diaryNumber);
        if (!m) fail('diaryNumber', 'diaryForm', { value: diaryNumber, example: `${config.diaryPrefix}-2021-0007` });
      }
      if (rowErrors.length > 0) {
        errors.push(...rowErrors);
        continue;
      }
      const payload = {
        title: text('title'),
        summary: text('summary'),
        priorityAreaId: area!.id,
        decisionDate,
        decidingBody: text('body'),
        reference: text('reference'),
        ...(text('motivation') ? { motivation: text('motivation') } : {}),
        grantedBudget: [{ year: year!, amountOre: amountOre! }],
        followUpDates: [...new Set(followUpDates)].sort(),
        ...(endDate ? { endDate } : {}),
        source: { fileName: source.fileName.slice(0, 300) || 'import', fileSha256, ...(sheet ? { sheet } : {}), row: line.row },
      };
      const { source: _source, ...content } = payload;
      const key = diaryNumber ? `diary:${diaryNumber}` : `row:${crypto.createHash('sha256').update(JSON.stringify(content)).digest('hex')}`;
      candidates.push({ row: line.row, sheet, key, title: payload.title, diaryNumber, payload, headers });
    }
    // The same initiative twice in the file: the later rows are errors.
    const firstOf = new Map<string, number>();
    const unique: Candidate[] = [];
    for (const c of candidates) {
      const first = firstOf.get(c.key);
      if (first === undefined) {
        firstOf.set(c.key, c.row);
        unique.push(c);
        continue;
      }
      const column = c.diaryNumber ? 'diaryNumber' : undefined;
      errors.push({
        sheet,
        row: c.row,
        column: column ? (headers[column] ?? column) : undefined,
        key: `imports.initiatives.errors.${column ? 'diaryRepeated' : 'rowRepeated'}`,
        values: { row: first },
      });
    }
    return { errors, candidates: unique };
  }

  /** The engine's refusal of one row, as errors of its cells. */
  function rowErrorsOf(error: DomainError, c: Candidate): ImportError[] {
    const at = (column: ColumnId | undefined) => ({
      sheet: c.sheet,
      row: c.row,
      column: column ? (c.headers[column] ?? column) : undefined,
    });
    const year = (c.payload.grantedBudget as { year: number }[])[0]!.year;
    const fieldErrors = error.details.errors ?? [];
    if (error.code === 'budget-exceeds-pool') {
      return fieldErrors.map((e) => ({
        ...at('amount'),
        key: `imports.initiatives.errors.${e.path.endsWith('.year') ? 'noPool' : 'overPool'}`,
        values: { year },
      }));
    }
    if (error.code === 'conflict' && fieldErrors.some((e) => e.path === 'diaryNumber')) {
      return [{ ...at('diaryNumber'), key: 'imports.initiatives.errors.diaryTaken', values: { value: c.diaryNumber ?? '' } }];
    }
    if (fieldErrors.length > 0) {
      return fieldErrors.map((e) => ({
        ...at(columnOfPath(e.path)),
        key: 'imports.initiatives.errors.invalid',
        values: { message: e.message },
      }));
    }
    return [{ ...at(undefined), key: 'imports.initiatives.errors.invalid', values: { message: error.detail ?? error.code } }];
  }

  const ROLLBACK = Symbol('rollback');

  async function evaluate(source: ImportSource, write: boolean): Promise<ImportResult> {
    const config = deps.programme(source.programmeId);
    if (!config) throw new DomainError('not-found', `no programme ${source.programmeId}`);
    const result: ImportResult = { creates: [], existing: [], errors: [], imported: false };
    let tables: Table[];
    try {
      tables = await readTables(source.bytes);
    } catch (error) {
      if (!(error instanceof UnreadableTable)) throw error;
      result.errors.push({ key: `imports.page.unreadable.${error.reason}` });
      return result;
    }
    const table = pickTable(tables);
    if (!table) {
      result.errors.push({ key: 'imports.initiatives.errors.noSheet', values: { sv: INITIATIVE_SHEET.sv, en: INITIATIVE_SHEET.en } });
      return result;
    }
    const fileSha256 = crypto.createHash('sha256').update(source.bytes).digest('hex');
    const { errors, candidates } = parse(table, config, source, fileSha256);
    result.errors.push(...errors);

    // What earlier imports created already.
    const keys = candidates.map((c) => c.key);
    const done = new Map(
      keys.length === 0
        ? []
        : db
            .select({ key: caseImports.key, diaryNumber: cases.diaryNumber, title: cases.title })
            .from(caseImports)
            .innerJoin(cases, eq(cases.id, caseImports.caseId))
            .where(
              and(eq(caseImports.programmeId, source.programmeId), eq(caseImports.kind, 'initiatives'), inArray(caseImports.key, keys)),
            )
            .all()
            .map((r) => [r.key, r] as const),
    );
    const item = (c: Candidate, diaryNumber: string, title: string): ImportItem => ({
      sheet: c.sheet,
      row: c.row,
      what: { key: 'imports.initiatives.item', values: { diaryNumber, title } },
    });
    const fresh = candidates.filter((c) => {
      const earlier = done.get(c.key);
      if (earlier) result.existing.push(item(c, earlier.diaryNumber, earlier.title));
      return !earlier;
    });

    // The import itself, row by row in savepoints; rolled back unless it is the real one and all went well.
    const at = now().toISOString();
    try {
      db.transaction(
        () => {
          for (const c of fresh) {
            try {
              db.transaction(() => {
                const { row } = engine.importCase(source.actor, source.programmeId, { diaryNumber: c.diaryNumber, payload: c.payload });
                db.insert(caseImports)
                  .values({
                    id: crypto.randomUUID(),
                    programmeId: source.programmeId,
                    kind: 'initiatives',
                    key: c.key,
                    caseId: row.id,
                    fileName: source.fileName.slice(0, 300),
                    fileSha256,
                    sheet: c.sheet ?? null,
                    row: c.row,
                    importedAt: at,
                    importedBy: source.actor.id,
                  })
                  .run();
                result.creates.push(item(c, row.diaryNumber, row.title));
              });
            } catch (error) {
              if (!(error instanceof DomainError) || error.code === 'forbidden' || error.code === 'not-found') throw error;
              result.errors.push(...rowErrorsOf(error, c));
            }
          }
          if (!write || result.errors.length > 0 || result.creates.length === 0) throw ROLLBACK;
        },
        { behavior: 'immediate' },
      );
      result.imported = true;
    } catch (error) {
      if (error !== ROLLBACK) throw error;
    }
    result.errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    return result;
  }

  return {
    id: 'initiatives',
    roles: ['administrator'],
    template(format: TableFormat, language: 'sv' | 'en') {
      return tableTemplate(format, [
        { sheet: INITIATIVE_SHEET[language], columns: INITIATIVE_COLUMNS.map((c) => c[language]), examples: EXAMPLES[language] },
      ]);
    },
    dryRun: (source) => evaluate(source, false),
    run: (source) => evaluate(source, true),
  };
}
