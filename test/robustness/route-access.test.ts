import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { multipart, PDF } from '../documents/multipart.js';
import { auth, createCase, createTestApp, FAR_FUTURE, OTHER_PROGRAMME, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * Who reaches the routes of a programme's administration, money and reports: every caller
 * kind against every route, as one table, so a route that lets the wrong person in, or
 * keeps the right one out, shows up as one line of the difference. (The case events have
 * their own matrix in access-matrix.test.ts; people and accounts in test/people/accounts.)
 */

let t: TestApp;
let callers: Record<Caller, Record<string, string>>;
let caseId: string;
const CALLERS = ['anonymous', 'initiator', 'coordinator', 'finance', 'foreignAdmin', 'admin'] as const;
type Caller = (typeof CALLERS)[number];

beforeAll(async () => {
  t = await createTestApp();
  const token = async (programmeId: string, email: string, role: 'administrator' | 'finance') => {
    const user = await t.services.people.createUser({ programmeId, email, displayName: email, roles: [role] });
    return auth(t.services.people.createApiToken(user.id, 'test', FAR_FUTURE).token);
  };
  callers = {
    anonymous: {},
    initiator: auth(t.tokens.initiator),
    coordinator: auth(t.tokens['county-coordinator']),
    finance: await token(PROGRAMME, 'ekonom@test.satsa.se', 'finance'),
    foreignAdmin: await token(OTHER_PROGRAMME, 'annan.admin@test.satsa.se', 'administrator'),
    admin: auth(t.tokens.administrator),
  };
  caseId = await createCase(t, 'En insats som tjänar planen');
  // Documents the initiator added, for the withdrawals below (one per caller who may).
  for (let i = 0; i < 3; i++) {
    const body = multipart([{ name: 'file', fileName: `underlag-${i}.pdf`, bytes: Buffer.concat([PDF, Buffer.from(String(i))]) }]);
    await t.app.inject({
      method: 'POST',
      url: `/api/cases/${caseId}/documents`,
      headers: { ...auth(t.tokens.initiator), ...body.headers },
      payload: body.payload,
    });
  }
});

/** The case's first document, or the first current one the initiator added. */
const documentOf = (current: boolean) =>
  (
    t.services.db.$client
      .prepare(
        `SELECT id FROM case_documents WHERE case_id = ?${current ? ' AND withdrawn_at IS NULL AND replaced_by_id IS NULL AND added_by = ?' : ''} ORDER BY added_at, id LIMIT 1`,
      )
      .get(...(current ? [caseId, t.actors.initiator.id] : [caseId])) as { id: string }
  ).id;
/** Whoever may see the case: the initiator owns it; the programme's roles see every case. */
const caseReaders = (ok: number) => ({ anonymous: 401, initiator: ok, coordinator: ok, finance: ok, foreignAdmin: 404, admin: ok });
afterAll(async () => {
  await t.close();
});

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A function when the url names something made in beforeAll. */
  url: string | (() => string);
  /** Built anew for each call: a route may need the resource's current version. */
  request?: () => { payload?: object | Buffer; headers?: Record<string, string> };
  expected: Record<Caller, number>;
}

const settingsUrl = `/api/programmes/${PROGRAMME}/settings`;

/** The settings in force, as a change that changes nothing would send them. */
function unchangedSettings() {
  const current = t.services.programmes.current(PROGRAMME)!;
  const { id: _id, diaryPrefix: _prefix, ...settings } = current.config;
  return { payload: settings, headers: { 'if-match': `"${current.version}"` } };
}

const adminOnly = (ok: number) => ({ anonymous: 401, initiator: 403, coordinator: 403, finance: 403, foreignAdmin: 404, admin: ok });

