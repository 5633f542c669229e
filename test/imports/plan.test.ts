import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlanImport } from '../../src/imports/plan.js';
import { readTables } from '../../src/imports/table.js';
import { createTestApp, PROGRAMME, tableCounts, type TestApp } from '../helpers.js';
import { startSmtp, type TestSmtp } from '../smtp.js';

/*
 * Jämtland's plan (seed 004) recorded after the fact from a workbook filled in as the template
 * shows: adopted with its real decision, its 2022 values and the assignments' statuses; the
 * dry run says what would be made and writes nothing; a second import makes nothing new; an
 * error is named by sheet, row and column and nothing is written; assignments whose date had
 * passed at the import get no reminder.
 */

type Seed = {
  document: {
    title: string;
    summary: string;
    goals: { id: string; title: string; horizonYears: number; targetYear: number; areaIds: string[]; description?: string }[];
    indicators: {
      id: string;
      label: string;
      kind: string;
      unit?: string;
      source?: string;
      goalIds: string[];
      targets: { year: number; value: number | boolean | string }[];
    }[];
    rows: {
      id: string;
      activity: string;
      targetGroup?: string;
      responsible?: string;
      timeFrame?: string;
      indicatorIds: string[];
      goalIds: string[];
      costOre?: number;
      staffHours?: number;
    }[];
    assignments: {
      id: string;
      title: string;
      description?: string;
      responsible: string;
      due: string;
      goalIds: string[];
      rowIds: string[];
    }[];
  };
  adoption: Record<string, string>;
};
const seed = JSON.parse(fs.readFileSync('test/fixtures/seed-004-plan.json', 'utf8')) as Seed;
const KIND: Record<string, string> = { number: 'tal', percentage: 'procent', 'yes-no': 'ja/nej', document: 'dokument' };
const d = seed.document;

/** Seed 004 as a person fills in the template: references by title, ids left out, Swedish numbers. */
function seedSheets(overrides: { decisionDate?: string; staffHours?: string } = {}) {
  const goalTitle = (id: string) => d.goals.find((g) => g.id === id)!.title;
  return {
    Plan: [
      ['Planens namn', 'Sammanfattning', 'Antagen av', 'Beslutsreferens', 'Beslutsdatum', 'Nästa revidering'],
      [
        d.title,
        d.summary,
        seed.adoption.adoptedBy!,
        seed.adoption.reference!,
        overrides.decisionDate ?? seed.adoption.decisionDate!,
        seed.adoption.nextRevisionDue!,
      ],
    ],
    Mål: [
      ['Id', 'Mål', 'Beskrivning', 'Inom antal år', 'Målår', 'Områden'],
      ...d.goals.map((g) => [g.id, g.title, g.description ?? '', String(g.horizonYears), String(g.targetYear), g.areaIds.join('; ')]),
    ],
    Indikatorer: [
      [
        'Id',
        'Indikator',
        'Slag',
        'Enhet',
        'Källa',
        'Riktning',
        'Hör till mål',
        'Målvärde 2022',
        'Målvärde 2023',
        'Målvärde 2027',
        'Målvärde 2035',
        'Värde 2022',
      ],
      ...d.indicators.map((i) => {
        const target = (year: number) => {
          const v = i.targets.find((x) => x.year === year)?.value;
          return v === undefined ? '' : typeof v === 'number' ? String(v).replace('.', ',') : 'ja';
        };
        const value = i.id === 'utbildade-andel' ? '22,5' : i.id === 'inventering-anhorigstod' ? 'nej' : '';
        return [
          i.id,
          i.label,
          KIND[i.kind]!,
          i.unit ?? '',
          i.source ?? '',
          i.id === 'fullbordade-suicid' ? 'minska' : '',
          i.goalIds.map(goalTitle).join('; '),
          target(2022),
          target(2023),
          target(2027),
          target(2035),
          value,
        ];
      }),
    ],
    Handlingsplan: [
      ['Id', 'Aktivitet', 'Målgrupp', 'Ansvarig', 'Tidsram', 'Följs upp med', 'Hör till mål', 'Kostnad (kr)', 'Personaltid (timmar)'],
      ...d.rows.map((r, n) => [
        r.id,
        r.activity,
        r.targetGroup ?? '',
        r.responsible ?? '',
        r.timeFrame ?? '',
        r.indicatorIds.join('; '),
        r.goalIds.map(goalTitle).join('\n'),
        r.costOre === undefined ? '' : (r.costOre / 100).toLocaleString('sv-SE'),
        n === 0 && overrides.staffHours !== undefined ? overrides.staffHours : r.staffHours === undefined ? '' : String(r.staffHours),
      ]),
    ],
    Uppdrag: [
      ['Id', 'Uppdrag', 'Beskrivning', 'Ansvarig', 'Redovisas', 'Hör till mål', 'Rader i handlingsplanen', 'Status'],
      ...d.assignments.map((a) => [
        a.id,
        a.title,
        a.description ?? '',
        a.responsible,
        a.due,
        a.goalIds.map(goalTitle).join('; '),
        a.rowIds.join('; '),
        a.id === 'uppdrag-anhorigstod' ? 'klar' : '',
      ]),
    ],
  };
}

