import { afterAll, beforeAll, expect, it } from 'vitest';
import { storyUntilStep } from '../../src/demo/story.js';
import { advance, createCase, createTestApp, type TestApp } from '../helpers.js';

/*
 * Due timers fire in batches, one transaction per batch, each timer in a savepoint of its
 * own: one that fails is rolled back alone, stays pending and is reported; the others fire.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

it('a timer that fails does not stop or undo the others in its batch', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const id = await createCase(t, `Idé ${i}`);
    advance(t, id, storyUntilStep(4)); // submitted, not yet on the agenda: a reminder is pending
    ids.push(id);
  }
  const sqlite = t.services.db.$client;
  // One case's snapshot is broken, so firing its timer throws.
  sqlite.prepare("UPDATE cases SET snapshot = '{broken' WHERE id = ?").run(ids[1]);
  t.clock.advance(30 * 86_400_000);
  expect(t.services.scheduler.runDue()).toMatchObject({ fired: 2, failed: 1 });
  const status = (id: string) =>
    (sqlite.prepare("SELECT status FROM timers WHERE case_id = ? AND kind = 'idea-unanswered'").get(id) as { status: string }).status;
  expect(ids.map(status)).toEqual(['fired', 'pending', 'fired']);
  const outbox = (id: string) =>
    (sqlite.prepare("SELECT count(*) AS n FROM outbox WHERE case_id = ? AND kind = 'idea-unanswered'").get(id) as { n: number }).n;
  expect(outbox(ids[0]!)).toBeGreaterThan(0);
  expect(outbox(ids[1]!)).toBe(0);
  // Nothing is fired twice.
  expect(t.services.scheduler.runDue()).toMatchObject({ fired: 0, failed: 1 });
});
