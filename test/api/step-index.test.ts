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
    .flatMap((c) =>
      c.steps
        .split(',')
        .filter(Boolean)
        .map((s) => `${c.id}:${s}`),
    )
    .sort();
const fromIndex = () =>
  (t.services.db.$client.prepare('SELECT case_id, step FROM case_steps').all() as { case_id: string; step: number }[])
    .map((r) => `${r.case_id}:${r.step}`)
    .sort();

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
  const page = async (url: string) =>
    json<{ items: { title: string }[]; nextCursor: string | null }>(
      await t.app.inject({ method: 'GET', url, headers: auth(t.tokens['county-coordinator']) }),
    );
  const twelve = await page('/api/cases?step=12&limit=1');
  expect(twelve.items.map((c) => c.title)).toEqual(['Hela vägen']);
  const next = await page(`/api/cases?step=12&limit=1&cursor=${twelve.nextCursor}`);
  expect(next.items.map((c) => c.title)).toEqual(['Steg 10']);
  expect(next.nextCursor).toBeNull();
  expect((await page('/api/cases?step=11&status=active')).items.map((c) => c.title)).toEqual(['Steg 10']);
});

// ---- the free-text index (case_search, trigrams) -------------------------------------------

const searchFromCases = () =>
  (t.services.db.$client.prepare('SELECT id, search_text AS body FROM cases ORDER BY id').all() as { id: string; body: string }[]).map(
    (r) => `${r.id}:${r.body}`,
  );
const searchFromIndex = () =>
  (
    t.services.db.$client.prepare('SELECT case_id, body FROM case_search ORDER BY case_id').all() as { case_id: string; body: string }[]
  ).map((r) => `${r.case_id}:${r.body}`);

it('the search index holds each case once, with its search text, and its migration fills it the same way', () => {
  expect(searchFromIndex()).toHaveLength(5);
  expect(searchFromIndex()).toEqual(searchFromCases());
  const statements = fs.readFileSync('migrations/0005_case_search.sql', 'utf8').split('--> statement-breakpoint');
  const backfill = statements.find((s) => s.includes('INSERT INTO `case_search`') && s.includes('FROM `cases`'))!;
  t.services.db.$client.exec('DELETE FROM case_search');
  t.services.db.$client.exec(backfill);
  expect(searchFromIndex()).toEqual(searchFromCases());
});

it('free-text search reads the index, and keeps its meaning for short and odd queries', async () => {
  const titles = async (q: string) =>
    json<{ items: { title: string }[] }>(
      await t.app.inject({ method: 'GET', url: `/api/cases?q=${encodeURIComponent(q)}`, headers: auth(t.tokens['county-coordinator']) }),
    ).items.map((c) => c.title);
  expect(await titles('HELA VÄG')).toEqual(['Hela vägen']);
  expect(await titles('steg 1')).toEqual(['Steg 10', 'Steg 1']);
  // Under three characters there are no trigrams: the text is read instead, same answer.
  expect(await titles('g 4')).toEqual(['Steg 4']);
  expect(await titles('"')).toEqual([]);
  expect(await titles('a "b')).toEqual([]);
  // The list's own query looks the text up in the trigram index instead of reading every case.
  const sqlite = t.services.db.$client;
  const prepare = sqlite.prepare;
  const prepared: string[] = [];
  sqlite.prepare = ((source: string) => (prepared.push(source), prepare(source))) as typeof prepare;
  try {
    expect(await titles('vägen')).toEqual(['Hela vägen']);
  } finally {
    sqlite.prepare = prepare;
  }
  const listSql = prepared.find((source) => source.includes('case_search'))!;
  expect(listSql).toBeDefined();
  const parameters = listSql.split('?').length - 1;
  const plan = sqlite.prepare(`EXPLAIN QUERY PLAN ${listSql}`).all(...Array.from({ length: parameters }, () => 'vägen')) as {
    detail: string;
  }[];
  expect(plan.map((p) => p.detail).join('\n')).toMatch(/VIRTUAL TABLE INDEX/);
});

it("the search index follows a case's changed search text, and a deleted case, through its own index", () => {
  const sqlite = t.services.db.$client;
  const [a, b] = (sqlite.prepare('SELECT id FROM cases ORDER BY id LIMIT 2').all() as { id: string }[]).map((r) => r.id);
  sqlite.prepare("UPDATE cases SET search_text = 'uph-2026-9999 omdöpt idé' WHERE id = ?").run(a);
  expect(searchFromIndex()).toEqual(searchFromCases());
  // A case with nothing attached, removed again.
  const columns = (sqlite.prepare('SELECT name FROM pragma_table_info(?)').all('cases') as { name: string }[]).map((c) => c.name);
  const copy = columns.map((c) => (c === 'id' ? "'tillfällig'" : c === 'diary_number' ? "'UPH-2026-8888'" : c)).join(', ');
  sqlite.prepare(`INSERT INTO cases (${columns.join(', ')}) SELECT ${copy} FROM cases WHERE id = ?`).run(b);
  expect(searchFromIndex()).toEqual(searchFromCases());
  sqlite.prepare("DELETE FROM cases WHERE id = 'tillfällig'").run();
  expect(searchFromIndex()).toEqual(searchFromCases());
  expect(searchFromIndex()).toHaveLength(5);
});