async function workbook(sheets: Record<string, string[][]>) {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = wb.addWorksheet(name);
    for (const r of rows) sheet.addRow(r);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The same sheets as one CSV file, the part of each row in the column "Del". */
function csvOf(sheets: Record<string, string[][]>) {
  const columns = [...new Set(Object.values(sheets).flatMap((rows) => rows[0]!))];
  const quote = (c: string) => (/[";,\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  const lines = [['Del', ...columns]];
  for (const [name, [header, ...rows]] of Object.entries(sheets)) {
    for (const r of rows) lines.push([name, ...columns.map((c) => r[header!.indexOf(c)] ?? '')]);
  }
  return Buffer.from(lines.map((l) => l.map(quote).join(';')).join('\r\n'), 'utf8');
}

let t: TestApp;
let smtp: TestSmtp;
let kind: ReturnType<typeof createPlanImport>;
const source = (bytes: Buffer, fileName = 'lup-psykisk-ohalsa.xlsx') => ({
  programmeId: PROGRAMME,
  actor: t.actors.administrator,
  fileName,
  bytes,
});
const assignmentTimers = () =>
  t.services.db.$client
    .prepare("SELECT assignment_id AS a, kind FROM timers WHERE assignment_id IS NOT NULL AND status = 'pending' ORDER BY 1, 2")
    .all() as { a: string; kind: string }[];

beforeAll(async () => {
  smtp = await startSmtp(0);
  t = await createTestApp({
    env: { SATSA_SMTP_HOST: '127.0.0.1', SATSA_SMTP_PORT: String(smtp.port), SATSA_MAIL_FROM: 'Satsa <satsa@regionblekinge.se>' },
  });
  t.clock.set('2023-11-01T09:00:00.000Z');
  const config = t.services.programmes.get(PROGRAMME)!;
  t.services.programmes.change({ ...config, years: { first: 2022, last: 2035 } }, t.actors.administrator.id, 'planens år');
  kind = createPlanImport({ db: t.services.db, plans: t.services.plans, programmes: t.services.programmes });
});

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe("a programme's plan recorded from a spreadsheet, seed 004", () => {
  it('gives a template in Swedish and English that reads back as the plan’s parts', async () => {
    const xlsx = await readTables(await kind.template('xlsx', 'sv'));
    expect(xlsx.map((s) => s.sheet)).toEqual(['Plan', 'Mål', 'Indikatorer', 'Handlingsplan', 'Uppdrag']);
    expect(xlsx[2]!.columns).toContain('Målvärde 2022');
    const [csv] = await readTables(await kind.template('csv', 'en'));
    expect(csv!.columns[0]).toBe('Part');
    expect(csv!.rows.map((r) => r.cells.Part)).toEqual(['Plan', 'Goals', 'Indicators', 'Action plan', 'Assignments']);
  });

  it('says in a dry run what would be made, and writes nothing', async () => {
    const before = tableCounts(t);
    const preview = await kind.dryRun(source(await workbook(seedSheets())));
    expect(preview.errors).toEqual([]);
    const whats = preview.creates.map((c) => c.what.key.replace('imports.plan.items.', ''));
    expect(whats.filter((w) => w === 'goal')).toHaveLength(4);
    expect(whats.filter((w) => w === 'indicator')).toHaveLength(4);
    expect(whats.filter((w) => w === 'assignment')).toHaveLength(3);
    expect(whats.filter((w) => w === 'value')).toHaveLength(2);
    expect(whats.filter((w) => w === 'status')).toHaveLength(1);
    expect(preview.creates[0]).toMatchObject({ sheet: 'Plan', row: 2, what: { values: { reference: '2022-06-21—22 § 79' } } });
    expect(tableCounts(t)).toEqual(before);
  });

  it('names the sheet, row and column of every error, and imports nothing', async () => {
    const sheets = seedSheets({ decisionDate: '21 juni 2022', staffHours: 'en halv tjänst' });
    sheets.Indikatorer[3]![2] = 'betyg';
    sheets.Uppdrag[2]![4] = 'någon gång';
    sheets.Mål[1]![5] = 'Okänt område';
    const before = tableCounts(t);
    const result = await kind.run(source(await workbook(sheets)));
    expect(result.imported).toBe(false);
    const at = result.errors.map((e) => `${e.sheet} ${e.row} ${e.column}: ${e.key.replace('imports.plan.errors.', '')}`);
    expect(at).toEqual(
      expect.arrayContaining([
        'Plan 2 Beslutsdatum: notADay',
        'Handlingsplan 2 Personaltid (timmar): notANumber',
        'Indikatorer 4 Slag: unknownKind',
        'Mål 2 Områden: unknown.area',
      ]),
    );
    expect(tableCounts(t)).toEqual(before);
    // The plan's own rules, once the cells read: a due date that is no date.
    const later = seedSheets();
    later.Uppdrag[2]![4] = 'någon gång';
    const second = await kind.run(source(await workbook(later)));
    expect(second.errors.map((e) => `${e.sheet} ${e.row} ${e.column}: ${e.key}`)).toEqual([
      'Uppdrag 3 Redovisas: imports.plan.errors.notADate',
    ]);
    expect(tableCounts(t)).toEqual(before);
  });

  it('adopts the plan with its real decision, records the values and statuses, and sets no reminder for a date that had passed', async () => {
    const result = await kind.run(source(await workbook(seedSheets())));
    expect(result.errors).toEqual([]);
    expect(result.imported).toBe(true);
    const plan = t.services.plans.inForce(t.actors.administrator, PROGRAMME);
    expect(plan).toMatchObject({
      version: 1,
      adoptedByBody: 'Regionfullmäktige',
      decisionReference: '2022-06-21—22 § 79',
      decisionDate: '2022-06-22',
      nextRevisionDue: '2027-12-31',
    });
    const doc = plan.document;
    expect(doc.goals.map((g) => [g.id, g.horizonYears, g.targetYear])).toEqual(d.goals.map((g) => [g.id, g.horizonYears, g.targetYear]));
    expect(doc.rows.map((r) => [r.costOre, r.staffHours, r.timeFrame?.label])).toEqual([
      [undefined, 400, 'våren 2023'],
      [25_000_000, 200, '2022'],
    ]);
    const share = doc.indicators.find((i) => i.id === 'utbildade-andel')!;
    expect(share.targets).toEqual([{ year: 2022, value: 20 }]);
    expect(share.values[0]).toMatchObject({
      year: 2022,
      value: { kind: 'percentage', value: 22.5 },
      note: 'lup-psykisk-ohalsa.xlsx, Indikatorer 2',
    });
    expect(doc.indicators.find((i) => i.id === 'fullbordade-suicid')!.direction).toBe('decrease');
    expect(doc.indicators.find((i) => i.id === 'analys-folkhalsoenkat')!.targets).toEqual([{ year: 2023, value: true }]);
    expect(doc.assignments.map((a) => [a.id, a.status])).toEqual([
      ['uppdrag-kartlaggning', 'open'],
      ['uppdrag-anhorigstod', 'done'],
      ['uppdrag-lansstrategi', 'open'],
    ]);
    // Våren 2023 ended before the import (November 2023): no reminder, no escalation. Hösten 2024 is ahead.
    expect(assignmentTimers().map((x) => x.a)).toEqual(['uppdrag-lansstrategi', 'uppdrag-lansstrategi']);
  });

  it('e-mails over SMTP about the assignment still ahead only, at its reminder and escalation times', async () => {
    await t.services.relay.drain();
    smtp.received.length = 0;
    // Hösten 2024 ends 2024-12-31: reminded 14 days before, escalated the day after, 08:00 Swedish time.
    for (const [at, fired] of [
      ['2024-12-17T06:59:00.000Z', 0],
      ['2024-12-17T07:00:00.000Z', 1],
      ['2025-01-01T07:00:00.000Z', 1],
      ['2026-06-01T00:00:00.000Z', 0],
    ] as const) {
      t.clock.set(at);
      expect(t.services.scheduler.runDue(), at).toMatchObject({ fired, failed: 0 });
    }
    await t.services.relay.drain();
    const subjects = [...new Set(smtp.received.map((m) => m.mail.subject))].sort();
    expect(subjects).toEqual([
      `Påminnelse: uppdraget ${d.assignments[2]!.title} ska vara klart hösten 2024`,
      `Uppdraget ${d.assignments[2]!.title} är försenat`,
    ]);
  });

  it('makes nothing new when the same file comes again, as a workbook or as CSV', async () => {
    const before = tableCounts(t);
    for (const bytes of [await workbook(seedSheets()), csvOf(seedSheets())]) {
      const again = await kind.run(source(bytes));
      expect(again.errors).toEqual([]);
      expect(again.creates).toEqual([]);
      expect(again.imported).toBe(false);
      expect(again.existing.map((e) => e.what.key.replace('imports.plan.items.', ''))).toEqual(['plan', 'value', 'value', 'status']);
    }
    expect(tableCounts(t)).toEqual(before);
  });

  it('refuses the same decision with other content, and a revision decided before the plan in force', async () => {
    const changed = seedSheets();
    changed.Mål[1]![2] = 'En annan beskrivning';
    const other = await kind.dryRun(source(await workbook(changed)));
    expect(other.errors.map((e) => `${e.sheet} ${e.row} ${e.column}: ${e.key}`)).toEqual([
      'Plan 2 Beslutsreferens: imports.plan.errors.otherContent',
    ]);
    changed.Plan[1]![3] = 'RS 2021 § 1';
    changed.Plan[1]![4] = '2021-01-01';
    const earlier = await kind.dryRun(source(await workbook(changed)));
    expect(earlier.errors.map((e) => `${e.sheet} ${e.row} ${e.column}: ${e.key}`)).toEqual([
      'Plan 2 Beslutsdatum: imports.plan.errors.notAfterInForce',
    ]);
  });

  it('takes a revision as CSV with English headers, and records a new value of a year', async () => {
    const en: Record<string, string[][]> = {
      Plan: [
        ['Plan title', 'Adopted by', 'Decision reference', 'Decision date', 'Next revision due'],
        ['Revised plan', 'Regional council', 'RF 2023-10-10 § 12', '2023-10-10', '2027-12-31'],
      ],
      Goals: [
        ['Id', 'Goal', 'Within years', 'Target year', 'Areas'],
        ['mal-4-ar-suicid', 'Fewer suicides within four years', '4', '2027', ''],
      ],
      Indicators: [
        ['Id', 'Indicator', 'Kind', 'Goals served', 'Target 2022', 'Value 2022', 'Value 2023'],
        ['utbildade-andel', 'Share trained', 'percentage', 'mal-4-ar-suicid', '20', '22,5', '31'],
      ],
    };
    const bytes = Buffer.from(
      ['Part;' + [...new Set(Object.values(en).flatMap((r) => r[0]!))].join(';')]
        .concat(
          Object.entries(en).flatMap(([part, [header, ...rows]]) =>
            rows.map((r) =>
              [part, ...[...new Set(Object.values(en).flatMap((x) => x[0]!))].map((c) => r[header!.indexOf(c)] ?? '')].join(';'),
            ),
          ),
        )
        .join('\n'),
    );
    const result = await kind.run(source(bytes, 'revision.csv'));
    expect(result.errors).toEqual([]);
    expect(result.creates.map((c) => c.what.key.replace('imports.plan.items.', ''))).toEqual(['plan', 'goal', 'indicator', 'value']);
    expect(result.existing.map((c) => c.what.values)).toEqual([{ title: 'Share trained', year: 2022 }]);
    const plan = t.services.plans.inForce(t.actors.administrator, PROGRAMME);
    expect(plan.version).toBe(2);
    expect(plan.document.indicators[0]!.values.map((v) => [v.year, v.value.value])).toEqual([
      [2022, 22.5],
      [2023, 31],
    ]);
    // The assignments left the plan: their timers go with them.
    expect(assignmentTimers()).toEqual([]);
  });
});
