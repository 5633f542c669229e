import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import {
  FAR_FUTURE,
  OTHER_PROGRAMME,
  PROGRAMME,
  advance,
  auth,
  createCase,
  createTestApp,
  json,
  refusalRecords,
  sendEvent,
  tableCounts,
  type TestApp,
} from '../helpers.js';

/*
 * Money over its life: corrections of pools, carry-overs to the next year, distributions of a
 * pool, payments, repayments and releases of granted money, and the releases Satsa makes itself
 * when an initiative is stopped or ends under budget. Each act, each refusal, who may do what,
 * and the audit rows they leave.
 */

let t: TestApp;
let foreignAdmin: string;
beforeAll(async () => {
  t = await createTestApp();
  const admin = await t.services.people.createUser({
    programmeId: OTHER_PROGRAMME,
    email: 'annan.admin@test.satsa.se',
    displayName: 'Annan administratör',
    roles: ['administrator'],
  });
  foreignAdmin = t.services.people.createApiToken(admin.id, 'test', FAR_FUTURE).token;
});
afterAll(async () => {
  await t.close();
});

const sqlite = () => t.services.db.$client;
const storyStep = (type: string) => FULL_STORY.find((s) => s.type === type)!;
const post = (url: string, token: string, payload: object) =>
  t.app.inject({ method: 'POST', url: `/api${url}`, headers: auth(token), payload });
const get = (url: string, token: string) => t.app.inject({ method: 'GET', url: `/api${url}`, headers: auth(token) });
const tokens = () => t.tokens;

type Problem = { code: string; errors?: { path: string; message: string }[] };
interface Movement {
  id: string;
  kind: string;
  year: number;
  pool: string;
  amountOre: number;
  automatic: boolean;
  createdBy: string;
  motivation: string | null;
}
interface CaseMoney {
  committedOre: number;
  paidOre: number;
  repaidOre: number;
  releasedOre: number;
  unpaidOre: number;
  pools: { year: number; pool: string; committedOre: number; paidOre: number; repaidOre: number; releasedOre: number; unpaidOre: number }[];
  movements: Movement[];
}
interface Pool {
  id: string;
  year: number;
  kind: string;
  amountOre: number;
  correctionsOre: number;
  carriedInOre: number;
  carriedOutOre: number;
  remainingOre: number;
}
interface PoolDetail {
  pool: Pool;
  adjustments: { kind: string; amountOre: number; motivation: string; counterpartYear: number | null }[];
  distribution: { reference: string; totalOre: number; byScope: { scope: string; amountOre: number }[] } | null;
  earlierDistributions: { reference: string }[];
  undistributedOre: number;
}

/** Expects a refusal with `status` (and `code`), and that nothing was written, not even to the audit. */
async function refused(
  status: number,
  send: () => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>,
  code?: string,
) {
  const [before, records] = [tableCounts(t), refusalRecords(t)];
  const res = await send();
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(tableCounts(t)).toEqual(before);
  expect(refusalRecords(t)).toEqual(records);
  const body = JSON.parse(res.body) as Problem;
  if (code) expect(body.code).toBe(code);
  return body;
}

const paths = (problem: Problem) => problem.errors!.map((e) => e.path);

/** A case the director has approved: 650 000 kr from the state pool of 2026 and 700 000 kr of 2027. */
async function approved(title: string) {
  const id = await createCase(t, title);
  advance(t, id, storyUntilStep(10));
  return id;
}

const moneyOf = async (caseId: string, token = tokens()['county-coordinator']) => {
  const res = await get(`/cases/${caseId}/money`, token);
  expect(res.statusCode, res.body).toBe(200);
  return json<CaseMoney>(res);
};
const poolOf = (year: number, kind = 'state') =>
  sqlite().prepare('SELECT id FROM grant_pools WHERE programme_id = ? AND year = ? AND kind = ?').get(PROGRAMME, year, kind) as
    { id: string } | undefined;
const lastAudit = () =>
  sqlite().prepare('SELECT actor_id, programme_id, action, reason, details FROM audit_log ORDER BY id DESC LIMIT 1').get() as {
    actor_id: string;
    programme_id: string;
    action: string;
    reason: string | null;
    details: string;
  };

