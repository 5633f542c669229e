import { afterAll, beforeAll, expect, it } from 'vitest';
import { EVENT_ROLES } from '../../machines/case/catalogue.js';
import { CASE_EVENT_TYPES, type CaseEventType } from '../../machines/case/schemas.js';
import { ROLES, type Role } from '../../machines/roles.js';
import { playStory } from '../../src/demo/seed.js';
import { DEMO_IDEA, FULL_STORY, storyUntilStep, type StoryStep } from '../../src/demo/story.js';
import type { Actor } from '../../src/people/service.js';
import { auth, createTestApp, OTHER_PROGRAMME, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * The complete access matrix of POST /api/cases/{id}/events: every role × every event type ×
 * three relations to the case, each sent to a case standing where the event is accepted, with a
 * valid payload. It proves that exactly the pairs the catalogue (EVENT_ROLES) allows succeed,
 * that a case the caller may not see answers 404 and a visible case with the wrong role 403,
 * and that every refused request leaves the case's version untouched.
 *
 *   own              the caller is a member of a case of their programme: the owner for
 *                    `initiator`, an added participant for the programme roles;
 *   others           a case of their programme they take no part in (for `initiator`, a second
 *                    initiator of the programme who owns nothing calls);
 *   other-programme  a case of another programme, carried to the same point by its own users.
 */

const RELATIONS = ['own', 'others', 'other-programme'] as const;

/** The events people send to a case (IMPORT_DECIDED comes only through the import: see below). */
const SENT_EVENT_TYPES = CASE_EVENT_TYPES.filter((type) => type !== 'IMPORT_DECIDED');
type Relation = (typeof RELATIONS)[number];

/** The outcome the process prescribes, from the catalogue and the relation alone. */
function expectedStatus(type: CaseEventType, role: Role, relation: Relation): 200 | 403 | 404 {
  if (relation === 'other-programme') return 404; // another programme's cases do not exist for the caller
  if (relation === 'others' && role === 'initiator') return 404; // an initiator sees only the cases she is part of
  return EVENT_ROLES[type].includes(role) ? 200 : 403; // programme roles see every case of their programme
}

/** The story up to an event's first occurrence, and the payload it is sent with there. */
function scenario(type: CaseEventType, newcomerId: string): { before: StoryStep[]; payload: unknown } {
  const upTo = (t: CaseEventType) => {
    const i = FULL_STORY.findIndex((s) => s.type === t);
    if (i < 0) throw new Error(`${t} is not in FULL_STORY`);
    return FULL_STORY.slice(0, i);
  };
  const reason = 'Skäl som testet anger.';
  switch (type) {
    case 'ADD_PARTICIPANT':
      return { before: [], payload: { userId: newcomerId } };
    case 'WITHDRAW':
      return { before: upTo('BOOK_DIALOGUE_FORUM'), payload: { reason } };
    case 'ASSESS_NOT_ELIGIBLE':
      return { before: upTo('ASSESS_ELIGIBLE'), payload: { reason } };
    case 'SKIP_TARGET_GROUP_DIALOGUE':
      return { before: upTo('RECORD_TARGET_GROUP_DIALOGUE'), payload: { reason } };
    default:
      return { before: upTo(type), payload: FULL_STORY.find((s) => s.type === type)!.payload };
  }
}

interface World {
  programmeId: string;
  actors: Record<Role, Actor>;
  /** Steps played on every new case before the scenario's own (making the callers members). */
  preamble: StoryStep[];
  /** A user of the programme who is in no case: the one ADD_PARTICIPANT adds. */
  newcomer: Actor;
  token: (role: Role) => string;
}

let t: TestApp;
const worlds = {} as Record<Relation, World>;

const versionOf = (caseId: string) =>
  (t.services.db.$client.prepare('SELECT version FROM cases WHERE id = ?').get(caseId) as { version: number }).version;

function freshCase(w: World, before: StoryStep[], type?: CaseEventType): string {
  const idea = { title: DEMO_IDEA.title, summary: DEMO_IDEA.summary };
  // From machine version 4 raising an idea sends it: only a case of an earlier version still takes CONTACT_COORDINATORS.
  const id =
    type === 'CONTACT_COORDINATORS'
      ? t.services.engine.create(w.actors.initiator, w.programmeId, idea, 2).id
      : t.services.cases.create(w.actors.initiator, idea, 'sv').id;
  playStory(t.services, id, [...w.preamble, ...before], w.actors);
  return id;
}

beforeAll(async () => {
  t = await createTestApp();
  const user = (programmeId: string, name: string, role: Role) =>
    t.services.people.createUser({ programmeId, email: `${name}@matrix.test.satsa.se`, displayName: name, roles: [role] });
  const foreign = {} as Record<Role, Actor>;
  for (const role of ROLES) foreign[role] = await user(OTHER_PROGRAMME, `other-${role}`, role);
  const newcomer = await user(PROGRAMME, 'newcomer', 'initiator');

  const joinAsParticipants: StoryStep[] = ROLES.filter((r) => r !== 'initiator').map(
    (r) => ({ type: 'ADD_PARTICIPANT', role: 'initiator', payload: { userId: t.actors[r].id } }) as StoryStep,
  );
  worlds.own = { programmeId: PROGRAMME, actors: t.actors, preamble: joinAsParticipants, newcomer, token: (r) => t.tokens[r] };
  worlds.others = {
    programmeId: PROGRAMME,
    actors: t.actors,
    preamble: [],
    newcomer,
    token: (r) => (r === 'initiator' ? t.otherInitiator.token : t.tokens[r]),
  };
  worlds['other-programme'] = {
    programmeId: OTHER_PROGRAMME,
    actors: foreign,
    preamble: [],
    newcomer: await user(OTHER_PROGRAMME, 'other-newcomer', 'initiator'),
    token: (r) => t.tokens[r],
  };
});
afterAll(async () => t?.close());

it('every role × event × relation gets exactly what the process allows, and refusals change nothing', async () => {
  const mismatches: string[] = [];
  let pairs = 0;
  for (const type of SENT_EVENT_TYPES) {
    for (const relation of RELATIONS) {
      const w = worlds[relation];
      const { before, payload } = scenario(type, w.newcomer.id);
      let caseId: string | undefined;
      for (const role of ROLES) {
        caseId ??= freshCase(w, before, type); // a success moves the case on, so the next caller gets a new one
        const version = versionOf(caseId);
        const res = await t.app.inject({
          method: 'POST',
          url: `/api/cases/${caseId}/events`,
          headers: { ...auth(w.token(role)), 'if-match': `"${version}"` },
          payload: { type, payload },
        });
        pairs++;
        const expected = expectedStatus(type, role, relation);
        const succeeded = res.statusCode >= 200 && res.statusCode < 300;
        const after = versionOf(caseId);
        const problems: string[] = [];
        if (expected === 200 ? !succeeded : res.statusCode !== expected) {
          const code = succeeded ? '' : ` ${(res.json() as { code?: string }).code}`;
          problems.push(`expected ${expected}, got ${res.statusCode}${code}`);
        }
        if (after !== (succeeded ? version + 1 : version)) problems.push(`version ${version} → ${after}`);
        if (problems.length > 0) mismatches.push(`${type} × ${role} × ${relation}: ${problems.join('; ')}`);
        if (after !== version) caseId = undefined;
      }
    }
  }
  expect(mismatches).toEqual([]);
  expect(pairs).toBe(ROLES.length * SENT_EVENT_TYPES.length * RELATIONS.length);
}, 120_000);

/*
 * IMPORT_DECIDED enters only through the import of decided initiatives (engine.importCase,
 * /api/programmes/{id}/imports/initiatives; route-access.test.ts has who reaches it): sent as an
 * event it is refused for every role, the administrator's too, and changes nothing.
 */
it('IMPORT_DECIDED cannot be sent as an event, by anyone', async () => {
  const w = worlds.own;
  const caseId = freshCase(w, []);
  const version = versionOf(caseId);
  const got = [];
  for (const role of ROLES) {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${caseId}/events`,
      headers: { ...auth(w.token(role)), 'if-match': `"${version}"` },
      payload: { type: 'IMPORT_DECIDED', payload: {} },
    });
    got.push(`${role}: ${res.statusCode}`);
  }
  expect(got).toEqual(ROLES.map((role) => `${role}: ${EVENT_ROLES.IMPORT_DECIDED.includes(role) ? 409 : 403}`));
  expect(versionOf(caseId)).toBe(version);
});

/*
 * The money routes (src/routes/api/money.ts) for every role × relation: a programme's pools are
 * its administrators' to change and its own roles' to read; a case's money is recorded by the
 * county coordinators and finance and read by whoever sees the case. Another programme's pool or
 * case does not exist for the caller; a role that nowhere may do a thing is refused outright.
 */
it('every role × money route × relation gets exactly what the access rules allow, and refusals write nothing', async () => {
  const sqlite = t.services.db.$client;
  const poolOf = (programmeId: string, year: number) =>
    (
      sqlite.prepare("SELECT id FROM grant_pools WHERE programme_id = ? AND year = ? AND kind = 'state'").get(programmeId, year) as {
        id: string;
      }
    ).id;
  const written = () =>
    ['grant_movements', 'pool_adjustments', 'pool_distributions', 'audit_log']
      .map((table) => (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n)
      .join(',');
  const approved = {
    own: freshCase(worlds.own, storyUntilStep(10)),
    'other-programme': freshCase(worlds['other-programme'], storyUntilStep(10)),
  };
  const caseOf = (relation: Relation) => (relation === 'other-programme' ? approved['other-programme'] : approved.own);
  const programmeOf = (relation: Relation) => (relation === 'other-programme' ? OTHER_PROGRAMME : PROGRAMME);

  const seesAll = (role: Role) => role !== 'initiator';
  const keeper = (role: Role) => role === 'county-coordinator' || role === 'finance';
  const movement = { year: 2026, amountOre: 1, date: '2026-07-01', motivation: 'Prov i matrisen.' };
  const routes: {
    method: 'GET' | 'POST';
    url: (relation: Relation) => string;
    payload?: object;
    relations: readonly Relation[];
    expected: (role: Role, relation: Relation) => number;
  }[] = [
    {
      method: 'GET',
      url: (r) => `/api/programmes/${programmeOf(r)}/pools/${poolOf(programmeOf(r), 2026)}`,
      relations: ['own', 'other-programme'],
      expected: (role, r) => (r === 'other-programme' ? 404 : seesAll(role) ? 200 : 403),
    },
    ...[
      ['corrections', { amountOre: 1, motivation: 'Prov i matrisen.' }],
      [
        'distributions',
        { decidedBy: 'Chefsgruppen', decisionDate: '2026-01-29', reference: '§ 1', lines: [{ scope: 'county', amountOre: 1 }] },
      ],
    ].map(([path, payload]) => ({
      method: 'POST' as const,
      url: (r: Relation) => `/api/programmes/${programmeOf(r)}/pools/${poolOf(programmeOf(r), 2026)}/${path as string}`,
      payload: payload as object,
      relations: ['own', 'other-programme'] as const,
      expected: (role: Role, r: Relation) => (role !== 'administrator' ? 403 : r === 'other-programme' ? 404 : 201),
    })),
    {
      method: 'POST',
      url: (r) => `/api/programmes/${programmeOf(r)}/carry-overs`,
      payload: { fromYear: 2025, amountOre: 1, reference: 'RS 1', motivation: 'Prov i matrisen.' },
      relations: ['own', 'other-programme'],
      expected: (role, r) => (role !== 'administrator' ? 403 : r === 'other-programme' ? 404 : 201),
    },
    {
      method: 'GET',
      url: (r) => `/api/cases/${caseOf(r)}/money`,
      relations: RELATIONS,
      expected: (role, r) => (r === 'other-programme' || (r === 'others' && !seesAll(role)) ? 404 : 200),
    },
    ...['payments', 'repayments', 'releases'].map((path) => ({
      method: 'POST' as const,
      url: (r: Relation) => `/api/cases/${caseOf(r)}/${path}`,
      payload: movement,
      relations: RELATIONS,
      expected: (role: Role, r: Relation) => (!keeper(role) ? 403 : r === 'other-programme' ? 404 : 201),
    })),
  ];

  const mismatches: string[] = [];
  for (const route of routes) {
    for (const relation of route.relations) {
      for (const role of ROLES) {
        const url = route.url(relation);
        const before = written();
        const res = await t.app.inject({ method: route.method, url, headers: auth(worlds[relation].token(role)), payload: route.payload });
        const expected = route.expected(role, relation);
        const problems: string[] = [];
        if (res.statusCode !== expected) problems.push(`expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (res.statusCode >= 400 && written() !== before) problems.push('a refusal wrote something');
        if (problems.length > 0) mismatches.push(`${route.method} ${url} × ${role} × ${relation}: ${problems.join('; ')}`);
      }
    }
  }
  expect(mismatches).toEqual([]);
}, 120_000);
/**
 * The report routes, API and pages: every role of the programme, the same role asking about
 * another programme, and no one. Reports are for the programme's own roles, not initiators;
 * the public export is for anyone.
 */
