import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY } from '../../src/demo/story.js';
import { drawCharts, moneyChart } from '../../src/reports/charts.js';
import type { MultiYearReport } from '../../src/reports/multi-year.js';
import type { YearReport } from '../../src/reports/programme-year.js';
import { advance, auth, createCase, createTestApp, json, mainText, PROGRAMME, type TestApp } from '../helpers.js';
import { csvRows } from './agree.js';
import { chartsWithTables, compareChartAndTable, labelNumber, readChart, readTable } from './chart-reader.js';

/*
 * The multi-year report of Jämtland's long-term plan (seed 004) as the programme's plan:
 * adopted in June 2022, measured and followed up year by year at the clock of each year, and
 * read in March 2026. It says per year whether a target was met or missed, which assignments
 * are overdue and when the next revision is due; its money per year is the programme-year
 * report's; its JSON, CSV and workbook agree; and every chart on its page draws exactly the
 * numbers of the table that follows it (read from the SVG's own geometry and axis).
 */

const seed = JSON.parse(fs.readFileSync('test/fixtures/seed-004-plan.json', 'utf8')) as {
  document: Record<string, unknown> & { indicators: { id: string; targets: unknown[] }[] };
  adoption: Record<string, string>;
};
// The share of trained staff gets targets for later years too: met in 2022, missed in 2024,
// not measured in 2025 and not due yet in 2026.
const document = {
  ...seed.document,
  indicators: seed.document.indicators.map((i) =>
    i.id === 'utbildade-andel'
      ? {
          ...i,
          targets: [
            { year: 2022, value: 20 },
            { year: 2024, value: 40 },
            { year: 2025, value: 50 },
            { year: 2026, value: 60 },
          ],
        }
      : i,
  ),
};

const url = `/api/programmes/${PROGRAMME}/reports/multi-year`;
const pageUrl = `/programmes/${PROGRAMME}/reports/multi-year`;
const plan = `/api/programmes/${PROGRAMME}/plan`;
let t: TestApp;
let admin: Record<string, string>;
let coordinator: Record<string, string>;
/** The steering group reads in English (their own choice), the coordinator in Swedish. */
let english: Record<string, string>;
const reader = (lang: 'sv' | 'en') => (lang === 'sv' ? coordinator : english);

const get = (path: string, headers: Record<string, string> = coordinator) => t.app.inject({ method: 'GET', url: path, headers });
const post = async (path: string, payload: object, headers = coordinator) => {
  const res = await t.app.inject({ method: 'POST', url: path, headers, payload });
  expect(res.statusCode, res.body).toBe(200);
};
const value = (indicator: string, year: number, v: unknown) => post(`${plan}/indicators/${indicator}/values`, { year, value: v });
const status = (assignment: string, s: string) => post(`${plan}/assignments/${assignment}/status`, { status: s });
const page = (path: string, lang: 'sv' | 'en' = 'sv') =>
  t.app.inject({ method: 'GET', url: path, headers: { ...reader(lang), accept: 'text/html' } });

