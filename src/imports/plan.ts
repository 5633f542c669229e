import type { Db } from '../db/client.js';
import { DomainError, type FieldError } from '../errors.js';
import type { Actor } from '../people/actor.js';
import { normalisePlanDocument, type AssignmentStatus, type IndicatorKind } from '../plans/document.js';
import type { Plans } from '../plans/service.js';
import { allAreas, type ProgrammeConfig } from '../programmes/config.js';
import { parseDay, parseKronor, parseList, parseNumber, parseYear, parseYesNo } from './cells.js';
import type { ImportError, ImportItem, ImportKind, ImportPreview, ImportResult, ImportSource } from './kind.js';
import { readTables, tableTemplate, type Table, type TableFormat, type TableRow } from './table.js';

/*
 * A programme's plan recorded as it was adopted, from a spreadsheet: one sheet per part (the
 * plan and its decision, goals, indicators with a target and a measured value per year, the
 * action plan, assignments with their status), or one CSV file whose "Del" column names the
 * part of each row. Goals, indicators and rows are referred to by their id or their title.
 *
 * The import drafts the plan and adopts it with the decision the file names (body, reference,
 * the real decision date), then records the values and the assignments' statuses, all in one
 * transaction through the plan's own service; a dry run does the same and rolls it back, so it
 * reports exactly what the import would do. The adoption is recorded at the time of the
 * import, so an assignment whose date had already passed gets no reminder and no escalation.
 * A plan already adopted with the same decision and content is found, not made again; values
 * and statuses already recorded are not recorded twice.
 */

type Part = 'plan' | 'goals' | 'indicators' | 'rows' | 'assignments';
type Lang = 'sv' | 'en';
const PARTS: Part[] = ['plan', 'goals', 'indicators', 'rows', 'assignments'];

/** Each part's name (a sheet, or the "Del" column of a CSV file) and columns, in Swedish and English. */
const LAYOUT: Record<Part, { name: Record<Lang, string>; columns: Record<string, Record<Lang, string>> }> = {
  plan: {
    name: { sv: 'Plan', en: 'Plan' },
    columns: {
      title: { sv: 'Planens namn', en: 'Plan title' },
      summary: { sv: 'Sammanfattning', en: 'Summary' },
      adoptedBy: { sv: 'Antagen av', en: 'Adopted by' },
      reference: { sv: 'Beslutsreferens', en: 'Decision reference' },
      decisionDate: { sv: 'Beslutsdatum', en: 'Decision date' },
      nextRevisionDue: { sv: 'Nästa revidering', en: 'Next revision due' },
    },
  },
  goals: {
    name: { sv: 'Mål', en: 'Goals' },
    columns: {
      id: { sv: 'Id', en: 'Id' },
      title: { sv: 'Mål', en: 'Goal' },
      description: { sv: 'Beskrivning', en: 'Description' },
      horizonYears: { sv: 'Inom antal år', en: 'Within years' },
      targetYear: { sv: 'Målår', en: 'Target year' },
      areas: { sv: 'Områden', en: 'Areas' },
    },
  },
  indicators: {
    name: { sv: 'Indikatorer', en: 'Indicators' },
    columns: {
      id: { sv: 'Id', en: 'Id' },
      label: { sv: 'Indikator', en: 'Indicator' },
      kind: { sv: 'Slag', en: 'Kind' },
      unit: { sv: 'Enhet', en: 'Unit' },
      source: { sv: 'Källa', en: 'Source' },
      direction: { sv: 'Riktning', en: 'Direction' },
      goals: { sv: 'Hör till mål', en: 'Goals served' },
      baselineYear: { sv: 'Utgångsår', en: 'Baseline year' },
      baselineValue: { sv: 'Utgångsvärde', en: 'Baseline value' },
    },
  },
  rows: {
    name: { sv: 'Handlingsplan', en: 'Action plan' },
    columns: {
      id: { sv: 'Id', en: 'Id' },
      activity: { sv: 'Aktivitet', en: 'Activity' },
      targetGroup: { sv: 'Målgrupp', en: 'Target group' },
      responsible: { sv: 'Ansvarig', en: 'Responsible' },
      timeFrame: { sv: 'Tidsram', en: 'Time frame' },
      indicators: { sv: 'Följs upp med', en: 'Indicators used' },
      goals: { sv: 'Hör till mål', en: 'Goals served' },
      cost: { sv: 'Kostnad (kr)', en: 'Cost (SEK)' },
      staffHours: { sv: 'Personaltid (timmar)', en: 'Staff time (hours)' },
    },
  },
  assignments: {
    name: { sv: 'Uppdrag', en: 'Assignments' },
    columns: {
      id: { sv: 'Id', en: 'Id' },
      title: { sv: 'Uppdrag', en: 'Assignment' },
      description: { sv: 'Beskrivning', en: 'Description' },
      responsible: { sv: 'Ansvarig', en: 'Responsible' },
      due: { sv: 'Redovisas', en: 'Due' },
      goals: { sv: 'Hör till mål', en: 'Goals served' },
      rows: { sv: 'Rader i handlingsplanen', en: 'Action-plan rows' },
      status: { sv: 'Status', en: 'Status' },
    },
  },
};
const PART_COLUMN: Record<Lang, string> = { sv: 'Del', en: 'Part' };
const TARGET: Record<Lang, string> = { sv: 'Målvärde', en: 'Target' };
const VALUE: Record<Lang, string> = { sv: 'Värde', en: 'Value' };