const planUrl = `/api/programmes/${PROGRAMME}/plan`;
const seedPlan = JSON.parse(fs.readFileSync('test/fixtures/seed-004-plan.json', 'utf8')) as {
  document: { goals: { id: string }[]; indicators: { id: string }[]; assignments: { id: string }[] };
  adoption: object;
};
/** The draft as it is now (its counter as If-Match; "0" before there is one). */
function planDraft() {
  const counter =
    (
      t.services.db.$client.prepare("SELECT draft_counter AS n FROM plan_revisions WHERE status = 'draft'").get() as
        { n: number } | undefined
    )?.n ?? 0;
  return { headers: { 'if-match': `"${counter}"` } };
}
/** The plan's readers: every role of the programme but initiators. */
const planReaders = (ok: number) => ({ anonymous: 401, initiator: 403, coordinator: ok, finance: ok, foreignAdmin: 404, admin: ok });
/** Who records values, statuses and links: administrator, county coordinators, steering group. */
const planRecorders = (ok: number) => ({ anonymous: 401, initiator: 403, coordinator: ok, finance: 403, foreignAdmin: 404, admin: ok });

const htmlPage = () => ({ headers: { accept: 'text/html' } });

const importsUrl = `/api/programmes/${PROGRAMME}/imports/initiatives`;
const IMPORT_FILE =
  'Rubrik;Beskrivning;Fokusområde;Beslutsdatum;Beslutande organ;Beslutsreferens;Beviljat belopp\r\nA;B;Okänt;2025-01-01;R;S;1\r\n';

const PLAN_FILE =
  'Del;Planens namn;Antagen av;Beslutsreferens;Beslutsdatum;Nästa revidering;Mål;Inom antal år;Målår\r\nPlan;P;R;RF § 1;2021-01-01;2030-01-01;;;\r\nMål;;;;;;Färre;4;2025\r\n';

