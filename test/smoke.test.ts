import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY } from '../src/demo/story.js';
import { auth, createCase, createCaseOnVersion, createTestApp, json, sendEvent, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('the app on a fresh database', () => {
  it('answers /health once ready', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
  });

  it('carries a case through all twelve steps over the API', async () => {
    const id = await createCase(t);
    const seen = new Set<number>([2]);
    // The idea was sent when it was raised (machine version 4): the rest of the story follows.
    for (const step of FULL_STORY.filter((s) => s.type !== 'CONTACT_COORDINATORS')) {
      const res = await sendEvent(t, id, t.tokens[step.role], { type: step.type, payload: step.payload });
      expect(res.statusCode, `${step.type}: ${res.body}`).toBe(200);
      for (const s of json<{ steps: number[] }>(res).steps) seen.add(s);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const final = json<{ status: string; outcome: string }>(
      await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: auth(t.tokens.initiator) }),
    );
    expect(final).toMatchObject({ status: 'done', outcome: 'scaled-up' });
  });
});

describe('idempotency keys', () => {
  it('are kept for 24 hours and purged after 48', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: { ...auth(t.tokens.initiator), 'idempotency-key': 'purge-test-key-1' },
      payload: { title: 'Purge', summary: 'Kept for a while' },
    });
    expect(res.statusCode).toBe(201);
    const count = () =>
      (t.services.db.$client.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE key = 'purge-test-key-1'").get() as { n: number }).n;
    t.clock.advance(47 * 3_600_000);
    t.services.idempotency.purge();
    expect(count()).toBe(1);
    t.clock.advance(2 * 3_600_000);
    t.services.idempotency.purge();
    expect(count()).toBe(0);
  });
});

describe('participants', () => {
  it('an initiator brings in a co-writer, who then sees the case and may update the proposal', async () => {
    // A case raised before machine version 4, so that the participant still has the contact to send.
    const id = createCaseOnVersion(t, 2, 'Delad idé');
    const other = t.otherInitiator;
    const hidden = await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: auth(other.token) });
    expect(hidden.statusCode).toBe(404);

    const added = await sendEvent(t, id, t.tokens.initiator, { type: 'ADD_PARTICIPANT', payload: { userId: other.actor.id } });
    expect(added.statusCode).toBe(200);
    const seen = await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: auth(other.token) });
    expect(seen.statusCode).toBe(200);
    const list = json<{ items: { id: string }[] }>(await t.app.inject({ method: 'GET', url: '/api/cases', headers: auth(other.token) }));
    expect(list.items.map((c) => c.id)).toEqual([id]);
    const contact = await sendEvent(t, id, other.token, { type: 'CONTACT_COORDINATORS', payload: { message: 'Hej' } });
    expect(contact.statusCode).toBe(200);

    const twice = await sendEvent(t, id, t.tokens.initiator, { type: 'ADD_PARTICIPANT', payload: { userId: other.actor.id } });
    expect(twice.statusCode).toBe(422);
    expect(json(twice)).toMatchObject({ code: 'requirements-not-met', unmet: [{ id: 'participant-new' }] });

    const foreign = await sendEvent(t, id, t.tokens.initiator, {
      type: 'ADD_PARTICIPANT',
      payload: { userId: t.foreignCoordinator.actor.id },
    });
    expect(foreign.statusCode).toBe(422);
    expect(json(foreign)).toMatchObject({ code: 'validation-failed', errors: [{ path: 'payload.userId' }] });
  });
});
