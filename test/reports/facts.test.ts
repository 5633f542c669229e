import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { reportFacts, readFacts } from '../../src/engine/report-facts.js';
import type { CaseContext } from '../../machines/case/context.js';
import { PROGRAMME, advance, auth, createCase, createTestApp, json, type TestApp } from '../helpers.js';
import { createCaseStore } from '../../src/engine/case-store.js';

/*
 * The reports read what they need of a case from `cases.report_facts` through the index
 * `cases_report`, never the snapshots: at 100,000 cases a report that parsed every snapshot
 * took a minute and gigabytes. This holds it without timing anything: every statement a report
 * runs is recorded and none may name the snapshot; the statement that counts the year's cases
 * reads the covering index. And the facts a database from before them got from migration 0018
 * (SQL over the snapshot) are the ones the engine writes, so the reports are the same.
 */

let t: TestApp;
const YEAR = 2026;
const sqlite = () => t.services.db.$client;
const reportUrl = `/api/programmes/${PROGRAMME}/reports/${YEAR}`;

/** The SQL of every statement prepared while `run` runs. */
async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
  const db = sqlite();
  const prepare = db.prepare;
  const seen: string[] = [];
  db.prepare = ((source: string) => {
    seen.push(source);
    return prepare.call(db, source);
  }) as typeof db.prepare;
  try {
    await run();
  } finally {
    db.prepare = prepare;
  }
  return seen;
}

const reportsOfTheYear = async () => ({
  json: json(await t.app.inject({ method: 'GET', url: reportUrl, headers: auth(t.tokens['county-coordinator']) })),
  csv: (await t.app.inject({ method: 'GET', url: `${reportUrl}?format=csv`, headers: auth(t.tokens['county-coordinator']) })).body,
  multiYear: json(
    await t.app.inject({
      method: 'GET',
      url: `/api/programmes/${PROGRAMME}/reports/multi-year`,
      headers: auth(t.tokens['county-coordinator']),
    }),
  ),
  public: json(await t.app.inject({ method: 'GET', url: `/api/public/programmes/${PROGRAMME}/initiatives` })),
});

