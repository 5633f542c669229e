import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDEA, FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { advance, auth, caseState, createCase, createTestApp, json, tableCounts, type TestApp } from '../helpers.js';
import { rowsOf } from '../replay.js';

/*
 * Optimistic concurrency (If-Match) and safe retries (Idempotency-Key): two people acting on
 * the same version of a case, and one client sending the same request twice.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const ELIGIBLE = FULL_STORY.find((s) => s.type === 'ASSESS_ELIGIBLE')!;
const NOT_ELIGIBLE = { type: 'ASSESS_NOT_ELIGIBLE', payload: { reason: 'Ligger utanför överenskommelsen.' } };
const WITHDRAW = { type: 'WITHDRAW', payload: { reason: 'Vi drar tillbaka idén.' } };

const post = (caseId: string, token: string, ifMatch: string, body: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: `/api/cases/${caseId}/events`,
    headers: { ...auth(token), 'if-match': ifMatch, ...headers },
    payload: body as Record<string, unknown>,
  });

function eventsOf(caseId: string) {
  // The log as sent: people by account id (it stores them by their reference on the case).
  return rowsOf(t.services.db.$client, caseId).events.map((e) => ({ version: e.version, type: e.type, actor_id: e.actor_id }));
}

/** A case at step 2, where the coordinators and the initiator can each move it on. */
async function caseAtStep2(title: string) {
  const id = await createCase(t, title);
  advance(t, id, storyUntilStep(2));
  return id;
}

function expectVersionMismatch(res: LightMyRequestResponse, currentVersion: number) {
  expect(res.statusCode, res.body).toBe(412);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(json(res)).toMatchObject({ status: 412, code: 'version-mismatch', currentVersion });
  expect(typeof json(res).title).toBe('string');
}

describe('two commands on the same version', () => {
  it('the first one wins, the second gets 412 version-mismatch with the current version, and the log holds one entry', async () => {
    const id = await caseAtStep2('Samtidigt, efter varandra');
    expect(eventsOf(id)).toHaveLength(2);

    const first = await post(id, t.tokens['county-coordinator'], '"2"', { type: ELIGIBLE.type, payload: ELIGIBLE.payload });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers.etag).toBe('"3"');

    const before = tableCounts(t);
    const second = await post(id, t.tokens.initiator, '"2"', WITHDRAW);
    expectVersionMismatch(second, 3);
    expect(tableCounts(t)).toEqual(before);

    expect(eventsOf(id)).toEqual([
      { version: 1, type: 'CASE_CREATED', actor_id: t.actors.initiator.id },
      { version: 2, type: 'CONTACT_COORDINATORS', actor_id: t.actors.initiator.id },
      { version: 3, type: 'ASSESS_ELIGIBLE', actor_id: t.actors['county-coordinator'].id },
    ]);
    const current = json<{ version: number; state: string[] }>(
      await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: auth(t.tokens.initiator) }),
    );
    expect(current).toMatchObject({ version: 3, state: ['open.ideaTemplate'] });
  });

  it('the same command sent twice on one version is applied once', async () => {
    const id = await caseAtStep2('Samma kommando två gånger');
    const body = { type: ELIGIBLE.type, payload: ELIGIBLE.payload };
    expect((await post(id, t.tokens['county-coordinator'], '"2"', body)).statusCode).toBe(200);
    expectVersionMismatch(await post(id, t.tokens['county-coordinator'], '"2"', body), 3);
    expect(eventsOf(id).map((e) => e.type)).toEqual(['CASE_CREATED', 'CONTACT_COORDINATORS', 'ASSESS_ELIGIBLE']);
  });

  it('fired concurrently, exactly one of two conflicting commands wins, every time', async () => {
    for (let round = 0; round < 10; round++) {
      const id = await caseAtStep2(`Kapplöpning ${round}`);
      const [eligible, notEligible] = await Promise.all([
        post(id, t.tokens['county-coordinator'], '"2"', { type: ELIGIBLE.type, payload: ELIGIBLE.payload }),
        post(id, t.tokens['county-coordinator'], '"2"', NOT_ELIGIBLE),
      ]);
      const statuses = [eligible.statusCode, notEligible.statusCode].sort();
      expect(statuses, `round ${round}: ${eligible.body} / ${notEligible.body}`).toEqual([200, 412]);
      const [winner, loser] = eligible.statusCode === 200 ? [eligible, notEligible] : [notEligible, eligible];
      expectVersionMismatch(loser, 3);

      const events = eventsOf(id);
      expect(events).toHaveLength(3);
      expect(events.filter((e) => e.version === 3)).toHaveLength(1);
      const winningType = winner === eligible ? 'ASSESS_ELIGIBLE' : 'ASSESS_NOT_ELIGIBLE';
      expect(events[2]!.type).toBe(winningType);
      expect(json<{ version: number }>(winner).version).toBe(3);
    }
  });

  it('fired concurrently by five people on one version, one wins and four get 412', async () => {
    const id = await caseAtStep2('Fem samtidigt');
    const senders = [
      post(id, t.tokens['county-coordinator'], '"2"', { type: ELIGIBLE.type, payload: ELIGIBLE.payload }),
      post(id, t.tokens['county-coordinator'], '"2"', NOT_ELIGIBLE),
      post(id, t.tokens.initiator, '"2"', WITHDRAW),
      post(id, t.tokens['county-coordinator'], '"2"', { type: ELIGIBLE.type, payload: ELIGIBLE.payload }),
      post(id, t.tokens.initiator, '"2"', { type: 'ADD_PARTICIPANT', payload: { userId: t.otherInitiator.actor.id } }),
    ];
    const results = await Promise.all(senders);
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    const losers = results.filter((r) => r.statusCode !== 200);
    expect(losers).toHaveLength(4);
    for (const r of losers) expectVersionMismatch(r, 3);
    expect(eventsOf(id)).toHaveLength(3);
  });
});

