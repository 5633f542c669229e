import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { advance, auth, createCase, createTestApp, json, sendEvent, tableCounts, type TestApp } from '../helpers.js';
import { assertFormatsAgree, csvRows } from '../reports/agree.js';

/*
 * Money and reports: pools, earmarks, what decisions commit, and the programme-year report
 * whose JSON, CSV, workbook and page must agree (test/reports/agree.ts).
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const storyStep = (type: string) => FULL_STORY.find((s) => s.type === type)!;
const decision = storyStep('RECORD_DECISION').payload as Record<string, unknown>;
const admin = () => auth(t.tokens.administrator);
const sqlite = () => t.services.db.$client;
const commitmentsOf = (caseId: string) =>
  sqlite().prepare('SELECT year, amount_ore, override_motivation FROM commitments WHERE case_id = ? ORDER BY year').all(caseId);

async function awaitingDecision(title: string) {
  const id = await createCase(t, title);
  advance(t, id, storyUntilStep(10).slice(0, -1));
  return id;
}

type Problem = { code: string; errors?: { path: string; message: string }[] };

/** Expects a 422 with `code` and that no table changed. */
async function rejected(send: () => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>, code: string) {
  const before = tableCounts(t);
  const res = await send();
  expect(res.statusCode, res.body).toBe(422);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(tableCounts(t)).toEqual(before);
  const body = JSON.parse(res.body) as Problem;
  expect(body.code).toBe(code);
  return body;
}

describe('grant pools', () => {
  it('an administrator sets one up; it is listed with committed and remaining amounts', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/programmes/uph-blekinge/pools',
      headers: admin(),
      payload: {
        year: 2026,
        kind: 'joint',
        name: 'Länsgemensamt statsbidrag 2026',
        amountOre: 50_000_000,
        earmarks: [{ priorityAreaId: 'suicidprevention', amountOre: 20_000_000 }],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(json(res)).toMatchObject({ kind: 'joint', amountOre: 50_000_000, committedOre: 0, remainingOre: 50_000_000 });
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/programmes/uph-blekinge/pools?year=2026',
      headers: auth(t.tokens['county-coordinator']),
    });
    expect(json<{ items: { kind: string }[] }>(list).items.map((p) => p.kind)).toEqual(['joint', 'state']);
    const twice = await t.app.inject({
      method: 'POST',
      url: '/api/programmes/uph-blekinge/pools',
      headers: admin(),
      payload: { year: 2026, kind: 'joint', name: 'x', amountOre: 1 },
    });
    expect(twice.statusCode).toBe(409);
  });

  it.each([
    ['a negative amount', { year: 2026, kind: 'state', name: 'x', amountOre: -1 }, 'body.amountOre'],
    ['an amount in fractions of öre', { year: 2026, kind: 'state', name: 'x', amountOre: 10.5 }, 'body.amountOre'],
    ['a year outside the programme', { year: 2031, kind: 'joint', name: 'x', amountOre: 1 }, 'body.year'],
    [
      'an earmark for an unknown area',
      { year: 2025, kind: 'joint', name: 'x', amountOre: 10, earmarks: [{ priorityAreaId: 'golf', amountOre: 1 }] },
      'body.earmarks.0.priorityAreaId',
    ],
    [
      'earmarks over the pool',
      { year: 2025, kind: 'joint', name: 'x', amountOre: 10, earmarks: [{ priorityAreaId: 'suicidprevention', amountOre: 11 }] },
      'body.earmarks',
    ],
  ])('%s is a 422 naming the field, and nothing is written', async (_what, payload, path) => {
    const body = await rejected(
      () => t.app.inject({ method: 'POST', url: '/api/programmes/uph-blekinge/pools', headers: admin(), payload }),
      'validation-failed',
    );
    expect(body.errors!.map((e) => e.path)).toContain(path);
  });

  it('only an administrator of the programme may set one up; another programme is not found', async () => {
    const payload = { year: 2025, kind: 'joint', name: 'x', amountOre: 1 };
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/programmes/uph-blekinge/pools',
          headers: auth(t.tokens['county-coordinator']),
          payload,
        })
      ).statusCode,
    ).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/programmes/uph-other/pools', headers: admin(), payload })).statusCode).toBe(
      404,
    );
    expect((await t.app.inject({ method: 'GET', url: '/api/programmes/uph-other/pools', headers: admin() })).statusCode).toBe(404);
  });
});

