import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auth,
  createCase,
  createTestApp,
  json,
  OTHER_PROGRAMME,
  PROGRAMME,
  RECORDS_OF_REFUSALS,
  tableCounts,
  type TestApp,
} from '../helpers.js';

/*
 * Jämtland's long-term plan (seed 004) entered over the API as the programme's plan, adopted,
 * measured, followed up and revised; and every refusal leaves the plan as it was.
 */

const seed = JSON.parse(fs.readFileSync('test/fixtures/seed-004-plan.json', 'utf8')) as {
  document: Record<string, unknown> & {
    goals: Record<string, unknown>[];
    indicators: Record<string, unknown>[];
    rows: Record<string, unknown>[];
    assignments: Record<string, unknown>[];
  };
  adoption: Record<string, string>;
};
const base = `/api/programmes/${PROGRAMME}/plan`;

let t: TestApp;
let admin: Record<string, string>;
let coordinator: Record<string, string>;
let steering: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  admin = auth(t.tokens.administrator);
  coordinator = auth(t.tokens['county-coordinator']);
  steering = auth(t.tokens['steering-group']);
  // Jämtland's plan runs from 2022; the test programme is given those years.
  const config = t.services.programmes.get(PROGRAMME)!;
  t.services.programmes.change({ ...config, years: { first: 2022, last: 2035 } }, t.actors.administrator.id, 'planens år');
});
afterAll(async () => {
  await t.close();
});

const inject = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, payload?: object) =>
  t.app.inject({ method, url, headers, payload });

async function adopt(document: object, adoption: Record<string, string>) {
  const saved = await inject('PUT', `${base}/draft`, { ...admin, 'if-match': '"0"' }, document);
  expect(saved.statusCode, saved.body).toBe(200);
  expect(saved.headers.etag).toBe('"1"');
  const adopted = await inject('POST', `${base}/draft/adopt`, { ...admin, 'if-match': '"1"' }, adoption);
  expect(adopted.statusCode, adopted.body).toBe(200);
  return json<{ version: number; inForce: boolean }>(adopted);
}

interface Plan {
  version: number;
  nextRevisionDue: string;
  adoptedByBody: string;
  decisionReference: string;
  document: {
    title: string;
    goals: { id: string; horizonYears: number; targetYear: number; caseIds: string[] }[];
    indicators: {
      id: string;
      targets: { year: number; value: unknown }[];
      values: { year: number; value: unknown; enteredBy: { displayName: string }; earlier: { value: unknown }[] }[];
    }[];
    rows: { id: string; timeFrame?: unknown; caseIds: string[] }[];
    assignments: {
      id: string;
      due: unknown;
      status: string;
      statusHistory: { status: string; note: string | null; changedBy: { displayName: string } }[];
    }[];
  };
}