describe('Idempotency-Key on events', () => {
  it('the same key and body replays the first response and writes nothing new', async () => {
    const id = await caseAtStep2('Idempotent händelse');
    const body = { type: ELIGIBLE.type, payload: ELIGIBLE.payload };
    const key = { 'idempotency-key': 'bedom-2026-0001-a' };
    const first = await post(id, t.tokens['county-coordinator'], '"2"', body, key);
    expect(first.statusCode).toBe(200);
    expect(first.headers['idempotent-replay']).toBeUndefined();

    const counts = tableCounts(t);
    const state = caseState(t, id);
    const again = await post(id, t.tokens['county-coordinator'], '"2"', body, key);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replay']).toBe('true');
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.json()).toEqual(first.json());
    expect(again.body).toBe(first.body);
    expect(tableCounts(t)).toEqual(counts);
    expect(caseState(t, id)).toEqual(state);
    expect(eventsOf(id).map((e) => e.type)).toEqual(['CASE_CREATED', 'CONTACT_COORDINATORS', 'ASSESS_ELIGIBLE']);
  });

  it('replays the first response even after the case has moved on', async () => {
    const id = await caseAtStep2('Idempotent efter ändring');
    const body = { type: ELIGIBLE.type, payload: ELIGIBLE.payload };
    const key = { 'idempotency-key': 'bedom-efter-andring' };
    const first = await post(id, t.tokens['county-coordinator'], '"2"', body, key);
    expect(first.statusCode).toBe(200);
    advance(t, id, [FULL_STORY.find((s) => s.type === 'SUBMIT_IDEA_TEMPLATE')!]);

    const counts = tableCounts(t);
    const again = await post(id, t.tokens['county-coordinator'], '"2"', body, key);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replay']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(json<{ version: number }>(again).version).toBe(3);
    expect(tableCounts(t)).toEqual(counts);
  });

  it('the same key with a different body is 422 idempotency-key-reused and writes nothing', async () => {
    const id = await caseAtStep2('Återanvänd nyckel');
    const key = { 'idempotency-key': 'nyckel-som-ateranvands' };
    expect(
      (await post(id, t.tokens['county-coordinator'], '"2"', { type: ELIGIBLE.type, payload: ELIGIBLE.payload }, key)).statusCode,
    ).toBe(200);

    const counts = tableCounts(t);
    const state = caseState(t, id);
    for (const [ifMatch, body] of [
      ['"3"', NOT_ELIGIBLE], // a different event
      ['"3"', { type: ELIGIBLE.type, payload: { ...ELIGIBLE.payload, priorityAreaId: 'suicidprevention' } }], // a different payload
      ['"3"', { type: ELIGIBLE.type, payload: ELIGIBLE.payload }], // the same body on another version
    ] as const) {
      const res = await post(id, t.tokens['county-coordinator'], ifMatch, body, key);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['idempotent-replay']).toBeUndefined();
      expect(json(res)).toMatchObject({ status: 422, code: 'idempotency-key-reused', title: expect.any(String) });
    }
    expect(tableCounts(t)).toEqual(counts);
    expect(caseState(t, id)).toEqual(state);
  });

  it('two concurrent requests with one key and body: one is applied, the other replays it', async () => {
    const id = await caseAtStep2('Samtidig nyckel');
    const body = { type: ELIGIBLE.type, payload: ELIGIBLE.payload };
    const key = { 'idempotency-key': 'samtidig-nyckel-1' };
    const [a, b] = await Promise.all([
      post(id, t.tokens['county-coordinator'], '"2"', body, key),
      post(id, t.tokens['county-coordinator'], '"2"', body, key),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect([a.headers['idempotent-replay'], b.headers['idempotent-replay']].filter(Boolean)).toEqual(['true']);
    expect(a.json()).toEqual(b.json());
    expect(eventsOf(id)).toHaveLength(3);
  });

  it('a rejected request does not use up its key', async () => {
    const id = await caseAtStep2('Avvisad först');
    const key = { 'idempotency-key': 'avvisad-forst-1' };
    const rejected = await post(id, t.tokens['county-coordinator'], '"2"', { type: 'START_PROPOSAL', payload: {} }, key);
    expect(rejected.statusCode).toBe(409);
    const stored = () =>
      (t.services.db.$client.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE key = 'avvisad-forst-1'").get() as { n: number }).n;
    expect(stored()).toBe(0);
    const ok = await post(id, t.tokens['county-coordinator'], '"2"', { type: ELIGIBLE.type, payload: ELIGIBLE.payload }, key);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['idempotent-replay']).toBeUndefined();
    expect(stored()).toBe(1);
  });
});