it('every role × the report routes × own programme, another programme and no one gets exactly what it should', async () => {
  const api = (programme: string, format: string) => `/api/programmes/${programme}/reports/2026?format=${format}`;
  const routes: { url: (programme: string) => string; page: boolean; ok: number }[] = [
    ...['json', 'csv', 'xlsx'].map((format) => ({ url: (p: string) => api(p, format), page: false, ok: 200 })),
    { url: (p) => api(p, 'html'), page: false, ok: 303 },
    { url: (p) => `/programmes/${p}/reports/2026`, page: true, ok: 200 },
    { url: (p) => `/programmes/${p}/reports`, page: true, ok: 200 },
    // The multi-year report: its JSON, CSV, workbook, the way to its page, and the page with its charts.
    ...['json', 'csv', 'xlsx'].map((format) => ({
      url: (p: string) => `/api/programmes/${p}/reports/multi-year?format=${format}`,
      page: false,
      ok: 200,
    })),
    { url: (p) => `/api/programmes/${p}/reports/multi-year?format=html`, page: false, ok: 303 },
    { url: (p) => `/programmes/${p}/reports/multi-year`, page: true, ok: 200 },
  ];
  const mismatches: string[] = [];
  const check = async (url: string, headers: Record<string, string>, expected: number, who: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers: { ...headers, accept: 'text/html' } });
    if (res.statusCode !== expected) mismatches.push(`${url} × ${who}: expected ${expected}, got ${res.statusCode}`);
  };
  for (const route of routes) {
    for (const role of ROLES) {
      await check(route.url(PROGRAMME), auth(t.tokens[role]), role === 'initiator' ? 403 : route.ok, role);
      await check(route.url(OTHER_PROGRAMME), auth(t.tokens[role]), 404, `${role} of another programme`);
    }
    // No one: the API asks for credentials, a page for a log-in.
    await check(route.url(PROGRAMME), {}, route.page ? 303 : 401, 'no one');
  }
  for (const role of ROLES) await check(`/api/public/programmes/${PROGRAMME}/initiatives?format=csv`, auth(t.tokens[role]), 200, role);
  await check(`/api/public/programmes/${PROGRAMME}/initiatives`, {}, 200, 'no one');
  await check(`/api/public/programmes/no-such-programme/initiatives`, {}, 404, 'no one');
  expect(mismatches).toEqual([]);
}, 60_000);