describe("a programme's plan, seed 004", () => {
  it('is entered as a draft, adopted by the regional council and in force', async () => {
    const first = await adopt(seed.document, seed.adoption);
    expect(first).toMatchObject({ version: 1, inForce: true });
    const plan = json<Plan>(await inject('GET', base, coordinator));
    expect(plan).toMatchObject({
      version: 1,
      adoptedByBody: 'Regionfullmäktige',
      decisionReference: '2022-06-21—22 § 79',
      nextRevisionDue: '2027-12-31',
    });
    expect(plan.document.goals.map((g) => [g.horizonYears, g.targetYear])).toEqual([
      [12, 2035],
      [8, 2031],
      [4, 2027],
      [4, 2027],
    ]);
    const indicators = Object.fromEntries(plan.document.indicators.map((i) => [i.id, i]));
    expect(indicators['utbildade-andel']!.targets).toEqual([{ year: 2022, value: 20 }]);
    expect(indicators['fullbordade-suicid']!.targets).toEqual([
      { year: 2027, value: 0 },
      { year: 2035, value: 0 },
    ]);
    expect(indicators['analys-folkhalsoenkat']!.targets).toEqual([{ year: 2023, value: true }]);
    const dues = Object.fromEntries(plan.document.assignments.map((a) => [a.id, a.due]));
    expect(dues).toEqual({
      'uppdrag-kartlaggning': { from: '2023-01-01', to: '2023-06-30', label: 'våren 2023' },
      'uppdrag-anhorigstod': { from: '2022-10-01', to: '2022-12-31', label: 'slutet på 2022' },
      'uppdrag-lansstrategi': { from: '2024-07-01', to: '2024-12-31', label: 'hösten 2024' },
    });
    expect(plan.document.rows.find((r) => r.id === 'rad-kartlaggning')!.timeFrame).toEqual({
      from: '2023-01-01',
      to: '2023-06-30',
      label: 'våren 2023',
    });
    expect(plan.document.assignments.every((a) => a.status === 'open')).toBe(true);
    // No draft is left; the draft's counter starts again.
    expect((await inject('GET', `${base}/draft`, admin)).statusCode).toBe(404);
  });

  it('records the values of 2022, who entered them, and keeps the earlier ones', async () => {
    const url = `${base}/indicators/utbildade-andel/values`;
    expect((await inject('POST', url, coordinator, { year: 2022, value: 18.5, note: 'Preliminärt' })).statusCode).toBe(200);
    const res = await inject('POST', url, steering, { year: 2022, value: 21 });
    expect(res.statusCode, res.body).toBe(200);
    expect((await inject('POST', `${base}/indicators/inventering-anhorigstod/values`, admin, { year: 2022, value: true })).statusCode).toBe(
      200,
    );
    const doc = { year: 2023, value: { title: 'Analys av Folkhälsoenkäten 2022', reference: 'RS/2023/17' } };
    expect((await inject('POST', `${base}/indicators/analys-folkhalsoenkat/values`, coordinator, doc)).statusCode).toBe(200);
    const plan = json<Plan>(await inject('GET', base, steering));
    const andel = plan.document.indicators.find((i) => i.id === 'utbildade-andel')!;
    expect(andel.values).toHaveLength(1);
    expect(andel.values[0]).toMatchObject({
      year: 2022,
      value: { kind: 'percentage', value: 21 },
      enteredBy: { displayName: 'Test steering-group' },
    });
    expect(andel.values[0]!.earlier).toMatchObject([
      { value: { kind: 'percentage', value: 18.5 }, note: 'Preliminärt', enteredBy: { displayName: 'Test county-coordinator' } },
    ]);
    expect(plan.document.indicators.find((i) => i.id === 'inventering-anhorigstod')!.values[0]!.value).toEqual({
      kind: 'yes-no',
      value: true,
    });
    expect(plan.document.indicators.find((i) => i.id === 'analys-folkhalsoenkat')!.values[0]!.value).toEqual({
      kind: 'document',
      value: doc.value,
    });
  });

  it("keeps an assignment's status history", async () => {
    const url = `${base}/assignments/uppdrag-anhorigstod/status`;
    expect((await inject('POST', url, coordinator, { status: 'in-progress', note: 'Inventeringen har börjat' })).statusCode).toBe(200);
    const res = await inject('POST', url, admin, { status: 'done', note: 'Redovisad i december 2022' });
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toMatchObject({ assignmentId: 'uppdrag-anhorigstod', status: 'done' });
    const plan = json<Plan>(await inject('GET', base, admin));
    const a = plan.document.assignments.find((x) => x.id === 'uppdrag-anhorigstod')!;
    expect(a.statusHistory.map((h) => [h.status, h.note, h.changedBy.displayName])).toEqual([
      ['in-progress', 'Inventeringen har börjat', 'Test county-coordinator'],
      ['done', 'Redovisad i december 2022', 'Test administrator'],
    ]);
  });

  it('links an initiative to the goals and rows it serves, and undoes a link', async () => {
    const caseId = await createCase(t, 'Utbildning i suicidprevention för förtroendevalda');
    const url = `/api/cases/${caseId}/plan-links`;
    const linked = await inject('POST', url, coordinator, { goalIds: ['mal-4-ar-suicid', 'mal-12-ar'], rowIds: ['rad-utbildning'] });
    expect(linked.statusCode, linked.body).toBe(200);
    expect(json(linked)).toEqual({ caseId, goalIds: ['mal-12-ar', 'mal-4-ar-suicid'], rowIds: ['rad-utbildning'] });
    const unlinked = await inject('DELETE', url, admin, { goalIds: ['mal-12-ar'] });
    expect(json(unlinked)).toEqual({ caseId, goalIds: ['mal-4-ar-suicid'], rowIds: ['rad-utbildning'] });
    const plan = json<Plan>(await inject('GET', base, admin));
    expect(plan.document.goals.find((g) => g.id === 'mal-4-ar-suicid')!.caseIds).toEqual([caseId]);
    expect(plan.document.goals.find((g) => g.id === 'mal-12-ar')!.caseIds).toEqual([]);
    expect(plan.document.rows.find((r) => r.id === 'rad-utbildning')!.caseIds).toEqual([caseId]);
  });

  it('is revised: both versions readable, the difference shown, the next revision date from the newest', async () => {
    const current = json<Plan>(await inject('GET', base, admin));
    const { document } = seed;
    const revised = {
      ...document,
      goals: document.goals.map((g) =>
        g.id === 'mal-8-ar' ? { ...g, title: 'Inom 8 år, år 2031: analyserna leder till beslutade insatser.' } : g,
      ),
      indicators: document.indicators.map((i) =>
        i.id === 'utbildade-andel'
          ? {
              ...i,
              targets: [
                { year: 2022, value: 20 },
                { year: 2027, value: 60 },
              ],
            }
          : i,
      ),
      rows: [
        ...document.rows,
        { activity: 'Stöd till efterlevande i samverkan med brukarorganisationer', timeFrame: 'Q3 2026', goalIds: ['mal-4-ar-suicid'] },
      ],
      assignments: document.assignments.filter((a) => a.id !== 'uppdrag-anhorigstod'),
    };
    expect(current.version).toBe(1);
    const second = await adopt(revised, {
      adoptedBy: 'Regionfullmäktige',
      reference: 'RF 2026-01-14 § 5',
      decisionDate: '2026-01-14',
      nextRevisionDue: '2030-12-31',
    });
    expect(second).toMatchObject({ version: 2, inForce: true });

    const versions = json<{
      items: { version: number; inForce: boolean; decisionDate: string }[];
      nextRevisionDue: string;
      draft: boolean;
    }>(await inject('GET', `${base}/versions`, steering));
    expect(versions.items.map((v) => [v.version, v.inForce, v.decisionDate])).toEqual([
      [1, false, '2022-06-22'],
      [2, true, '2026-01-14'],
    ]);
    expect(versions).toMatchObject({ nextRevisionDue: '2030-12-31', draft: false });
    const v1 = json<Plan & { inForce: boolean }>(await inject('GET', `${base}/versions/1`, coordinator));
    expect(v1.inForce).toBe(false);
    expect(v1.document.assignments).toHaveLength(3);
    expect(v1.document.goals.find((g) => g.id === 'mal-8-ar')).toMatchObject({ title: document.goals[1]!.title });

    const diff = json<
      Record<
        string,
        {
          added: { label: string }[];
          removed: { id: string }[];
          changed: { id: string; fields: { field: string; from: unknown; to: unknown }[] }[];
        }
      >
    >(await inject('GET', `${base}/diff?from=1&to=2`, coordinator));
    expect(diff.goals!.changed).toMatchObject([
      { id: 'mal-8-ar', fields: [{ field: 'title', to: 'Inom 8 år, år 2031: analyserna leder till beslutade insatser.' }] },
    ]);
    expect(diff.indicators!.changed).toMatchObject([{ id: 'utbildade-andel', fields: [{ field: 'targets' }] }]);
    expect(diff.rows!.added.map((r) => r.label)).toEqual(['Stöd till efterlevande i samverkan med brukarorganisationer']);
    expect(diff.assignments!.removed.map((a) => a.id)).toEqual(['uppdrag-anhorigstod']);
    expect(diff.goals!.added).toEqual([]);
    // Values and links made under version 1 still count: the ids survived the revision.
    const plan = json<Plan>(await inject('GET', base, admin));
    expect(plan.document.indicators.find((i) => i.id === 'utbildade-andel')!.values[0]!.value).toEqual({ kind: 'percentage', value: 21 });
    expect(plan.document.goals.find((g) => g.id === 'mal-4-ar-suicid')!.caseIds).toHaveLength(1);
  });

  it('refuses what is wrong and changes nothing', async () => {
    const caseId = await createCase(t, 'En idé som inte kopplas');
    const foreignCase = (() => {
      const row = t.services.db.$client.prepare('SELECT id FROM cases WHERE programme_id = ? LIMIT 1').get(OTHER_PROGRAMME) as
        { id: string } | undefined;
      return row?.id;
    })();
    // A draft under way, so that a stale counter can be tried.
    expect((await inject('PUT', `${base}/draft`, { ...admin, 'if-match': '"0"' }, seed.document)).statusCode).toBe(200);
    const before = tableCounts(t);
    expect(RECORDS_OF_REFUSALS).not.toContain('plan_revisions');
    const withGoal = (goal: object) => ({
      ...seed.document,
      goals: [{ ...seed.document.goals[0], ...goal }, ...seed.document.goals.slice(1)],
    });
    const refusals: [string, Promise<import('fastify').LightMyRequestResponse>, number, string?][] = [
      [
        'a date no one can read',
        inject(
          'PUT',
          `${base}/draft`,
          { ...admin, 'if-match': '"1"' },
          { ...seed.document, assignments: [{ ...seed.document.assignments[0], due: 'någon gång 2023' }] },
        ),
        422,
        'body.assignments.0.due',
      ],
      [
        'an area the programme lacks',
        inject('PUT', `${base}/draft`, { ...admin, 'if-match': '"1"' }, withGoal({ areaIds: ['folkhalsa'] })),
        422,
        'body.goals.0.areaIds.0',
      ],
      [
        'a goal no horizon',
        inject('PUT', `${base}/draft`, { ...admin, 'if-match': '"1"' }, withGoal({ horizonYears: 0 })),
        422,
        'body.goals.0.horizonYears',
      ],
      ['a stale If-Match', inject('PUT', `${base}/draft`, { ...admin, 'if-match': '"7"' }, seed.document), 412],
      ['no If-Match', inject('PUT', `${base}/draft`, admin, seed.document), 428],
      [
        'a decision not after the one in force',
        inject('POST', `${base}/draft/adopt`, { ...admin, 'if-match': '"1"' }, { ...seed.adoption }),
        422,
        'body.decisionDate',
      ],
      [
        'a next revision before the decision',
        inject(
          'POST',
          `${base}/draft/adopt`,
          { ...admin, 'if-match': '"1"' },
          { ...seed.adoption, decisionDate: '2026-02-01', nextRevisionDue: '2026-01-01' },
        ),
        422,
        'body.nextRevisionDue',
      ],
      [
        'a wrong kind of value',
        inject('POST', `${base}/indicators/utbildade-andel/values`, coordinator, { year: 2023, value: true }),
        422,
        'body.value',
      ],
      [
        'a percentage above 100',
        inject('POST', `${base}/indicators/utbildade-andel/values`, coordinator, { year: 2023, value: 120 }),
        422,
        'body.value',
      ],
      [
        'a year outside the programme',
        inject('POST', `${base}/indicators/utbildade-andel/values`, coordinator, { year: 2040, value: 12 }),
        422,
        'body.year',
      ],
      ['an unknown indicator', inject('POST', `${base}/indicators/finns-inte/values`, coordinator, { year: 2023, value: 12 }), 404],
      [
        'an unknown status',
        inject('POST', `${base}/assignments/uppdrag-kartlaggning/status`, coordinator, { status: 'klar' }),
        422,
        'body.status',
      ],
      [
        'an assignment of an earlier version',
        inject('POST', `${base}/assignments/uppdrag-anhorigstod/status`, coordinator, { status: 'open' }),
        404,
      ],
      [
        'a link to no goal',
        inject('POST', `/api/cases/${caseId}/plan-links`, coordinator, { goalIds: ['finns-inte'] }),
        422,
        'body.goalIds.0',
      ],
      [
        'an unlink of what is not linked',
        inject('DELETE', `/api/cases/${caseId}/plan-links`, coordinator, { rowIds: ['rad-utbildning'] }),
        422,
        'body.rowIds.0',
      ],
      ['an initiator reads the plan', inject('GET', base, auth(t.tokens.initiator)), 403],
      ['a coordinator edits the draft', inject('PUT', `${base}/draft`, { ...coordinator, 'if-match': '"1"' }, seed.document), 403],
      [
        'finance records a value',
        inject('POST', `${base}/indicators/utbildade-andel/values`, auth(t.tokens.finance), { year: 2023, value: 30 }),
        403,
      ],
      [
        'an initiator links a case',
        inject('POST', `/api/cases/${caseId}/plan-links`, auth(t.tokens.initiator), { goalIds: ['mal-12-ar'] }),
        403,
      ],
      ['another programme reads the plan', inject('GET', base, auth(t.foreignCoordinator.token)), 404],
      [
        'another programme records a value',
        inject('POST', `${base}/indicators/utbildade-andel/values`, auth(t.foreignCoordinator.token), { year: 2023, value: 30 }),
        404,
      ],
      [
        'another programme links a case',
        inject('POST', `/api/cases/${caseId}/plan-links`, auth(t.foreignCoordinator.token), { goalIds: ['mal-12-ar'] }),
        404,
      ],
      ['another programme has no plan', inject('GET', `/api/programmes/${OTHER_PROGRAMME}/plan`, auth(t.foreignCoordinator.token)), 404],
      ...(foreignCase
        ? [
            [
              'a case of another programme',
              inject('POST', `/api/cases/${foreignCase}/plan-links`, coordinator, { goalIds: ['mal-12-ar'] }),
              404,
            ] as [string, Promise<import('fastify').LightMyRequestResponse>, number],
          ]
        : []),
    ];
    for (const [what, pending, status, path] of refusals) {
      const res = await pending;
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
      if (path)
        expect(
          json<{ errors: { path: string }[] }>(res).errors.map((e) => e.path),
          what,
        ).toContain(path);
    }
    expect(tableCounts(t)).toEqual(before);
  });

  it('refuses to adopt nothing', async () => {
    // The draft of the previous test is adopted; then there is none.
    const adopted = await inject(
      'POST',
      `${base}/draft/adopt`,
      { ...admin, 'if-match': '"1"' },
      { ...seed.adoption, decisionDate: '2026-01-15', nextRevisionDue: '2030-06-30' },
    );
    expect(adopted.statusCode, adopted.body).toBe(200);
    const before = tableCounts(t);
    const res = await inject(
      'POST',
      `${base}/draft/adopt`,
      { ...admin, 'if-match': '"1"' },
      { ...seed.adoption, decisionDate: '2026-02-15', nextRevisionDue: '2030-06-30' },
    );
    expect(res.statusCode).toBe(404);
    expect(tableCounts(t)).toEqual(before);
  });
});