const ROUTES: Route[] = [
  // What waits for me: everyone logged in, each their own (another programme's people too).
  {
    method: 'GET',
    url: '/api/me/waiting',
    expected: { anonymous: 401, initiator: 200, coordinator: 200, finance: 200, foreignAdmin: 200, admin: 200 },
  },
  {
    method: 'GET',
    url: '/waiting',
    request: htmlPage,
    expected: { anonymous: 303, initiator: 200, coordinator: 200, finance: 200, foreignAdmin: 200, admin: 200 },
  },
  // A person's data: their own export for everyone logged in; another's (the initiator's here)
  // for the person themselves and their programme's administrator only; erasure for the
  // administrator, refused while the person's running case must be kept (409), never by oneself.
  {
    method: 'GET',
    url: '/api/me/data',
    expected: { anonymous: 401, initiator: 200, coordinator: 200, finance: 200, foreignAdmin: 200, admin: 200 },
  },
  {
    method: 'GET',
    url: () => `/api/people/${t.actors.initiator.id}/data`,
    expected: { anonymous: 401, initiator: 200, coordinator: 404, finance: 404, foreignAdmin: 404, admin: 200 },
  },
  {
    method: 'GET',
    url: () => `/api/people/${t.actors.initiator.id}/erasure`,
    expected: { anonymous: 401, initiator: 404, coordinator: 404, finance: 404, foreignAdmin: 404, admin: 200 },
  },
  {
    method: 'POST',
    url: () => `/api/people/${t.actors.initiator.id}/erasure`,
    request: () => ({ payload: { reason: 'Begäran om radering' } }),
    expected: { anonymous: 401, initiator: 403, coordinator: 404, finance: 404, foreignAdmin: 404, admin: 409 },
  },
  {
    method: 'GET',
    url: '/account/data',
    request: htmlPage,
    expected: { anonymous: 303, initiator: 200, coordinator: 200, finance: 200, foreignAdmin: 200, admin: 200 },
  },
  {
    method: 'GET',
    url: () => `/people/${t.actors.initiator.id}/data`,
    request: htmlPage,
    expected: { anonymous: 303, initiator: 200, coordinator: 404, finance: 404, foreignAdmin: 404, admin: 200 },
  },
  {
    method: 'GET',
    url: () => `/people/${t.actors.initiator.id}/erase`,
    request: htmlPage,
    expected: { anonymous: 303, initiator: 404, coordinator: 404, finance: 404, foreignAdmin: 404, admin: 200 },
  },
  // The accessibility statement: public.
  {
    method: 'GET',
    url: '/accessibility',
    request: htmlPage,
    expected: { anonymous: 200, initiator: 200, coordinator: 200, finance: 200, foreignAdmin: 200, admin: 200 },
  },
  // Documents on a case: whoever may see the case lists, adds and downloads; the one who added
  // it, a county coordinator or an administrator withdraws it.
  { method: 'GET', url: () => `/api/cases/${caseId}/documents`, expected: caseReaders(200) },
  {
    method: 'POST',
    url: () => `/api/cases/${caseId}/documents`,
    request: () => {
      const body = multipart([{ name: 'file', fileName: 'bilaga.pdf', bytes: PDF }]);
      return { payload: body.payload, headers: body.headers };
    },
    expected: caseReaders(201),
  },
  { method: 'GET', url: () => `/api/cases/${caseId}/documents/${documentOf(false)}/file`, expected: caseReaders(200) },
  // Their pages: the form that adds one, and the page that withdraws one (its warning and reason).
  { method: 'GET', url: () => `/cases/${caseId}/documents/new`, request: htmlPage, expected: { ...caseReaders(200), anonymous: 303 } },
  {
    method: 'GET',
    url: () => `/cases/${caseId}/documents/${documentOf(true)}/withdraw`,
    request: htmlPage,
    expected: { ...caseReaders(200), anonymous: 303, finance: 403 },
  },
  {
    method: 'POST',
    url: () => `/api/cases/${caseId}/documents/${documentOf(true)}/withdraw`,
    request: () => ({ payload: { reason: 'Fel fil' } }),
    expected: { ...caseReaders(200), finance: 403 },
  },
  // Imports from spreadsheets: the programme's administrator only (a dry run writes nothing).
  { method: 'GET', url: `${importsUrl}/template?format=csv`, expected: adminOnly(200) },
  { method: 'GET', url: `${importsUrl}/template?format=xlsx`, expected: adminOnly(200) },
  {
    method: 'POST',
    url: `${importsUrl}?dryRun=true`,
    request: () => ({ payload: IMPORT_FILE as unknown as object, headers: { 'content-type': 'text/csv' } }),
    expected: adminOnly(200),
  },
  {
    method: 'POST',
    url: `${importsUrl}?dryRun=false`,
    request: () => ({ payload: IMPORT_FILE as unknown as object, headers: { 'content-type': 'text/csv' } }),
    expected: adminOnly(422),
  },
  { method: 'GET', url: `/api/programmes/${PROGRAMME}/imports/plan/template?format=xlsx`, expected: adminOnly(200) },
  {
    method: 'POST',
    url: `/api/programmes/${PROGRAMME}/imports/plan?dryRun=true`,
    request: () => ({ payload: PLAN_FILE as unknown as object, headers: { 'content-type': 'text/csv' } }),
    expected: adminOnly(200),
  },
  // The import pages work in the page's programme: another programme's administrator reaches their own.
  { method: 'GET', url: '/programme/import', request: htmlPage, expected: { ...adminOnly(200), anonymous: 303, foreignAdmin: 200 } },
  // Delivery to the e-archive: the programme's administrator only (a running case's package is refused: 409).
  { method: 'GET', url: () => `/api/cases/${caseId}/archive-package`, expected: adminOnly(409) },
  { method: 'GET', url: `/api/programmes/${PROGRAMME}/archive-deliveries`, expected: adminOnly(200) },
  {
    method: 'POST',
    url: `/api/programmes/${PROGRAMME}/archive-deliveries`,
    request: () => ({ payload: { year: 2026 } }),
    expected: adminOnly(201),
  },
  { method: 'GET', url: '/programme/archive', request: htmlPage, expected: { ...adminOnly(200), anonymous: 303, foreignAdmin: 200 } },
  // A programme's settings and their versions.
  { method: 'GET', url: settingsUrl, expected: adminOnly(200) },
  { method: 'PUT', url: settingsUrl, request: unchangedSettings, expected: adminOnly(200) },
  { method: 'GET', url: `${settingsUrl}/versions`, expected: adminOnly(200) },
  { method: 'GET', url: `${settingsUrl}/versions/1`, expected: adminOnly(200) },
  // Their pages: the programme is the one the pages work in, so another programme's
  // administrator reaches their own programme's settings there, never this one's.
  ...['/programme/settings', '/programme/settings/names', '/programme/settings/versions', '/programme/settings/versions/1'].map(
    (url): Route => ({
      method: 'GET',
      url,
      request: () => ({ headers: { accept: 'text/html' } }),
      expected: { anonymous: 303, initiator: 403, coordinator: 403, finance: 403, foreignAdmin: 200, admin: 200 },
    }),
  ),
  // The versions of the process and the move of running cases to one: the programme's administrator.
  { method: 'GET', url: `/api/programmes/${PROGRAMME}/process-migrations`, expected: adminOnly(200) },
  { method: 'GET', url: `/api/programmes/${PROGRAMME}/process-migrations/4`, expected: adminOnly(200) },
  {
    method: 'POST',
    url: `/api/programmes/${PROGRAMME}/process-migrations`,
    // The case is on version 4 already: the administrator is told it cannot move, and nothing is written.
    request: () => ({ payload: { toVersion: 4, caseIds: [caseId] } }),
    expected: adminOnly(409),
  },
  // Its page works in the page's programme: another programme's administrator reaches their own.
  { method: 'GET', url: '/programme/process', request: htmlPage, expected: { ...adminOnly(200), anonymous: 303, foreignAdmin: 200 } },
  // The retention rules and their runs, a run now, and their page: the programme's administrator.
  { method: 'GET', url: `/api/programmes/${PROGRAMME}/retention`, expected: adminOnly(200) },
  { method: 'POST', url: `/api/programmes/${PROGRAMME}/retention/run`, expected: adminOnly(200) },
  ...['/programme/retention', '/programme/settings/retention', '/programme/settings/archive'].map((url): Route => ({
    method: 'GET',
    url,
    request: htmlPage,
    expected: { anonymous: 303, initiator: 403, coordinator: 403, finance: 403, foreignAdmin: 200, admin: 200 },
  })),
  // The programme's plan, in the order that makes each admin's call succeed: a draft, its
  // adoption, then what is recorded under the plan in force.
  { method: 'PUT', url: `${planUrl}/draft`, request: () => ({ ...planDraft(), payload: seedPlan.document }), expected: adminOnly(200) },
  { method: 'GET', url: `${planUrl}/draft`, expected: adminOnly(200) },
  // The plan's pages. The draft pages while a draft is under way; another programme's
  // administrator works in their own programme, which has no draft and no plan.
  ...['/plan/draft', '/plan/draft/title', '/plan/draft/goals', '/plan/draft/indicators', '/plan/draft/rows', '/plan/draft/assignments'].map(
    (url): Route => ({ method: 'GET', url, request: htmlPage, expected: { ...adminOnly(200), anonymous: 303, foreignAdmin: 200 } }),
  ),
  { method: 'GET', url: '/plan/draft/adopt', request: htmlPage, expected: { ...adminOnly(200), anonymous: 303, foreignAdmin: 404 } },
  {
    method: 'POST',
    url: `${planUrl}/draft/adopt`,
    request: () => ({ ...planDraft(), payload: seedPlan.adoption }),
    expected: adminOnly(200),
  },
  { method: 'GET', url: planUrl, expected: planReaders(200) },
  // The plan's pages once it is adopted: readers and recorders as over the API; another
  // programme's people see their own programme's (empty) plan.
  ...['/plan', '/plan/versions'].map((url): Route => ({
    method: 'GET',
    url,
    request: htmlPage,
    expected: { ...planReaders(200), anonymous: 303, foreignAdmin: 200 },
  })),
  ...['/plan/versions/1', '/plan/diff?from=1&to=1'].map((url): Route => ({
    method: 'GET',
    url,
    request: htmlPage,
    expected: { ...planReaders(200), anonymous: 303 },
  })),
  ...['/plan/indicators/utbildade-andel/value', '/plan/assignments/uppdrag-kartlaggning/status'].map((url): Route => ({
    method: 'GET',
    url,
    request: htmlPage,
    expected: { ...planRecorders(200), anonymous: 303 },
  })),

  // The multi-year report of the plan in force and the money: the programme's own roles, as its other reports.
  ...['json', 'csv', 'xlsx'].map((format): Route => ({
    method: 'GET',
    url: `/api/programmes/${PROGRAMME}/reports/multi-year?format=${format}`,
    expected: planReaders(200),
  })),
  { method: 'GET', url: `/api/programmes/${PROGRAMME}/reports/multi-year?format=html`, expected: planReaders(303) },
  {
    method: 'GET',
    url: `/programmes/${PROGRAMME}/reports/multi-year`,
    request: htmlPage,
    expected: { ...planReaders(200), anonymous: 303, foreignAdmin: 404 },
  },
  { method: 'GET', url: `${planUrl}/versions`, expected: planReaders(200) },
  { method: 'GET', url: `${planUrl}/versions/1`, expected: planReaders(200) },
  { method: 'GET', url: `${planUrl}/diff?from=1&to=1`, expected: planReaders(200) },
  {
    method: 'POST',
    url: `${planUrl}/indicators/utbildade-andel/values`,
    request: () => ({ payload: { year: 2026, value: 25 } }),
    expected: planRecorders(200),
  },
  {
    method: 'POST',
    url: `${planUrl}/assignments/uppdrag-kartlaggning/status`,
    request: () => ({ payload: { status: 'in-progress' } }),
    expected: planRecorders(200),
  },
  { method: 'GET', url: () => `/api/cases/${caseId}/plan-links`, expected: planReaders(200) },
  { method: 'GET', url: () => `/cases/${caseId}/plan`, request: htmlPage, expected: { ...planReaders(200), anonymous: 303 } },
  {
    method: 'POST',
    url: () => `/api/cases/${caseId}/plan-links`,
    request: () => ({ payload: { goalIds: ['mal-12-ar'] } }),
    expected: planRecorders(200),
  },
  {
    method: 'DELETE',
    url: () => `/api/cases/${caseId}/plan-links`,
    // Each allowed caller undoes a link it made first, so that each has one to undo.
    request: () => {
      t.services.plans.linkCase(t.actors.administrator, caseId, { goalIds: ['mal-12-ar'] });
      return { payload: { goalIds: ['mal-12-ar'] } };
    },
    expected: planRecorders(200),
  },
];

