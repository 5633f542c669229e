import { afterAll, beforeAll, expect, it } from 'vitest';
import { auth, createTestApp, type TestApp } from '../helpers.js';

/* An API token's "last used" is kept to the minute, so a read never costs a durable write each time. */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

it('records when a token was last used, at most once a minute', async () => {
  const lastUsed = () =>
    (
      t.services.db.$client
        .prepare('SELECT last_used_at AS at FROM api_tokens WHERE user_id = ?')
        .get(t.actors['county-coordinator'].id) as { at: string | null }
    ).at;
  const read = () => t.app.inject({ method: 'GET', url: '/api/cases', headers: auth(t.tokens['county-coordinator']) });
  expect((await read()).statusCode).toBe(200);
  const first = lastUsed();
  expect(first).toBe(t.clock.now().toISOString());
  const changes = t.services.db.$client.prepare('SELECT total_changes() AS n').get() as { n: number };
  t.clock.advance(30_000);
  await read();
  expect(lastUsed()).toBe(first);
  expect((t.services.db.$client.prepare('SELECT total_changes() AS n').get() as { n: number }).n).toBe(changes.n);
  t.clock.advance(31_000);
  await read();
  expect(lastUsed()).toBe(t.clock.now().toISOString());
});
