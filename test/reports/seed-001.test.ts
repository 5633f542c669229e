import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../machines/roles.js';
import { loadProgrammeDefinition } from '../../src/programmes/config.js';
import type { YearReport } from '../../src/reports/programme-year.js';
import { FAR_FUTURE, auth, createTestApp, json, sendEvent, tableCounts, type TestApp } from '../helpers.js';
import { assertFormatsAgree, type Formats } from './agree.js';

/*
 * Seed 001's 2017 action plan (northern Örebro county), transcribed into
 * test/fixtures/seed-001-2017.json with the rules it was read by, run through the real API:
 * a case per plan row, each costed row decided with its cost as its 2017 grant, from a pool
 * set 50 000 kr short of the plan. The report then lists every focus area with its sum, the
 * empty ones too; the grant over the pool is refused until the director overrides it, and
 * then the pool is overdrawn and the override with its motivation is in every format.
 */

interface PlanRow {
  focusArea: string;
  subArea: string;
  title: string;
  costCell: string;
  costKr: number;
  staffTimeFte: number | null;
  municipalities: string[];
}
interface Fixture {
  programme: string;
  year: number;
  readingRules: string[];
  pool: { kind: 'state'; name: string; amountKr: number };
  override: { motivation: string };
  rows: PlanRow[];
  expected: {
    perFocusArea: { focusArea: string; rows: number; sumKr: number; staffTimeFte: number }[];
    totalKr: number;
    totalRows: number;
    overdrawnByKr: number;
  };
}

const fixture = JSON.parse(
  fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/seed-001-2017.json'), 'utf8'),
) as Fixture;
const PROGRAMME = fixture.programme;
const YEAR = fixture.year;
const ore = (kr: number) => kr * 100;

let t: TestApp;
const tokens = {} as Record<Role, string>;
/** Each row's case, in the fixture's order. */
const caseOf = new Map<PlanRow, string>();
let overRow: PlanRow;
let refusal: { statusCode: number; body: string };
let changedByRefusal: boolean;

const ROLES: Role[] = [
  'initiator',
  'county-coordinator',
  'local-coordinator',
  'coordination-group',
  'lsvo-secretary',
  'regional-director',
  'steering-group',
  'administrator',
];

const send = async (caseId: string, role: Role, type: string, payload: unknown = {}) => {
  const res = await sendEvent(t, caseId, tokens[role], { type, payload });
  if (res.statusCode !== 200) throw new Error(`${type} as ${role}: ${res.statusCode} ${res.body}`);
};

