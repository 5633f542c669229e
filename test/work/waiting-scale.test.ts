import { afterAll, beforeAll, expect, it } from 'vitest';
import { storyUntilStep } from '../../src/demo/story.js';
import type { Actor } from '../../src/people/service.js';
import { advance, createTestApp, type TestApp } from '../helpers.js';

/*
 * What waits, with 1,000 cases in the programme: how long the count (every page's header)
 * and the list take for a coordinator and an initiator. It prints the times and asserts
 * nothing about them (the machine it runs on is shared); it asserts only that count and list
 * agree.
 */

let t: TestApp;
const CASES = 1000;

beforeAll(async () => {
  t = await createTestApp();
  const steps2 = storyUntilStep(2);
  const steps4 = storyUntilStep(4);
  const steps10 = storyUntilStep(10);
  for (let i = 0; i < CASES; i++) {
    const { id } = t.services.cases.create(t.actors.initiator, { title: `Idé nummer ${i}`, summary: 'En idé att pröva.' }, 'sv');
    if (i % 100 === 0) advance(t, id, steps10);
    else if (i % 4 === 1) advance(t, id, steps2);
    else if (i % 4 === 2) advance(t, id, steps4);
    if (i % 5 === 0) t.services.conversation.add(t.actors['county-coordinator'], id, { body: 'En fråga.', visibility: 'shared' });
  }
}, 600_000);
afterAll(async () => {
  if (process.env.KEEP_DB) {
    t.services.db.$client.pragma('wal_checkpoint(TRUNCATE)');
    (await import('node:fs')).copyFileSync(t.file, process.env.KEEP_DB);
  }
  await t.close();
});

function timed(work: () => unknown, runs = 20) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return `median ${times[Math.floor(runs / 2)]!.toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms`;
}

it(`counts and lists what waits among ${CASES} cases`, () => {
  const who: [string, Actor][] = [
    ['initiator (owns every case)', t.actors.initiator],
    ['county coordinator', t.actors['county-coordinator']],
    ['steering group', t.actors['steering-group']],
    ['finance (nothing waits)', t.actors.finance],
  ];
  for (const [name, actor] of who) {
    const count = t.services.waiting.count(actor);
    expect(t.services.waiting.list(actor, 'sv')).toHaveLength(count);
    console.log(
      `${name}: ${count} waiting; count ${timed(() => t.services.waiting.count(actor))}; list ${timed(() => t.services.waiting.list(actor, 'sv'))}`,
    );
  }
  // How SQLite runs the queries (the comment query is the one without an index of its own to start from).
  const plan = (sql: string, ...params: unknown[]) =>
    (t.services.db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
  console.log('comments by author:', plan('SELECT case_id FROM case_comments WHERE author_id = ?', 'x'));
  console.log('follows by user:', plan('SELECT case_id FROM case_follows WHERE user_id = ? AND following = 1', 'x'));
});