describe('payments, repayments and releases of granted money', () => {
  let id: string;
  beforeAll(async () => {
    id = await approved('Betalas ut');
  });

  it('a county coordinator records a payment; the case shows it, and the audit says who paid what', async () => {
    const res = await post(`/cases/${id}/payments`, tokens()['county-coordinator'], {
      year: 2026,
      amountOre: 20_000_000,
      date: '2026-07-01',
      reference: 'Verifikation 2026-4711',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(json<Movement>(res)).toMatchObject({ kind: 'payment', year: 2026, pool: 'state', amountOre: 20_000_000, automatic: false });
    const audit = lastAudit();
    expect(audit).toMatchObject({ actor_id: t.actors['county-coordinator'].id, programme_id: PROGRAMME, action: 'grant.paid' });
    expect(JSON.parse(audit.details)).toMatchObject({ caseId: id, amountOre: 20_000_000, year: 2026, reference: 'Verifikation 2026-4711' });

    const money = await moneyOf(id);
    expect(money).toMatchObject({ committedOre: 135_000_000, paidOre: 20_000_000, unpaidOre: 115_000_000, releasedOre: 0 });
    expect(money.pools.find((p) => p.year === 2026)).toMatchObject({
      committedOre: 65_000_000,
      paidOre: 20_000_000,
      unpaidOre: 45_000_000,
    });
  });

  it('the finance role records one too; what was paid never exceeds what was committed', async () => {
    const ok = await post(`/cases/${id}/payments`, tokens().finance, { year: 2026, amountOre: 45_000_000, date: '2026-09-01' });
    expect(ok.statusCode, ok.body).toBe(201);
    const over = await refused(422, () =>
      post(`/cases/${id}/payments`, tokens().finance, { year: 2026, amountOre: 1, date: '2026-09-02' }),
    );
    expect(over.errors).toEqual([{ path: 'body.amountOre', message: expect.stringContaining('0 öre unpaid') }]);
    expect((await moneyOf(id)).pools.find((p) => p.year === 2026)).toMatchObject({ paidOre: 65_000_000, unpaidOre: 0 });
  });

  it('a release needs a motivation and takes at most what is unpaid; it returns the money to the pool', async () => {
    const remaining = async () =>
      json<{ items: Pool[] }>(await get('/programmes/uph-blekinge/pools?year=2027', tokens().administrator)).items.find(
        (p) => p.kind === 'state',
      )!.remainingOre;
    const before = await remaining();
    const noReason = await refused(
      422,
      () => post(`/cases/${id}/releases`, tokens()['county-coordinator'], { year: 2027, amountOre: 1, date: '2027-01-10' }),
      'validation-failed',
    );
    expect(paths(noReason)).toContain('body.motivation');
    const over = await refused(422, () =>
      post(`/cases/${id}/releases`, tokens()['county-coordinator'], {
        year: 2027,
        amountOre: 70_000_001,
        date: '2027-01-10',
        motivation: 'Mer än beviljat.',
      }),
    );
    expect(over.errors).toEqual([{ path: 'body.amountOre', message: expect.stringContaining('70000000 öre unpaid') }]);
    const ok = await post(`/cases/${id}/releases`, tokens()['county-coordinator'], {
      year: 2027,
      amountOre: 10_000_000,
      date: '2027-01-10',
      motivation: 'Delprojektet i Olofström genomförs inte.',
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(lastAudit()).toMatchObject({ action: 'grant.released', reason: 'Delprojektet i Olofström genomförs inte.' });
    expect(await remaining()).toBe(before + 10_000_000);
    const money = await moneyOf(id);
    expect(money.pools.find((p) => p.year === 2027)).toMatchObject({
      committedOre: 70_000_000,
      releasedOre: 10_000_000,
      unpaidOre: 60_000_000,
    });
    // What is released cannot then be paid.
    await refused(422, () => post(`/cases/${id}/payments`, tokens().finance, { year: 2027, amountOre: 60_000_001, date: '2027-02-01' }));
  });

  it('a repayment needs a motivation and takes at most what was paid and not yet repaid', async () => {
    const noReason = await refused(422, () =>
      post(`/cases/${id}/repayments`, tokens().finance, { year: 2026, amountOre: 1, date: '2027-01-20' }),
    );
    expect(paths(noReason)).toContain('body.motivation');
    const over = await refused(422, () =>
      post(`/cases/${id}/repayments`, tokens().finance, {
        year: 2026,
        amountOre: 65_000_001,
        date: '2027-01-20',
        motivation: 'Mer än utbetalt.',
      }),
    );
    expect(over.errors).toEqual([{ path: 'body.amountOre', message: expect.stringContaining('65000000 öre paid and not yet repaid') }]);
    const ok = await post(`/cases/${id}/repayments`, tokens().finance, {
      year: 2026,
      amountOre: 5_000_000,
      date: '2027-01-20',
      motivation: 'Lokalhyran blev lägre än beräknat.',
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(lastAudit()).toMatchObject({ action: 'grant.repaid', actor_id: t.actors.finance.id });
    // Nothing was paid from 2027: nothing can come back from it.
    await refused(422, () =>
      post(`/cases/${id}/repayments`, tokens().finance, { year: 2027, amountOre: 1, date: '2027-01-20', motivation: 'Inget betalt.' }),
    );
    const money = await moneyOf(id);
    expect(money).toMatchObject({ committedOre: 135_000_000, paidOre: 65_000_000, repaidOre: 5_000_000, releasedOre: 10_000_000 });
    expect(money.unpaidOre).toBe(money.committedOre - money.paidOre - money.releasedOre);
    expect(money.movements.map((m) => m.kind)).toEqual(['payment', 'payment', 'release', 'repayment']);
  });

  it.each([
    ['a fraction of an öre', { year: 2026, amountOre: 10.5, date: '2026-05-01' }, 'body.amountOre'],
    ['no amount', { year: 2026, amountOre: 0, date: '2026-05-01' }, 'body.amountOre'],
    ['a date that is not one', { year: 2026, amountOre: 1, date: '2026-13-01' }, 'body.date'],
    ['an unknown field', { year: 2026, amountOre: 1, date: '2026-05-01', iban: 'SE00' }, 'body'],
    ['a pool the case was not granted from', { year: 2026, pool: 'joint', amountOre: 1, date: '2026-05-01' }, 'body.year'],
    ['a year the case was not granted for', { year: 2028, amountOre: 1, date: '2026-05-01' }, 'body.year'],
  ])('a payment with %s is a 422 naming the field; nothing is written', async (_what, payload, path) => {
    const body = await refused(422, () => post(`/cases/${id}/payments`, tokens()['county-coordinator'], payload), 'validation-failed');
    expect(paths(body)).toContain(path);
  });

  it('a case without granted money has nothing to pay', async () => {
    const waiting = await createCase(t, 'Inte beslutad');
    advance(t, waiting, storyUntilStep(9));
    const body = await refused(422, () =>
      post(`/cases/${waiting}/payments`, tokens()['county-coordinator'], { year: 2026, amountOre: 1, date: '2026-05-01' }),
    );
    expect(body.errors).toEqual([{ path: 'body.year', message: 'the case has been granted no money' }]);
    expect(json<CaseMoney>(await get(`/cases/${waiting}/money`, tokens()['county-coordinator']))).toMatchObject({
      committedOre: 0,
      pools: [],
      movements: [],
    });
  });

  it('only the county coordinators and finance record money; the case’s own people may read it, others not', async () => {
    const payment = { year: 2027, amountOre: 1_000, date: '2027-03-01' };
    for (const role of ['initiator', 'administrator', 'steering-group', 'regional-director', 'lsvo-secretary'] as const) {
      await refused(403, () => post(`/cases/${id}/payments`, tokens()[role], payment), 'forbidden');
    }
    await refused(404, () => post(`/cases/${id}/payments`, t.foreignCoordinator.token, payment), 'not-found');
    await refused(403, () => post(`/cases/${id}/releases`, tokens().initiator, { ...payment, motivation: 'x' }), 'forbidden');
    await refused(401, () => t.app.inject({ method: 'POST', url: `/api/cases/${id}/payments`, payload: payment }), 'unauthenticated');
    await refused(404, () => post('/cases/00000000-0000-4000-8000-000000000000/payments', tokens()['county-coordinator'], payment));

    expect((await moneyOf(id, tokens().initiator)).paidOre).toBe(65_000_000);
    expect((await get(`/cases/${id}/money`, tokens()['steering-group'])).statusCode).toBe(200);
    expect((await get(`/cases/${id}/money`, t.otherInitiator.token)).statusCode).toBe(404);
    expect((await get(`/cases/${id}/money`, t.foreignCoordinator.token)).statusCode).toBe(404);
  });
});

describe('money an initiative will not use goes back by itself', () => {
  const followUp = storyStep('RECORD_FOLLOW_UP').payload as Record<string, unknown>;
  /** The initiator's report, which the steering group's follow-up reviews (machine version 4). */
  const report = async (id: string) =>
    expect((await sendEvent(t, id, t.tokens.initiator, storyStep('SUBMIT_FOLLOW_UP_REPORT'))).statusCode).toBe(200);

  it('a stopped initiative releases all it has unpaid, as whoever stopped it, in the same transaction', async () => {
    const id = await approved('Stoppas');
    expect(
      (await post(`/cases/${id}/payments`, tokens().finance, { year: 2026, amountOre: 10_000_000, date: '2026-07-01' })).statusCode,
    ).toBe(201);
    await report(id);
    const res = await sendEvent(t, id, tokens()['steering-group'], {
      type: 'RECORD_FOLLOW_UP',
      payload: { ...followUp, conclusion: 'stop', narrative: 'Målgruppen nås inte; styrgruppen avbryter.' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const money = await moneyOf(id);
    expect(money).toMatchObject({ committedOre: 135_000_000, paidOre: 10_000_000, releasedOre: 125_000_000, unpaidOre: 0 });
    const automatic = money.movements.filter((m) => m.automatic);
    expect(automatic.map((m) => [m.year, m.amountOre])).toEqual([
      [2026, 55_000_000],
      [2027, 70_000_000],
    ]);
    for (const m of automatic) {
      expect(m).toMatchObject({
        kind: 'release',
        createdBy: t.actors['steering-group'].id,
        motivation: 'Målgruppen nås inte; styrgruppen avbryter.',
      });
    }
    expect(lastAudit()).toMatchObject({ action: 'grant.released', actor_id: t.actors['steering-group'].id });
    // Nothing is left to pay.
    await refused(422, () => post(`/cases/${id}/payments`, tokens().finance, { year: 2027, amountOre: 1, date: '2027-01-01' }));
  });

  it('an initiative that ends under budget releases what it did not use, from the latest year first', async () => {
    const id = await approved('Avslutas billigare');
    expect(
      (await post(`/cases/${id}/payments`, tokens().finance, { year: 2026, amountOre: 40_000_000, date: '2026-07-01' })).statusCode,
    ).toBe(201);
    // The last report says 500 000 kr spent: 100 000 kr more than paid is still owed to the initiative.
    await report(id);
    expect(
      (
        await sendEvent(t, id, tokens()['steering-group'], {
          type: 'RECORD_FOLLOW_UP',
          payload: { ...followUp, spentToDateOre: 50_000_000 },
        })
      ).statusCode,
    ).toBe(200);
    const ended = await sendEvent(t, id, tokens()['steering-group'], storyStep('END_INITIATIVE'));
    expect(ended.statusCode, ended.body).toBe(200);
    const money = await moneyOf(id);
    expect(money.movements.filter((m) => m.automatic).map((m) => [m.year, m.amountOre])).toEqual([
      [2027, 70_000_000],
      [2026, 15_000_000],
    ]);
    expect(money).toMatchObject({ committedOre: 135_000_000, paidOre: 40_000_000, releasedOre: 85_000_000, unpaidOre: 10_000_000 });
    // What is still owed can be paid.
    expect(
      (await post(`/cases/${id}/payments`, tokens().finance, { year: 2026, amountOre: 10_000_000, date: '2028-01-15' })).statusCode,
    ).toBe(201);
  });

  it('an initiative that used all its money releases nothing when it ends', async () => {
    const id = await approved('Använder allt');
    await report(id);
    expect(
      (
        await sendEvent(t, id, tokens()['steering-group'], {
          type: 'RECORD_FOLLOW_UP',
          payload: { ...followUp, spentToDateOre: 140_000_000 },
        })
      ).statusCode,
    ).toBe(200);
    expect((await sendEvent(t, id, tokens()['steering-group'], storyStep('END_INITIATIVE'))).statusCode).toBe(200);
    expect((await moneyOf(id)).releasedOre).toBe(0);
  });
});

describe('corrections of a pool', () => {
  const url = (poolId: string) => `/programmes/${PROGRAMME}/pools/${poolId}/corrections`;

  it('an administrator corrects by a change or to a new amount; the motivation is kept beside it and in the audit', async () => {
    const { id } = poolOf(2028)!;
    const down = await post(url(id), tokens().administrator, {
      amountOre: -1_000_000_000,
      motivation: 'Statsbidraget för 2028 blev lägre än beräknat.',
      reference: 'S2027/01234',
    });
    expect(down.statusCode, down.body).toBe(201);
    const detail = json<PoolDetail>(down);
    expect(detail.pool).toMatchObject({ amountOre: 9_000_000_000, correctionsOre: -1_000_000_000 });
    expect(detail.adjustments).toEqual([
      expect.objectContaining({
        kind: 'correction',
        amountOre: -1_000_000_000,
        motivation: 'Statsbidraget för 2028 blev lägre än beräknat.',
      }),
    ]);
    const audit = lastAudit();
    expect(audit).toMatchObject({ action: 'pool.corrected', reason: 'Statsbidraget för 2028 blev lägre än beräknat.' });
    expect(JSON.parse(audit.details)).toMatchObject({
      poolId: id,
      beforeOre: 10_000_000_000,
      afterOre: 9_000_000_000,
      changeOre: -1_000_000_000,
    });

    const to = await post(url(id), tokens().administrator, { newAmountOre: 9_500_000_000, motivation: 'Tilläggsbeslut.' });
    expect(json<PoolDetail>(to).pool).toMatchObject({ amountOre: 9_500_000_000, correctionsOre: -500_000_000 });
    const read = json<PoolDetail>(await get(`/programmes/${PROGRAMME}/pools/${id}`, tokens()['county-coordinator']));
    expect(read.adjustments.map((a) => a.amountOre)).toEqual([-1_000_000_000, 500_000_000]);
  });

  it.each([
    ['below zero', { amountOre: -9_500_000_001, motivation: 'För mycket.' }, 'body.amountOre'],
    ['to the amount it has', { newAmountOre: 9_500_000_000, motivation: 'Ingen ändring.' }, 'body.newAmountOre'],
    ['without a motivation', { amountOre: 5 }, 'body.motivation'],
    ['with both a change and a new amount', { amountOre: 5, newAmountOre: 5, motivation: 'Båda.' }, 'body.amountOre'],
    ['with neither', { motivation: 'Ingetdera.' }, 'body.amountOre'],
    ['by nothing', { amountOre: 0, motivation: 'Noll.' }, 'body.amountOre'],
  ])('a correction %s is a 422 naming the field; nothing is written', async (_what, payload, path) => {
    const body = await refused(422, () => post(url(poolOf(2028)!.id), tokens().administrator, payload), 'validation-failed');
    expect(paths(body)).toContain(path);
  });

  it('only an administrator of the programme corrects; another programme’s pool does not exist here', async () => {
    const { id } = poolOf(2028)!;
    const payload = { amountOre: 5, motivation: 'Prov.' };
    await refused(403, () => post(url(id), tokens()['county-coordinator'], payload), 'forbidden');
    await refused(403, () => post(url(id), tokens().finance, payload), 'forbidden');
    await refused(404, () => post(url(id), foreignAdmin, payload), 'not-found');
    const theirs = sqlite().prepare('SELECT id FROM grant_pools WHERE programme_id = ? AND year = 2028').get(OTHER_PROGRAMME) as {
      id: string;
    };
    await refused(404, () => post(url(theirs.id), tokens().administrator, payload), 'not-found');
    await refused(404, () => post(url('00000000-0000-4000-8000-000000000000'), tokens().administrator, payload), 'not-found');
    expect((await get(`/programmes/${PROGRAMME}/pools/${id}`, tokens().initiator)).statusCode).toBe(403);
    expect((await get(`/programmes/${PROGRAMME}/pools/${theirs.id}`, tokens().administrator)).statusCode).toBe(404);
  });
});

describe('carry-over to the next year', () => {
  const url = `/programmes/${PROGRAMME}/carry-overs`;
  const decision = { reference: 'RS 2026/88', motivation: 'Medel som inte förbrukades 2025 förs över till 2026.' };

  it("moves what is left of a year to the next year's pool, shown there as an incoming line", async () => {
    const res = await post(url, tokens().administrator, { fromYear: 2025, amountOre: 2_000_000_000, ...decision, decidedAt: '2026-02-10' });
    expect(res.statusCode, res.body).toBe(201);
    const body = json<{ from: Pool; to: Pool; adjustments: { kind: string; amountOre: number; counterpartYear: number }[] }>(res);
    expect(body.from).toMatchObject({ year: 2025, carriedOutOre: 2_000_000_000, amountOre: 8_000_000_000 });
    expect(body.to).toMatchObject({ year: 2026, carriedInOre: 2_000_000_000 });
    expect(body.adjustments).toEqual([
      expect.objectContaining({ kind: 'carry-over-out', amountOre: -2_000_000_000, counterpartYear: 2026 }),
      expect.objectContaining({ kind: 'carry-over-in', amountOre: 2_000_000_000, counterpartYear: 2025 }),
    ]);
    const audit = lastAudit();
    expect(audit).toMatchObject({ action: 'pool.carried-over', reason: decision.motivation });
    expect(JSON.parse(audit.details)).toMatchObject({ fromYear: 2025, toYear: 2026, amountOre: 2_000_000_000, decidedAt: '2026-02-10' });
    const incoming = json<PoolDetail>(await get(`/programmes/${PROGRAMME}/pools/${poolOf(2026)!.id}`, tokens().administrator));
    expect(incoming.adjustments).toContainEqual(expect.objectContaining({ kind: 'carry-over-in', counterpartYear: 2025 }));
  });

  it('is refused over what remains, without the next year’s pool, and for a pool that does not exist', async () => {
    const over = await refused(422, () => post(url, tokens().administrator, { fromYear: 2025, amountOre: 8_000_000_001, ...decision }));
    expect(paths(over)).toEqual(['body.amountOre']);
    const noNext = await refused(422, () => post(url, tokens().administrator, { fromYear: 2028, amountOre: 1, ...decision }));
    expect(noNext.errors).toEqual([{ path: 'body.fromYear', message: expect.stringContaining('set up the state pool for 2029 first') }]);
    const noPool = await refused(422, () =>
      post(url, tokens().administrator, { fromYear: 2025, kind: 'joint', amountOre: 1, ...decision }),
    );
    expect(noPool.errors).toEqual([{ path: 'body.fromYear', message: 'the programme has no joint pool for 2025' }]);
    const noReference = await refused(422, () => post(url, tokens().administrator, { fromYear: 2025, amountOre: 1, motivation: 'x' }));
    expect(paths(noReference)).toContain('body.reference');
  });

  it('only an administrator of the programme carries over', async () => {
    const payload = { fromYear: 2025, amountOre: 1, ...decision };
    await refused(403, () => post(url, tokens()['county-coordinator'], payload), 'forbidden');
    await refused(404, () => post(url, foreignAdmin, payload), 'not-found');
  });
});

describe('distribution of a joint pool', () => {
  let poolId: string;
  const decision = { decidedBy: 'Länsgemensam chefsgrupp', decisionDate: '2026-01-29', reference: 'Minnesanteckningar 2026-01-29 § 3' };
  beforeAll(async () => {
    const res = await post(`/programmes/${PROGRAMME}/pools`, tokens().administrator, {
      year: 2027,
      kind: 'joint',
      name: 'Länsgemensamt statsbidrag 2027',
      amountOre: 100_000_000,
    });
    expect(res.statusCode, res.body).toBe(201);
    poolId = json<{ id: string }>(res).id;
  });
  const url = () => `/programmes/${PROGRAMME}/pools/${poolId}/distributions`;

  it('records what goes county-wide, sub-regionally and locally; a newer decision replaces it and the older stays listed', async () => {
    const first = await post(url(), tokens().administrator, {
      ...decision,
      lines: [
        { scope: 'county', amountOre: 40_000_000, priorityAreaId: 'suicidprevention' },
        { scope: 'sub-regional', recipient: 'Västra Blekinge', amountOre: 30_000_000 },
        { scope: 'local', recipient: 'Ronneby', amountOre: 10_000_000 },
      ],
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(json<PoolDetail>(first)).toMatchObject({
      distribution: {
        totalOre: 80_000_000,
        byScope: [
          { scope: 'county', amountOre: 40_000_000 },
          { scope: 'sub-regional', amountOre: 30_000_000 },
          { scope: 'local', amountOre: 10_000_000 },
        ],
      },
      undistributedOre: 20_000_000,
      earlierDistributions: [],
    });
    expect(lastAudit()).toMatchObject({ action: 'pool.distributed' });
    const second = await post(url(), tokens().administrator, {
      ...decision,
      decisionDate: '2026-03-12',
      reference: 'Minnesanteckningar 2026-03-12 § 5',
      motivation: 'Mer till det lokala arbetet.',
      lines: [
        { scope: 'county', amountOre: 40_000_000 },
        { scope: 'local', recipient: 'Karlshamn', amountOre: 60_000_000 },
      ],
    });
    const detail = json<PoolDetail>(second);
    expect(detail.distribution).toMatchObject({ reference: 'Minnesanteckningar 2026-03-12 § 5', totalOre: 100_000_000 });
    expect(detail.earlierDistributions.map((d) => d.reference)).toEqual(['Minnesanteckningar 2026-01-29 § 3']);
    expect(detail.undistributedOre).toBe(0);
  });

  it.each([
    ['lines over the pool', [{ scope: 'county', amountOre: 100_000_001 }], 'body.lines'],
    ['a municipality not of the programme', [{ scope: 'local', recipient: 'Växjö', amountOre: 1 }], 'body.lines.0.recipient'],
    ['a local line without a municipality', [{ scope: 'local', amountOre: 1 }], 'body.lines.0.recipient'],
    ['a county-wide line with a recipient', [{ scope: 'county', recipient: 'Ronneby', amountOre: 1 }], 'body.lines.0.recipient'],
    ['a sub-regional line without a recipient', [{ scope: 'sub-regional', amountOre: 1 }], 'body.lines.0.recipient'],
    ['an unknown priority area', [{ scope: 'county', priorityAreaId: 'golf', amountOre: 1 }], 'body.lines.0.priorityAreaId'],
    [
      'the same purpose twice',
      [
        { scope: 'local', recipient: 'Ronneby', amountOre: 1 },
        { scope: 'local', recipient: 'Ronneby', amountOre: 2 },
      ],
      'body.lines.1',
    ],
    ['no lines', [], 'body.lines'],
    ['an unknown scope', [{ scope: 'national', amountOre: 1 }], 'body.lines.0.scope'],
  ])('%s is a 422 naming the field; nothing is written', async (_what, lines, path) => {
    const body = await refused(422, () => post(url(), tokens().administrator, { ...decision, lines }), 'validation-failed');
    expect(paths(body)).toContain(path);
  });

  it('only an administrator of the programme distributes', async () => {
    const payload = { ...decision, lines: [{ scope: 'county', amountOre: 1 }] };
    await refused(403, () => post(url(), tokens()['county-coordinator'], payload), 'forbidden');
    await refused(404, () => post(url(), foreignAdmin, payload), 'not-found');
  });
});