/*
 * The conversation routes (src/routes/api/conversation.ts) for every role × relation: whoever
 * sees a case reads and writes its shared comments, follows it and sees its guests; internal
 * comments are the programme's staff's; guests are invited by its county coordinators and
 * administrators. Another programme's case, and a case an initiator takes no part in, do not
 * exist for the caller; a refusal writes nothing.
 */
it('every role × conversation route × relation gets exactly what the access rules allow, and refusals write nothing', async () => {
  const sqlite = t.services.db.$client;
  const written = () =>
    ['case_comments', 'case_follows', 'case_events', 'outbox', 'audit_log', 'one_time_links']
      .map((table) => (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n)
      .join(',');
  const cases = {
    own: freshCase(worlds.own, storyUntilStep(3)),
    others: freshCase(worlds.others, storyUntilStep(3)),
    'other-programme': freshCase(worlds['other-programme'], storyUntilStep(3)),
  };
  const seesAll = (role: Role) => role !== 'initiator';
  const sees = (role: Role, r: Relation) => r !== 'other-programme' && (r === 'own' || seesAll(role));
  let n = 0;
  const routes: {
    method: 'GET' | 'POST' | 'PUT';
    path: string;
    payload?: () => object;
    expected: (role: Role, relation: Relation) => number;
  }[] = [
    { method: 'GET', path: 'comments', expected: (role, r) => (sees(role, r) ? 200 : 404) },
    {
      method: 'POST',
      path: 'comments',
      payload: () => ({ body: 'Ett delat meddelande i matrisen.', visibility: 'shared' }),
      expected: (role, r) => (sees(role, r) ? 201 : 404),
    },
    {
      method: 'POST',
      path: 'comments',
      payload: () => ({ body: 'Ett internt meddelande i matrisen.', visibility: 'internal' }),
      expected: (role, r) => (!sees(role, r) ? 404 : seesAll(role) ? 201 : 403),
    },
    { method: 'GET', path: 'following', expected: (role, r) => (sees(role, r) ? 200 : 404) },
    { method: 'PUT', path: 'following', payload: () => ({ following: true }), expected: (role, r) => (sees(role, r) ? 200 : 404) },
    { method: 'GET', path: 'guests', expected: (role, r) => (sees(role, r) ? 200 : 404) },
    {
      method: 'POST',
      path: 'guests',
      payload: () => ({ email: `gast-${++n}@matris.example`, organisation: 'Matrisen' }),
      expected: (role, r) => (!sees(role, r) ? 404 : role === 'county-coordinator' || role === 'administrator' ? 202 : 403),
    },
  ];
  const mismatches: string[] = [];
  for (const route of routes) {
    for (const relation of RELATIONS) {
      for (const role of ROLES) {
        const url = `/api/cases/${cases[relation]}/${route.path}`;
        const before = written();
        const res = await t.app.inject({
          method: route.method,
          url,
          headers: auth(worlds[relation].token(role)),
          payload: route.payload?.(),
          remoteAddress: `10.0.${ROLES.indexOf(role)}.${RELATIONS.indexOf(relation) + 1}`,
        });
        const expected = route.expected(role, relation);
        const problems: string[] = [];
        if (res.statusCode !== expected) problems.push(`expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (res.statusCode >= 400 && written() !== before) problems.push('a refusal wrote something');
        if (problems.length > 0) mismatches.push(`${route.method} ${url} × ${role} × ${relation}: ${problems.join('; ')}`);
      }
    }
  }
  expect(mismatches).toEqual([]);
}, 120_000);

/*
 * The proposal's question pages (src/routes/pages/proposal.ts) for every role × relation, on a
 * case where the proposal is written: whoever may send UPDATE_PROPOSAL reaches them and keeps a
 * draft of their own; anyone else who sees the case is refused, and a case one cannot see does
 * not exist. A refusal writes nothing, and no page here changes the case.
 */
it('every role × proposal page × relation gets exactly what the access rules allow, and refusals write nothing', async () => {
  const sqlite = t.services.db.$client;
  const written = () =>
    ['case_drafts', 'case_events', 'outbox', 'audit_log']
      .map((table) => (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n)
      .join(',');
  const cases = {
    own: freshCase(worlds.own, storyUntilStep(8)),
    others: freshCase(worlds.others, storyUntilStep(8)),
    'other-programme': freshCase(worlds['other-programme'], storyUntilStep(8)),
  };
  const sees = (role: Role, r: Relation) => r !== 'other-programme' && (r === 'own' || role !== 'initiator');
  const writes = (role: Role) => EVENT_ROLES.UPDATE_PROPOSAL.includes(role);
  const routes: { method: 'GET' | 'POST'; path: string; payload?: string; ok: number }[] = [
    { method: 'GET', path: 'proposal', ok: 200 },
    { method: 'GET', path: 'proposal/purpose', ok: 200 },
    { method: 'GET', path: 'proposal/check', ok: 200 },
    { method: 'POST', path: 'proposal/purpose', payload: 'purpose=Ett+syfte+i+matrisen.', ok: 303 },
    { method: 'POST', path: 'proposal/restart', ok: 303 },
    { method: 'POST', path: 'proposal/discard', ok: 303 },
  ];
  const mismatches: string[] = [];
  for (const route of routes) {
    for (const relation of RELATIONS) {
      for (const role of ROLES) {
        const url = `/cases/${cases[relation]}/${route.path}`;
        const before = written();
        const version = versionOf(cases[relation]);
        const res = await t.app.inject({
          method: route.method,
          url,
          headers: {
            ...auth(worlds[relation].token(role)),
            accept: 'text/html',
            ...(route.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          },
          payload: route.method === 'POST' ? (route.payload ?? '') : undefined,
        });
        const expected = !sees(role, relation) ? 404 : !writes(role) ? 403 : route.ok;
        const problems: string[] = [];
        if (res.statusCode !== expected) problems.push(`expected ${expected}, got ${res.statusCode}`);
        if (res.statusCode >= 400 && written() !== before) problems.push('a refusal wrote something');
        if (versionOf(cases[relation]) !== version) problems.push('the case changed');
        if (problems.length > 0) mismatches.push(`${route.method} ${url} × ${role} × ${relation}: ${problems.join('; ')}`);
      }
    }
  }
  expect(mismatches).toEqual([]);
}, 120_000);

/*
 * The e-archive routes (src/routes/api/archive.ts, src/routes/pages/archive.ts) for every role ×
 * relation: only the programme's administrator makes packages and deliveries and reads what was
 * delivered; another programme's case does not exist for the caller; no one is asked to log in.
 * A refusal writes nothing.
 */
it('every role × archive route × relation gets exactly what the access rules allow, and refusals write nothing', async () => {
  const sqlite = t.services.db.$client;
  const written = () =>
    ['archive_deliveries', 'case_events']
      .map((table) => (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n)
      .join(',');
  const closedIn = (r: Relation) => freshCase(worlds[r], FULL_STORY);
  const cases = { own: closedIn('own'), others: closedIn('others'), 'other-programme': closedIn('other-programme') };
  const programmeOf = (r: Relation) => worlds[r].programmeId;
  const routes: { method: 'GET' | 'POST'; url: (r: Relation) => string; payload?: (r: Relation) => object; page?: boolean }[] = [
    { method: 'GET', url: (r) => `/api/cases/${cases[r]}/archive-package` },
    { method: 'GET', url: (r) => `/api/programmes/${programmeOf(r)}/archive-deliveries` },
    { method: 'POST', url: (r) => `/api/programmes/${programmeOf(r)}/archive-deliveries`, payload: (r) => ({ caseIds: [cases[r]] }) },
    { method: 'GET', url: () => '/programme/archive', page: true },
  ];
  const mismatches: string[] = [];
  const check = (what: string, got: number, want: number) => {
    if (got !== want) mismatches.push(`${what}: expected ${want}, got ${got}`);
  };
  for (const route of routes) {
    for (const relation of RELATIONS) {
      for (const role of ROLES) {
        const before = written();
        const res = await t.app.inject({
          method: route.method,
          url: route.url(relation),
          headers: { ...auth(worlds[relation].token(role)), ...(route.page ? { accept: 'text/html' } : {}) },
          payload: route.payload?.(relation),
        });
        // The page works in the caller's own programme; through the API another programme (and its case) does not exist.
        const want =
          relation === 'other-programme' && !route.page ? 404 : role !== 'administrator' ? 403 : route.method === 'POST' ? 201 : 200;
        check(`${route.method} ${route.url(relation)} × ${role} × ${relation}`, res.statusCode, want);
        if (res.statusCode >= 400 && written() !== before)
          mismatches.push(`${route.method} ${route.url(relation)} × ${role} × ${relation} wrote`);
      }
    }
    const anonymous = await t.app.inject({
      method: route.method,
      url: route.url('own'),
      headers: route.page ? { accept: 'text/html' } : {},
    });
    check(`${route.method} ${route.url('own')} × no one`, anonymous.statusCode, route.page ? 303 : 401);
  }
  expect(mismatches).toEqual([]);
}, 120_000);

/*
 * The versions of the process and the move of running cases (src/routes/api/process-migrations.ts)
 * for every role × own programme and another: only the programme's administrators; another
 * programme does not exist for the caller; a refusal writes nothing.
 */
it('every role × process-migration route × programme gets exactly what the access rules allow, and refusals write nothing', async () => {
  const sqlite = t.services.db.$client;
  const written = () =>
    ['case_events', 'audit_log'].map((table) => (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n).join(',');
  const own = freshCase(worlds.own, storyUntilStep(3));
  const routes = [
    { method: 'GET' as const, url: (p: string) => `/api/programmes/${p}/process-migrations`, ok: 200 },
    { method: 'GET' as const, url: (p: string) => `/api/programmes/${p}/process-migrations/4`, ok: 200 },
    // The case is on version 4 already: the administrator hears that it cannot move.
    {
      method: 'POST' as const,
      url: (p: string) => `/api/programmes/${p}/process-migrations`,
      payload: { toVersion: 4, caseIds: [own] },
      ok: 409,
    },
  ];
  const mismatches: string[] = [];
  for (const route of routes) {
    for (const relation of ['own', 'other-programme'] as const) {
      const programmeId = relation === 'own' ? PROGRAMME : OTHER_PROGRAMME;
      for (const role of ROLES) {
        const before = written();
        const res = await t.app.inject({
          method: route.method,
          url: route.url(programmeId),
          headers: auth(worlds.own.token(role)),
          payload: route.payload,
        });
        const expected = relation === 'other-programme' ? 404 : role === 'administrator' ? route.ok : 403;
        const problems: string[] = [];
        if (res.statusCode !== expected) problems.push(`expected ${expected}, got ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (res.statusCode >= 400 && written() !== before) problems.push('a refusal wrote something');
        if (problems.length > 0)
          mismatches.push(`${route.method} ${route.url(programmeId)} × ${role} × ${relation}: ${problems.join('; ')}`);
      }
    }
  }
  expect(mismatches).toEqual([]);
}, 60_000);
