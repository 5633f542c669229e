import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY, RECORDED_AT_CREATION } from '../../src/demo/story.js';
import { PROGRAMME, advance, createCase, createTestApp, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, logIn, mainOf, serve } from './browser.js';

/*
 * A programme's administrator delivers a closed case to the e-archive in a real browser: the
 * list of closed cases, the confirmation, the delivery recorded; then a year. axe-core checks
 * every page, in Swedish and English, and no page may break its Content-Security-Policy.
 */

const PASSWORD = 'browser-archive-password';
let t: TestApp;
let base: string;
const browser = browserSuite();

beforeAll(async () => {
  t = await createTestApp();
  await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'arkiv.admin@e2e.satsa.se',
    displayName: 'Arvid Arkivansvarig',
    roles: ['administrator'],
    password: PASSWORD,
  });
  const id = await createCase(t, 'Stödgrupper för unga vuxna');
  advance(
    t,
    id,
    FULL_STORY.filter((s) => !RECORDED_AT_CREATION.includes(s.type)),
  );
  base = await serve(t.app);
}, 60_000);
afterAll(async () => t?.close());

describe('delivery to the e-archive in the browser', () => {
  it('delivers a closed case after a confirmation, and the pages are accessible in Swedish and English', async () => {
    const page = await browser.page();
    await logIn(page, base, 'arkiv.admin@e2e.satsa.se', PASSWORD);
    await page.goto(`${base}/programme/settings`);
    await page.getByRole('link', { name: 'Leverans till e-arkivet' }).click();
    await page.waitForURL(`${base}/programme/archive`);
    expect(await mainOf(page)).toContain('Inte levererat');
    await expectAccessible(page, 'archive page');

    await page.getByRole('link', { name: /^Leverera UPH-2026-0001/ }).click();
    await page.waitForURL(/\/programme\/archive\/deliver\?case=/);
    expect(await mainOf(page)).toContain('Leverera ärendet till e-arkivet?');
    await expectAccessible(page, 'archive delivery confirmation');
    await page.getByRole('button', { name: 'Bekräfta leveransen' }).click();
    await page.waitForURL(`${base}/programme/archive?delivered=1`);
    expect(await mainOf(page)).toContain('Leveransen är registrerad: 1 paket');
    await expectAccessible(page, 'archive page after a delivery');
    expect(t.services.archive.deliveries(t.actors.administrator, PROGRAMME).items).toHaveLength(1);

    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await page.waitForURL(/\/programme\/archive\/deliver\?year=2026/);
    await expectAccessible(page, 'archive year confirmation');

    await page.goto(`${base}/programme/archive`);
    await page.getByRole('button', { name: 'In English' }).click();
    await page.waitForURL(`${base}/programme/archive`);
    expect(await mainOf(page)).toContain('Delivery to the e-archive');
    await expectAccessible(page, 'archive page in English');
    await page.getByRole('link', { name: /^Deliver UPH-2026-0001/ }).click();
    await expectAccessible(page, 'archive delivery confirmation in English');
  });
});