const KIND_WORDS: Record<string, IndicatorKind> = {
  tal: 'number',
  antal: 'number',
  number: 'number',
  procent: 'percentage',
  andel: 'percentage',
  percentage: 'percentage',
  'ja/nej': 'yes-no',
  'ja-nej': 'yes-no',
  'yes/no': 'yes-no',
  'yes-no': 'yes-no',
  dokument: 'document',
  document: 'document',
};
const DIRECTION_WORDS: Record<string, 'increase' | 'decrease'> = {
  öka: 'increase',
  ökar: 'increase',
  increase: 'increase',
  minska: 'decrease',
  minskar: 'decrease',
  decrease: 'decrease',
};
const STATUS_WORDS: Record<string, AssignmentStatus> = {
  öppet: 'open',
  öppen: 'open',
  open: 'open',
  pågår: 'in-progress',
  'in progress': 'in-progress',
  'in-progress': 'in-progress',
  klart: 'done',
  klar: 'done',
  done: 'done',
  avbrutet: 'cancelled',
  avbrutna: 'cancelled',
  cancelled: 'cancelled',
};
const KIND_EXAMPLE: Record<IndicatorKind, Record<Lang, string>> = {
  number: { sv: 'tal', en: 'number' },
  percentage: { sv: 'procent', en: 'percentage' },
  'yes-no': { sv: 'ja/nej', en: 'yes/no' },
  document: { sv: 'dokument', en: 'document' },
};

/** A cell of one part's row, read by its column in either language. */
interface PartRow {
  sheet?: string;
  row: number;
  /** The header as the file writes it, by column key. */
  headers: Record<string, string>;
  get(key: string): string;
  /** Year columns ("Målvärde 2022", "Värde 2022"), by prefix: year → [header, text]. */
  years(prefix: Record<Lang, string>): [number, string, string][];
}

function partRow(table: Table, row: TableRow, part: Part): PartRow {
  const headers: Record<string, string> = {};
  for (const [key, names] of Object.entries(LAYOUT[part].columns)) {
    const found = table.columns.find((c) => c.toLowerCase() === names.sv.toLowerCase() || c.toLowerCase() === names.en.toLowerCase());
    headers[key] = found ?? names.sv;
  }
  return {
    sheet: table.sheet,
    row: row.row,
    headers,
    get: (key) => row.cells[headers[key]!] ?? '',
    years: (prefix) =>
      table.columns.flatMap((c): [number, string, string][] => {
        const m = new RegExp(`^(?:${prefix.sv}|${prefix.en})\\s+(\\d{4})$`, 'i').exec(c);
        return m && (row.cells[c] ?? '') !== '' ? [[Number(m[1]), c, row.cells[c]!]] : [];
      }),
  };
}

