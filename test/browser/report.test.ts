import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY } from '../../src/demo/story.js';
import { advance, createCase, createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, expectNoCspViolations, screenshot, logIn as logInAs, mainOf, serve } from './browser.js';

/*
 * The multi-year report of Jämtland's long-term plan (seed 004) in Chromium: reached from the
 * plan's page, its charts drawn on the server as SVG shown as pictures with names, each
 * followed by its table; axe-clean and without a Content-Security-Policy violation in Swedish
 * and in English; readable and printable without JavaScript.
 */

const PASSWORD = 'browser-report-password';
const EMAIL = 'report.reader@e2e.satsa.se';
const seed = JSON.parse(fs.readFileSync('test/fixtures/seed-004-plan.json', 'utf8')) as {
  document: Record<string, unknown>;
  adoption: Record<string, string>;
};
let t: TestApp;
let base: string;
const browser = browserSuite();

beforeAll(async () => {
  t = await createTestApp();
  const config = t.services.programmes.get(PROGRAMME)!;
  t.services.programmes.change({ ...config, years: { first: 2022, last: 2035 } }, t.actors.administrator.id, 'planens år');
  const admin = t.actors.administrator;
  t.clock.set('2022-06-27T08:00:00.000Z');
  t.services.plans.saveDraft(admin, PROGRAMME, 0, seed.document);
  t.services.plans.adopt(admin, PROGRAMME, 1, seed.adoption);
  t.clock.set('2023-12-01T08:00:00.000Z');
  t.services.plans.recordValue(admin, PROGRAMME, 'utbildade-andel', { year: 2022, value: 17 });
  t.services.plans.recordValue(admin, PROGRAMME, 'fullbordade-suicid', { year: 2022, value: 30 });
  t.services.plans.recordValue(admin, PROGRAMME, 'fullbordade-suicid', { year: 2023, value: 27 });
  t.services.plans.recordValue(admin, PROGRAMME, 'inventering-anhorigstod', { year: 2022, value: true });
  t.services.plans.changeAssignmentStatus(admin, PROGRAMME, 'uppdrag-anhorigstod', { status: 'done' });
  t.clock.set('2026-03-10T08:00:00.000Z');
  advance(t, await createCase(t, 'Utbildning i suicidprevention'), FULL_STORY);
  await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: EMAIL,
    displayName: 'Rut Rapport',
    roles: ['county-coordinator'],
    password: PASSWORD,
  });
  base = await serve(t.app);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const logIn = (page: Page) => logInAs(page, base, EMAIL, PASSWORD);

const main = mainOf;
const reportPath = `/programmes/${PROGRAMME}/reports/multi-year`;

describe('the multi-year report in the browser, seed 004', () => {
  it('is reached from the plan, shows its charts as named pictures with their tables, in Swedish and English, axe-clean', async () => {
    const page = await browser.page();
    await logIn(page);
    await page.goto(`${base}/plan`);
    await page.getByRole('link', { name: /Flerårsrapport/ }).click();
    await page.waitForURL(`${base}${reportPath}`);
    let text = await main(page);
    expect(text).toContain('Flerårsrapport 2022–2026');
    expect(text).toContain('Nästa revidering senast 2027-12-31');
    expect(text).toContain('Målet inte nått');
    expect(text).toContain('2 av 3 uppdrag är försenade');

    // Three charts: the two indicators measured in numbers and the money, each a picture with a name, drawn on the page.
    const pictures = page.getByRole('img', { name: /^Diagram:/ });
    await expect.poll(() => pictures.count()).toBe(3);
    for (let i = 0; i < 3; i += 1) {
      const box = await pictures.nth(i).boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(box!.height).toBeGreaterThan(100);
      // The table after it.
      expect(await pictures.nth(i).evaluate((svg) => svg.parentElement!.nextElementSibling?.tagName)).toBe('TABLE');
    }
    await expect.poll(() => page.locator('#print').isVisible()).toBe(true);
    await expectAccessible(page, 'multi-year report');
    await screenshot(page, 'multi-year-report');

    // Printed: the downloads, the choice of years and the header are left out, the charts kept.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#downloads').isVisible()).toBe(false);
    expect(await page.locator('form.filters').isVisible()).toBe(false);
    expect(await pictures.first().isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });

    // Other years, chosen in the form.
    await page.getByLabel('Från år').selectOption('2023');
    await page.getByLabel('Till år').selectOption('2024');
    await page.getByRole('button', { name: 'Visa' }).click();
    await page.waitForURL(`${base}${reportPath}?from=2023&to=2024`);
    expect(await main(page)).toContain('Flerårsrapport 2023–2024');
    await expectAccessible(page, 'multi-year report, chosen years');

    await page.goto(`${base}${reportPath}`);
    await page.getByRole('button', { name: 'In English' }).click();
    await page.waitForURL(`${base}${reportPath}`);
    text = await main(page);
    expect(text).toContain('Multi-year report 2022–2026');
    expect(text).toContain('Target missed');
    expect(text).toContain('2 of 3 assignments are overdue');
    await expect.poll(() => page.getByRole('img', { name: /^Chart:/ }).count()).toBe(3);
    await expectAccessible(page, 'multi-year report in English');
  });

  it('reads and prints without JavaScript, and breaks no Content-Security-Policy', async () => {
    const context = await browser.context({ locale: 'sv-SE', javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    await logIn(page);
    await page.goto(`${base}${reportPath}`);
    expect(await page.getByRole('img', { name: /^(Diagram|Chart):/ }).count()).toBe(3);
    // Without the script there is no print button that does nothing.
    expect(await page.locator('#print').isVisible()).toBe(false);
    await expectNoCspViolations(page, 'multi-year report without JavaScript');
  });
});
