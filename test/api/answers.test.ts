import fs from 'node:fs';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseEventType } from '../../machines/case/schemas.js';
import { FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { checkedAnswers } from '../answers-check.js';
import { multipart, PDF } from '../documents/multipart.js';
import { PROGRAMME, advance, auth, createCaseOnVersion, createTestApp, type TestApp } from '../helpers.js';

/*
 * The documented answers against the real ones: every /api operation is called over HTTP
 * with real data (cases at many steps, closed ones, money, mail, a log-in). Every answer is
 * checked against the OpenAPI document by the test app itself (test/answers-check.ts), with
 * no key the schema leaves out; here every documented answer is reached at least once, the
 * document covers exactly the operations the app registers, no successful answer is
 * documented with an empty schema, and the committed openapi.json is the one served.
 */

let t: TestApp;
let coordinator: Record<string, string>;
let initiator: Record<string, string>;
let admin: Record<string, string>;

/** Calls one operation and expects a 2xx JSON answer (the test app checks it against the document). */
async function call<T = Record<string, unknown>>(
  op: string,
  url: string,
  headers: Record<string, string>,
  payload?: object,
): Promise<{ res: LightMyRequestResponse; body: T }> {
  const method = op.split(' ')[0] as 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  const res = await t.app.inject({ method, url, headers, payload });
  expect(res.statusCode, `${op} (${url}): ${res.body.slice(0, 1000)}`).toBeGreaterThanOrEqual(200);
  expect(res.statusCode, `${op} (${url}): ${res.body.slice(0, 1000)}`).toBeLessThan(300);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return { res, body: res.json<T>() };
}

interface View {
  id: string;
  version: number;
  outcome: string | null;
  data: Record<string, unknown> & { decision?: unknown; followUps: unknown[]; revisions: unknown[] };
  deadlines: { kind: string; status: string }[];
  allowedEvents: { role?: string }[];
  blockedEvents: { role?: string; reasons: { code: string }[] }[];
}

const viewOf = (caseId: string, headers = coordinator) => call<View>('GET /api/cases/:id', `/api/cases/${caseId}`, headers);

/** Sends an event over HTTP with the current ETag and checks the case it answers with. */
async function send(caseId: string, headers: Record<string, string>, type: CaseEventType, payload: object) {
  const current = await viewOf(caseId, headers);
  return call<View>(
    'POST /api/cases/:id/events',
    `/api/cases/${caseId}/events`,
    { ...headers, 'if-match': `"${current.body.version}"` },
    { type, payload },
  );
}

const story = (type: CaseEventType) => FULL_STORY.find((s) => s.type === type)!.payload;

async function raise(title: string) {
  const { res, body } = await call<View>('POST /api/cases', '/api/cases', initiator, {
    title,
    summary: `${title}: en idé som testar svaren.`,
  });
  expect(res.statusCode).toBe(201);
  return body.id;
}

/** Routes as fastify's route tree prints them: "METHOD /path", without HEAD. */
function printedRoutes(app: FastifyInstance): Set<string> {
  const routes = new Set<string>();
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    const depth = (at - 1) / 4;
    const node = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(at + 3))!;
    prefixes.length = depth;
    const path = prefixes.join('') + node[1];
    prefixes.push(node[1]!);
    for (const method of node[2]?.split(', ') ?? []) if (method !== 'HEAD') routes.add(`${method} ${path}`);
  }
  return routes;
}

beforeAll(async () => {
  t = await createTestApp();
  coordinator = auth(t.tokens['county-coordinator']);
  initiator = auth(t.tokens.initiator);
  admin = auth(t.tokens.administrator);
});

afterAll(async () => {
  await t.close();
});

