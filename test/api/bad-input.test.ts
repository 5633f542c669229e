import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { t as translate } from '../../src/i18n/index.js';
import {
  FAR_FUTURE,
  refusalRecords,
  advance,
  auth,
  createCase,
  createCaseOnVersion,
  createTestApp,
  tableCounts,
  type TestApp,
} from '../helpers.js';
import { EMPTY_PROPOSAL_UNMET, BLEKINGE_CRITERIA } from '../expected.js';

/*
 * Bad input on every route. Every rejection must be problem+json with a stable code, a
 * title and the status, and must leave the database exactly as it was. Nothing is a 500.
 */

let t: TestApp;
/** Every response this file received, to show at the end that none was a 5xx. */
const seen: { what: string; status: number }[] = [];

let atStep1: string;
let atStep2: string;
let atStep3: string;
let atStep5: string;
let atStep8: string;
let done: string;
let dualToken: string;

const ANSWERS = (FULL_STORY.find((s) => s.type === 'SUBMIT_IDEA_TEMPLATE')!.payload as { answers: Record<string, unknown> }).answers;
const ELIGIBLE = FULL_STORY.find((s) => s.type === 'ASSESS_ELIGIBLE')!.payload;
const MiB = 1024 * 1024;

beforeAll(async () => {
  t = await createTestApp();
  // Only a case raised before machine version 4 stands at step 1 (version 4 sends the idea at once).
  atStep1 = createCaseOnVersion(t, 2, 'Steg 1');
  atStep2 = await createCase(t, 'Steg 2');
  advance(t, atStep2, storyUntilStep(2));
  atStep3 = await createCase(t, 'Steg 3');
  advance(t, atStep3, storyUntilStep(3));
  atStep5 = await createCase(t, 'Steg 5');
  advance(t, atStep5, storyUntilStep(5));
  atStep8 = await createCase(t, 'Steg 8');
  advance(t, atStep8, storyUntilStep(8));
  done = await createCase(t, 'Klart');
  advance(t, done, FULL_STORY);
  const dual = await t.services.people.createUser({
    programmeId: 'uph-blekinge',
    email: 'dual@test.satsa.se',
    displayName: 'Both initiator and coordinator',
    roles: ['initiator', 'county-coordinator'],
  });
  dualToken = t.services.people.createApiToken(dual.id, 'test', FAR_FUTURE).token;
});
afterAll(async () => t.close());

async function inject(req: InjectOptions): Promise<LightMyRequestResponse> {
  const res = await t.app.inject(req);
  seen.push({ what: `${req.method} ${req.url}`, status: res.statusCode });
  return res;
}

/** Everything in the database except api_tokens.last_used_at, which every bearer request touches. */
function dump() {
  const sqlite = t.services.db.$client;
  const all = (sql: string) => sqlite.prepare(sql).all();
  return {
    counts: tableCounts(t),
    cases: all('SELECT * FROM cases ORDER BY id'),
    events: all('SELECT * FROM case_events ORDER BY id'),
    members: all('SELECT * FROM case_members ORDER BY case_id, user_id'),
    idempotency: all('SELECT * FROM idempotency_keys ORDER BY user_id, key'),
    sessions: all('SELECT * FROM sessions ORDER BY id'),
    users: all('SELECT * FROM users ORDER BY id'),
    roles: all('SELECT * FROM memberships ORDER BY user_id, programme_id, role'),
    tokens: all('SELECT id, user_id, token_hash, revoked_at FROM api_tokens ORDER BY id'),
    diary: all('SELECT * FROM diary_counters ORDER BY programme_id, year'),
    programmes: all('SELECT * FROM programmes ORDER BY id'),
    outbox: all('SELECT * FROM outbox ORDER BY id'),
    pools: all('SELECT * FROM grant_pools ORDER BY id'),
    commitments: all('SELECT * FROM commitments ORDER BY id'),
    timers: all('SELECT * FROM timers ORDER BY id'),
  };
}

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: { path: string; message: string }[];
  unmet?: { id: string; subject?: string; label: string }[];
  [key: string]: unknown;
}

/** Sends `req`, expects the problem `status`/`code`, and that nothing in the database changed. */
async function expectRejected(req: InjectOptions, status: number, code: string): Promise<ProblemBody> {
  const before = dump();
  const res = await inject(req);
  expect(res.statusCode, `${req.method} ${req.url}: ${res.body.slice(0, 500)}`).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as ProblemBody;
  expect(body).toMatchObject({ code, status, type: `https://satsa.se/problems/${code}` });
  expect(typeof body.title).toBe('string');
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.instance).toBe(String(req.url).split('?')[0]);
  expect(dump()).toEqual(before);
  return body;
}

const paths = (body: ProblemBody) => (body.errors ?? []).map((e) => e.path);

const event = (
  caseId: string,
  token: string,
  body: unknown,
  ifMatch: string | undefined,
  extra: Record<string, string> = {},
): InjectOptions => ({
  method: 'POST',
  url: `/api/cases/${caseId}/events`,
  headers: { ...auth(token), ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }), ...extra },
  payload: body as InjectOptions['payload'],
});

const raw = (url: string, payload: string, headers: Record<string, string>, contentType = 'application/json'): InjectOptions => ({
  method: 'POST',
  url,
  headers: { ...headers, 'content-type': contentType },
  payload,
});

const version = (caseId: string) =>
  (t.services.db.$client.prepare('SELECT version FROM cases WHERE id = ?').get(caseId) as { version: number }).version;