/** The steps of the process up to the recommendation, for one plan row, through the API. */
async function untilDecision(caseId: string, row: PlanRow) {
  const config = t.services.programmes.get(PROGRAMME)!;
  await send(caseId, 'initiator', 'SUBMIT_IDEA_TEMPLATE', {
    answers: {
      title: row.title,
      organisation: 'Kommunerna i norra Örebro län och Region Örebro län',
      contactName: 'Arbetsgruppen för handlingsplanen',
      priorityArea: row.subArea,
      targetGroup: 'Invånare i norra länsdelen',
      longTermGoal: 'God och jämlik psykisk hälsa i befolkningen.',
      shortTermGoal: row.title,
      activities: row.title,
      indicators: 'Enligt handlingsplanen.',
      followUp: 'Hösten 2017',
      estimatedCostSek: row.costKr,
    },
  });
  await send(caseId, 'county-coordinator', 'PLACE_ON_AGENDA', { meetingDate: '2017-02-02' });
  await send(caseId, 'coordination-group', 'RECORD_COORDINATION_GROUP_REVIEW', { meetingDate: '2017-02-02', actorsToInvolve: [] });
  await send(caseId, 'county-coordinator', 'BOOK_DIALOGUE_FORUM', { date: '2017-02-20', place: 'Lindesberg' });
  await send(caseId, 'county-coordinator', 'RECORD_DIALOGUE_FORUM', {
    date: '2017-02-20',
    attendance: config.forumRequiredRoles.map((role) => ({ role, present: true })),
    summary: 'Behovet bekräftades.',
  });
  await send(caseId, 'county-coordinator', 'SKIP_TARGET_GROUP_DIALOGUE', { reason: 'Målgruppen hördes när handlingsplanen togs fram.' });
  await send(caseId, 'local-coordinator', 'RECORD_CHECK_IN', {
    date: '2017-03-01',
    group: 'Ledningsgruppen i norra länsdelen',
    notes: 'Står bakom handlingsplanen.',
  });
  await send(caseId, 'county-coordinator', 'START_PROPOSAL');
  await send(caseId, 'initiator', 'UPDATE_PROPOSAL', {
    background: 'Handlingsplanen för psykisk hälsa i norra Örebro län 2016.',
    purpose: row.title,
    goals: [row.title],
    logic: 'Enligt handlingsplanen.',
    targetGroup: 'Invånare i norra länsdelen',
    participants: [
      { name: 'Lindesbergs kommun', kind: 'municipal' },
      { name: 'Region Örebro län', kind: 'regional' },
      { name: 'Brukarorganisation i länsdelen', kind: 'user-organisation' },
    ],
    userParticipation: 'Brukarorganisationer deltar i samverkansgruppen.',
    activities: [{ id: 'aktivitet', title: row.title, evidence: { basis: 'proven-experience', reference: 'Handlingsplanen 2016.' } }],
    indicators: [{ id: 'genomfort', name: 'Genomfört enligt plan', unit: 'procent', target: 100 }],
    budget: [{ year: YEAR, costType: 'Uppskattad kostnad', amountOre: ore(row.costKr) }],
    economicEffects: 'Enligt handlingsplanen.',
    evaluationPlan: 'Följs upp hösten 2017.',
    implementationPlan: 'Beslut om fortsättning när överenskommelsen för 2018 är klar.',
    longTermGoal: 'God och jämlik psykisk hälsa i befolkningen.',
    shortTermGoals: [row.title],
    followUpPlan: 'Hösten 2017.',
    scope: { level: row.municipalities.length === 1 ? 'local' : 'sub-regional', municipalities: row.municipalities },
  });
  for (const c of config.criteria) {
    await send(caseId, 'county-coordinator', 'ASSESS_CRITERION', { criterionId: c.id, fulfilled: true, justification: 'Enligt planen.' });
  }
  await send(caseId, 'county-coordinator', 'SUBMIT_TO_LSVO');
  await send(caseId, 'lsvo-secretary', 'RECORD_RECOMMENDATION', {
    recommendation: 'approve',
    motivation: 'Ingår i handlingsplanen.',
    protocol: { meetingDate: '2017-03-15', paragraph: '§ 12', diaryNumber: 'LSVO 2017/3' },
  });
}

const decide = (caseId: string, row: PlanRow, override?: string) =>
  sendEvent(t, caseId, tokens['regional-director'], {
    type: 'RECORD_DECISION',
    payload: {
      decision: 'approve',
      motivation: 'Enligt handlingsplanen.',
      grantedBudget: [{ year: YEAR, amountOre: ore(row.costKr) }],
      followUpDates: ['2017-11-15'],
      ...(override ? { budgetOverride: { motivation: override } } : {}),
    },
  });

beforeAll(async () => {
  t = await createTestApp();
  t.services.programmes.upsert(loadProgrammeDefinition(PROGRAMME));
  for (const role of ROLES) {
    const actor = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: `${role}@orebro.test.satsa.se`,
      displayName: `Örebro ${role}`,
      roles: [role],
    });
    tokens[role] = t.services.people.createApiToken(actor.id, 'test', FAR_FUTURE).token;
  }
  t.clock.set(`${YEAR}-01-16T09:00:00.000Z`);
  const pool = await t.app.inject({
    method: 'POST',
    url: `/api/programmes/${PROGRAMME}/pools`,
    headers: auth(tokens.administrator),
    payload: { year: YEAR, kind: fixture.pool.kind, name: fixture.pool.name, amountOre: ore(fixture.pool.amountKr) },
  });
  expect(pool.statusCode, pool.body).toBe(201);

  const costed = fixture.rows.filter((r) => r.costKr > 0);
  overRow = costed[costed.length - 1]!;
  for (const row of fixture.rows) {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: auth(tokens.initiator),
      payload: { title: row.title, summary: `Rad i handlingsplanen 2017: ${row.title}.` },
    });
    expect(created.statusCode, created.body).toBe(201);
    const caseId = json<{ id: string }>(created).id;
    caseOf.set(row, caseId);
    // Raising the idea sent it to the coordinators (machine version 4).
    await send(caseId, 'county-coordinator', 'ASSESS_ELIGIBLE', { priorityAreaId: row.subArea, justification: 'Ingår i handlingsplanen.' });
    if (row.costKr === 0) continue;
    await untilDecision(caseId, row);
    if (row === overRow) {
      const before = tableCounts(t);
      refusal = await decide(caseId, row);
      changedByRefusal = JSON.stringify(tableCounts(t)) !== JSON.stringify(before);
      const granted = await decide(caseId, row, fixture.override.motivation);
      expect(granted.statusCode, granted.body).toBe(200);
    } else {
      const granted = await decide(caseId, row);
      expect(granted.statusCode, granted.body).toBe(200);
    }
  }
}, 120_000);
afterAll(async () => {
  await t.close();
});