function partOf(name: string): Part | undefined {
  const n = name.trim().toLowerCase();
  return PARTS.find((p) => LAYOUT[p].name.sv.toLowerCase() === n || LAYOUT[p].name.en.toLowerCase() === n);
}

/** An id made of a title: lower-case letters, digits and hyphens, the same for the same title. */
function slug(title: string) {
  const s = title
    .toLowerCase()
    .replace(/[åä]/g, 'a')
    .replace(/ö/g, 'o')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return s || 'x';
}

class Rollback extends Error {}

export interface PlanImportDeps {
  db: Db;
  plans: Plans;
  programmes: { get(id: string): ProgrammeConfig | undefined };
}

export function createPlanImport(deps: PlanImportDeps): ImportKind {
  async function template(format: TableFormat, lang: Lang) {
    const cols = (part: Part, extra: string[] = []) => [...Object.values(LAYOUT[part].columns).map((c) => c[lang]), ...extra];
    const sv = lang === 'sv';
    const examples: Record<Part, string[][]> = {
      plan: [
        [
          sv ? 'Långsiktig utvecklingsplan för psykisk hälsa' : 'Long-term plan for mental health',
          '',
          sv ? 'Regionfullmäktige' : 'Regional council',
          '2022-06-21 § 79',
          '2022-06-21',
          '2026-06-30',
        ],
      ],
      goals: [['', sv ? 'Färre suicidförsök inom 12 år' : 'Fewer suicide attempts within 12 years', '', '12', '2035', '']],
      indicators: [
        [
          '',
          sv ? 'Andel utbildade medarbetare' : 'Share of staff trained',
          KIND_EXAMPLE.percentage[lang],
          '%',
          'Centuri',
          sv ? 'öka' : 'increase',
          sv ? 'Färre suicidförsök inom 12 år' : 'Fewer suicide attempts within 12 years',
          '',
          '',
          '20',
          '',
        ],
      ],
      rows: [
        [
          '',
          sv ? 'Utbildning i suicidprevention' : 'Suicide prevention training',
          sv ? 'Medarbetare' : 'Staff',
          sv ? 'Utvecklingsstrateg' : 'Development strategist',
          sv ? 'våren 2023' : '2023',
          sv ? 'Andel utbildade medarbetare' : 'Share of staff trained',
          '',
          '50000',
          '',
        ],
      ],
      assignments: [
        [
          '',
          sv ? 'Inventera anhörigstödet' : 'Survey the support for relatives',
          '',
          sv ? 'Hälso- och sjukvårdsförvaltningen' : 'Health care administration',
          sv ? 'hösten 2024' : '2024-10-31',
          '',
          '',
          sv ? 'öppen' : 'open',
        ],
      ],
    };
    const yearColumns = [`${TARGET[lang]} 2022`, `${VALUE[lang]} 2022`];
    const sheets = PARTS.map((part) => ({
      sheet: LAYOUT[part].name[lang],
      columns: cols(part, part === 'indicators' ? yearColumns : []),
      examples: examples[part],
    }));
    if (format === 'xlsx') return tableTemplate('xlsx', sheets);
    // One CSV file: the part of each row first, then every part's columns once.
    const all = [...new Set(sheets.flatMap((s) => s.columns))];
    const rows = sheets.flatMap((s) => s.examples.map((e) => [s.sheet, ...all.map((c) => e[s.columns.indexOf(c)] ?? '')]));
    return tableTemplate('csv', [{ sheet: 'Plan', columns: [PART_COLUMN[lang], ...all], examples: rows }]);
  }

  /** The file's rows by part; errors for a sheet or a part that is not one. */
  function parts(tables: Table[], errors: ImportError[]): Record<Part, PartRow[]> {
    const byPart = Object.fromEntries(PARTS.map((p) => [p, [] as PartRow[]])) as Record<Part, PartRow[]>;
    for (const table of tables) {
      const partColumn = table.columns.find((c) => [PART_COLUMN.sv, PART_COLUMN.en].some((n) => n.toLowerCase() === c.toLowerCase()));
      const sheetPart = table.sheet === undefined ? undefined : partOf(table.sheet);
      if (!partColumn && !sheetPart) {
        errors.push(
          table.sheet === undefined
            ? { key: 'imports.plan.errors.noPartColumn', values: { column: PART_COLUMN.sv } }
            : { key: 'imports.plan.errors.unknownSheet', sheet: table.sheet, values: { sheet: table.sheet } },
        );
        continue;
      }
      for (const row of table.rows) {
        const part = partColumn ? partOf(row.cells[partColumn] ?? '') : sheetPart;
        if (!part) {
          errors.push({
            key: 'imports.plan.errors.unknownPart',
            sheet: table.sheet,
            row: row.row,
            column: partColumn,
            values: { value: row.cells[partColumn!] ?? '' },
          });
          continue;
        }
        byPart[part].push(partRow(table, row, part));
      }
    }
    return byPart;
  }

  /** Reads the file into the plan's document, its decision, values and statuses, with every error found on the way. */
  function read(tables: Table[], config: ProgrammeConfig) {
    const errors: ImportError[] = [];
    const at = (r: PartRow, key: string | undefined, message: string, values?: Record<string, string | number>) =>
      errors.push({
        key: `imports.plan.errors.${message}`,
        sheet: r.sheet,
        row: r.row,
        column: key ? (r.headers[key] ?? key) : undefined,
        values,
      });
    const byPart = parts(tables, errors);
    const required = (r: PartRow, key: string) => {
      const v = r.get(key);
      if (v === '') at(r, key, 'required');
      return v;
    };
    const optional = (r: PartRow, key: string) => r.get(key) || undefined;

    // The plan and its decision: exactly one row.
    if (byPart.plan.length === 0) errors.push({ key: 'imports.plan.errors.noPlan', values: { part: LAYOUT.plan.name.sv } });
    byPart.plan.slice(1).forEach((r) => at(r, undefined, 'onePlan'));
    const p = byPart.plan[0];
    const day = (r: PartRow, key: string) => {
      const v = required(r, key);
      const d = v === '' ? undefined : parseDay(v);
      if (v !== '' && !d) at(r, key, 'notADay', { value: v });
      return d ?? '';
    };
    const decision = p
      ? {
          adoptedBy: required(p, 'adoptedBy'),
          reference: required(p, 'reference'),
          decisionDate: day(p, 'decisionDate'),
          nextRevisionDue: day(p, 'nextRevisionDue'),
        }
      : undefined;

    // Ids: the file's, or made of the title; references by id or by title.
    const ids = (part: Part, titleKey: string) => {
      const byRef = new Map<string, string>();
      const taken = new Set<string>();
      const list = byPart[part].map((r) => {
        const given = r.get('id');
        if (given && !/^[a-z0-9][a-z0-9-]{0,63}$/.test(given)) at(r, 'id', 'badId', { value: given });
        let id = given || slug(r.get(titleKey));
        if (taken.has(id)) {
          if (given) at(r, 'id', 'idTwice', { value: given });
          let n = 2;
          while (taken.has(`${id}-${n}`)) n++;
          id = `${id}-${n}`;
        }
        taken.add(id);
        byRef.set(id, id);
        if (r.get(titleKey) && !byRef.has(r.get(titleKey).toLowerCase())) byRef.set(r.get(titleKey).toLowerCase(), id);
        return id;
      });
      return { list, resolve: (ref: string) => byRef.get(ref) ?? byRef.get(ref.toLowerCase()) };
    };
    const goalIds = ids('goals', 'title');
    const indicatorIds = ids('indicators', 'label');
    const rowIds = ids('rows', 'activity');
    const assignmentIds = ids('assignments', 'title');
    const refs = (r: PartRow, key: string, known: ReturnType<typeof ids>, what: string) =>
      parseList(r.get(key)).flatMap((ref) => {
        const id = known.resolve(ref);
        if (!id) at(r, key, `unknown.${what}`, { value: ref });
        return id ? [id] : [];
      });
    const integer = (r: PartRow, key: string, read: (s: string) => number | undefined, message = 'notANumber') => {
      const v = r.get(key);
      if (v === '') return undefined;
      const n = read(v);
      if (n === undefined) at(r, key, message, { value: v });
      return n;
    };

    const areas = allAreas(config);
    const areaOf = (name: string) =>
      areas.find((a) => a.id === name || [a.label.sv, a.label.en].some((l) => l.toLowerCase() === name.toLowerCase()))?.id;
    const goals = byPart.goals.map((r, i) => ({
      id: goalIds.list[i],
      title: required(r, 'title'),
      description: optional(r, 'description'),
      horizonYears:
        integer(r, 'horizonYears', (s) => (/^\d{1,2}$/.test(s) ? Number(s) : undefined), 'notYears') ?? (required(r, 'horizonYears'), 0),
      targetYear: integer(r, 'targetYear', parseYear, 'notAYear') ?? (required(r, 'targetYear'), 0),
      areaIds: parseList(r.get('areas')).flatMap((name) => {
        const id = areaOf(name);
        if (!id) at(r, 'areas', 'unknown.area', { value: name });
        return id ? [id] : [];
      }),
    }));

    const values: { r: PartRow; column: string; indicatorId: string; year: number; value: number | boolean | { title: string } }[] = [];
    const indicators = byPart.indicators.map((r, i) => {
      const kindText = required(r, 'kind').toLowerCase();
      const kind = KIND_WORDS[kindText];
      if (kindText !== '' && !kind) at(r, 'kind', 'unknownKind', { value: r.get('kind') });
      const numeric = kind === 'number' || kind === 'percentage';
      const directionText = r.get('direction').toLowerCase();
      const direction = DIRECTION_WORDS[directionText];
      if (directionText !== '' && !direction) at(r, 'direction', 'unknownDirection', { value: r.get('direction') });
      const valueOf = (text: string, column: string, target: boolean) => {
        if (numeric) {
          const n = parseNumber(text);
          if (n === undefined) at(r, column, 'notANumber', { value: text });
          return n;
        }
        if (kind === 'document' && !target) return { title: text };
        const yes = parseYesNo(text);
        if (yes === undefined || (target && !yes)) at(r, column, target ? 'notDelivered' : 'notYesNo', { value: text });
        return yes;
      };
      const baselineYear = integer(r, 'baselineYear', parseYear, 'notAYear');
      const baselineText = r.get('baselineValue');
      if ((baselineYear === undefined) !== (baselineText === '') && r.get('baselineYear') === '') at(r, 'baselineYear', 'required');
      if (baselineYear !== undefined && baselineText === '') at(r, 'baselineValue', 'required');
      const baselineValue = baselineText !== '' && kind ? valueOf(baselineText, r.headers.baselineValue!, false) : undefined;
      const targets = kind
        ? r.years(TARGET).flatMap(([year, column, text]) => {
            const v = valueOf(text, column, true);
            return v === undefined ? [] : [{ year, value: v as number | true }];
          })
        : [];
      if (kind) {
        for (const [year, column, text] of r.years(VALUE)) {
          const v = valueOf(text, column, false);
          if (v !== undefined) values.push({ r, column, indicatorId: indicatorIds.list[i]!, year, value: v });
        }
      }
      return {
        id: indicatorIds.list[i],
        label: required(r, 'label'),
        kind: kind ?? 'number',
        unit: optional(r, 'unit'),
        source: optional(r, 'source'),
        ...(direction ? { direction } : {}),
        goalIds: refs(r, 'goals', goalIds, 'goal'),
        ...(baselineYear !== undefined && typeof baselineValue !== 'object' && baselineValue !== undefined
          ? { baseline: { year: baselineYear, value: baselineValue } }
          : {}),
        targets,
      };
    });

    const rows = byPart.rows.map((r, i) => ({
      id: rowIds.list[i],
      activity: required(r, 'activity'),
      targetGroup: optional(r, 'targetGroup'),
      responsible: optional(r, 'responsible'),
      timeFrame: optional(r, 'timeFrame'),
      indicatorIds: refs(r, 'indicators', indicatorIds, 'indicator'),
      goalIds: refs(r, 'goals', goalIds, 'goal'),
      costOre: integer(r, 'cost', parseKronor, 'notKronor'),
      staffHours: integer(r, 'staffHours', (s) => {
        const n = parseNumber(s);
        return n !== undefined && n >= 0 ? n : undefined;
      }),
    }));

    const statuses: { r: PartRow; assignmentId: string; status: AssignmentStatus }[] = [];
    const assignments = byPart.assignments.map((r, i) => {
      const statusText = r.get('status').toLowerCase();
      const status = statusText === '' ? 'open' : STATUS_WORDS[statusText];
      if (!status) at(r, 'status', 'unknownStatus', { value: r.get('status') });
      else if (status !== 'open') statuses.push({ r, assignmentId: assignmentIds.list[i]!, status });
      return {
        id: assignmentIds.list[i],
        title: required(r, 'title'),
        description: optional(r, 'description'),
        responsible: required(r, 'responsible'),
        due: required(r, 'due') || '-',
        goalIds: refs(r, 'goals', goalIds, 'goal'),
        rowIds: refs(r, 'rows', rowIds, 'row'),
      };
    });

    const document = {
      title: p ? required(p, 'title') : '',
      summary: p ? optional(p, 'summary') : undefined,
      goals,
      indicators,
      rows,
      assignments,
    };
    if (byPart.goals.length === 0) errors.push({ key: 'imports.plan.errors.noGoals', values: { part: LAYOUT.goals.name.sv } });

    // What the plan's own rules say of the rest (a time frame or a due date that is no date, a
    // percentage over 100 …), at the row and column it comes from.
    if (errors.length === 0) {
      const { errors: rules } = normalisePlanDocument(document, new Set(areas.map((a) => a.id)));
      for (const e of rules) errors.push(ruleError(e, byPart));
    }
    return { document, decision, values, statuses, byPart, errors };
  }

  /** An error of the plan's rules (body.rows.2.timeFrame …) at the row and column of the file. */
  function ruleError(e: FieldError, byPart: Record<Part, PartRow[]>): ImportError {
    const [, list, index, field, , sub] = e.path.split('.');
    const part = (PARTS as string[]).includes(list ?? '') ? (list as Part) : 'plan';
    const r = part === 'plan' ? byPart.plan[0] : byPart[part][Number(index)];
    const key =
      field === 'targets'
        ? undefined
        : field === 'goalIds'
          ? 'goals'
          : field === 'rowIds'
            ? 'rows'
            : field === 'indicatorIds'
              ? 'indicators'
              : field;
    const column = r && key ? (r.headers[key] ?? undefined) : undefined;
    const message =
      part === 'plan' ? 'invalid' : field === 'timeFrame' || field === 'due' ? 'notADate' : sub === 'value' ? 'badTarget' : 'invalid';
    return { key: `imports.plan.errors.${message}`, sheet: r?.sheet, row: r?.row, column, values: { value: r && key ? r.get(key) : '' } };
  }

  function item(r: PartRow | undefined, key: string, values: Record<string, string | number>): ImportItem {
    return { sheet: r?.sheet, row: r?.row, what: { key: `imports.plan.items.${key}`, values } };
  }

  /** Does (or, for a dry run, tries and rolls back) the whole import in one transaction. */
  async function importPlan(source: ImportSource, dryRun: boolean): Promise<ImportResult> {
    const config = deps.programmes.get(source.programmeId);
    if (!config) throw new DomainError('not-found', `no programme ${source.programmeId}`);
    const tables = await readTables(source.bytes);
    const { document, decision, values, statuses, byPart, errors } = read(tables, config);
    const preview: ImportPreview = { creates: [], existing: [], errors };
    if (errors.length > 0 || !decision) return { ...preview, imported: false };
    const actor: Actor = source.actor;
    const planRow = byPart.plan[0]!;
    try {
      deps.db.transaction(
        () => {
          const versions = deps.plans.versions(actor, source.programmeId);
          const same = versions.items.find((v) => v.decisionReference === decision.reference && v.decisionDate === decision.decisionDate);
          if (same) {
            const adopted = deps.plans.version(actor, source.programmeId, same.version).document;
            const { document: normalised } = normalisePlanDocument(document, new Set(allAreas(config).map((a) => a.id)));
            if (JSON.stringify(adopted) !== JSON.stringify(normalised)) {
              errors.push({
                key: 'imports.plan.errors.otherContent',
                sheet: planRow.sheet,
                row: planRow.row,
                column: planRow.headers.reference,
                values: { value: decision.reference },
              });
              throw new Rollback();
            }
            preview.existing.push(item(planRow, 'plan', { title: document.title, reference: decision.reference }));
            if (same !== versions.items.at(-1)) {
              if (values.length + statuses.length > 0) {
                errors.push({
                  key: 'imports.plan.errors.notInForce',
                  sheet: planRow.sheet,
                  row: planRow.row,
                  column: planRow.headers.reference,
                });
                throw new Rollback();
              }
              return;
            }
          } else {
            if (versions.draft) {
              errors.push({ key: 'imports.plan.errors.draftUnderWay', sheet: planRow.sheet, row: planRow.row });
              throw new Rollback();
            }
            try {
              deps.plans.saveDraft(actor, source.programmeId, 0, document);
              deps.plans.adopt(actor, source.programmeId, 1, decision);
            } catch (e) {
              if (!(e instanceof DomainError) || e.code !== 'validation-failed') throw e;
              for (const fe of (e.details as { errors?: FieldError[] }).errors ?? []) {
                const field = fe.path.split('.')[1] ?? '';
                const key = field in LAYOUT.plan.columns ? field : undefined;
                errors.push({
                  key: field === 'decisionDate' ? 'imports.plan.errors.notAfterInForce' : 'imports.plan.errors.invalid',
                  sheet: planRow.sheet,
                  row: planRow.row,
                  column: key ? planRow.headers[key] : undefined,
                  values: { value: key ? planRow.get(key) : '' },
                });
              }
              throw new Rollback();
            }
            preview.creates.push(item(planRow, 'plan', { title: document.title, reference: decision.reference }));
            document.goals.forEach((g, i) => preview.creates.push(item(byPart.goals[i], 'goal', { title: g.title })));
            document.indicators.forEach((x, i) => preview.creates.push(item(byPart.indicators[i], 'indicator', { title: x.label })));
            document.rows.forEach((x, i) => preview.creates.push(item(byPart.rows[i], 'row', { title: x.activity })));
            document.assignments.forEach((x, i) => preview.creates.push(item(byPart.assignments[i], 'assignment', { title: x.title })));
          }
          const inForce = deps.plans.inForce(actor, source.programmeId).document;
          for (const v of values) {
            const indicator = inForce.indicators.find((i) => i.id === v.indicatorId)!;
            const latest = indicator.values.find((x) => x.year === v.year)?.value.value;
            const what = item(v.r, 'value', { title: indicator.label, year: v.year });
            if (JSON.stringify(latest) === JSON.stringify(v.value)) {
              preview.existing.push(what);
              continue;
            }
            try {
              deps.plans.recordValue(actor, source.programmeId, v.indicatorId, {
                year: v.year,
                value: v.value,
                note: `${source.fileName}, ${v.r.sheet ? `${v.r.sheet} ` : ''}${v.r.row}`.slice(0, 2000),
              });
            } catch (e) {
              if (!(e instanceof DomainError) || e.code !== 'validation-failed') throw e;
              errors.push({
                key: 'imports.plan.errors.valueYear',
                sheet: v.r.sheet,
                row: v.r.row,
                column: v.column,
                values: { first: config.years.first, last: config.years.last },
              });
              continue;
            }
            preview.creates.push(what);
          }
          for (const s of statuses) {
            const assignment = inForce.assignments.find((a) => a.id === s.assignmentId)!;
            const what = item(s.r, 'status', { title: assignment.title });
            if (assignment.status === s.status) {
              preview.existing.push(what);
              continue;
            }
            deps.plans.changeAssignmentStatus(actor, source.programmeId, s.assignmentId, { status: s.status });
            preview.creates.push(what);
          }
          if (errors.length > 0 || dryRun) throw new Rollback();
        },
        { behavior: 'immediate' },
      );
    } catch (e) {
      if (!(e instanceof Rollback)) throw e;
      return { ...preview, imported: false };
    }
    return { ...preview, imported: preview.creates.length > 0 };
  }

  return {
    id: 'plan',
    roles: ['administrator'],
    template,
    dryRun: (source) => importPlan(source, true),
    run: (source) => importPlan(source, false),
  };
}