describe('stored answers in the group commit', () => {
  it('each command stores its answer in its own savepoint: in one shared commit, the refused one leaves no key and the accepted one keeps its', async () => {
    const [accepted, refused] = [await caseAtStep2('Samma commit, godtas'), await caseAtStep2('Samma commit, avvisas')];
    const stored = (key: string) =>
      (t.services.db.$client.prepare('SELECT count(*) AS n FROM idempotency_keys WHERE key = ?').get(key) as { n: number }).n;
    const before = t.services.commits.stats();
    const [ok, no] = await Promise.all([
      post(
        accepted,
        t.tokens['county-coordinator'],
        '"2"',
        { type: ELIGIBLE.type, payload: ELIGIBLE.payload },
        { 'idempotency-key': 'samma-commit-ja' },
      ),
      post(
        refused,
        t.tokens['county-coordinator'],
        '"2"',
        { type: 'START_PROPOSAL', payload: {} },
        { 'idempotency-key': 'samma-commit-nej' },
      ),
    ]);
    expect([ok.statusCode, no.statusCode]).toEqual([200, 409]);
    // One batch, one COMMIT for both.
    expect(t.services.commits.stats()).toEqual({ batches: before.batches + 1, commands: before.commands + 2 });
    expect([stored('samma-commit-ja'), stored('samma-commit-nej')]).toEqual([1, 0]);
    expect(eventsOf(accepted)).toHaveLength(3);
    expect(eventsOf(refused)).toHaveLength(2);
  });
});