describe("seed 001's 2017 plan", () => {
  it('the fixture is consistent: its rows add up to the sums it states per focus area and in total', () => {
    expect(fixture.readingRules.join(' ')).toMatch(/Se ovan.*Ingår i.*tjänst/s);
    expect(fixture.rows).toHaveLength(fixture.expected.totalRows);
    for (const e of fixture.expected.perFocusArea) {
      const rows = fixture.rows.filter((r) => r.focusArea === e.focusArea);
      expect(rows, e.focusArea).toHaveLength(e.rows);
      expect(
        rows.reduce((a, r) => a + r.costKr, 0),
        e.focusArea,
      ).toBe(e.sumKr);
      expect(
        rows.reduce((a, r) => a + (r.staffTimeFte ?? 0), 0),
        e.focusArea,
      ).toBe(e.staffTimeFte);
    }
    expect(fixture.expected.perFocusArea.reduce((a, e) => a + e.sumKr, 0)).toBe(fixture.expected.totalKr);
    // Every row sits in a sub-area of its focus area, as the programme is configured.
    const config = loadProgrammeDefinition(PROGRAMME);
    for (const row of fixture.rows) {
      const area = config.priorityAreas.find((a) => a.id === row.focusArea);
      expect(
        area?.subAreas?.map((s) => s.id),
        row.title,
      ).toContain(row.subArea);
    }
    expect(fixture.pool.amountKr).toBe(fixture.expected.totalKr - fixture.expected.overdrawnByKr);
  });

  it('a grant over the pool is refused without an override, naming the field, and nothing is written', () => {
    expect(refusal.statusCode, refusal.body).toBe(422);
    const problem = JSON.parse(refusal.body) as { code: string; errors: { path: string; message: string }[] };
    expect(problem.code).toBe('budget-exceeds-pool');
    expect(problem.errors).toEqual([
      {
        path: 'payload.grantedBudget.0.amountOre',
        message: expect.stringContaining(`${ore(fixture.pool.amountKr - (fixture.expected.totalKr - overRow.costKr))} öre left`),
      },
    ]);
    expect(changedByRefusal).toBe(false);
  });

  describe('the report', () => {
    let formats: Formats;
    let report: YearReport;
    beforeAll(async () => {
      formats = await assertFormatsAgree(t, PROGRAMME, YEAR, tokens['county-coordinator']);
      report = formats.report;
    });

    it('lists every focus area in the programme’s order with its sum, the empty ones too, and the total is right', () => {
      const config = t.services.programmes.get(PROGRAMME)!;
      expect(report.byPriorityArea.map((a) => a.priorityAreaId)).toEqual(config.priorityAreas.map((a) => a.id));
      for (const e of fixture.expected.perFocusArea) {
        const area = report.byPriorityArea.find((a) => a.priorityAreaId === e.focusArea)!;
        expect({ area: e.focusArea, granted: area.grantedOre, initiatives: area.initiatives }).toEqual({
          area: e.focusArea,
          granted: ore(e.sumKr),
          initiatives: e.rows,
        });
        // Each sub-area is listed, zeros included, and holds its rows' costs; they roll up into the area.
        const configured = config.priorityAreas.find((a) => a.id === e.focusArea)!.subAreas!;
        expect(area.subAreas.map((s) => s.priorityAreaId)).toEqual(configured.map((s) => s.id));
        for (const sub of area.subAreas) {
          const rows = fixture.rows.filter((r) => r.subArea === sub.priorityAreaId);
          expect([sub.priorityAreaId, sub.grantedOre, sub.initiatives]).toEqual([
            sub.priorityAreaId,
            ore(rows.reduce((a, r) => a + r.costKr, 0)),
            rows.length,
          ]);
        }
        expect(area.subAreas.reduce((a, s) => a + s.grantedOre, 0)).toBe(area.grantedOre);
      }
      expect(report.byPriorityArea.filter((a) => a.grantedOre === 0).map((a) => a.priorityAreaId)).toEqual([
        'tillgangliga-tidiga-insatser',
        'delaktighet-och-rattigheter',
      ]);
      expect(report.totals.committedOre).toBe(ore(fixture.expected.totalKr));
      expect(report.totals.initiatives).toBe(fixture.expected.totalRows);
      // In the CSV, as the focus area's own row.
      for (const e of fixture.expected.perFocusArea) {
        const row = formats.csv.rows.find((r) => r.kind === 'area' && r.area_id === e.focusArea)!;
        expect([row.granted_ore, row.granted_kr, row.initiatives]).toEqual([String(ore(e.sumKr)), `${e.sumKr},00`, String(e.rows)]);
      }
      // Staff time is not money: nothing in the report adds it.
      expect(formats.csv.rows.find((r) => r.kind === 'total')!.granted_kr).toBe(`${fixture.expected.totalKr},00`);
    });

    it('marks the overdrawn pool and the override with its motivation in JSON, CSV, the workbook and the page', () => {
      const over = ore(fixture.expected.overdrawnByKr);
      const overCase = report.initiatives.find((i) => i.caseId === caseOf.get(overRow))!;
      // JSON
      expect(report.pools).toHaveLength(1);
      expect(report.pools[0]).toMatchObject({ overdrawn: true, remainingOre: -over });
      expect(report.totals).toMatchObject({ overdrawn: true, remainingOre: -over });
      expect(report.overrides).toEqual([
        expect.objectContaining({
          diaryNumber: overCase.diaryNumber,
          title: overRow.title,
          amountOre: ore(overRow.costKr),
          motivation: fixture.override.motivation,
        }),
      ]);
      expect(overCase.override).toBe(fixture.override.motivation);
      expect(report.initiatives.filter((i) => i.override !== null)).toHaveLength(1);
      // CSV
      const rows = formats.csv.rows;
      expect(rows.find((r) => r.kind === 'pool')).toMatchObject({ overdrawn: 'true', remaining_ore: String(-over), pool_kind: 'state' });
      expect(rows.find((r) => r.kind === 'total')).toMatchObject({
        overdrawn: 'true',
        remaining_kr: `-${fixture.expected.overdrawnByKr},00`,
      });
      expect(rows.filter((r) => r.kind === 'override')).toEqual([
        expect.objectContaining({ diary_number: overCase.diaryNumber, override_motivation: fixture.override.motivation }),
      ]);
      expect(rows.find((r) => r.kind === 'initiative' && r.diary_number === overCase.diaryNumber)!.override_motivation).toBe(
        fixture.override.motivation,
      );
      // The workbook
      const sheet = formats.workbook.getWorksheet('override')!;
      const header = (sheet.getRow(1).values as unknown[]).slice(1);
      const cell = (name: string) => sheet.getRow(2).getCell(header.indexOf(name) + 1).value;
      expect([cell('diary_number'), cell('override_motivation'), cell('granted_ore')]).toEqual([
        overCase.diaryNumber,
        fixture.override.motivation,
        ore(overRow.costKr),
      ]);
      const pools = formats.workbook.getWorksheet('pool')!;
      const poolHeader = (pools.getRow(1).values as unknown[]).slice(1);
      expect(pools.getRow(2).getCell(poolHeader.indexOf('overdrawn') + 1).value).toBe(true);
      // The page says it in words, with the programme's own name of the one who decided.
      const page = formats.page;
      const decider = report.programme.bodies.decider.name;
      expect(page).toContain('id="overdrawn"');
      expect(page).toContain(`${fixture.pool.name} är överskriden med 50\u00a0000,00\u00a0kr.`);
      expect(page).toContain(`Beslut där ${decider} beviljade mer än det som fanns kvar i ramen`);
      expect(page).toContain(`Motivering: ${fixture.override.motivation}`);
      expect(page).toContain('Beviljad över ramen.');
      expect(page).toContain('Överskriden med 50\u00a0000,00\u00a0kr');
    });

    it('lists the focus areas without money on the page, and the scopes with what was granted', () => {
      const page = formats.page;
      expect(page).toContain('Tillgängliga tidiga insatser');
      expect(page).toContain('varav Samverkan med civila samhället');
      const subRegional = report.byScope.find((s) => s.scope === 'sub-regional')!;
      expect(subRegional.grantedOre).toBe(ore(fixture.expected.totalKr));
      // Rows of 0 kr stop at the assessment: they state no scope yet.
      expect(report.byScope.find((s) => s.scope === null)!.initiatives).toBe(fixture.rows.filter((r) => r.costKr === 0).length);
    });
  });
});
