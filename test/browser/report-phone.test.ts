import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY } from '../../src/demo/story.js';
import { advance, createCase, createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, logIn, screenshot, serve } from './browser.js';

/*
 * The reports on a phone (390×844): the page itself never scrolls sideways. A table too wide
 * for the screen either reflows or scrolls inside its own region, which a keyboard user can
 * reach and a screen reader names by the table's caption. axe-clean, in Swedish and English.
 */

const PASSWORD = 'browser-phone-report-password';
const EMAIL = 'phone.reader@e2e.satsa.se';
const seed = JSON.parse(fs.readFileSync('test/fixtures/seed-004-plan.json', 'utf8')) as {
  document: Record<string, unknown>;
  adoption: Record<string, string>;
};
let t: TestApp;
let base: string;
let readerId: string;
const browser = browserSuite();
const PHONE = { width: 390, height: 844 };

beforeAll(async () => {
  t = await createTestApp();
  const config = t.services.programmes.get(PROGRAMME)!;
  t.services.programmes.change({ ...config, years: { first: 2022, last: 2035 } }, t.actors.administrator.id, 'planens år');
  const admin = t.actors.administrator;
  t.clock.set('2022-06-27T08:00:00.000Z');
  t.services.plans.saveDraft(admin, PROGRAMME, 0, seed.document);
  t.services.plans.adopt(admin, PROGRAMME, 1, seed.adoption);
  t.clock.set('2023-12-01T08:00:00.000Z');
  t.services.plans.recordValue(admin, PROGRAMME, 'fullbordade-suicid', { year: 2022, value: 30 });
  t.services.plans.recordValue(admin, PROGRAMME, 'fullbordade-suicid', { year: 2023, value: 27 });
  t.clock.set('2026-03-10T08:00:00.000Z');
  // A joint pool with earmarks per area, so that every table of the year report is on the page.
  t.services.money.createPool(PROGRAMME, admin.id, {
    year: 2026,
    kind: 'joint',
    name: 'Gemensamma medel för länsövergripande utvecklingsarbete 2026',
    amountOre: 250_000_000,
    earmarks: [
      { priorityAreaId: 'suicidprevention', amountOre: 100_000_000 },
      { priorityAreaId: 'barn-och-unga', amountOre: 50_000_000 },
    ],
  });
  advance(t, await createCase(t, 'Suicidpreventionsutbildningsinsatser för skolpersonal och elevhälsopersonal i länet'), FULL_STORY);
  readerId = (
    await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: EMAIL,
      displayName: 'Pia Telefon',
      roles: ['county-coordinator'],
      password: PASSWORD,
    })
  ).id;
  base = await serve(t.app);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

/** How far the page reaches past the screen's right edge, and what sticks out. */
const overflow = (page: Page) =>
  page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    // The layout viewport: a phone's browser may zoom out to show a page wider than the screen,
    // and then window.innerWidth grows with the page.
    width: document.documentElement.clientWidth,
    innerWidth: window.innerWidth,
    wider: [...document.querySelectorAll('main *')]
      .filter(
        (e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.closest('[role="region"][tabindex="0"]'),
      )
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className}`),
  }));

describe('the reports on a phone', () => {
  for (const [name, path] of [
    ['the programme-year report', `/programmes/${PROGRAMME}/reports/2026`],
    ['the multi-year report', `/programmes/${PROGRAMME}/reports/multi-year`],
  ] as const) {
    it(`${name} does not scroll sideways at 390×844, in Swedish and English, and is axe-clean`, async () => {
      const page = await browser.page({ viewport: PHONE, isMobile: true, hasTouch: true });
      await logIn(page, base, EMAIL, PASSWORD);
      for (const lang of ['sv', 'en'] as const) {
        t.services.people.updatePreferences(readerId, { language: lang });
        const res = await page.goto(`${base}${path}`);
        expect(res!.status()).toBe(200);
        expect(await page.locator('main table').count()).toBeGreaterThan(2);
        if (path.endsWith('/2026')) expect(await page.locator('table#earmarks').count()).toBe(1);
        const o = await overflow(page);
        expect(o.wider).toEqual([]);
        expect(o.scrollWidth).toBeLessThanOrEqual(o.width);
        expect(o.scrollWidth).toBeLessThanOrEqual(o.innerWidth);
        expect(o.innerWidth).toBe(PHONE.width);
        // Whatever scrolls on its own is a named region a keyboard can reach.
        for (const region of await page.locator('[role="region"][tabindex="0"]').all()) {
          const labelled = await region.getAttribute('aria-labelledby');
          expect(labelled).toBeTruthy();
          expect((await page.locator(`[id="${labelled}"]`).innerText()).trim()).not.toBe('');
        }
        await screenshot(page, `report-phone-${path.split('/').pop()}-${lang}`);
        await expectAccessible(page, `${name} on a phone (${lang})`);
      }
    });
  }
});