beforeAll(async () => {
  t = await createTestApp();
  admin = auth(t.tokens.administrator);
  coordinator = auth(t.tokens['county-coordinator']);
  english = auth(t.tokens['steering-group']);
  const language = await t.app.inject({ method: 'PATCH', url: '/api/me/preferences', headers: english, payload: { language: 'en' } });
  expect(language.statusCode, language.body).toBe(200);
  const config = t.services.programmes.get(PROGRAMME)!;
  t.services.programmes.change({ ...config, years: { first: 2022, last: 2035 } }, t.actors.administrator.id, 'planens år');

  t.clock.set('2022-06-27T08:00:00.000Z');
  const saved = await t.app.inject({ method: 'PUT', url: `${plan}/draft`, headers: { ...admin, 'if-match': '"0"' }, payload: document });
  expect(saved.statusCode, saved.body).toBe(200);
  const adopted = await t.app.inject({
    method: 'POST',
    url: `${plan}/draft/adopt`,
    headers: { ...admin, 'if-match': '"1"' },
    payload: seed.adoption,
  });
  expect(adopted.statusCode, adopted.body).toBe(200);

  t.clock.set('2022-12-20T10:00:00.000Z');
  await value('utbildade-andel', 2022, 18.5);
  await value('utbildade-andel', 2022, 21);
  await value('inventering-anhorigstod', 2022, true);
  await value('fullbordade-suicid', 2022, 30);
  await status('uppdrag-anhorigstod', 'in-progress');
  await status('uppdrag-anhorigstod', 'done');

  t.clock.set('2023-11-01T10:00:00.000Z');
  await value('analys-folkhalsoenkat', 2023, { title: 'Analys av Folkhälsoenkäten 2022', reference: 'RS/2023/17' });
  await value('utbildade-andel', 2023, 30);
  await value('fullbordade-suicid', 2023, 28);

  t.clock.set('2024-12-01T10:00:00.000Z');
  await value('utbildade-andel', 2024, 35.5);
  await value('fullbordade-suicid', 2024, 25);
  await status('uppdrag-lansstrategi', 'in-progress');

  // March 2026: an initiative granted 650 000 kr for 2026 and paid 200 000 kr of it.
  t.clock.set('2026-03-10T09:00:00.000Z');
  const caseId = await createCase(t, 'Utbildning i suicidprevention för förtroendevalda');
  advance(t, caseId, FULL_STORY);
  const pool = t.services.money.pools(PROGRAMME, 2026).find((p) => p.kind === 'state')!;
  t.services.db.$client
    .prepare(
      `INSERT INTO grant_movements (id, case_id, pool_id, programme_id, year, kind, amount_ore, date, created_by, created_at)
       VALUES (?, ?, ?, ?, 2026, 'payment', 20000000, '2026-03-01', ?, '2026-03-01T10:00:00.000Z')`,
    )
    .run(crypto.randomUUID(), caseId, pool.id, PROGRAMME, t.actors.administrator.id);
}, 60_000);
afterAll(async () => {
  await t.close();
});

const report = async (query = '', lang: 'sv' | 'en' = 'sv') => {
  const res = await get(`${url}${query}`, reader(lang));
  expect(res.statusCode, res.body).toBe(200);
  return json<MultiYearReport>(res);
};