describe('Idempotency-Key on POST /api/cases', () => {
  const create = (token: string, payload: Record<string, unknown>, key: string) =>
    t.app.inject({ method: 'POST', url: '/api/cases', headers: { ...auth(token), 'idempotency-key': key }, payload });
  const casesCount = () => (t.services.db.$client.prepare('SELECT count(*) AS n FROM cases').get() as { n: number }).n;

  it('the same key and body replays the 201 with the same case, and creates no duplicate', async () => {
    const payload = { title: 'Idempotent idé', summary: DEMO_IDEA.summary };
    const first = await create(t.tokens.initiator, payload, 'ny-ide-0001');
    expect(first.statusCode).toBe(201);
    const id = json<{ id: string }>(first).id;

    const counts = tableCounts(t);
    const again = await create(t.tokens.initiator, payload, 'ny-ide-0001');
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replay']).toBe('true');
    expect(again.headers.location).toBe(`/api/cases/${id}`);
    expect(again.headers.etag).toBe('"2"');
    expect(again.json()).toEqual(first.json());
    expect(tableCounts(t)).toEqual(counts);
    const titled = t.services.db.$client.prepare("SELECT count(*) AS n FROM cases WHERE title = 'Idempotent idé'").get() as { n: number };
    expect(titled.n).toBe(1);
  });

  it('the same key with a different body is 422 idempotency-key-reused, and no case is created', async () => {
    expect((await create(t.tokens.initiator, { title: 'Första', summary: 'Sammanfattning' }, 'ny-ide-0002')).statusCode).toBe(201);
    const counts = tableCounts(t);
    const res = await create(t.tokens.initiator, { title: 'Andra', summary: 'Sammanfattning' }, 'ny-ide-0002');
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json(res)).toMatchObject({ status: 422, code: 'idempotency-key-reused', title: expect.any(String) });
    expect(tableCounts(t)).toEqual(counts);
  });

  it('keys belong to the user: another initiator may use the same key for their own idea', async () => {
    const before = casesCount();
    const mine = await create(t.tokens.initiator, { title: 'Min', summary: 'S' }, 'delad-nyckel-01');
    const theirs = await create(t.otherInitiator.token, { title: 'Min', summary: 'S' }, 'delad-nyckel-01');
    expect([mine.statusCode, theirs.statusCode]).toEqual([201, 201]);
    expect(theirs.headers['idempotent-replay']).toBeUndefined();
    expect(json<{ id: string }>(theirs).id).not.toBe(json<{ id: string }>(mine).id);
    expect(casesCount()).toBe(before + 2);
  });

  it('concurrent creations with one key make one case', async () => {
    const before = casesCount();
    const payload = { title: 'Dubbelklick', summary: 'S' };
    const results = await Promise.all([1, 2, 3].map(() => create(t.tokens.initiator, payload, 'dubbelklick-01')));
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    expect(new Set(results.map((r) => json<{ id: string }>(r).id)).size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replay'] === 'true')).toHaveLength(2);
    expect(casesCount()).toBe(before + 1);
  });
});

describe('Prefer: return=minimal', () => {
  it('answers 204 with the new ETag and no body; the event is recorded, and a replay of the same key answers the same', async () => {
    const id = await caseAtStep2('Kort svar');
    const headers = { prefer: 'return=minimal', 'idempotency-key': 'minimal-1' };
    const res = await post(id, t.tokens['county-coordinator'], '"2"', { type: ELIGIBLE.type, payload: ELIGIBLE.payload }, headers);
    expect(res.statusCode, res.body).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers.etag).toBe('"3"');
    expect(res.headers['preference-applied']).toBe('return=minimal');
    expect(eventsOf(id).map((e) => e.version)).toEqual([1, 2, 3]);
    expect(eventsOf(id)[2]!.type).toBe(ELIGIBLE.type);
    const replay = await post(id, t.tokens['county-coordinator'], '"2"', { type: ELIGIBLE.type, payload: ELIGIBLE.payload }, headers);
    expect(replay.statusCode).toBe(204);
    expect(replay.headers.etag).toBe('"3"');
    expect(replay.headers['idempotent-replay']).toBe('true');
    expect(eventsOf(id)).toHaveLength(3);
    // Without the preference, the case comes back as before.
    const full = await post(id, t.tokens.initiator, '"3"', WITHDRAW);
    expect(full.statusCode, full.body).toBe(200);
    expect(json(full)).toMatchObject({ id, version: 4 });
  });
});