describe('every successful answer of the API matches its schema', () => {
  type Stage = 'fresh' | 'notEligible' | 'withdrawn' | 'waiting' | 'forum' | 'revised' | 'running' | 'finished' | 'override';
  const ids = {} as Record<Stage, string>;

  it('cases at every stage: raised, refused, withdrawn, waiting, revised, running and closed', async () => {
    ids.fresh = await raise('Nyss väckt idé');

    ids.notEligible = await raise('Utanför överenskommelsen');
    await send(ids.notEligible, coordinator, 'ASSESS_NOT_ELIGIBLE', { reason: 'Ligger utanför de prioriterade områdena.' });

    ids.withdrawn = await raise('Återtagen idé');
    advance(t, ids.withdrawn, storyUntilStep(3));
    await send(ids.withdrawn, initiator, 'WITHDRAW', { reason: 'Vi söker medel på annat håll.' });

    // Step 4 with a submitted idea: its reminder fires ten days later.
    ids.waiting = await raise('Idé som väntar på svar');
    advance(t, ids.waiting, storyUntilStep(4));

    // Steps 5–7 over HTTP: a timed forum booking, a participant, a skipped dialogue, a check-in.
    ids.forum = await raise('Dialogforum med tider');
    advance(t, ids.forum, storyUntilStep(5));
    await send(ids.forum, coordinator, 'BOOK_DIALOGUE_FORUM', {
      date: '2026-03-10',
      startTime: '13:00',
      endTime: '15:30',
      place: 'Karlshamn',
      format: 'Workshop',
    });
    await send(ids.forum, initiator, 'ADD_PARTICIPANT', { userId: t.otherInitiator.actor.id });
    await send(ids.forum, coordinator, 'RECORD_DIALOGUE_FORUM', story('RECORD_DIALOGUE_FORUM'));
    await send(ids.forum, coordinator, 'SKIP_TARGET_GROUP_DIALOGUE', { reason: 'Målgruppen hördes redan i dialogforumet.' });
    await send(ids.forum, coordinator, 'RECORD_CHECK_IN', story('RECORD_CHECK_IN'));

    // Sent back by LSVO: step 8 again, with a revision.
    ids.revised = await raise('Underlag som ska omarbetas');
    advance(t, ids.revised, storyUntilStep(9));
    const revised = await send(ids.revised, auth(t.tokens['lsvo-secretary']), 'RECORD_RECOMMENDATION', {
      recommendation: 'revise',
      motivation: 'Budgeten behöver brytas ned per år.',
      protocol: { meetingDate: '2026-05-20', paragraph: '§ 43', diaryNumber: 'LSVO 2026/119' },
    });
    expect(revised.body.data.revisions).toHaveLength(1);

    // Approved: running, with follow-up deadlines.
    ids.running = await raise('Pågående satsning');
    advance(t, ids.running, storyUntilStep(10));

    // The whole story: closed, scaled up.
    ids.finished = await raise('Uppskalad satsning');
    advance(t, ids.finished, FULL_STORY);

    // The initiator's follow-up report, then the steering group's review of it with
    // Prefer: return=minimal, which answers 204 without a body.
    await send(ids.running, initiator, 'SUBMIT_FOLLOW_UP_REPORT', story('SUBMIT_FOLLOW_UP_REPORT'));
    const current = await viewOf(ids.running);
    const minimal = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${ids.running}/events`,
      headers: { ...auth(t.tokens['steering-group']), 'if-match': `"${current.body.version}"`, prefer: 'return=minimal' },
      payload: { type: 'RECORD_FOLLOW_UP', payload: story('RECORD_FOLLOW_UP') },
    });
    expect(minimal.statusCode, minimal.body).toBe(204);
    expect(minimal.body).toBe('');
    await send(ids.running, coordinator, 'RECORD_SEMINAR', { ...story('RECORD_SEMINAR'), material: 'Bilder och minnesanteckningar.' });
  });

  it('money: pools, earmarks and a decision that commits more than the pool with an override', async () => {
    const pool = await call<{ id: string }>('POST /api/programmes/:programmeId/pools', `/api/programmes/${PROGRAMME}/pools`, admin, {
      year: 2026,
      kind: 'joint',
      name: 'Gemensam länspott 2026',
      amountOre: 50_000_000,
      earmarks: [{ priorityAreaId: 'suicidprevention', amountOre: 20_000_000 }],
    });
    expect(pool.res.statusCode).toBe(201);

    ids.override = await raise('Beslut över potten');
    advance(t, ids.override, storyUntilStep(9));
    await send(ids.override, auth(t.tokens['lsvo-secretary']), 'RECORD_RECOMMENDATION', story('RECORD_RECOMMENDATION'));
    const decided = await send(ids.override, auth(t.tokens['regional-director']), 'RECORD_DECISION', {
      decision: 'approve',
      motivation: 'Satsningen är angelägen trots att potten inte räcker.',
      deviationMotivation: 'Avviker från rekommendationens belopp.',
      grantedBudget: [
        { year: 2026, amountOre: 60_000_000, pool: 'joint' },
        { year: 2027, amountOre: 10_000_000 },
      ],
      budgetOverride: { motivation: 'Regionstyrelsen tillskjuter medel.' },
      reference: 'RS 2026/55',
      followUpRhythm: { every: 'half-year', from: '2026-06-30', until: '2027-06-30' },
    });
    expect(decided.body.deadlines.length).toBeGreaterThan(0);

    const pools = await call<{ items: { kind: string; remainingOre: number }[] }>(
      'GET /api/programmes/:programmeId/pools',
      `/api/programmes/${PROGRAMME}/pools?year=2026`,
      coordinator,
    );
    expect(pools.body.items.find((p) => p.kind === 'joint')!.remainingOre).toBeLessThan(0);
    await call('GET /api/programmes/:programmeId/pools', `/api/programmes/${PROGRAMME}/pools`, admin);
  });

  it('money over its life: corrections, carry-overs, distributions, payments, repayments and releases', async () => {
    const pools = await call<{ items: { id: string; year: number; kind: string }[] }>(
      'GET /api/programmes/:programmeId/pools',
      `/api/programmes/${PROGRAMME}/pools`,
      admin,
    );
    const pool = (year: number, kind = 'state') => pools.body.items.find((p) => p.year === year && p.kind === kind)!.id;
    const corrected = await call(
      'POST /api/programmes/:programmeId/pools/:poolId/corrections',
      `/api/programmes/${PROGRAMME}/pools/${pool(2028)}/corrections`,
      admin,
      { amountOre: -100_000, motivation: 'Lägre statsbidrag.', reference: 'S2027/1' },
    );
    expect(corrected.res.statusCode).toBe(201);
    await call('POST /api/programmes/:programmeId/carry-overs', `/api/programmes/${PROGRAMME}/carry-overs`, admin, {
      fromYear: 2025,
      amountOre: 1_000_000,
      reference: 'RS 2026/2',
      motivation: 'Överfört från 2025.',
    });
    const joint = pool(2026, 'joint');
    for (const reference of ['§ 3', '§ 9']) {
      await call(
        'POST /api/programmes/:programmeId/pools/:poolId/distributions',
        `/api/programmes/${PROGRAMME}/pools/${joint}/distributions`,
        admin,
        {
          decidedBy: 'Länsgemensam chefsgrupp',
          decisionDate: '2026-01-29',
          reference,
          lines: [
            { scope: 'county', amountOre: 10_000_000, priorityAreaId: 'suicidprevention' },
            { scope: 'local', recipient: 'Ronneby', amountOre: 5_000_000 },
          ],
        },
      );
    }
    for (const [id, headers] of [
      [pool(2026), coordinator],
      [pool(2025), admin],
      [pool(2027), coordinator],
    ] as const) {
      await call('GET /api/programmes/:programmeId/pools/:poolId', `/api/programmes/${PROGRAMME}/pools/${id}`, headers);
    }
    const finance = auth(t.tokens.finance);
    const movement = { year: 2026, amountOre: 1_000_000, date: '2026-07-01' };
    await call('POST /api/cases/:id/payments', `/api/cases/${ids.running}/payments`, coordinator, { ...movement, reference: 'Ver 1' });
    await call('POST /api/cases/:id/payments', `/api/cases/${ids.running}/payments`, finance, movement);
    await call('POST /api/cases/:id/repayments', `/api/cases/${ids.running}/repayments`, finance, {
      ...movement,
      motivation: 'Överskott.',
    });
    await call('POST /api/cases/:id/releases', `/api/cases/${ids.running}/releases`, coordinator, {
      ...movement,
      motivation: 'Behövs inte.',
    });
    for (const id of [ids.running, ids.finished, ids.fresh]) {
      await call('GET /api/cases/:id/money', `/api/cases/${id}/money`, coordinator);
      await call('GET /api/cases/:id/money', `/api/cases/${id}/money`, initiator);
    }
  });

  it('deadlines that fired, were cancelled and are pending', async () => {
    // Ten days on, the waiting idea's reminder fires.
    t.clock.set('2026-01-26T08:00:00.000Z');
    expect(t.services.scheduler.runDue().fired).toBeGreaterThan(0);
    const statuses = new Set<string>();
    for (const id of Object.values(ids)) {
      for (const headers of [coordinator, initiator]) {
        const { body } = await viewOf(id, headers);
        for (const d of body.deadlines) statuses.add(`${d.kind}:${d.status}`);
      }
    }
    expect([...statuses].sort()).toEqual(
      expect.arrayContaining([
        'idea-unanswered:fired',
        'follow-up-reminder:cancelled',
        'follow-up-reminder:pending',
        'follow-up-overdue:pending',
      ]),
    );

    const finished = await viewOf(ids.finished);
    expect(finished.body.outcome).toBe('scaled-up');
    expect(finished.body.data.decision).toBeDefined();
    expect(finished.body.data.followUps.length).toBeGreaterThan(0);
    // The initiator holds no role for most events: those come without one.
    const asInitiator = await viewOf(ids.forum, initiator);
    expect(asInitiator.body.blockedEvents.some((e) => e.role === undefined && e.reasons.some((r) => r.code === 'wrong-role'))).toBe(true);
  });

  it('histories of every case', async () => {
    for (const id of Object.values(ids)) {
      await call('GET /api/cases/:id/history', `/api/cases/${id}/history`, coordinator);
      await call('GET /api/cases/:id/history', `/api/cases/${id}/history`, initiator);
    }
  });

  it('documents: added, replaced, listed, downloaded and withdrawn, and their history', async () => {
    const id = Object.values(ids)[0]!;
    const upload = async (name: string, bytes: Buffer, replaces?: string) => {
      const body = multipart([{ name: 'file', fileName: name, bytes }, ...(replaces ? [{ name: 'replaces', value: replaces }] : [])]);
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/cases/${id}/documents`,
        headers: { ...initiator, ...body.headers },
        payload: body.payload,
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ id: string }>();
    };
    const first = await upload('protokoll.pdf', PDF);
    await upload('protokoll v2.pdf', Buffer.concat([PDF, Buffer.from('2')]), first.id);
    const other = await upload('anteckningar.txt', Buffer.from('Anteckningar\n'));
    await call('POST /api/cases/:id/documents/:documentId/withdraw', `/api/cases/${id}/documents/${other.id}/withdraw`, coordinator, {
      reason: 'Fel ärende',
    });
    await call('GET /api/cases/:id/documents', `/api/cases/${id}/documents`, initiator);
    const file = await t.app.inject({ method: 'GET', url: `/api/cases/${id}/documents/${first.id}/file`, headers: initiator });
    expect(file.statusCode).toBe(200);
    await call('GET /api/cases/:id/history', `/api/cases/${id}/history`, coordinator);
  });

  it('the e-archive: a package to look at, a delivery, the deliveries and a delivered package', async () => {
    const look = await t.app.inject({ method: 'GET', url: `/api/cases/${ids.finished}/archive-package`, headers: admin });
    expect(look.statusCode, look.body).toBe(200);
    const delivered = await t.app.inject({
      method: 'POST',
      url: `/api/programmes/${PROGRAMME}/archive-deliveries`,
      headers: admin,
      payload: { caseIds: [ids.finished] },
    });
    expect(delivered.statusCode, delivered.body).toBe(201);
    const list = await t.app.inject({ method: 'GET', url: `/api/programmes/${PROGRAMME}/archive-deliveries`, headers: admin });
    expect(list.statusCode).toBe(200);
    const [first] = list.json<{ items: { id: string }[] }>().items;
    const file = await t.app.inject({
      method: 'GET',
      url: `/api/programmes/${PROGRAMME}/archive-deliveries/${first!.id}/package`,
      headers: admin,
    });
    expect(file.statusCode).toBe(200);
    // The delivery is in the case's history, as the history's schema says.
    const history = await t.app.inject({ method: 'GET', url: `/api/cases/${ids.finished}/history?limit=500`, headers: admin });
    expect(history.json<{ events: { type: string }[] }>().events.at(-1)!.type).toBe('ARCHIVE_DELIVERED');
  });

  it('case lists: filters, pages, and what an initiator sees', async () => {
    const urls = [
      '/api/cases',
      '/api/cases?limit=100',
      '/api/cases?step=10',
      '/api/cases?status=done',
      '/api/cases?state=open.preparation',
      '/api/cases?q=satsning',
      '/api/cases?programme=uph-other',
    ];
    for (const url of urls) await call('GET /api/cases', url, coordinator);
    const page = await call<{ nextCursor: string | null }>('GET /api/cases', '/api/cases?limit=2', coordinator);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    await call('GET /api/cases', `/api/cases?limit=2&cursor=${page.body.nextCursor}`, coordinator);
    await call('GET /api/cases', '/api/cases', initiator);
    await call('GET /api/cases', '/api/cases', auth(t.otherInitiator.token));
  });

  it('the process, the programme and its idea template', async () => {
    await call('GET /api/process', '/api/process', {});
    await call('GET /api/programmes', '/api/programmes', initiator);
    await call('GET /api/programmes/:programmeId/idea-template', `/api/programmes/${PROGRAMME}/idea-template`, initiator);
  });

  it("the programme's settings, a change, and its versions", async () => {
    const settingsUrl = `/api/programmes/${PROGRAMME}/settings`;
    const { body } = await call<{ version: number; settings: Record<string, unknown> }>(
      'GET /api/programmes/:programmeId/settings',
      settingsUrl,
      admin,
    );
    const { id: _id, diaryPrefix: _prefix, ...editable } = body.settings;
    await call(
      'PUT /api/programmes/:programmeId/settings',
      settingsUrl,
      { ...admin, 'if-match': `"${body.version}"` },
      {
        ...editable,
        mailbox: 'psykiskhalsa@regionblekinge.se',
        note: 'Ny brevlåda',
      },
    );
    await call('GET /api/programmes/:programmeId/settings/versions', `${settingsUrl}/versions`, admin);
    await call('GET /api/programmes/:programmeId/settings/versions/:version', `${settingsUrl}/versions/1`, admin);
  });

  it('the versions of the process, a dry run, a migration, and the history that shows it', async () => {
    const admin = auth(t.tokens.administrator);
    const url = `/api/programmes/${PROGRAMME}/process-migrations`;
    const caseId = createCaseOnVersion(t, 3, 'Flyttas till version 4');
    await call('GET /api/programmes/:programmeId/process-migrations', url, admin);
    const { body } = await call<{ cases: { caseId: string; version: number }[] }>(
      'GET /api/programmes/:programmeId/process-migrations/:toVersion',
      `${url}/4`,
      admin,
    );
    const version = body.cases.find((c) => c.caseId === caseId)!.version;
    await call('POST /api/programmes/:programmeId/process-migrations', url, admin, {
      toVersion: 4,
      caseIds: [caseId],
      expectedVersions: { [caseId]: version },
    });
    const { body: history } = await call<{ events: { type: string }[] }>(
      'GET /api/cases/:id/history',
      `/api/cases/${caseId}/history`,
      admin,
    );
    expect(history.events.at(-1)!.type).toBe('CASE_MIGRATED');
  });

  it("the programme's plan: a draft, its adoption, values, statuses, links, versions and a diff", async () => {
    const plan = `/api/programmes/${PROGRAMME}/plan`;
    const seed = JSON.parse(fs.readFileSync('test/fixtures/seed-004-plan.json', 'utf8')) as { document: object; adoption: object };
    await call('PUT /api/programmes/:programmeId/plan/draft', `${plan}/draft`, { ...admin, 'if-match': '"0"' }, seed.document);
    await call('GET /api/programmes/:programmeId/plan/draft', `${plan}/draft`, admin);
    await call('POST /api/programmes/:programmeId/plan/draft/adopt', `${plan}/draft/adopt`, { ...admin, 'if-match': '"1"' }, seed.adoption);
    await call(
      'POST /api/programmes/:programmeId/plan/indicators/:indicatorId/values',
      `${plan}/indicators/utbildade-andel/values`,
      coordinator,
      {
        year: 2025,
        value: 20,
      },
    );
    await call(
      'POST /api/programmes/:programmeId/plan/indicators/:indicatorId/values',
      `${plan}/indicators/analys-folkhalsoenkat/values`,
      coordinator,
      { year: 2025, value: { title: 'Analys av Folkhälsoenkäten 2022' } },
    );
    await call(
      'POST /api/programmes/:programmeId/plan/indicators/:indicatorId/values',
      `${plan}/indicators/inventering-anhorigstod/values`,
      admin,
      {
        year: 2025,
        value: true,
      },
    );
    await call(
      'POST /api/programmes/:programmeId/plan/assignments/:assignmentId/status',
      `${plan}/assignments/uppdrag-kartlaggning/status`,
      admin,
      {
        status: 'done',
        note: 'Redovisad',
      },
    );
    const caseId = await raise('En insats i planen');
    await call('POST /api/cases/:id/plan-links', `/api/cases/${caseId}/plan-links`, coordinator, {
      goalIds: ['mal-12-ar'],
      rowIds: ['rad-utbildning'],
    });
    await call('GET /api/cases/:id/plan-links', `/api/cases/${caseId}/plan-links`, coordinator);
    await call('DELETE /api/cases/:id/plan-links', `/api/cases/${caseId}/plan-links`, coordinator, { rowIds: ['rad-utbildning'] });
    await call('GET /api/programmes/:programmeId/plan', plan, coordinator);
    await call('GET /api/programmes/:programmeId/plan/versions', `${plan}/versions`, coordinator);
    await call('GET /api/programmes/:programmeId/plan/versions/:version', `${plan}/versions/1`, coordinator);
    await call('GET /api/programmes/:programmeId/plan/diff', `${plan}/diff?from=1&to=1`, coordinator);
  });

  it('imports: the template, a dry run and the import of decided initiatives', async () => {
    const admin = auth(t.tokens.administrator);
    const base = `/api/programmes/${PROGRAMME}/imports/initiatives`;
    const template = await t.app.inject({ method: 'GET', url: `${base}/template?format=csv`, headers: admin });
    expect(template.statusCode).toBe(200);
    const area = t.services.programmes.get(PROGRAMME)!.priorityAreas[0]!.label.sv;
    const file = [
      'Rubrik;Beskrivning;Fokusområde;Beslutsdatum;Beslutande organ;Beslutsreferens;Beviljat belopp;Uppföljningsdatum',
      `Importerad satsning;Beslutad före Satsa.;${area};2025-04-01;Regiondirektören;RS 2025/9;50 000;2026-06-30`,
    ].join('\r\n');
    const headers = { ...admin, 'content-type': 'text/csv' };
    const dry = await t.app.inject({ method: 'POST', url: `${base}?dryRun=true`, headers, payload: file });
    expect(dry.statusCode, dry.body).toBe(200);
    const run = await t.app.inject({ method: 'POST', url: `${base}?dryRun=false`, headers, payload: file });
    expect(run.statusCode, run.body).toBe(201);
    const again = await t.app.inject({ method: 'POST', url: `${base}?dryRun=false`, headers, payload: file });
    expect(again.statusCode, again.body).toBe(200);
  });

  it('reports: the year report in both languages and the public export', async () => {
    for (const year of [2026, 2027, 2028]) {
      await call('GET /api/programmes/:programmeId/reports/:year', `/api/programmes/${PROGRAMME}/reports/${year}`, coordinator);
    }
    // The steering group reads English.
    const steering = auth(t.tokens['steering-group']);
    await call('PATCH /api/me/preferences', '/api/me/preferences', steering, { language: 'en' });
    const en = await call<{ language: string }>(
      'GET /api/programmes/:programmeId/reports/:year',
      `/api/programmes/${PROGRAMME}/reports/2026?format=json`,
      steering,
    );
    expect(en.body.language).toBe('en');
    const pub = await call<{ initiatives: unknown[] }>(
      'GET /api/public/programmes/:programmeId/initiatives',
      `/api/public/programmes/${PROGRAMME}/initiatives`,
      {},
    );
    expect(pub.body.initiatives.length).toBeGreaterThanOrEqual(3);
    // The multi-year report of the plan adopted above and the money, in both languages and for a chosen range.
    const multiYear = 'GET /api/programmes/:programmeId/reports/multi-year';
    const years = await call<{ plan: unknown; money: { years: unknown[] } }>(
      multiYear,
      `/api/programmes/${PROGRAMME}/reports/multi-year`,
      coordinator,
    );
    expect(years.body.plan).not.toBeNull();
    await call(multiYear, `/api/programmes/${PROGRAMME}/reports/multi-year?format=json&from=2026&to=2027`, steering);

    // The other formats of the same answers (described in the operations' words).
    const formats = [
      [`/api/programmes/${PROGRAMME}/reports/2026?format=csv`, 'text/csv'],
      [`/api/programmes/${PROGRAMME}/reports/2026?format=xlsx`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      [`/api/public/programmes/${PROGRAMME}/initiatives?format=csv`, 'text/csv'],
      [`/api/programmes/${PROGRAMME}/reports/multi-year?format=csv`, 'text/csv'],
      [`/api/programmes/${PROGRAMME}/reports/multi-year?format=xlsx`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ] as const;
    for (const [url, type] of formats) {
      const res = await t.app.inject({ method: 'GET', url, headers: coordinator });
      expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
      expect(res.headers['content-type']).toMatch(new RegExp(`^${type}`));
    }
    // ?format=html leads to the report's page.
    const page = await t.app.inject({ method: 'GET', url: `/api/programmes/${PROGRAMME}/reports/2026?format=html`, headers: coordinator });
    expect([page.statusCode, page.headers.location]).toEqual([303, `/programmes/${PROGRAMME}/reports/2026`]);
  });

  it('notification rules, preferences and the outbox with sent, failed and retried messages', async () => {
    await call('GET /api/notifications/rules', '/api/notifications/rules', initiator);
    await call('GET /api/me/preferences', '/api/me/preferences', initiator);
    await call('PATCH /api/me/preferences', '/api/me/preferences', initiator, {
      language: 'en',
      mutedNotifications: ['step-changed', 'case-withdrawn'],
    });
    await call('GET /api/me/preferences', '/api/me/preferences', initiator);

    // Two messages that cannot be sent, then everything else goes out (as files).
    const sqlite = t.services.db.$client;
    const broken = (
      sqlite.prepare("SELECT id FROM outbox WHERE status = 'pending' ORDER BY created_at, id LIMIT 2").all() as { id: string }[]
    ).map((r) => r.id);
    expect(broken).toHaveLength(2);
    for (const id of broken) sqlite.prepare("UPDATE outbox SET to_address = 'not an address' WHERE id = ?").run(id);
    await t.services.relay.drain();

    const all = await call<{ items: { status: string }[] }>('GET /api/admin/outbox', '/api/admin/outbox?limit=200', admin);
    expect(new Set(all.body.items.map((m) => m.status))).toEqual(new Set(['sent', 'failed']));
    await call('GET /api/admin/outbox', '/api/admin/outbox?status=failed', admin);
    await call('GET /api/admin/outbox', `/api/admin/outbox?caseId=${ids.finished}&limit=3`, admin);
    const page = await call<{ nextCursor: string }>('GET /api/admin/outbox', '/api/admin/outbox?limit=5', admin);
    await call('GET /api/admin/outbox', `/api/admin/outbox?limit=5&cursor=${page.body.nextCursor}`, admin);

    const retried = await call<{ status: string; lastError: string | null }>(
      'POST /api/admin/outbox/:id/retry',
      `/api/admin/outbox/${broken[0]}/retry`,
      admin,
    );
    expect(retried.body).toMatchObject({ status: 'pending', lastError: expect.any(String) });
    const requeued = await call<{ requeued: number }>('POST /api/admin/outbox/retry-failed', '/api/admin/outbox/retry-failed', admin);
    expect(requeued.body.requeued).toBe(1);
  });

  it('the retention rules, their runs and a run now', async () => {
    const url = `/api/programmes/${PROGRAMME}/retention`;
    const before = await call<{ sentMail: unknown; runs: unknown[] }>('GET /api/programmes/:programmeId/retention', url, admin);
    expect(before.body.sentMail).toBeNull();
    const config = t.services.programmes.get(PROGRAMME)!;
    t.services.programmes.change(
      {
        ...config,
        retention: {
          sentMail: { days: 1, decision: 'RS 2025/311' },
          closedCases: { years: 5, decision: 'RS 2025/313', afterDelivery: true },
          logins: { months: 6, decision: 'RS 2025/312' },
        },
      },
      t.actors.administrator.id,
      null,
    );
    // The mail sent so far is more than a day old by then.
    t.clock.advance(2 * 86_400_000);
    const ran = await call<{ runs: { rule: string }[] }>('POST /api/programmes/:programmeId/retention/run', `${url}/run`, admin);
    expect(ran.body.runs.map((r) => r.rule)).toContain('sentMail');
    const after = await call<{ runs: unknown[] }>('GET /api/programmes/:programmeId/retention', url, admin);
    expect(after.body.runs.length).toBeGreaterThan(0);
    t.services.programmes.change(config, t.actors.administrator.id, null);
    t.clock.advance(-2 * 86_400_000);
  });

  it('a log-in, the user, and a log-out without a body', async () => {
    await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'inloggning@test.satsa.se',
      displayName: 'Inge Inloggning',
      roles: ['initiator', 'county-coordinator'],
      password: 'ett långt lösenord',
    });
    const login = await call<{ csrfToken: string }>(
      'POST /api/session',
      '/api/session',
      {},
      { email: 'inloggning@test.satsa.se', password: 'ett långt lösenord' },
    );
    const cookie = String(login.res.headers['set-cookie']).split(';')[0]!;
    await call('GET /api/me', '/api/me', { cookie });
    await call('GET /api/me', '/api/me', admin);
    // What waits for me: the initiator's own cases and comments, the administrator's plan assignments.
    await call('GET /api/me/waiting', '/api/me/waiting', initiator);
    await call('GET /api/me/waiting', '/api/me/waiting', admin);
    const logout = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } });
    expect(logout.statusCode).toBe(204);
    expect(logout.body).toBe('');
  });

  it('one’s own password, sessions and tokens, and an administrator’s people and audit', async () => {
    const own = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'eget.konto@test.satsa.se',
      displayName: 'Eget Konto',
      roles: ['county-coordinator'],
      password: 'ett långt lösenord här',
    });
    const [session, other] = [t.services.people.createSession(own.id, 1), t.services.people.createSession(own.id, 1)];
    const as = { cookie: `satsa_session=${session.token}`, 'x-csrf-token': session.csrfToken };
    await call('POST /api/me/password', '/api/me/password', as, {
      currentPassword: 'ett långt lösenord här',
      newPassword: 'ett nytt långt lösenord',
    });
    const again = t.services.people.createSession(own.id, 1);
    const sessions = await call<{ items: { id: string; current: boolean }[] }>('GET /api/me/sessions', '/api/me/sessions', as);
    const ended = await t.app.inject({
      method: 'DELETE',
      url: `/api/me/sessions/${sessions.body.items.find((s) => !s.current)!.id}`,
      headers: as,
    });
    expect(ended.statusCode).toBe(204);
    expect([other.token, again.token]).toHaveLength(2);
    await call('DELETE /api/me/sessions', '/api/me/sessions', as);
    const token = await call<{ id: string }>('POST /api/me/tokens', '/api/me/tokens', as, { name: 'verktyg' });
    await call('GET /api/me/tokens', '/api/me/tokens', as);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/me/tokens/${token.body.id}`, headers: as })).statusCode).toBe(204);

    await call('GET /api/people', '/api/people?q=konto', admin);
    await call('GET /api/people/:id', `/api/people/${own.id}`, admin);
    for (const act of ['disable', 'enable', 'unlock'])
      await call(`POST /api/people/:id/${act}`, `/api/people/${own.id}/${act}`, admin, { reason: 'Prov.' });
    await call('PUT /api/people/:id/roles', `/api/people/${own.id}/roles`, admin, {
      programmeId: PROGRAMME,
      roles: ['county-coordinator', 'steering-group'],
      reason: 'Prov.',
    });
    const audit = await call<{ nextCursor: string | null }>('GET /api/audit', '/api/audit?limit=2', admin);
    await call('GET /api/audit', `/api/audit?limit=2&cursor=${audit.body.nextCursor}`, admin);
  });

  it('the conversation: comments shared and internal, following, and guests', async () => {
    const url = (path: string) => `/api/cases/${ids.fresh}/${path}`;
    await call('POST /api/cases/:id/comments', url('comments'), coordinator, { body: 'Internt.', visibility: 'internal' });
    await call('POST /api/cases/:id/comments', url('comments'), initiator, { body: 'Delat.', visibility: 'shared' });
    await call('GET /api/cases/:id/comments', url('comments'), coordinator);
    await call('GET /api/cases/:id/comments', url('comments'), initiator);
    await call('GET /api/cases/:id/history', `/api/cases/${ids.fresh}/history`, coordinator);
    await call('GET /api/cases/:id/following', url('following'), initiator);
    await call('PUT /api/cases/:id/following', url('following'), initiator, { following: false });
    await call('POST /api/cases/:id/guests', url('guests'), coordinator, { email: 'gast@forening.example', organisation: 'Föreningen' });
    await call('GET /api/cases/:id/guests', url('guests'), coordinator);
    await call('GET /api/cases/:id/guests', url('guests'), initiator);
  });

  it('invitations, registrations and password resets', async () => {
    await call('POST /api/invitations', '/api/invitations', admin, {
      email: 'inbjuden@karlskrona.se',
      programmeId: PROGRAMME,
      roles: ['steering-group'],
    });
    await call('GET /api/invitations', '/api/invitations', admin);
    await call('POST /api/cases/:id/invitations', `/api/cases/${ids.fresh}/invitations`, initiator, { email: 'medskribent@karlskrona.se' });
    const invitation = t.services.links.create('invitation', 'ny@karlskrona.se', 24, { programmeId: PROGRAMME, roles: ['initiator'] });
    await call(
      'POST /api/invitations/accept',
      '/api/invitations/accept',
      {},
      { token: invitation.token, displayName: 'Ny Person', password: 'ett långt lösenord här' },
    );
    await call('POST /api/registrations', '/api/registrations', {}, { email: 'registrerad@ronneby.se', programmeId: PROGRAMME });
    const registration = t.services.links.create('registration', 'bekraftad@ronneby.se', 24, {
      programmeId: PROGRAMME,
      roles: ['initiator'],
    });
    await call(
      'POST /api/registrations/confirm',
      '/api/registrations/confirm',
      {},
      { token: registration.token, displayName: 'Bekräftad', password: 'ett långt lösenord här' },
    );
    await call('POST /api/password-resets', '/api/password-resets', {}, { email: 'bekraftad@ronneby.se' });
    const reset = t.services.links.create('password-reset', 'bekraftad@ronneby.se', 2);
    await call(
      'POST /api/password-resets/complete',
      '/api/password-resets/complete',
      {},
      { token: reset.token, password: 'ett annat långt lösenord' },
    );
  });

  it("a person's data: their own export, an administrator's export, the preview and the erasure", async () => {
    await call('GET /api/me/data', '/api/me/data', initiator);
    const person = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'raderas@karlskrona.se',
      displayName: 'Ska Raderas',
      roles: ['initiator'],
    });
    await call('GET /api/people/:id/data', `/api/people/${person.id}/data`, admin);
    await call('GET /api/people/:id/erasure', `/api/people/${person.id}/erasure`, admin);
    await call('POST /api/people/:id/erasure', `/api/people/${person.id}/erasure`, admin, { reason: 'Begäran om radering' });
  });

  it('reached every successful answer the document describes', async () => {
    const doc = await documentOf(t.app);
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, ops]) =>
        Object.entries(ops).flatMap(([method, op]) =>
          Object.keys(op.responses)
            .filter((status) => status.startsWith('2'))
            .map((status) => `${method.toUpperCase()} ${path} ${status}`),
        ),
      );
    expect(documented.length).toBeGreaterThan(20);
    expect(documented.filter((answer) => !checkedAnswers.has(answer))).toEqual([]);
  });
});

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, unknown>;
  anyOf?: Schema[];
  oneOf?: Schema[];
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const documentOf = async (app: FastifyInstance) => (await app.inject({ method: 'GET', url: '/openapi.json' })).json<Document>();

describe('the OpenAPI document covers the API', () => {
  it('names exactly the /api routes the app registers', async () => {
    const printed = [...printedRoutes(t.app)].filter((r) => r.split(' ')[1]!.startsWith('/api/'));
    const doc = await documentOf(t.app);
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(printed.sort()).toEqual(documented.sort());
    expect(printed.length).toBeGreaterThan(15);
  });

  it('documents every successful answer of every /api operation with a schema that says something', async () => {
    const doc = await documentOf(t.app);
    const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(doc.components.schemas[schema.$ref.split('/').pop()!]!) : schema);
    /** A schema that constrains the answer: a type, a reference to one, or alternatives that all do. */
    const saysSomething = (schema: Schema | undefined): boolean => {
      if (!schema) return false;
      const s = resolve(schema);
      if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf)!.every(saysSomething);
      if (s.type === 'object') return Object.keys(s.properties ?? {}).length > 0;
      return s.type !== undefined;
    };
    const empty: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths).filter(([p]) => p.startsWith('/api/'))) {
      for (const [method, op] of Object.entries(ops)) {
        const ok = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
        if (ok.length === 0) empty.push(`${method} ${path}: no successful answer documented`);
        for (const [status, response] of ok) {
          // 204 is documented without a body; every other answer with its JSON schema.
          if (status === '204' ? response.content !== undefined : !saysSomething(response.content?.['application/json']?.schema)) {
            empty.push(`${method} ${path} ${status}`);
          }
        }
      }
    }
    expect(empty).toEqual([]);
  });

  it('is the committed openapi.json', async () => {
    const served = `${JSON.stringify(await documentOf(t.app), null, 2)}\n`;
    // `npm run openapi:write` writes it anew after a change of the API.
    expect(served === fs.readFileSync('openapi.json', 'utf8'), 'openapi.json differs from the served document: npm run openapi:write').toBe(
      true,
    );
  });
});
