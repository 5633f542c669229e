import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { advance, auth, createCase, createTestApp, json, type TestApp } from '../helpers.js';

/*
 * The case list's step index (case_steps) says exactly what each case's own steps say, after
 * every kind of change, and the migration that created it fills it the same way.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  for (const n of [1, 4, 8, 10]) {
    t.clock.advance(60_000); // a case a minute, so "newest first" is well defined
    advance(t, await createCase(t, `Steg ${n}`), storyUntilStep(n));
  }
  t.clock.advance(60_000);
  advance(t, await createCase(t, 'Hela vägen'), FULL_STORY);
});
afterAll(async () => {
  await t.close();
});

const fromCases = () =>
  (t.services.db.$client.prepare('SELECT id, steps FROM cases').all() as { id: string; steps: string }[])
    .flatMap((c) => c.steps.split(',').filter(Boolean).map((s) => `${c.id}:${s}`))
    .sort();
const fromIndex = () =>
  (t.services.db.$client.prepare('SELECT case_id, step FROM case_steps').all() as { case_id: string; step: number }[]).map((r) => `${r.case_id}:${r.step}`).sort();

it('holds one row per step each case stands at', () => {
  expect(fromIndex()).toHaveLength(1 + 1 + 1 + 3 + 1);
  expect(fromIndex()).toEqual(fromCases());
});

it('is filled by its migration the same way for cases that existed before it', () => {
  const migration = fs.readFileSync('migrations/0004_case_steps.sql', 'utf8').split('--> statement-breakpoint').pop()!;
  t.services.db.$client.exec('DELETE FROM case_steps');
  t.services.db.$client.exec(migration);
  expect(fromIndex()).toEqual(fromCases());
});

it('serves the step filter, newest first, with paging', async () => {
  const page = async (url: string) => json<{ items: { title: string }[]; nextCursor: string | null }>(await t.app.inject({ method: 'GET', url, headers: auth(t.tokens['county-coordinator']) }));
  const twelve = await page('/api/cases?step=12&limit=1');
  expect(twelve.items.map((c) => c.title)).toEqual(['Hela vägen']);
  const next = await page(`/api/cases?step=12&limit=1&cursor=${twelve.nextCursor}`);
  expect(next.items.map((c) => c.title)).toEqual(['Steg 10']);
  expect(next.nextCursor).toBeNull();
  expect((await page('/api/cases?step=11&status=active')).items.map((c) => c.title)).toEqual(['Steg 10']);
});
