import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_PROPOSAL, FULL_STORY, storyUntilStep, type StoryStep } from '../../src/demo/story.js';
import type { YearReport } from '../../src/reports/programme-year.js';
import { PROGRAMME, advance, auth, createCase, createTestApp, json, sendEvent, type TestApp } from '../helpers.js';
import { assertFormatsAgree, csvRows, type Formats } from './agree.js';

/*
 * The programme-year report with every kind of figure a pool's life has (corrections, a
 * carry-over, payments, a repayment, a release, earmarks, a distribution decision, a case
 * without an area), checked to agree cell by cell as JSON, CSV, workbook and page; and the
 * public export, whose parties survive commas, semicolons, quotes and line breaks.
 */

let t: TestApp;
const YEAR = 2026;
const sqlite = () => t.services.db.$client;
const decision = FULL_STORY.find((s) => s.type === 'RECORD_DECISION')!.payload as Record<string, unknown>;
const ids = {} as Record<'full' | 'joint' | 'unassessed' | 'parties', string>;
let jointPoolId: string;
let statePoolId: string;

/** Awkward party names: a spreadsheet must show each as one cell, exactly. */
const PARTIES = [
  { name: 'Region Blekinge, vuxenpsykiatrin', kind: 'regional' },
  { name: 'Karlshamns kommun; arbetsmarknadsenheten', kind: 'municipal' },
  { name: 'Föreningen "Vi som bryr oss", Ronneby', kind: 'civil-society' },
  { name: 'RSMH Blekinge\nlokalavdelning Olofström', kind: 'user-organisation' },
] as const;

function insertMovement(caseId: string, poolId: string, kind: 'payment' | 'repayment' | 'release', amountOre: number) {
  sqlite()
    .prepare(
      `INSERT INTO grant_movements (id, case_id, pool_id, programme_id, year, kind, amount_ore, date, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, '2026-06-30', ?, '2026-06-30T10:00:00.000Z')`,
    )
    .run(crypto.randomUUID(), caseId, poolId, PROGRAMME, YEAR, kind, amountOre, t.actors.administrator.id);
}

function insertAdjustment(poolId: string, kind: 'correction' | 'carry-over-in', amountOre: number) {
  sqlite()
    .prepare(
      `INSERT INTO pool_adjustments (id, pool_id, programme_id, kind, amount_ore, motivation, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, 'Enligt beslut.', ?, '2026-03-01T10:00:00.000Z')`,
    )
    .run(crypto.randomUUID(), poolId, PROGRAMME, kind, amountOre, t.actors.administrator.id);
}