beforeAll(async () => {
  t = await createTestApp();
  // Cases at every stage: an idea, a proposal, a decided one, and one through the whole story
  // (follow-ups with spending and indicator values, a scale-up recommendation and decision).
  advance(t, await createCase(t, 'Ett nytt förslag'), storyUntilStep(3));
  advance(t, await createCase(t, 'Ett beslutat förslag'), storyUntilStep(10));
  advance(t, await createCase(t, 'Hela vägen'), FULL_STORY);
  await createCase(t, 'Bara en idé');
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('what the reports read of a case', () => {
  it('reads no snapshot for the programme-year report, its page or the multi-year report, and counts from the covering index', async () => {
    const headers = auth(t.tokens['county-coordinator']);
    const statements = await statementsOf(async () => {
      for (const url of [reportUrl, `${reportUrl}?page=2&pageSize=1`, `/api/programmes/${PROGRAMME}/reports/multi-year`]) {
        const res = await t.app.inject({ method: 'GET', url, headers });
        expect(res.statusCode, url).toBe(200);
      }
      const page = await t.app.inject({ method: 'GET', url: `/programmes/${PROGRAMME}/reports/${YEAR}`, headers });
      expect(page.statusCode).toBe(200);
    });
    const ofCases = statements.filter((s) => /\bcases\b/.test(s) && !/^(INSERT|UPDATE|DELETE)/i.test(s.trim()));
    expect(ofCases.length, 'the reports read the cases').toBeGreaterThan(0);
    expect(ofCases.filter((s) => s.includes('snapshot'))).toEqual([]);

    // The statement that counts the year's cases reads the index, and nothing of the table.
    const counting = ofCases.find((s) => s.includes('GROUP BY 1, 2, 3, 4, 5, 6'))!;
    const pools = JSON.stringify(t.services.money.pools(PROGRAMME, YEAR).map((p) => p.id));
    const plan = (
      sqlite()
        .prepare(`EXPLAIN QUERY PLAN ${counting}`)
        .all({
          programmeId: PROGRAMME,
          year: YEAR,
          pools,
          until: `${YEAR}-12-31T23:59:59.999Z`,
          yearEnd: `${YEAR}-12-31`,
          lastYearEnd: `${YEAR - 1}-12-31`,
        }) as {
        detail: string;
      }[]
    ).map((r) => r.detail);
    const ofCasesTable = plan.filter((d) => /\b(SCAN|SEARCH) c\b/.test(d));
    expect(ofCasesTable).toEqual([expect.stringContaining('USING COVERING INDEX cases_report')]);
  });

  it('lists the initiatives a page at a time, while every figure counts them all', async () => {
    const headers = auth(t.tokens['county-coordinator']);
    const all = json(await t.app.inject({ method: 'GET', url: reportUrl, headers })) as {
      initiatives: { caseId: string }[];
      initiativesPage: { page: number; pageSize: number; pages: number };
      totals: { initiatives: number };
    };
    expect(all.initiatives).toHaveLength(4);
    expect(all.initiativesPage).toEqual({ page: 1, pageSize: 100, pages: 1 });
    const pages = [];
    for (let page = 1; page <= 3; page++) {
      const one = json(await t.app.inject({ method: 'GET', url: `${reportUrl}?page=${page}&pageSize=3`, headers })) as typeof all;
      expect(one.totals).toEqual(all.totals);
      expect(one.initiativesPage).toEqual({ page, pageSize: 3, pages: 2 });
      pages.push(...one.initiatives);
    }
    expect(pages).toEqual(all.initiatives);
    const bad = await t.app.inject({ method: 'GET', url: `${reportUrl}?pageSize=1001`, headers });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('pageSize');
  });

  it('are what migration 0018 derives from the snapshots, so the reports are the same after it', async () => {
    const rows = sqlite().prepare('SELECT id, snapshot, report_facts FROM cases WHERE programme_id = ?').all(PROGRAMME) as {
      id: string;
      snapshot: string;
      report_facts: string;
    }[];
    expect(rows.length).toBe(4);
    // The whole snapshot: the row's and its parts (src/engine/case-parts.ts).
    const store = createCaseStore(t.services.db);
    const whole = new Map(rows.map((r) => [r.id, store.load(r.id)!.snapshot as { context: CaseContext }]));
    for (const row of rows) {
      expect(row.report_facts, 'written by the engine as the facts of its context').toBe(reportFacts(whole.get(row.id)!.context));
    }
    const full = readFacts(rows.find((r) => whole.get(r.id)!.context.followUps.length > 0)!.report_facts);
    expect(full.followUps.length).toBeGreaterThan(0);
    expect(full.scaleUpDecision).not.toBeNull();
    expect(full.decision?.decision).toBe('approve');

    const before = await reportsOfTheYear();
    const migration = fs.readFileSync('migrations/0018_report_facts.sql', 'utf8').split('--> statement-breakpoint');
    const backfill = migration.find((s) => s.includes('UPDATE `cases`'))!;
    sqlite().prepare('UPDATE cases SET report_facts = NULL').run();
    // As a database before the migrations held its cases: the whole snapshot in the row (the
    // parts moved out by a later migration), put back as the engine keeps it after the backfill.
    const setSnapshot = sqlite().prepare('UPDATE cases SET snapshot = ? WHERE id = ?');
    for (const row of rows) setSnapshot.run(JSON.stringify(whole.get(row.id)), row.id);
    sqlite().exec(backfill);
    for (const row of rows) setSnapshot.run(row.snapshot, row.id);
    const derived = sqlite().prepare('SELECT id, report_facts FROM cases WHERE programme_id = ?').all(PROGRAMME) as {
      id: string;
      report_facts: string;
    }[];
    for (const row of derived) {
      const written = rows.find((r) => r.id === row.id)!;
      expect(JSON.parse(row.report_facts), 'the same facts').toEqual(JSON.parse(written.report_facts));
    }
    expect(await reportsOfTheYear()).toEqual(before);
  });

  it('pages a long list of initiatives on the report page', async () => {
    // 150 more cases, copied in SQL from one with its facts.
    const source = (
      sqlite().prepare('SELECT id FROM cases WHERE programme_id = ? ORDER BY diary_number LIMIT 1').get(PROGRAMME) as { id: string }
    ).id;
    const copy = sqlite()
      .prepare(`INSERT INTO cases (id, programme_id, diary_number, title, initiator_id, priority_area_id, steps, state_paths, status,
      outcome, search_text, snapshot, version, machine_version, programme_version, created_at, updated_at, report_facts)
      SELECT lower(hex(randomblob(16))), programme_id, 'KOPIA-' || printf('%03d', @n), title, initiator_id, priority_area_id, steps, state_paths, status,
      outcome, search_text, snapshot, version, machine_version, programme_version, created_at, updated_at, report_facts FROM cases WHERE id = @source`);
    for (let n = 0; n < 150; n++) copy.run({ n, source });
    const headers = { ...auth(t.tokens['county-coordinator']), accept: 'text/html' };
    const page = (query: string, lang = 'sv') =>
      t.app.inject({
        method: 'GET',
        url: `/programmes/${PROGRAMME}/reports/${YEAR}${query}`,
        headers: { ...headers, 'accept-language': lang },
      });
    const first = await page('');
    expect(first.statusCode).toBe(200);
    expect(first.body.match(/<tr data-case=/g)).toHaveLength(100);
    expect(first.body).toContain('Satsningar 1–100 av 154');
    expect(first.body).toContain('aria-label="Sidor med satsningar"');
    expect(first.body).toContain('rel="next">Nästa sida</a>');
    expect(first.body).not.toContain('Föregående sida');
    const second = await page('?page=2');
    expect(second.body.match(/<tr data-case=/g)).toHaveLength(54);
    expect(second.body).toContain('Satsningar 101–154 av 154');
    expect(second.body).toContain('rel="prev">Föregående sida</a>');
    expect(second.body).toContain('aria-current="page" aria-label="Sida 2 av 2"');
    // Every figure still counts them all.
    expect(second.body).toContain('data-field="total.initiatives" data-count="154"');
    const past = await page('?page=9');
    expect(past.statusCode).toBe(303);
    expect(past.headers.location).toBe(`/programmes/${PROGRAMME}/reports/${YEAR}?page=2`);
  });
});
