import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY } from '../../src/demo/story.js';
import { EVENT_BODY_MAX_BYTES } from '../../src/routes/api/cases.js';
import { advance, auth, createCase, createTestApp, json, sendEvent, tableCounts, type TestApp } from '../helpers.js';

/*
 * A case's history comes a page at a time, oldest first, with a cursor like the case list's;
 * an event's body is bounded where it enters, and the bound is in the OpenAPI document.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

type Page = { version: number; nextCursor: string | null; events: { version: number; type: string }[] };
const historyOf = async (id: string, query = '') =>
  t.app.inject({ method: 'GET', url: `/api/cases/${id}/history${query}`, headers: auth(t.tokens['county-coordinator']) });

describe('the history, a page at a time', () => {
  it('walks the whole log by its cursors, each event once, in order, and the first page is the default', async () => {
    const id = await createCase(t);
    advance(t, id, FULL_STORY);
    const all = json<Page>(await historyOf(id, '?limit=500'));
    expect(all.nextCursor).toBeNull();
    expect(all.events.length).toBeGreaterThan(20);
    expect(all.events.map((e) => e.version)).toEqual(all.events.map((_, i) => i + 1));

    const walked: Page['events'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await historyOf(id, `?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = json<Page>(res);
      expect(page.events.length).toBeLessThanOrEqual(7);
      walked.push(...page.events);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(walked).toEqual(all.events);
    expect(pages).toBe(Math.ceil(all.events.length / 7));

    // Without a limit: the first 100, which here is all of it.
    const first = json<Page>(await historyOf(id));
    expect(first.events).toEqual(all.events);
  });

  it('a cursor it did not hand out, or a limit out of range, is a 422 naming the field', async () => {
    const id = await createCase(t);
    for (const [query, field] of [
      ['?cursor=not-ours', 'cursor'],
      ['?cursor=' + Buffer.from('{"after":-3}').toString('base64url'), 'cursor'],
      ['?limit=0', 'limit'],
      ['?limit=501', 'limit'],
    ] as const) {
      const res = await historyOf(id, query);
      expect(res.statusCode, query).toBe(422);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toContain(field);
    }
  });
});

describe("an event's size", () => {
  it('a body over the bound is refused with 413 as problem+json, and nothing is written', async () => {
    const id = await createCase(t);
    advance(
      t,
      id,
      FULL_STORY.slice(
        0,
        FULL_STORY.findIndex((s) => s.type === 'UPDATE_PROPOSAL'),
      ),
    );
    const counts = tableCounts(t);
    const res = await sendEvent(t, id, t.tokens['county-coordinator'], {
      type: 'UPDATE_PROPOSAL',
      payload: { background: 'x'.repeat(EVENT_BODY_MAX_BYTES + 1) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(tableCounts(t)).toEqual(counts);
  });

  it('the bound is stated in the OpenAPI document', async () => {
    const doc = json<{ paths: Record<string, Record<string, { description?: string }>> }>(
      await t.app.inject({ method: 'GET', url: '/openapi.json' }),
    );
    expect(doc.paths['/api/cases/{id}/events']!.post!.description).toContain(`${EVENT_BODY_MAX_BYTES} bytes`);
    expect(doc.paths['/api/cases/{id}/history']!.get!.description).toContain(`${EVENT_BODY_MAX_BYTES} bytes`);
  });
});