describe("the director's decision commits money", () => {
  it('is refused when the pool has less left than granted, naming each line; nothing is written', async () => {
    const id = await awaitingDecision('För dyr');
    sqlite()
      .prepare("UPDATE grant_pools SET amount_ore = 1000000 WHERE programme_id = 'uph-blekinge' AND year = 2027 AND kind = 'state'")
      .run();
    try {
      const before = JSON.stringify(sqlite().prepare('SELECT version, snapshot FROM cases WHERE id = ?').get(id));
      const body = await rejected(
        () => sendEvent(t, id, t.tokens['regional-director'], storyStep('RECORD_DECISION')),
        'budget-exceeds-pool',
      );
      expect(body.errors).toEqual([{ path: 'payload.grantedBudget.1.amountOre', message: expect.stringContaining('1000000 öre left') }]);
      expect(JSON.stringify(sqlite().prepare('SELECT version, snapshot FROM cases WHERE id = ?').get(id))).toBe(before);

      // With an explicit override and a motivation the decision goes through, and says so.
      const res = await sendEvent(t, id, t.tokens['regional-director'], {
        type: 'RECORD_DECISION',
        payload: { ...decision, budgetOverride: { motivation: 'Regionstyrelsen har beslutat om tilläggsanslag.' } },
      });
      expect(res.statusCode, res.body).toBe(200);
      // The override is recorded on the line that needed it, not on the one within the pool.
      expect(commitmentsOf(id)).toEqual([
        { year: 2026, amount_ore: 65_000_000, override_motivation: null },
        { year: 2027, amount_ore: 70_000_000, override_motivation: 'Regionstyrelsen har beslutat om tilläggsanslag.' },
      ]);
      const pools = await t.app.inject({ method: 'GET', url: '/api/programmes/uph-blekinge/pools?year=2027', headers: admin() });
      const state = json<{ items: { kind: string; amountOre: number; committedOre: number; remainingOre: number }[] }>(pools).items.find(
        (p) => p.kind === 'state',
      )!;
      expect(state.remainingOre).toBe(state.amountOre - state.committedOre);
      expect(state.remainingOre).toBeLessThan(0);
    } finally {
      sqlite()
        .prepare("UPDATE grant_pools SET amount_ore = 10000000000 WHERE programme_id = 'uph-blekinge' AND year = 2027 AND kind = 'state'")
        .run();
    }
  });

  it("is held to the area's earmark of a joint pool, and needs a pool for every year", async () => {
    const id = await awaitingDecision('Öronmärkt');
    // The case's area is barn-och-unga; give the joint pool an earmark for it.
    sqlite()
      .prepare(
        "INSERT INTO pool_earmarks (pool_id, priority_area_id, amount_ore) SELECT id, 'barn-och-unga', 5000000 FROM grant_pools WHERE programme_id = 'uph-blekinge' AND year = 2026 AND kind = 'joint'",
      )
      .run();
    const grant = (lines: unknown[]) =>
      sendEvent(t, id, t.tokens['regional-director'], { type: 'RECORD_DECISION', payload: { ...decision, grantedBudget: lines } });
    const earmark = await rejected(() => grant([{ year: 2026, amountOre: 6_000_000, pool: 'joint' }]), 'budget-exceeds-pool');
    expect(earmark.errors![0]!.message).toContain('earmark for barn-och-unga');
    const noPool = await rejected(() => grant([{ year: 2027, amountOre: 1, pool: 'joint' }]), 'budget-exceeds-pool');
    expect(noPool.errors).toEqual([{ path: 'payload.grantedBudget.0.year', message: 'the programme has no joint grant pool for 2027' }]);
    const outside = await rejected(() => grant([{ year: 2031, amountOre: 1 }]), 'budget-exceeds-pool');
    expect(outside.errors![0]).toMatchObject({ path: 'payload.grantedBudget.0.year', message: expect.stringContaining('2025–2028') });
    // Two lines from the same pool count together.
    await rejected(
      () =>
        grant([
          { year: 2026, amountOre: 3_000_000, pool: 'joint' },
          { year: 2026, amountOre: 3_000_000, pool: 'joint' },
        ]),
      'budget-exceeds-pool',
    );
    const ok = await grant([{ year: 2026, amountOre: 5_000_000, pool: 'joint' }]);
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('reserves an earmark for its area: another area cannot spend it', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/programmes/uph-blekinge/pools',
      headers: admin(),
      payload: {
        year: 2025,
        kind: 'joint',
        name: 'Gemensam 2025',
        amountOre: 10_000_000,
        earmarks: [{ priorityAreaId: 'suicidprevention', amountOre: 6_000_000 }],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = await awaitingDecision('Annat område'); // barn-och-unga
    const grant = (amountOre: number) =>
      sendEvent(t, id, t.tokens['regional-director'], {
        type: 'RECORD_DECISION',
        payload: { ...decision, grantedBudget: [{ year: 2025, amountOre, pool: 'joint' }] },
      });
    const refused = await rejected(() => grant(4_000_001), 'budget-exceeds-pool');
    expect(refused.errors![0]!.message).toContain("4000000 öre left in Gemensam 2025 outside other areas' earmarks");
    expect((await grant(4_000_000)).statusCode).toBe(200);
    const pools = json<{ items: { remainingOre: number; earmarks: { remainingOre: number }[] }[] }>(
      await t.app.inject({ method: 'GET', url: '/api/programmes/uph-blekinge/pools?year=2025', headers: admin() }),
    ).items.find((p) => p.earmarks.length > 0)!;
    expect(pools.remainingOre).toBe(6_000_000);
    expect(pools.earmarks[0]!.remainingOre).toBe(6_000_000);
    // Earmarks are per top-level area, once each.
    const sub = await t.app.inject({
      method: 'POST',
      url: '/api/programmes/uph-blekinge/pools',
      headers: admin(),
      payload: {
        year: 2028,
        kind: 'joint',
        name: 'x',
        amountOre: 10,
        earmarks: [
          { priorityAreaId: 'suicidprevention', amountOre: 1 },
          { priorityAreaId: 'suicidprevention', amountOre: 1 },
        ],
      },
    });
    expect(sub.statusCode).toBe(422);
  });

  it('expands a follow-up rhythm into dates the deadlines then follow', async () => {
    const id = await awaitingDecision('Rytm');
    const res = await sendEvent(t, id, t.tokens['regional-director'], {
      type: 'RECORD_DECISION',
      payload: {
        ...decision,
        followUpDates: ['2026-09-15'],
        followUpRhythm: { every: 'half-year', from: '2026-06-30', until: '2027-12-31' },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const data = json<{ data: { decision: { followUpDates: string[] } } }>(res).data;
    expect(data.decision.followUpDates).toEqual(['2026-06-30', '2026-09-15', '2026-12-30', '2027-06-30', '2027-12-30']);
    const overdue = sqlite().prepare("SELECT count(*) AS n FROM timers WHERE case_id = ? AND kind = 'follow-up-overdue'").get(id) as {
      n: number;
    };
    expect(overdue.n).toBe(5);
  });
});

describe('proposals and follow-ups that do not fit the programme', () => {
  it.each([
    ['a budget year outside the programme', { budget: [{ year: 2024, costType: 'Personal', amountOre: 100 }] }, 'payload.budget.0.year'],
    [
      'a municipality that is not the programme’s',
      { scope: { level: 'local', municipalities: ['Växjö'] } },
      'payload.scope.municipalities.0',
    ],
    [
      'a local initiative in two municipalities',
      { scope: { level: 'local', municipalities: ['Ronneby', 'Karlshamn'] } },
      'payload.scope.municipalities',
    ],
    [
      'a sub-regional initiative naming one municipality twice',
      { scope: { level: 'sub-regional', municipalities: ['Ronneby', 'Ronneby'] } },
      'payload.scope.municipalities',
    ],
    ['an indicator without a unit', { indicators: [{ id: 'andel', name: 'Andel', target: 5 }] }, 'payload.indicators.0.unit'],
    ['a negative budget line', { budget: [{ year: 2026, costType: 'Personal', amountOre: -5 }] }, 'payload.budget.0.amountOre'],
  ])('%s is a 422 naming the field', async (_what, payload, path) => {
    const id = await createCase(t, 'Underlag');
    advance(
      t,
      id,
      storyUntilStep(8)
        .concat([storyStep('START_PROPOSAL')])
        .filter((s, i, all) => all.indexOf(s) === i),
    );
    const body = await rejected(() => sendEvent(t, id, t.tokens.initiator, { type: 'UPDATE_PROPOSAL', payload }), 'validation-failed');
    expect(body.errors!.map((e) => e.path)).toContain(path);
  });

  it('a follow-up report for a case that is not running is a 422', async () => {
    const id = await awaitingDecision('Inte igång');
    const body = await rejected(() => sendEvent(t, id, t.tokens['steering-group'], storyStep('RECORD_FOLLOW_UP')), 'case-not-running');
    expect(body.errors).toEqual([{ path: 'type', message: expect.stringContaining('step 9') }]);
  });
});

describe('the programme-year report', () => {
  let reportCase: string;
  beforeAll(async () => {
    reportCase = await createCase(t, 'Hela vägen');
    advance(t, reportCase, FULL_STORY);
  });

  const get = (url: string, token = t.tokens['county-coordinator']) => t.app.inject({ method: 'GET', url, headers: auth(token) });

  it('agrees with itself as JSON, CSV, a workbook and the report page', async () => {
    const { report, csv, page } = await assertFormatsAgree(t, 'uph-blekinge', 2026);
    const { totals } = report;
    // What is left = the pool − what is still held: committed less released (the ended initiative's unused part) and repaid.
    expect(totals.remainingOre).toBe(totals.poolOre - (totals.committedOre - totals.releasedOre - totals.repaidOre));
    expect(totals.releasedOre).toBeGreaterThan(0);
    const mine = report.initiatives.find((i) => i.grantedOre === 65_000_000 && i.spentOre === 30_000_000);
    expect(mine, 'the full story: 650 000 kr granted for 2026, 300 000 kr reported spent').toBeDefined();
    expect(mine!.indicators[0]).toMatchObject({ value: 18, reached: false });
    expect(report.recommendedForImplementationOrScaleUp).toContainEqual(
      expect.objectContaining({ diaryNumber: mine!.diaryNumber, recommendation: 'scale-up' }),
    );
    // Every area of the programme is listed, in its order, those without cases too.
    expect(report.byPriorityArea.map((a) => a.priorityAreaId)).toEqual(
      t.services.programmes.get('uph-blekinge')!.priorityAreas.map((a) => a.id),
    );
    const total = csv.rows.find((r) => r.kind === 'total')!;
    expect(total.year).toBe('2026');
    expect(Number(total.pool_ore)).toBe(totals.poolOre);
    expect(csv.rows.find((r) => r.kind === 'initiative' && r.diary_number === mine!.diaryNumber)!.granted_kr).toBe('650000,00');
    expect(csv.rows.filter((r) => r.kind === 'pool').map((r) => r.pool_kind)).toEqual(report.pools.map((p) => p.kind));
    expect(page).toContain('<html lang="sv">');
    expect(page).toMatch(/650\s000,00\skr/);
  });

  it('a year without a pool is a 422; an initiator may not read it; another programme is not found', async () => {
    const body = await rejected(() => get('/api/programmes/uph-blekinge/reports/2024'), 'validation-failed');
    expect(body.errors).toEqual([{ path: 'params.year', message: expect.stringContaining('no grant pool for 2024') }]);
    expect((await get('/api/programmes/uph-blekinge/reports/2026', t.tokens.initiator)).statusCode).toBe(403);
    expect((await get('/api/programmes/uph-blekinge/pools', t.tokens.initiator)).statusCode).toBe(403);
    expect((await get('/api/programmes/uph-other/reports/2026')).statusCode).toBe(404);
  });

  it('a case created after the year but granted money for it is in the report, so rows and totals still agree', async () => {
    const before = json<{ totals: { committedOre: number } }>(await get('/api/programmes/uph-blekinge/reports/2026')).totals.committedOre;
    t.clock.set('2027-02-01T09:00:00.000Z');
    const late = await awaitingDecision('=HYPERLINK("http://evil","x")');
    const res = await sendEvent(t, late, t.tokens['regional-director'], {
      type: 'RECORD_DECISION',
      payload: { ...decision, grantedBudget: [{ year: 2026, amountOre: 1_000_000 }] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const report = json<{ totals: { committedOre: number }; initiatives: { grantedOre: number }[] }>(
      await get('/api/programmes/uph-blekinge/reports/2026'),
    );
    expect(report.totals.committedOre).toBe(before + 1_000_000);
    expect(report.initiatives.reduce((a, i) => a + i.grantedOre, 0)).toBe(report.totals.committedOre);
    // Its title would be a formula in a spreadsheet: the CSVs defuse it.
    for (const url of [
      '/api/programmes/uph-blekinge/reports/2026?format=csv',
      '/api/public/programmes/uph-blekinge/initiatives?format=csv',
    ]) {
      const csv = (await get(url)).body;
      expect(csv).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
      expect(csv).not.toMatch(/(^|;)"?=HYPERLINK/m);
    }
  });

  it('negative amounts stay numbers in the CSV', async () => {
    sqlite().prepare("UPDATE grant_pools SET amount_ore = 1 WHERE programme_id = 'uph-blekinge' AND year = 2026 AND kind = 'state'").run();
    try {
      const { report, csv } = await assertFormatsAgree(t, 'uph-blekinge', 2026);
      const total = csv.rows.find((r) => r.kind === 'total')!;
      expect(Number(total.remaining_ore)).toBeLessThan(0);
      expect(total.remaining_kr).toMatch(/^-\d+,\d\d$/);
      // Over the pool: the pool and the total say so, in every format.
      expect(report.totals.overdrawn).toBe(true);
      expect(total.overdrawn).toBe('true');
    } finally {
      sqlite()
        .prepare("UPDATE grant_pools SET amount_ore = 10000000000 WHERE programme_id = 'uph-blekinge' AND year = 2026 AND kind = 'state'")
        .run();
    }
  });

  it('the public export lists decided initiatives with no personal data, without logging in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/public/programmes/uph-blekinge/initiatives' });
    expect(res.statusCode).toBe(200);
    const body = json<{ initiatives: { title: string; grantedOre: number; decisionReference: string; parties: { name: string }[] }[] }>(
      res,
    );
    const full = body.initiatives.find((i) => i.title === 'Hela vägen')!;
    expect(full).toMatchObject({ grantedOre: 135_000_000 });
    expect(full.parties.length).toBeGreaterThan(0);
    for (const actor of Object.values(t.actors)) {
      expect(res.body).not.toContain(actor.email);
      expect(res.body).not.toContain(actor.displayName);
      expect(res.body).not.toContain(actor.id);
    }
    const csv = await t.app.inject({ method: 'GET', url: '/api/public/programmes/uph-blekinge/initiatives?format=csv' });
    const rows = csvRows(csv.body).rows.filter((r) => r.title === 'Hela vägen');
    expect(rows.find((r) => r.kind === 'initiative')).toMatchObject({ granted_ore: '135000000', granted_kr: '1350000,00', party: '' });
    expect(rows.filter((r) => r.kind === 'party').map((r) => r.party)).toEqual(full.parties.map((p) => p.name));
  });
});