describe('the multi-year report, seed 004', () => {
  it('says per year whether each target was met or missed, which assignments are overdue, and when the next revision is due', async () => {
    const r = await report();
    expect(r).toMatchObject({ fromYear: 2022, toYear: 2026, years: [2022, 2023, 2024, 2025, 2026], asOf: '2026-03-10' });
    expect(r.plan).toMatchObject({
      version: 1,
      adoptedBy: 'Regionfullmäktige',
      reference: '2022-06-21—22 § 79',
      decisionDate: '2022-06-22',
      nextRevisionDue: '2027-12-31',
      revisionOverdue: false,
    });
    expect(r.plan!.goals.map((g) => [g.horizonYears, g.targetYear])).toEqual([
      [12, 2035],
      [8, 2031],
      [4, 2027],
      [4, 2027],
    ]);
    expect(r.plan!.goals[0]!.areas.map((a) => a.label)).toEqual(['Suicidprevention', 'Främjande, förebyggande och tidiga insatser']);
    const ind = Object.fromEntries(r.plan!.indicators.map((i) => [i.id, i]));
    const outcomes = (id: string) => ind[id]!.years.map((y) => [y.year, y.target, y.value, y.outcome]);
    expect(outcomes('utbildade-andel')).toEqual([
      [2022, 20, 21, 'met'],
      [2023, null, 30, 'no-target'],
      [2024, 40, 35.5, 'missed'],
      [2025, 50, null, 'not-measured'],
      [2026, 60, null, 'not-yet-due'],
    ]);
    // A zero vision: no target in these years, the one of 2027 and 2035 stated.
    expect(outcomes('fullbordade-suicid').map((o) => o[3])).toEqual(['no-target', 'no-target', 'no-target', 'no-target', 'no-target']);
    expect(ind['fullbordade-suicid']!.targets).toEqual([
      { year: 2027, value: 0 },
      { year: 2035, value: 0 },
    ]);
    expect(outcomes('inventering-anhorigstod')[0]).toEqual([2022, true, true, 'met']);
    expect(outcomes('analys-folkhalsoenkat')[1]).toEqual([2023, true, true, 'met']);
    expect(ind['analys-folkhalsoenkat']!.years[1]!.document).toEqual({ title: 'Analys av Folkhälsoenkäten 2022', reference: 'RS/2023/17' });
    expect(r.plan!.assignments.map((a) => [a.id, a.status, a.overdue])).toEqual([
      ['uppdrag-kartlaggning', 'open', true],
      ['uppdrag-anhorigstod', 'done', false],
      ['uppdrag-lansstrategi', 'in-progress', true],
    ]);
  });

  it("gives each year's money as that year's programme-year report does", async () => {
    const r = await report();
    expect(r.money.years.map((y) => [y.year, y.pools])).toEqual([
      [2022, 0],
      [2023, 0],
      [2024, 0],
      [2025, 1],
      [2026, 1],
    ]);
    for (const y of r.money.years.filter((x) => x.pools > 0)) {
      const yearReport = json<YearReport>(await get(`/api/programmes/${PROGRAMME}/reports/${y.year}`));
      const tot = yearReport.totals;
      expect(y, String(y.year)).toEqual({
        year: y.year,
        pools: yearReport.pools.length,
        poolOre: tot.poolOre,
        grantedOre: tot.committedOre,
        paidOre: tot.paidOre,
        releasedOre: tot.releasedOre,
        repaidOre: tot.repaidOre,
        unpaidOre: tot.unpaidOre,
        remainingOre: tot.remainingOre,
        spentOre: tot.spentOre,
      });
    }
    const y2026 = r.money.years.find((y) => y.year === 2026)!;
    expect(y2026.grantedOre).toBe(65_000_000);
    expect(y2026.paidOre).toBe(20_000_000);
    expect(r.money.totals.grantedOre).toBe(r.money.years.reduce((a, y) => a + y.grantedOre, 0));
    expect(r.money.totals.poolOre).toBe(r.money.years.reduce((a, y) => a + y.poolOre, 0));
  });

  it('covers a chosen range of years, and refuses years outside the programme', async () => {
    const r = await report('?from=2024&to=2025');
    expect(r.years).toEqual([2024, 2025]);
    expect(r.plan!.indicators[0]!.years.map((y) => y.outcome)).toEqual(['missed', 'not-measured']);
    const refused = async (query: string, path: string) => {
      const res = await get(`${url}${query}`);
      expect(res.statusCode, res.body).toBe(422);
      expect(json<{ errors: { path: string }[] }>(res).errors.map((e) => e.path)).toContain(path);
    };
    await refused('?from=2021', 'querystring.from');
    await refused('?to=2036', 'querystring.to');
    await refused('?from=2025&to=2024', 'querystring.to');
    await refused('?from=tjugo', 'querystring.from');
    // The page turns a reversed range round and ignores a year outside the programme.
    const reversed = await page(`${pageUrl}?from=2025&to=2023`);
    expect(reversed.statusCode).toBe(200);
    expect(reversed.body).toContain('Flerårsrapport 2023–2025');
    expect((await page(`${pageUrl}?from=1999`)).body).toContain('Flerårsrapport 2022–2026');
  });

  it('is the same report as JSON, CSV and an Excel workbook', async () => {
    const r = await report();
    const csv = await get(`${url}?format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="${PROGRAMME}-2022-2026.csv"`);
    const { rows } = csvRows(csv.body);
    const of = (kind: string) => rows.filter((row) => row.kind === kind);
    const dec = (v: number | boolean | null) => (v === null ? '' : typeof v === 'boolean' ? String(v) : String(v).replace('.', ','));

    expect(of('plan')).toHaveLength(1);
    expect(of('plan')[0]).toMatchObject({
      plan_version: '1',
      title: r.plan!.title,
      adopted_by: 'Regionfullmäktige',
      reference: '2022-06-21—22 § 79',
      decision_date: '2022-06-22',
      next_revision_due: '2027-12-31',
      revision_overdue: 'false',
    });
    expect(of('goal').map((g) => [g.goal_id, g.horizon_years, g.target_year])).toEqual(
      r.plan!.goals.map((g) => [g.id, String(g.horizonYears), String(g.targetYear)]),
    );
    expect(of('indicator-year').map((x) => [x.indicator_id, x.year, x.target, x.value, x.outcome, x.document_title])).toEqual(
      r.plan!.indicators.flatMap((i) =>
        i.years.map((y) => [i.id, String(y.year), dec(y.target), dec(y.value), y.outcome, y.document?.title ?? '']),
      ),
    );
    expect(of('indicator-year').find((x) => x.indicator_id === 'utbildade-andel' && x.year === '2024')!.value).toBe('35,5');
    expect(of('assignment').map((a) => [a.assignment_id, a.status, a.overdue, a.due_to, a.due_label])).toEqual(
      r.plan!.assignments.map((a) => [a.id, a.status, String(a.overdue), a.due.to, a.due.label ?? '']),
    );
    const money = (row: Record<string, string>) => [row.pool_ore, row.granted_ore, row.paid_ore, row.released_ore, row.spent_ore];
    expect(of('money-year').map((row) => [row.year, ...money(row)])).toEqual(
      r.money.years.map((y) => [String(y.year), ...[y.poolOre, y.grantedOre, y.paidOre, y.releasedOre, y.spentOre].map(String)]),
    );
    expect(of('money-year').find((row) => row.year === '2026')!.granted_kr).toBe('650000,00');
    expect(money(of('money-total')[0]!)).toEqual(
      [r.money.totals.poolOre, r.money.totals.grantedOre, r.money.totals.paidOre, r.money.totals.releasedOre, r.money.totals.spentOre].map(
        String,
      ),
    );

    const xlsx = await get(`${url}?format=xlsx`);
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['plan', 'goal', 'indicator-year', 'assignment', 'money-year', 'money-total']);
    for (const sheet of workbook.worksheets) {
      const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
      const sheetRows: Record<string, string>[] = [];
      sheet.eachRow((row, n) => {
        if (n === 1) return;
        const cells = (row.values as unknown[]).slice(1);
        sheetRows.push(
          Object.fromEntries(
            header.map((name, i) => {
              const cell = cells[i];
              // Written back as the CSV writes them: decimal commas, kronor with two decimals.
              const text =
                cell === undefined || cell === null || cell === ''
                  ? ''
                  : typeof cell === 'number'
                    ? name.endsWith('_kr')
                      ? cell.toFixed(2).replace('.', ',')
                      : String(cell).replace('.', ',')
                    : String(cell);
              return [name, text];
            }),
          ),
        );
      });
      const fromCsv = of(sheet.name).map((row) => Object.fromEntries(header.map((name) => [name, row[name] ?? ''])));
      expect(sheetRows, sheet.name).toEqual(fromCsv);
    }
    // Numbers are numbers in the workbook.
    const money2026 = workbook.getWorksheet('money-year')!.getRow(6).values as unknown[];
    expect(money2026).toContain(65_000_000);
    expect(money2026).toContain(650_000);
  });

  it('draws each chart with exactly the numbers of the table that follows it, in Swedish and English', async () => {
    for (const lang of ['sv', 'en'] as const) {
      const res = await page(pageUrl, lang);
      expect(res.statusCode).toBe(200);
      const charts = chartsWithTables(res.body);
      // The two indicators measured in numbers (yes/no and documents have a table only), and the money.
      expect(charts.map((c) => c.key)).toEqual(['indicator-utbildade-andel', 'indicator-fullbordade-suicid', 'money']);
      expect(res.body.match(/<svg /g)).toHaveLength(3);
      for (const c of charts) {
        const chart = readChart(c.svg, lang);
        const table = readTable(c.table);
        expect(compareChartAndTable(chart, table), `${lang} ${c.key}`).toEqual([]);
        // Something is drawn: the test is not comparing two empty things.
        expect(chart.drawn.size, c.key).toBeGreaterThan(0);
        // The picture is named in the page's language, and needs no inline style.
        expect(c.svg).toMatch(/^<svg role="img" aria-label="[^"]+"/);
        expect(c.svg).toContain(`<title>${/aria-label="([^"]+)"/.exec(c.svg)![1]}</title>`);
        expect(c.svg).not.toMatch(/\sstyle=|<style|<script|\son[a-z]+=/);
        expect(chart.label).toContain(lang === 'sv' ? 'Samma siffror finns i tabellen' : 'The table below the chart has the same figures');
        // What the table shows in words is its figure.
        if (lang === 'sv') {
          for (const row of table.rows) {
            row.texts.forEach((text, i) => {
              const figure = row.values[i];
              if (figure !== null && text !== '–' && i < 3) expect(labelNumber(text.replace(/[^\d\s\u00a0,−-]/g, ''), 'sv')).toBe(figure);
            });
          }
        }
      }
      const indicator = readChart(charts[0]!.svg, lang);
      expect(indicator.series).toEqual(lang === 'sv' ? ['Mål', 'Uppmätt värde'] : ['Target', 'Measured value']);
      // 2022's bar is 21 and its target 20; 2025 and 2026 have a target but nothing measured.
      expect(indicator.drawn.get('1:0')).toBeCloseTo(21, 0);
      expect(indicator.drawn.get('0:0')).toBeCloseTo(20, 0);
      expect(indicator.drawn.has('1:3')).toBe(false);
      expect(indicator.drawn.has('0:3')).toBe(true);
    }
  });

  it('catches a chart that draws a wrong figure, a missing one or the years in another order', async () => {
    const r = await report();
    const res = await page(pageUrl);
    const moneyTable = readTable(chartsWithTables(res.body).find((c) => c.key === 'money')!.table);
    const draw = async (change: (spec: ReturnType<typeof moneyChart>) => void) => {
      const spec = moneyChart(r);
      change(spec);
      const [drawn] = await drawCharts([spec]);
      return compareChartAndTable(readChart(drawn!.svg, 'sv'), moneyTable);
    };
    expect(await draw(() => undefined)).toEqual([]);
    // The pool of 2026 a tenth smaller.
    expect(await draw((s) => (s.series[0]!.values[4] = s.series[0]!.values[4]! * 0.9))).toHaveLength(1);
    // The granted 650 000 kr of 2026 drawn as 6 500 000 kr.
    expect((await draw((s) => (s.series[1]!.values[4] = 6_500_000))).join()).toContain('Beviljat 2026');
    // A figure left out.
    expect((await draw((s) => (s.series[2]!.values[4] = null))).join()).toContain('nothing drawn');
    // The years in another order.
    expect((await draw((s) => s.categories.reverse())).join()).toContain('categories');
  });

  it('is a page in Swedish and English: met and missed, overdue assignments, the next revision, the downloads', async () => {
    const sv = await page(pageUrl);
    expect(sv.statusCode).toBe(200);
    expect(sv.headers['cache-control']).toBe('no-store');
    const text = mainText(sv.body);
    expect(text).toContain('Flerårsrapport 2022–2026');
    expect(text).toContain('Nästa revidering senast 2027-12-31');
    expect(text).not.toContain('Revideringen är försenad');
    expect(text).toContain('2 av 3 uppdrag är försenade');
    expect(text).toContain('Målet nått');
    expect(text).toContain('Målet inte nått');
    expect(text).toContain('Inget värde registrerat');
    expect(text).toContain('Inte dags ännu');
    expect(text).toContain('Analys av Folkhälsoenkäten 2022 (RS/2023/17)');
    expect(sv.body).toMatch(/<tr data-assignment="uppdrag-kartlaggning" data-overdue="true">/);
    expect(sv.body).toMatch(/<tr data-assignment="uppdrag-anhorigstod" data-overdue="false">/);
    expect(sv.body).toContain(`href="${url}?format=xlsx&amp;from=2022&amp;to=2026" download`);
    expect(sv.body).toContain(`href="${url}?format=csv&amp;from=2022&amp;to=2026" download`);
    expect(sv.body).toContain(`href="/programmes/${PROGRAMME}/reports/2026"`);
    expect(sv.body).not.toMatch(/\sstyle=/);
    const en = mainText((await page(pageUrl, 'en')).body);
    expect(en).toContain('Multi-year report 2022–2026');
    expect(en).toContain('Next revision due 2027-12-31');
    expect(en).toContain('2 of 3 assignments are overdue');
    expect(en).toContain('Target met');
    expect(en).toContain('Target missed');
    // ?format=html goes to the page.
    const html = await get(`${url}?format=html&from=2023&to=2024`);
    expect(html.statusCode).toBe(303);
    expect(html.headers.location).toBe(`${pageUrl}?from=2023&to=2024`);
  });

  it('is linked from the reports page and the plan page', async () => {
    const list = await page(`/programmes/${PROGRAMME}/reports`);
    expect(list.body).toContain(`<a href="${pageUrl}" id="multi-year-link">`);
    const planPage = await page('/plan');
    expect(planPage.body).toContain(`<a href="${pageUrl}">`);
  });

  it('says the revision is overdue once its date has passed, and shows only the money without a plan', async () => {
    t.clock.set('2028-02-01T09:00:00.000Z');
    const r = await report();
    expect(r.toYear).toBe(2028);
    expect(r.plan!.revisionOverdue).toBe(true);
    expect(mainText((await page(pageUrl)).body)).toContain('Revideringen är försenad');
    // Another programme's own people: no plan there, the money only.
    const other = await get(`/api/programmes/uph-other/reports/multi-year`, auth(t.foreignCoordinator.token));
    expect(other.statusCode, other.body).toBe(200);
    expect(json<MultiYearReport>(other).plan).toBeNull();
  });

  it('loads ECharts only when a report draws its charts: not at start, nor for other requests', async () => {
    // A child process, so that this file's own imports do not count (test/reports/lazy-echarts.ts).
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/reports/lazy-echarts.ts'], {
      timeout: 60_000,
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ statuses: [200, 200], atStart: [], afterDrawing: ['echarts'] });
  }, 60_000);
});
