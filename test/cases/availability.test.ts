import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseService } from '../../src/cases/service.js';
import { storyUntilStep } from '../../src/demo/story.js';
import { createCaseStore } from '../../src/engine/case-store.js';
import type { Language } from '../../src/i18n/index.js';
import type { Actor } from '../../src/people/service.js';
import { wordsOf } from '../../src/programmes/config.js';
import { advance, auth, createTestApp, json, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * The case view's allowed and blocked events are remembered: the part that depends only on
 * where the case stands and who asks once per such key, the part that reads the case's data
 * once per case version. The remembered answer is the answer a fresh computation gives, also
 * after a command that changes the version.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** A case service of its own, with nothing remembered: what a fresh computation answers. */
function fresh() {
  const { db, engine, people, timers, programmes } = t.services;
  return createCaseService({
    db,
    engine,
    store: createCaseStore(db),
    people,
    timers,
    wordsOf: (id) => {
      const c = programmes.get(id);
      return c && wordsOf(c);
    },
    programme: (id) => programmes.get(id),
  });
}

const events = (view: { allowedEvents: unknown; blockedEvents: unknown }) => ({
  allowedEvents: view.allowedEvents,
  blockedEvents: view.blockedEvents,
});

describe('the case view’s allowed and blocked events', () => {
  it('are built once per state and caller, and once per case version; the same as built afresh', async () => {
    const who: Actor[] = [t.actors.initiator, t.actors['county-coordinator'], t.actors['steering-group'], t.actors['local-coordinator']];
    const { id } = t.services.cases.create(t.actors.initiator, { title: 'Minns rätt', summary: 'En idé att pröva.' }, 'sv');
    advance(t, id, storyUntilStep(7));
    const compare = (actor: Actor, lang: Language) => {
      const remembered = t.services.cases.get(actor, id, lang);
      expect(events(remembered)).toEqual(events(fresh().get(actor, id, lang)));
      return remembered;
    };
    for (const actor of who) for (const lang of ['sv', 'en'] as const) compare(actor, lang);
    // Asked again: nothing is built.
    const before = t.services.cases.availabilityStats();
    for (const actor of who) compare(actor, 'sv');
    const again = t.services.cases.availabilityStats();
    expect(again.base.misses).toBe(before.base.misses);
    expect(again.data.misses).toBe(before.data.misses);
    expect(again.base.hits).toBe(before.base.hits + who.length);
    expect(again.data.hits).toBe(before.data.hits + who.length);

    // A command over the API (the answer's view is built in the command's transaction, and not kept).
    const view = t.services.cases.get(t.actors['county-coordinator'], id, 'sv');
    // At step 7 the proposal waits for a check-in: recording one meets that rule.
    const start = [...view.allowedEvents, ...view.blockedEvents].find((e) => e.type === 'START_PROPOSAL')!;
    expect(start.reasons.map((r) => r.code)).toEqual(['requirement-unmet']);
    const sent = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${id}/events`,
      headers: { ...auth(t.tokens['county-coordinator']), 'if-match': `"${view.version}"` },
      payload: { type: 'RECORD_CHECK_IN', payload: { date: '2026-02-01', group: 'Ledningsgruppen', notes: 'Avstämning.' } },
    });
    expect(sent.statusCode, sent.body).toBe(200);
    const answered = json<{ version: number; allowedEvents: unknown; blockedEvents: unknown }>(sent);
    expect(answered.version).toBe(view.version + 1);
    expect(events(answered)).toEqual(
      JSON.parse(JSON.stringify(events(fresh().get(t.actors['county-coordinator'], id, 'sv')))) as ReturnType<typeof events>,
    );
    // The new version's data part is built anew (once), and matches a fresh computation for everyone.
    const afterCommand = t.services.cases.availabilityStats();
    for (const actor of who) compare(actor, 'sv');
    expect(t.services.cases.availabilityStats().data.misses).toBe(afterCommand.data.misses + 1);
    const now = t.services.cases.get(t.actors['county-coordinator'], id, 'sv');
    expect(now.allowedEvents.map((e) => e.type)).toContain('START_PROPOSAL');
  });
});

describe('the board’s counts by step', () => {
  it('are read from the step index (no case row), kept until a case changes, and always what the index says', async () => {
    const coordinator = t.actors['county-coordinator'];
    const sqlite = t.services.db.$client;
    const sql = 'SELECT step, count(*) AS n FROM case_steps WHERE programme_id = ? GROUP BY step';
    const plan = (sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(PROGRAMME) as { detail: string }[]).map((r) => r.detail);
    expect(plan).toEqual(['SEARCH case_steps USING COVERING INDEX case_steps_programme_step_created (programme_id=?)']);
    const counted = () => new Map((sqlite.prepare(sql).all(PROGRAMME) as { step: number; n: number }[]).map((r) => [r.step, r.n]));
    expect(t.services.cases.stepCounts(coordinator, PROGRAMME)).toEqual(counted());
    const { id } = t.services.cases.create(t.actors.initiator, { title: 'Räknas på tavlan', summary: 'En idé.' }, 'sv');
    expect(t.services.cases.stepCounts(coordinator, PROGRAMME)).toEqual(counted());
    advance(t, id, storyUntilStep(4));
    expect(t.services.cases.stepCounts(coordinator, PROGRAMME)).toEqual(counted());
    // The board shows them.
    const res = await t.app.inject({
      method: 'GET',
      url: '/board',
      headers: { ...auth(t.tokens['county-coordinator']), accept: 'text/html' },
    });
    expect(res.statusCode).toBe(200);
    const atStep4 = counted().get(4) ?? 0;
    expect(res.body).toMatch(new RegExp(`<a href="/board\\?step=4">4\\. [^<]+</a>: ${atStep4} `));
  });
});