function insertDistribution(poolId: string, at: string, reference: string, lines: [string, string, string | null, number][]) {
  const id = crypto.randomUUID();
  sqlite()
    .prepare(
      `INSERT INTO pool_distributions (id, pool_id, programme_id, decided_by, decision_date, reference, motivation, created_by, created_at)
       VALUES (?, ?, ?, 'Regionala ledningsgruppen', ?, ?, 'Prioriteringar för 2026.', ?, ?)`,
    )
    .run(id, poolId, PROGRAMME, at.slice(0, 10), reference, t.actors.administrator.id, at);
  lines.forEach(([scope, recipient, area, amount], line) =>
    sqlite()
      .prepare(
        'INSERT INTO pool_distribution_lines (distribution_id, line, scope, recipient, priority_area_id, amount_ore) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, line, scope, recipient, area, amount),
  );
}

beforeAll(async () => {
  t = await createTestApp();
  statePoolId = t.services.money.pools(PROGRAMME, YEAR).find((p) => p.kind === 'state')!.id;
  const joint = await t.app.inject({
    method: 'POST',
    url: `/api/programmes/${PROGRAMME}/pools`,
    headers: auth(t.tokens.administrator),
    payload: {
      year: YEAR,
      kind: 'joint',
      name: 'Länsgemensamt statsbidrag 2026',
      amountOre: 10_000_000,
      earmarks: [{ priorityAreaId: 'suicidprevention', amountOre: 4_000_000 }],
    },
  });
  expect(joint.statusCode, joint.body).toBe(201);
  jointPoolId = json<{ id: string }>(joint).id;

  // The whole story: 650 000 kr granted for 2026, 300 000 kr reported spent.
  ids.full = await createCase(t, 'Hela vägen');
  advance(t, ids.full, FULL_STORY);
  // A case in another area, granted from the joint pool's earmark.
  ids.joint = await createCase(t, '-Suicidprevention i skolan');
  const inSuicidePrevention = storyUntilStep(10)
    .slice(0, -1)
    .map((s) => (s.type === 'ASSESS_ELIGIBLE' ? ({ ...s, payload: { ...s.payload, priorityAreaId: 'suicidprevention' } } as StoryStep) : s))
    .map((s) =>
      s.type === 'UPDATE_PROPOSAL'
        ? ({ ...s, payload: { ...FULL_PROPOSAL, scope: { level: 'county', municipalities: [] } } } as StoryStep)
        : s,
    );
  advance(t, ids.joint, inSuicidePrevention);
  const granted = await sendEvent(t, ids.joint, t.tokens['regional-director'], {
    type: 'RECORD_DECISION',
    payload: { ...decision, grantedBudget: [{ year: YEAR, amountOre: 3_000_000, pool: 'joint' }] },
  });
  expect(granted.statusCode, granted.body).toBe(200);
  // A case not yet assessed: it has no area.
  ids.unassessed = await createCase(t, 'Ännu inte bedömd');
  // A decided case whose parties have awkward names.
  ids.parties = await createCase(t, '=HYPERLINK("http://evil","x")');
  advance(
    t,
    ids.parties,
    storyUntilStep(10).map((s) =>
      s.type === 'UPDATE_PROPOSAL' ? ({ ...s, payload: { ...FULL_PROPOSAL, participants: [...PARTIES] } } as StoryStep) : s,
    ),
  );

  insertAdjustment(statePoolId, 'correction', 1_000_000);
  insertAdjustment(jointPoolId, 'carry-over-in', 500_000);
  insertMovement(ids.full, statePoolId, 'payment', 20_000_000);
  insertMovement(ids.full, statePoolId, 'repayment', 1_000_000);
  insertMovement(ids.full, statePoolId, 'release', 5_000_000);
  insertMovement(ids.joint, jointPoolId, 'payment', 3_000_000);
  // An older distribution, then the one in force.
  insertDistribution(jointPoolId, '2026-01-20T10:00:00.000Z', 'RLG 2026/1', [['county', '', null, 10_000_000]]);
  insertDistribution(jointPoolId, '2026-02-20T10:00:00.000Z', 'RLG 2026/4', [
    ['county', '', 'suicidprevention', 4_000_000],
    ['sub-regional', 'Västra Blekinge', null, 3_500_000],
    ['local', 'Ronneby', 'barn-och-unga', 2_500_000],
  ]);
});
afterAll(async () => {
  await t.close();
});

describe('the programme-year report with every figure of a pool’s life', () => {
  let formats: Formats;
  let report: YearReport;
  beforeAll(async () => {
    formats = await assertFormatsAgree(t, PROGRAMME, YEAR);
    report = formats.report;
  });

  it('gives each initiative what was paid, unpaid, released and repaid, and the pools and totals the same', () => {
    const full = report.initiatives.find((i) => i.caseId === ids.full)!;
    expect(full).toMatchObject({
      grantedOre: 65_000_000,
      paidOre: 20_000_000,
      repaidOre: 1_000_000,
      // 350 000 kr released when the initiative ended under budget, 50 000 kr by hand.
      releasedOre: 40_000_000,
      unpaidOre: 5_000_000,
      spentOre: 30_000_000,
      override: null,
    });
    const state = report.pools.find((p) => p.kind === 'state')!;
    expect(state).toMatchObject({ correctionsOre: 1_000_000, paidOre: 20_000_000, repaidOre: 1_000_000, releasedOre: 40_000_000 });
    expect(report.totals).toMatchObject({
      initialOre: 10_000_000_000 + 10_000_000,
      correctionsOre: 1_000_000,
      carriedInOre: 500_000,
      poolOre: 10_000_000_000 + 10_000_000 + 1_000_000 + 500_000,
      paidOre: 23_000_000,
      overdrawn: false,
    });
    const area = report.byPriorityArea.find((a) => a.priorityAreaId === 'barn-och-unga')!;
    expect(area.paidOre).toBeGreaterThanOrEqual(20_000_000);
  });

  it('lists every area in order, zeros included, and a row for cases without an area last', () => {
    const config = t.services.programmes.get(PROGRAMME)!;
    expect(report.byPriorityArea.map((a) => a.priorityAreaId)).toEqual([...config.priorityAreas.map((a) => a.id), null]);
    expect(report.byPriorityArea.find((a) => a.priorityAreaId === 'samsjuklighet')).toMatchObject({ initiatives: 0, grantedOre: 0 });
    expect(report.byPriorityArea.at(-1)).toMatchObject({ label: 'Inget område angivet', initiatives: 1, grantedOre: 0 });
    const empty = config.priorityAreas.find((a) => a.id === 'samsjuklighet')!.label.sv;
    expect(formats.page).toMatch(new RegExp(`<tr class="area" data-area="samsjuklighet"><th scope="row">${empty}</th>`));
  });

  it('shows the earmarks, and the newest distribution decision beside what was granted per scope', () => {
    expect(report.pools.find((p) => p.kind === 'joint')!.earmarks).toEqual([
      { priorityAreaId: 'suicidprevention', amountOre: 4_000_000, committedOre: 3_000_000, remainingOre: 1_000_000 },
    ]);
    expect(report.distributions).toHaveLength(1);
    const d = report.distributions[0]!;
    expect(d).toMatchObject({ poolKind: 'joint', reference: 'RLG 2026/4', decidedBy: 'Regionala ledningsgruppen' });
    expect(d.lines.map((l) => [l.scope, l.recipient, l.amountOre])).toEqual([
      ['county', '', 4_000_000],
      ['sub-regional', 'Västra Blekinge', 3_500_000],
      ['local', 'Ronneby', 2_500_000],
    ]);
    expect(d.byScope).toEqual([
      { scope: 'county', label: 'Länsövergripande', distributedOre: 4_000_000, grantedOre: 3_000_000 },
      { scope: 'sub-regional', label: 'Delregional', distributedOre: 3_500_000, grantedOre: 0 },
      { scope: 'local', label: 'Lokal', distributedOre: 2_500_000, grantedOre: 0 },
    ]);
    const county = report.byScope.find((s) => s.scope === 'county')!;
    expect(county).toMatchObject({ distributedOre: 4_000_000, grantedOre: 3_000_000, initiatives: 1 });
    expect(formats.csv.rows.filter((r) => r.kind === 'distribution').map((r) => r.reference)).toEqual([
      'RLG 2026/4',
      'RLG 2026/4',
      'RLG 2026/4',
    ]);
    expect(formats.page).toContain('Beslutad 2026-02-20 av Regionala ledningsgruppen (RLG 2026/4).');
  });

  it('names the programme’s own bodies, and its texts use them', async () => {
    expect(report.programme.bodies.recommender).toEqual({ name: 'LSVO', genitive: 'LSVO:s' });
    expect(formats.page).toContain('Rekommenderade av LSVO för implementering eller uppskalning');
    // A programme that calls its bodies something else is reported in its words.
    const config = t.services.programmes.get(PROGRAMME)!;
    t.services.programmes.upsert({
      ...config,
      bodies: {
        ...config.bodies,
        recommender: { sv: { name: 'Ledningsrådet', genitive: 'Ledningsrådets' }, en: { name: 'the board', genitive: "the board's" } },
      },
    });
    try {
      const page = await t.app.inject({
        method: 'GET',
        url: `/programmes/${PROGRAMME}/reports/${YEAR}`,
        headers: { ...auth(t.tokens['county-coordinator']), accept: 'text/html' },
      });
      expect(page.body).toContain('Rekommenderade av Ledningsrådet för implementering eller uppskalning');
    } finally {
      t.services.programmes.upsert(config);
    }
  });

  it('writes amounts in the workbook as numbers with a format, and text that looks like a formula as text', () => {
    const sheet = formats.workbook.getWorksheet('initiative')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    const column = (name: string) => header.indexOf(name) + 1;
    const row = [...Array(sheet.actualRowCount - 1).keys()]
      .map((n) => sheet.getRow(n + 2))
      .find((r) => r.getCell(column('title')).value === '-Suicidprevention i skolan')!;
    expect(row.getCell(column('granted_ore')).value).toBe(3_000_000);
    expect(row.getCell(column('granted_kr')).value).toBe(30_000);
    expect(row.getCell(column('granted_kr')).numFmt).toBe('#,##0.00');
    expect(row.getCell(column('title')).type).toBe(ExcelJS.ValueType.String);
    // In the CSV the same title is defused with an apostrophe.
    expect(
      formats.csv.rows.find((r) => r.kind === 'initiative' && r.diary_number === row.getCell(column('diary_number')).value)!.title,
    ).toBe("'-Suicidprevention i skolan");
  });

  it('is the same report in English, with the same columns', async () => {
    const steering = auth(t.tokens['steering-group']);
    expect(
      (await t.app.inject({ method: 'PATCH', url: '/api/me/preferences', headers: steering, payload: { language: 'en' } })).statusCode,
    ).toBe(200);
    const { report: en, csv } = await assertFormatsAgree(t, PROGRAMME, YEAR, t.tokens['steering-group']);
    expect(en.language).toBe('en');
    expect(en.byPriorityArea.at(-1)!.label).toBe('No area given');
    expect(csv.header).toEqual(formats.csv.header);
    expect(en.totals).toEqual(report.totals);
  });
  it('keeps a case in an area the configuration has since dropped, under that area’s old name, and still adds up', async () => {
    const id = await createCase(t, 'I ett område som tas bort');
    advance(
      t,
      id,
      storyUntilStep(3).map((s) =>
        s.type === 'ASSESS_ELIGIBLE' ? ({ ...s, payload: { ...s.payload, priorityAreaId: 'samsjuklighet' } } as StoryStep) : s,
      ),
    );
    const config = t.services.programmes.get(PROGRAMME)!;
    const dropped = config.priorityAreas.find((a) => a.id === 'samsjuklighet')!;
    t.services.programmes.upsert({ ...config, priorityAreas: config.priorityAreas.filter((a) => a !== dropped) });
    try {
      const { report: after } = await assertFormatsAgree(t, PROGRAMME, YEAR);
      expect(after.byPriorityArea.map((a) => a.priorityAreaId)).toEqual([
        ...config.priorityAreas.filter((a) => a !== dropped).map((a) => a.id),
        'samsjuklighet',
        null,
      ]);
      expect(after.byPriorityArea.find((a) => a.priorityAreaId === 'samsjuklighet')).toMatchObject({
        label: dropped.label.sv,
        initiatives: 1,
      });
    } finally {
      t.services.programmes.upsert(config);
    }
  });
});

describe('the report page', () => {
  const page = (url: string, token = t.tokens['county-coordinator']) =>
    t.app.inject({ method: 'GET', url, headers: { ...auth(token), accept: 'text/html' } });

  it('lists the programme’s years, and says so for a year without a pool', async () => {
    const list = await page(`/programmes/${PROGRAMME}/reports`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`<a href="/programmes/${PROGRAMME}/reports/2026">Årsrapport 2026</a>`);
    const none = await page(`/programmes/${PROGRAMME}/reports/2024`);
    expect(none.statusCode).toBe(404);
    expect(none.body).toContain('Programmet har ingen bidragsram för 2024 ännu');
    expect((await page(`/programmes/${PROGRAMME}/reports/tjugo`)).statusCode).toBe(404);
  });

  it('links to the downloads, and the board links to it', async () => {
    const report = await page(`/programmes/${PROGRAMME}/reports/2026`);
    expect(report.body).toContain(`href="/api/programmes/${PROGRAMME}/reports/2026?format=xlsx" download`);
    expect(report.body).toContain(`href="/api/programmes/${PROGRAMME}/reports/2026?format=csv" download`);
    const board = await page('/board');
    expect(board.body).toContain(`<a href="/programmes/${PROGRAMME}/reports/2026">`);
  });
});

describe('the public export', () => {
  it('keeps each party one cell: names with commas, semicolons, quotes and line breaks come back exactly', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/public/programmes/${PROGRAMME}/initiatives?format=csv` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    const { header, rows } = csvRows(res.body);
    expect(header).toEqual([
      'kind',
      'diary_number',
      'title',
      'purpose',
      'party',
      'party_kind',
      'granted_ore',
      'granted_kr',
      'decision_date',
      'decision_reference',
    ]);
    const data = json<{
      initiatives: { diaryNumber: string; title: string; grantedOre: number; parties: { name: string; kind: string }[] }[];
    }>(await t.app.inject({ method: 'GET', url: `/api/public/programmes/${PROGRAMME}/initiatives` }));
    // Every initiative's row, then one row per party, in the JSON's order.
    const expected = data.initiatives.flatMap((i) => [
      ['initiative', i.diaryNumber, '', '', String(i.grantedOre)],
      ...i.parties.map((p) => ['party', i.diaryNumber, p.name, p.kind, '']),
    ]);
    expect(rows.map((r) => [r.kind, r.diary_number, r.party, r.party_kind, r.granted_ore])).toEqual(expected);
    const mine = data.initiatives.find((i) => i.title.startsWith('=HYPERLINK'))!;
    expect(rows.filter((r) => r.kind === 'party' && r.diary_number === mine.diaryNumber).map((r) => r.party)).toEqual(
      PARTIES.map((p) => p.name),
    );
    // A title that a spreadsheet would run as a formula is defused.
    expect(rows.find((r) => r.diary_number === mine.diaryNumber)!.title).toBe(`'${mine.title}`);
  });
});