async function call(route: Route, headers: Record<string, string>): Promise<LightMyRequestResponse> {
  const extra = route.request?.() ?? {};
  const url = typeof route.url === 'string' ? route.url : route.url();
  return t.app.inject({ method: route.method, url, headers: { ...headers, ...extra.headers }, payload: extra.payload });
}

describe('who reaches the programme routes', () => {
  it('every caller kind gets exactly the expected answer from every route', async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const route of ROUTES) {
      for (const who of CALLERS) {
        const res = await call(route, callers[who]);
        const url = typeof route.url === 'string' ? route.url : route.url();
        got.push(`${route.method} ${url} as ${who}: ${res.statusCode}`);
        want.push(`${route.method} ${url} as ${who}: ${route.expected[who]}`);
      }
    }
    expect(got).toEqual(want);
    // What another programme's administrator sees on the settings page is their own programme.
    const ours = t.services.programmes.get(PROGRAMME)!;
    t.services.programmes.change({ ...ours, mailbox: 'bara.var@regionblekinge.se' }, t.actors.administrator.id, null);
    const page = await call(
      { method: 'GET', url: '/programme/settings', request: () => ({ headers: { accept: 'text/html' } }), expected: adminOnly(200) },
      callers.foreignAdmin,
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('bara.var@regionblekinge.se');
  });
});