const etag = (caseId: string) => `"${version(caseId)}"`;

describe('malformed JSON → 400 malformed-request', () => {
  it('on POST /api/cases', async () => {
    await expectRejected(raw('/api/cases', '{"title": "Idé", ', auth(t.tokens.initiator)), 400, 'malformed-request');
  });

  it('on POST /api/cases/{id}/events', async () => {
    await expectRejected(
      raw(`/api/cases/${atStep1}/events`, '{"type": CONTACT_COORDINATORS}', { ...auth(t.tokens.initiator), 'if-match': etag(atStep1) }),
      400,
      'malformed-request',
    );
  });

  it('on POST /api/session', async () => {
    await expectRejected(raw('/api/session', "{'email': 'a@b.se'}", {}), 400, 'malformed-request');
  });

  it('an empty body declared as JSON', async () => {
    await expectRejected(raw('/api/cases', '', auth(t.tokens.initiator)), 400, 'malformed-request');
  });

  it('a body with a __proto__ key', async () => {
    await expectRejected(
      raw('/api/cases', '{"__proto__": {"admin": true}, "title": "a", "summary": "b"}', auth(t.tokens.initiator)),
      400,
      'malformed-request',
    );
  });
});

describe('wrong types → 422 validation-failed listing every failing field', () => {
  it('POST /api/cases with a number title and a boolean summary', async () => {
    const body = await expectRejected(
      { method: 'POST', url: '/api/cases', headers: auth(t.tokens.initiator), payload: { title: 5, summary: false } },
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(['body.title', 'body.summary']);
    for (const e of body.errors!) expect(e.message.length).toBeGreaterThan(0);
  });

  it('POST /api/cases with a blank title and a summary over 10 000 characters', async () => {
    const body = await expectRejected(
      { method: 'POST', url: '/api/cases', headers: auth(t.tokens.initiator), payload: { title: '   ', summary: 'x'.repeat(10_001) } },
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(['body.title', 'body.summary']);
  });

  it('POST /api/cases with a body that is not an object', async () => {
    for (const payload of ['[]', 'null', '"idé"', '42']) {
      const body = await expectRejected(raw('/api/cases', payload, auth(t.tokens.initiator)), 422, 'validation-failed');
      expect(paths(body)).toEqual(['body']);
    }
  });

  it('POST /api/session with a number e-mail and an array password', async () => {
    const body = await expectRejected(
      { method: 'POST', url: '/api/session', payload: { email: 5, password: ['a'] } },
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(['body.email', 'body.password']);
  });

  it('an event whose type is a number and whose role is unknown', async () => {
    const body = await expectRejected(
      event(atStep1, t.tokens.initiator, { type: 5, payload: {}, role: 'king' }, etag(atStep1)),
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(['type', 'role']);
  });

  it('an event body that is not an object', async () => {
    for (const payload of ['[]', 'null', '"CONTACT_COORDINATORS"']) {
      const body = await expectRejected(
        raw(`/api/cases/${atStep1}/events`, payload, { ...auth(t.tokens.initiator), 'if-match': etag(atStep1) }),
        422,
        'validation-failed',
      );
      expect(paths(body)).toEqual(['(root)']);
    }
  });

  it('a message that is a number', async () => {
    const body = await expectRejected(
      event(atStep1, t.tokens.initiator, { type: 'CONTACT_COORDINATORS', payload: { message: 5 } }, etag(atStep1)),
      422,
      'validation-failed',
    );
    expect(body.errors).toEqual([{ path: 'payload.message', message: expect.stringMatching(/string/) }]);
  });

  it('an eligibility assessment with a malformed priority area and a numeric justification', async () => {
    const body = await expectRejected(
      event(
        atStep2,
        t.tokens['county-coordinator'],
        { type: 'ASSESS_ELIGIBLE', payload: { priorityAreaId: 'Barn och unga', justification: 42 } },
        etag(atStep2),
      ),
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(['payload.priorityAreaId', 'payload.justification']);
  });

  it('a dialogue forum record with errors deep inside the attendance list', async () => {
    const body = await expectRejected(
      event(
        atStep5,
        t.tokens['county-coordinator'],
        {
          type: 'RECORD_DIALOGUE_FORUM',
          payload: {
            date: '10 mars 2026',
            attendance: [
              { role: 'idea-owner', present: true },
              { role: 'mayor', present: 'yes' },
            ],
            summary: '',
          },
        },
        etag(atStep5),
      ),
      422,
      'validation-failed',
    );
    expect(paths(body).sort()).toEqual(
      ['payload.date', 'payload.attendance.1.role', 'payload.attendance.1.present', 'payload.summary'].sort(),
    );
  });

  it('a proposal update with a bad goal list and a bad budget line', async () => {
    const body = await expectRejected(
      event(
        atStep8,
        t.tokens.initiator,
        {
          type: 'UPDATE_PROPOSAL',
          payload: { goals: 'Fler i arbete', budget: [{ year: 1999, costType: '', amountOre: -1 }] },
        },
        etag(atStep8),
      ),
      422,
      'validation-failed',
    );
    expect(paths(body).sort()).toEqual(
      ['payload.goals', 'payload.budget.0.year', 'payload.budget.0.costType', 'payload.budget.0.amountOre'].sort(),
    );
  });
});

describe('unknown event types and missing fields → 422', () => {
  it('an unknown event type', async () => {
    const body = await expectRejected(
      event(atStep1, t.tokens.initiator, { type: 'APPROVE_EVERYTHING', payload: {} }, etag(atStep1)),
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(['type']);
  });

  it('an event without a type', async () => {
    const body = await expectRejected(event(atStep1, t.tokens.initiator, { payload: {} }, etag(atStep1)), 422, 'validation-failed');
    expect(paths(body)).toEqual(['type']);
  });

  it('CONTACT_COORDINATORS without a payload', async () => {
    const body = await expectRejected(
      event(atStep1, t.tokens.initiator, { type: 'CONTACT_COORDINATORS' }, etag(atStep1)),
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(['payload.message']);
  });

  it('ASSESS_ELIGIBLE with an empty payload lists both fields', async () => {
    const body = await expectRejected(
      event(atStep2, t.tokens['county-coordinator'], { type: 'ASSESS_ELIGIBLE', payload: {} }, etag(atStep2)),
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(['payload.priorityAreaId', 'payload.justification']);
  });

  it('RECORD_DIALOGUE_FORUM with an empty payload lists all three fields', async () => {
    const body = await expectRejected(
      event(atStep5, t.tokens['county-coordinator'], { type: 'RECORD_DIALOGUE_FORUM', payload: {} }, etag(atStep5)),
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(['payload.date', 'payload.attendance', 'payload.summary']);
  });

  it('POST /api/session without a password', async () => {
    const body = await expectRejected({ method: 'POST', url: '/api/session', payload: { email: 'a@b.se' } }, 422, 'validation-failed');
    expect(paths(body)).toEqual(['body.password']);
  });
});

describe('extra fields are rejected (strict schemas) → 422', () => {
  it('on POST /api/cases', async () => {
    const body = await expectRejected(
      { method: 'POST', url: '/api/cases', headers: auth(t.tokens.initiator), payload: { title: 'a', summary: 'b', priority: 'high' } },
      422,
      'validation-failed',
    );
    expect(body.errors).toEqual([{ path: 'body', message: expect.stringContaining('priority') }]);
  });

  it('next to the event type', async () => {
    const body = await expectRejected(
      event(atStep1, t.tokens.initiator, { type: 'CONTACT_COORDINATORS', payload: { message: 'Hej' }, urgent: true }, etag(atStep1)),
      422,
      'validation-failed',
    );
    expect(body.errors).toEqual([{ path: 'urgent', message: 'unknown field' }]);
  });

  it('inside the payload, together with a wrong type', async () => {
    const body = await expectRejected(
      event(atStep1, t.tokens.initiator, { type: 'CONTACT_COORDINATORS', payload: { message: 7, cc: 'x', bcc: 'y' } }, etag(atStep1)),
      422,
      'validation-failed',
    );
    expect(body.errors).toEqual([
      { path: 'payload.message', message: expect.any(String) },
      { path: 'payload.cc', message: 'unknown field' },
      { path: 'payload.bcc', message: 'unknown field' },
    ]);
  });

  it('in an empty payload (START_PROPOSAL takes none)', async () => {
    const caseId = await createCase(t, 'Steg 7');
    advance(t, caseId, storyUntilStep(8).slice(0, -1));
    const body = await expectRejected(
      event(caseId, t.tokens['county-coordinator'], { type: 'START_PROPOSAL', payload: { force: true } }, etag(caseId)),
      422,
      'validation-failed',
    );
    expect(body.errors).toEqual([{ path: 'payload.force', message: 'unknown field' }]);
  });

  it('on POST /api/session', async () => {
    const body = await expectRejected(
      { method: 'POST', url: '/api/session', payload: { email: 'a@b.se', password: 'x', remember: true } },
      422,
      'validation-failed',
    );
    expect(body.errors).toEqual([{ path: 'body', message: expect.stringContaining('remember') }]);
  });
});

describe('bodies that are too large or not JSON', () => {
  const huge = JSON.stringify({ title: 'Stor', summary: 'x'.repeat(MiB + 10) });

  it('a body over 1 MiB is 413 payload-too-large on POST /api/cases', async () => {
    await expectRejected(raw('/api/cases', huge, auth(t.tokens.initiator)), 413, 'payload-too-large');
  });

  it('a body over 1 MiB is 413 on POST /api/cases/{id}/events', async () => {
    const body = JSON.stringify({ type: 'CONTACT_COORDINATORS', payload: { message: 'x'.repeat(MiB + 10) } });
    await expectRejected(
      raw(`/api/cases/${atStep1}/events`, body, { ...auth(t.tokens.initiator), 'if-match': etag(atStep1) }),
      413,
      'payload-too-large',
    );
  });

  it('a body over 1 MiB is 413 on POST /api/session', async () => {
    await expectRejected(raw('/api/session', JSON.stringify({ email: 'a@b.se', password: 'p'.repeat(MiB) }), {}), 413, 'payload-too-large');
  });

  it('text/plain is 415 unsupported-media-type on every POST', async () => {
    await expectRejected(raw('/api/cases', 'Stödgrupper', auth(t.tokens.initiator), 'text/plain'), 415, 'unsupported-media-type');
    await expectRejected(
      raw(`/api/cases/${atStep1}/events`, 'CONTACT_COORDINATORS', { ...auth(t.tokens.initiator), 'if-match': etag(atStep1) }, 'text/plain'),
      415,
      'unsupported-media-type',
    );
    await expectRejected(raw('/api/session', 'a@b.se', {}, 'text/plain'), 415, 'unsupported-media-type');
  });

  it('a form post is 415 too', async () => {
    await expectRejected(
      raw('/api/cases', 'title=a&summary=b', auth(t.tokens.initiator), 'application/x-www-form-urlencoded'),
      415,
      'unsupported-media-type',
    );
  });
});

describe('If-Match', () => {
  const contact = { type: 'CONTACT_COORDINATORS', payload: { message: 'Hej' } };

  it('missing → 428 if-match-required', async () => {
    await expectRejected(event(atStep1, t.tokens.initiator, contact, undefined), 428, 'if-match-required');
  });

  it.each(['abc', '"v1"', '*', '"1", "2"', '"-1"', '"1.0"', ''])('garbage %j → 422 on headers.if-match', async (value) => {
    const body = await expectRejected(event(atStep1, t.tokens.initiator, contact, value), 422, 'validation-failed');
    expect(paths(body)).toEqual(['headers.if-match']);
  });

  it('stale → 412 version-mismatch with the current version', async () => {
    const body = await expectRejected(
      event(atStep2, t.tokens['county-coordinator'], { type: 'ASSESS_ELIGIBLE', payload: ELIGIBLE }, '"1"'),
      412,
      'version-mismatch',
    );
    expect(body.currentVersion).toBe(2);
  });

  it('from the future → 412 too', async () => {
    const body = await expectRejected(event(atStep1, t.tokens.initiator, contact, '"99"'), 412, 'version-mismatch');
    expect(body.currentVersion).toBe(1);
  });
});

describe('case ids and whose case it is', () => {
  const unknown = '3f0c5b1e-8d3a-4e2b-9c1d-2a4b6c8d0e1f';
  const contact = { type: 'CONTACT_COORDINATORS', payload: { message: 'Hej' } };

  it('a non-uuid id → 422 on GET /api/cases/{id} and its history', async () => {
    for (const url of ['/api/cases/not-a-uuid', '/api/cases/not-a-uuid/history', "/api/cases/1'%20OR%201=1"]) {
      const body = await expectRejected({ method: 'GET', url, headers: auth(t.tokens.initiator) }, 422, 'validation-failed');
      expect(paths(body)).toEqual(['params.id']);
    }
  });

  it('a non-uuid id → 422 on POST /api/cases/{id}/events', async () => {
    const body = await expectRejected(event('not-a-uuid', t.tokens.initiator, contact, '"1"'), 422, 'validation-failed');
    expect(paths(body)).toEqual(['params.id']);
  });

  it('a non-uuid id on POST /api/cases/{id}/events is at least rejected without a write', async () => {
    const before = dump();
    const res = await inject(event('not-a-uuid', t.tokens.initiator, contact, '"1"'));
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(dump()).toEqual(before);
  });

  it('an unknown uuid → 404 not-found on every case route', async () => {
    await expectRejected({ method: 'GET', url: `/api/cases/${unknown}`, headers: auth(t.tokens['county-coordinator']) }, 404, 'not-found');
    await expectRejected(
      { method: 'GET', url: `/api/cases/${unknown}/history`, headers: auth(t.tokens['county-coordinator']) },
      404,
      'not-found',
    );
    await expectRejected(event(unknown, t.tokens.initiator, contact, '"1"'), 404, 'not-found');
  });

  it("another initiator's case → 404, exactly as if it did not exist", async () => {
    const token = t.otherInitiator.token;
    const a = await expectRejected({ method: 'GET', url: `/api/cases/${atStep1}`, headers: auth(token) }, 404, 'not-found');
    await expectRejected({ method: 'GET', url: `/api/cases/${atStep1}/history`, headers: auth(token) }, 404, 'not-found');
    await expectRejected(event(atStep1, token, contact, etag(atStep1)), 404, 'not-found');
    await expectRejected(event(atStep1, token, { type: 'WITHDRAW', payload: { reason: 'Inte min' } }, etag(atStep1)), 404, 'not-found');
    const b = await expectRejected({ method: 'GET', url: `/api/cases/${unknown}`, headers: auth(token) }, 404, 'not-found');
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(a.title).toBe(b.title);
  });

  it("another programme's coordinator → 404 on every case route", async () => {
    const token = t.foreignCoordinator.token;
    await expectRejected({ method: 'GET', url: `/api/cases/${atStep2}`, headers: auth(token) }, 404, 'not-found');
    await expectRejected({ method: 'GET', url: `/api/cases/${atStep2}/history`, headers: auth(token) }, 404, 'not-found');
    await expectRejected(
      event(atStep2, token, { type: 'ASSESS_ELIGIBLE', payload: ELIGIBLE, role: 'county-coordinator' }, etag(atStep2)),
      404,
      'not-found',
    );
    await expectRejected(event(atStep1, token, contact, etag(atStep1)), 404, 'not-found');
  });
});

describe('authentication', () => {
  const contact = { type: 'CONTACT_COORDINATORS', payload: { message: 'Hej' } };
  const routes = (headers: Record<string, string>): InjectOptions[] => [
    { method: 'GET', url: '/api/me', headers },
    { method: 'GET', url: '/api/programmes', headers },
    { method: 'GET', url: '/api/programmes/uph-blekinge/idea-template', headers },
    { method: 'GET', url: '/api/cases', headers },
    { method: 'GET', url: '/api/cases?step=1', headers },
    { method: 'POST', url: '/api/cases', headers, payload: { title: 'a', summary: 'b' } },
    { method: 'GET', url: `/api/cases/${atStep1}`, headers },
    { method: 'GET', url: `/api/cases/${atStep1}/history`, headers },
    { method: 'POST', url: `/api/cases/${atStep1}/events`, headers: { ...headers, 'if-match': '"1"' }, payload: contact },
    { method: 'GET', url: '/api/notifications/rules', headers },
    { method: 'GET', url: '/api/me/preferences', headers },
    { method: 'PATCH', url: '/api/me/preferences', headers, payload: { language: 'en' } },
    // Who is asking is settled before what they send: an invalid body from a stranger is a 401.
    { method: 'PATCH', url: '/api/me/preferences', headers, payload: { language: 'de', extra: true } },
    { method: 'POST', url: '/api/cases', headers, payload: { title: 5 } },
    { method: 'GET', url: '/api/admin/outbox', headers },
    { method: 'POST', url: `/api/admin/outbox/${crypto.randomUUID()}/retry`, headers },
    { method: 'GET', url: '/api/programmes/uph-blekinge/pools', headers },
    {
      method: 'POST',
      url: '/api/programmes/uph-blekinge/pools',
      headers,
      payload: { year: 2026, kind: 'joint', name: 'x', amountOre: -1 },
    },
    { method: 'GET', url: '/api/programmes/uph-blekinge/reports/2026', headers },
  ];

  it('no credentials → 401 unauthenticated on every route that needs them', async () => {
    for (const req of routes({})) await expectRejected(req, 401, 'unauthenticated');
  });

  it.each([
    ['an unknown bearer token', { authorization: 'Bearer satsa_not-a-real-token' }],
    ['an empty bearer token', { authorization: 'Bearer   ' }],
    ['a bearer token with a stray character', { authorization: 'Bearer x' }],
    ['a garbage session cookie', { cookie: 'satsa_session=garbage' }],
    ['Basic auth', { authorization: 'Basic aW5pdGlhdG9yOnBhc3M=' }],
  ])('%s → 401 on every route', async (_what, headers) => {
    for (const req of routes(headers as Record<string, string>)) await expectRejected(req, 401, 'unauthenticated');
  });

  it('a valid token with a stray character → 401', async () => {
    await expectRejected({ method: 'GET', url: '/api/cases', headers: auth(`${t.tokens.initiator}x`) }, 401, 'unauthenticated');
  });

  it('a wrong password → 401 invalid-credentials, and an unknown e-mail looks the same', async () => {
    await t.services.people.createUser({
      programmeId: 'uph-blekinge',
      email: 'with.password@test.satsa.se',
      displayName: 'Has a password',
      roles: ['initiator'],
      password: 'a-long-password-123',
    });
    const recorded = refusalRecords(t).login_attempts!;
    const wrong = await expectRejected(
      { method: 'POST', url: '/api/session', payload: { email: 'with.password@test.satsa.se', password: 'a-long-password-124' } },
      401,
      'invalid-credentials',
    );
    const unknownUser = await expectRejected(
      { method: 'POST', url: '/api/session', payload: { email: 'nobody@test.satsa.se', password: 'a-long-password-123' } },
      401,
      'invalid-credentials',
    );
    expect(wrong.title).toBe(unknownUser.title);
    // The two failures are counted for the throttle, the unknown address too: nothing tells them apart.
    expect(refusalRecords(t).login_attempts).toBe(recorded + 2);
    // A user without a password cannot log in with any password.
    await expectRejected(
      { method: 'POST', url: '/api/session', payload: { email: 'initiator@test.satsa.se', password: '' } },
      401,
      'invalid-credentials',
    );
  });
});

describe('the process says no', () => {
  it('an event the current step does not accept → 409 event-not-accepted with where the case stands', async () => {
    const body = await expectRejected(
      event(atStep1, t.tokens.initiator, { type: 'SUBMIT_IDEA_TEMPLATE', payload: { answers: ANSWERS } }, etag(atStep1)),
      409,
      'event-not-accepted',
    );
    expect(body).toMatchObject({ steps: [1], state: ['open.idea'] });
  });

  it('any event on a finished case → 409', async () => {
    await expectRejected(
      event(
        done,
        t.tokens['county-coordinator'],
        { type: 'RECORD_SEMINAR', payload: { date: '2028-03-01', title: 'Efteråt', audience: 'Alla' } },
        etag(done),
      ),
      409,
      'event-not-accepted',
    );
    await expectRejected(
      event(done, t.tokens.initiator, { type: 'ADD_PARTICIPANT', payload: { userId: t.otherInitiator.actor.id } }, etag(done)),
      409,
      'event-not-accepted',
    );
  });

  it('a role that may not send the event → 403 forbidden naming the roles that may', async () => {
    const body = await expectRejected(
      event(atStep2, t.tokens.initiator, { type: 'ASSESS_ELIGIBLE', payload: ELIGIBLE }, etag(atStep2)),
      403,
      'forbidden',
    );
    expect(body).toMatchObject({ reason: 'wrong-role', roles: ['county-coordinator'] });

    const lsvo = await expectRejected(
      event(atStep1, t.tokens['lsvo-secretary'], { type: 'CONTACT_COORDINATORS', payload: { message: 'Hej' } }, etag(atStep1)),
      403,
      'forbidden',
    );
    expect(lsvo).toMatchObject({ reason: 'wrong-role', roles: ['initiator'] });
  });

  it('asking to act in a role one does not hold → 403', async () => {
    const body = await expectRejected(
      event(
        atStep1,
        t.tokens.initiator,
        { type: 'CONTACT_COORDINATORS', payload: { message: 'Hej' }, role: 'county-coordinator' },
        etag(atStep1),
      ),
      403,
      'forbidden',
    );
    expect(body).toMatchObject({ reason: 'wrong-role', roles: ['initiator'] });
  });

  it("an initiator-coordinator acting on someone else's case as initiator → 403 not-case-member", async () => {
    const body = await expectRejected(
      event(atStep1, dualToken, { type: 'WITHDRAW', payload: { reason: 'Inte min idé' } }, etag(atStep1)),
      403,
      'forbidden',
    );
    expect(body).toMatchObject({ reason: 'not-case-member', roles: ['initiator'] });
  });

  it('only an initiator may raise an idea → 403 for a coordinator', async () => {
    const body = await expectRejected(
      { method: 'POST', url: '/api/cases', headers: auth(t.tokens['county-coordinator']), payload: { title: 'a', summary: 'b' } },
      403,
      'forbidden',
    );
    expect(body.roles).toEqual(['initiator']);
  });

  it('raising an idea in another programme → 404', async () => {
    await expectRejected(
      {
        method: 'POST',
        url: '/api/cases',
        headers: auth(t.tokens.initiator),
        payload: { title: 'a', summary: 'b', programmeId: 'uph-other' },
      },
      404,
      'not-found',
    );
  });
});

describe('requirements not met → 422 requirements-not-met listing every one', () => {
  it('SUBMIT_TO_LSVO on an empty proposal lists all 18 unmet requirements, each with a Swedish label', async () => {
    const body = await expectRejected(
      event(atStep8, t.tokens['county-coordinator'], { type: 'SUBMIT_TO_LSVO', payload: {} }, etag(atStep8)),
      422,
      'requirements-not-met',
    );
    expect(body.unmet!.map((r) => (r.subject ? `${r.id}:${r.subject}` : r.id))).toEqual([
      ...EMPTY_PROPOSAL_UNMET,
      ...BLEKINGE_CRITERIA.map((c) => `criterion-assessed:${c}`),
    ]);
    for (const r of body.unmet!) {
      expect(r.label.trim().length, r.id).toBeGreaterThan(0);
      // A rule about a criterion names it by its label, never by its id.
      if (r.subject) expect(r.label, r.id).not.toContain(r.subject);
      else expect(r.label).toBe(translate('sv', `requirements.${r.id}`));
      expect(r.label).not.toContain('requirements.');
      expect(r.label).not.toContain('{subject}');
    }
    expect(body.unmet![3]!.label).toBe('Målgruppen är beskriven.');
    expect(body.unmet![EMPTY_PROPOSAL_UNMET.length]!.label).toBe(
      'Kriteriet ”Motverka individers utanförskap.” är bedömt av en länsamordnare.',
    );
  });

  it('a priority area the programme does not have', async () => {
    const body = await expectRejected(
      event(
        atStep2,
        t.tokens['county-coordinator'],
        { type: 'ASSESS_ELIGIBLE', payload: { ...ELIGIBLE, priorityAreaId: 'okant-omrade' } },
        etag(atStep2),
      ),
      422,
      'requirements-not-met',
    );
    expect(body.unmet).toEqual([
      {
        id: 'priority-area-of-programme',
        subject: 'okant-omrade',
        label: 'Området ”okant-omrade” är ett av programmets prioriterade områden.',
      },
    ]);
  });

  it('a dialogue forum where only the idea owner is accounted for lists each missing role', async () => {
    const body = await expectRejected(
      event(
        atStep5,
        t.tokens['county-coordinator'],
        {
          type: 'RECORD_DIALOGUE_FORUM',
          payload: {
            date: '2026-03-10',
            attendance: [
              { role: 'idea-owner', present: true },
              { role: 'local-coordinator', present: false },
            ],
            summary: 'Få kom.',
          },
        },
        etag(atStep5),
      ),
      422,
      'requirements-not-met',
    );
    expect(body.unmet!.map((r) => r.subject)).toEqual([
      'identified-actors',
      'county-coordinator',
      'suicide-prevention-coordinator',
      'local-coordinator',
      'user-organisation',
    ]);
    for (const r of body.unmet!) {
      expect(r).toMatchObject({
        id: 'forum-role-accounted',
        label: expect.stringContaining(`Rollen ${translate('sv', `forumRoles.${r.subject}`).toLocaleLowerCase('sv')} var med`),
      });
    }
  });
});

describe('idea template answers → 422 listing each field under payload.answers', () => {
  const { title: _title, ...withoutTitle } = ANSWERS;
  const bad = {
    ...withoutTitle,
    organisation: '',
    priorityArea: 'cykelvägar',
    estimatedCostSek: 'många',
    startDate: '2026-13-45',
    favouriteColour: 'blå',
  };

  it('missing required fields, a wrong select value, wrong types and an unknown field are all reported', async () => {
    const body = await expectRejected(
      event(atStep3, t.tokens.initiator, { type: 'SUBMIT_IDEA_TEMPLATE', payload: { answers: bad } }, etag(atStep3)),
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(
      expect.arrayContaining([
        'payload.answers.title',
        'payload.answers.organisation',
        'payload.answers.priorityArea',
        'payload.answers.estimatedCostSek',
        'payload.answers.startDate',
      ]),
    );
    expect(body.errors).toContainEqual({ path: 'payload.answers.favouriteColour', message: 'unknown field' });
    expect(body.errors).toHaveLength(6);
  });

  it('an unknown answer is listed under its own path, payload.answers.favouriteColour', async () => {
    const body = await expectRejected(
      event(atStep3, t.tokens.initiator, { type: 'SUBMIT_IDEA_TEMPLATE', payload: { answers: bad } }, etag(atStep3)),
      422,
      'validation-failed',
    );
    expect(paths(body).sort()).toEqual(
      [
        'payload.answers.title',
        'payload.answers.organisation',
        'payload.answers.priorityArea',
        'payload.answers.estimatedCostSek',
        'payload.answers.startDate',
        'payload.answers.favouriteColour',
      ].sort(),
    );
  });

  it('answers that are not an object', async () => {
    const body = await expectRejected(
      event(atStep3, t.tokens.initiator, { type: 'SUBMIT_IDEA_TEMPLATE', payload: { answers: 'se bifogad fil' } }, etag(atStep3)),
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(['payload.answers']);
  });

  it('answers with no fields at all list every required field', async () => {
    const body = await expectRejected(
      event(atStep3, t.tokens.initiator, { type: 'SUBMIT_IDEA_TEMPLATE', payload: { answers: {} } }, etag(atStep3)),
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(
      ['title', 'organisation', 'problem', 'idea', 'targetGroup', 'priorityArea', 'partners', 'userParticipation', 'expectedEffects'].map(
        (f) => `payload.answers.${f}`,
      ),
    );
  });
});

describe('bad list queries → 422', () => {
  it.each([
    ['limit=0', ['querystring.limit']],
    ['limit=101', ['querystring.limit']],
    ['limit=abc', ['querystring.limit']],
    ['step=13', ['querystring.step']],
    ['step=0', ['querystring.step']],
    ['step=1.5', ['querystring.step']],
    ['limit=0&step=13', ['querystring.step', 'querystring.limit']],
    ['status=closed', ['querystring.status']],
    ['state=open%20idea', ['querystring.state']],
    ['q=%20', ['querystring.q']],
    ['sort=title', ['querystring']],
    ['cursor=garbage', ['cursor']],
    [`cursor=${Buffer.from('null').toString('base64url')}`, ['cursor']],
    [`cursor=${Buffer.from('["a"]').toString('base64url')}`, ['cursor']],
    [`cursor=${'a'.repeat(501)}`, ['querystring.cursor']],
  ])('?%s', async (query, expectedPaths) => {
    const body = await expectRejected(
      { method: 'GET', url: `/api/cases?${query}`, headers: auth(t.tokens['county-coordinator']) },
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(expectedPaths);
  });
});

describe('other routes', () => {
  it("another programme's idea template → 404", async () => {
    await expectRejected(
      { method: 'GET', url: '/api/programmes/uph-other/idea-template', headers: auth(t.tokens.initiator) },
      404,
      'not-found',
    );
    await expectRejected(
      { method: 'GET', url: '/api/programmes/no-such-programme/idea-template', headers: auth(t.tokens.initiator) },
      404,
      'not-found',
    );
  });

  it('a programme id over 64 characters → 422', async () => {
    const body = await expectRejected(
      { method: 'GET', url: `/api/programmes/${'x'.repeat(65)}/idea-template`, headers: auth(t.tokens.initiator) },
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(['params.programmeId']);
  });

  it('an unknown route or method → 404 problem', async () => {
    await expectRejected({ method: 'GET', url: '/api/nothing-here', headers: auth(t.tokens.initiator) }, 404, 'not-found');
    await expectRejected({ method: 'PUT', url: `/api/cases/${atStep1}`, headers: auth(t.tokens.initiator) }, 404, 'not-found');
    await expectRejected({ method: 'DELETE', url: `/api/cases/${atStep1}`, headers: auth(t.tokens.initiator) }, 404, 'not-found');
  });

  it('an invalid Idempotency-Key on POST /api/cases → 422 on headers.idempotency-key', async () => {
    for (const key of ['short', 'nyckel-med-åäö-123', 'x'.repeat(201), 'has a space']) {
      const body = await expectRejected(
        {
          method: 'POST',
          url: '/api/cases',
          headers: { ...auth(t.tokens.initiator), 'idempotency-key': key },
          payload: { title: 'a', summary: 'b' },
        },
        422,
        'validation-failed',
      );
      expect(paths(body)).toEqual(['headers.idempotency-key']);
    }
  });

  it('an invalid Idempotency-Key on POST /api/cases/{id}/events → 422', async () => {
    const caseId = await createCase(t, 'Kort nyckel');
    const body = await expectRejected(
      event(caseId, t.tokens.initiator, { type: 'CONTACT_COORDINATORS', payload: { message: 'Hej' } }, '"1"', {
        'idempotency-key': 'short',
      }),
      422,
      'validation-failed',
    );
    expect(paths(body)).toEqual(['headers.idempotency-key']);
  });

  it('an undecodable URL → 400 malformed-request as problem+json', async () => {
    await expectRejected({ method: 'GET', url: '/api/cases/%ZZ', headers: auth(t.tokens.initiator) }, 400, 'malformed-request');
  });
});

describe('never a 500', () => {
  it('odd requests on every route get a 4xx problem or a success, never a 5xx', async () => {
    const caseId = await createCase(t, 'Udda förfrågningar');
    const tokens = [t.tokens.initiator, t.tokens['county-coordinator'], t.otherInitiator.token, t.foreignCoordinator.token];
    const bodies: (string | undefined)[] = [
      undefined,
      '',
      '{}',
      '[]',
      'null',
      'true',
      '"x"',
      '{"type":"WITHDRAW"}',
      '{"type":"WITHDRAW","payload":null}',
      '{"type":"UPDATE_PROPOSAL","payload":{"goals":[null]}}',
      '{"type":"SUBMIT_IDEA_TEMPLATE","payload":{"answers":{"toString":1,"constructor":2,"hasOwnProperty":3}}}',
      '{"type":"ADD_PARTICIPANT","payload":{"userId":"00000000-0000-0000-0000-000000000000"}}',
      '{"type":"RECORD_FOLLOW_UP","payload":{"date":"2026-01-01","indicatorValues":[],"spentToDateOre":1e308,"narrative":"x","conclusion":"continue"}}',
      '{"title":"\\u0000","summary":"\\ud800"}',
      `{"a":${'['.repeat(2000)}${']'.repeat(2000)}}`,
    ];
    const urls = ['/api/cases', `/api/cases/${caseId}/events`, '/api/session'];
    for (const token of tokens) {
      for (const url of urls) {
        for (const payload of bodies) {
          const res = await inject({
            method: 'POST',
            url,
            headers: { ...auth(token), 'if-match': '"1"', ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
            ...(payload === undefined ? {} : { payload }),
          });
          expect(res.statusCode, `${url} ${payload}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
          if (res.statusCode >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        }
      }
      for (const url of [
        `/api/cases/${caseId}`,
        `/api/cases/${caseId}/history`,
        '/api/cases?q=%25%27%22;--',
        '/api/cases?state=open.',
        '/api/cases?priorityArea=%00',
        '/api/cases?programme=uph-other',
        '/api/me',
        '/api/programmes',
        '/api/process',
      ]) {
        const res = await inject({ method: 'GET', url, headers: { ...auth(token), 'accept-language': 'xx;q=abc,,en;q=' } });
        expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
        if (res.statusCode >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    }
  });

  it('none of the responses in this file was a 5xx', () => {
    expect(seen.length).toBeGreaterThan(300);
    expect(seen.filter((r) => r.status >= 500)).toEqual([]);
  });
});

describe('notifications and the outbox', () => {
  it('a dialogue forum booking with an end before its start, or a time that is no time, names the field', async () => {
    const token = t.tokens['county-coordinator'];
    const book = (payload: unknown) => event(atStep5, token, { type: 'BOOK_DIALOGUE_FORUM', payload }, etag(atStep5));
    const a = await expectRejected(
      book({ date: '2026-03-10', startTime: '15:00', endTime: '13:00', place: 'Karlshamn' }),
      422,
      'validation-failed',
    );
    expect(paths(a)).toEqual(['payload.endTime']);
    const b = await expectRejected(book({ date: '2026-03-10', startTime: '25:00', place: 'Karlshamn' }), 422, 'validation-failed');
    expect(paths(b)).toEqual(['payload.startTime']);
    // An end time alone: what is missing is the start time.
    const c = await expectRejected(book({ date: '2026-03-10', endTime: '13:00', place: 'Karlshamn' }), 422, 'validation-failed');
    expect(paths(c)).toEqual(['payload.startTime']);
  });

  it('the outbox list and retry reject bad filters and ids, and anyone but an administrator', async () => {
    const admin = auth(t.tokens.administrator);
    const q = await expectRejected({ method: 'GET', url: '/api/admin/outbox?status=lost', headers: admin }, 422, 'validation-failed');
    expect(paths(q)).toEqual(['querystring.status']);
    await expectRejected({ method: 'GET', url: '/api/admin/outbox?caseId=../../etc', headers: admin }, 422, 'validation-failed');
    await expectRejected({ method: 'GET', url: '/api/admin/outbox?limit=100000', headers: admin }, 422, 'validation-failed');
    await expectRejected({ method: 'POST', url: '/api/admin/outbox/not-a-uuid/retry', headers: admin }, 422, 'validation-failed');
    await expectRejected({ method: 'POST', url: `/api/admin/outbox/${crypto.randomUUID()}/retry`, headers: admin }, 404, 'not-found');
    for (const role of ['initiator', 'county-coordinator', 'regional-director'] as const) {
      await expectRejected({ method: 'GET', url: '/api/admin/outbox', headers: auth(t.tokens[role]) }, 403, 'forbidden');
    }
  });

  it('preferences: a mandatory kind, an unknown kind, an unknown field and an unknown language are each a 422', async () => {
    const me = auth(t.tokens.initiator);
    const patch = (payload: Record<string, unknown>) => ({ method: 'PATCH' as const, url: '/api/me/preferences', headers: me, payload });
    const a = await expectRejected(patch({ mutedNotifications: ['step-changed', 'decision-recorded'] }), 422, 'validation-failed');
    expect(paths(a)).toEqual(['body.mutedNotifications.1']);
    const twice = await expectRejected(patch({ mutedNotifications: ['decision-recorded', 'decision-recorded'] }), 422, 'validation-failed');
    expect(paths(twice)).toEqual(['body.mutedNotifications.0', 'body.mutedNotifications.1']);
    await expectRejected(patch({ mutedNotifications: ['no-such-kind'] }), 422, 'validation-failed');
    await expectRejected(patch({ language: 'de' }), 422, 'validation-failed');
    await expectRejected(patch({ language: 'en', theme: 'dark' }), 422, 'validation-failed');
    await expectRejected(patch({ mutedNotifications: 'step-changed' }), 422, 'validation-failed');
  });
});
