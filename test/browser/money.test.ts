import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyUntilStep } from '../../src/demo/story.js';
import { advance, createCase, createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, screenshot } from './browser.js';

/*
 * The money pages in Chromium, in Swedish and English: a programme's pools, one pool, the
 * correction and carry-over forms with their errors and the page that checks the answers, and
 * a case's money with the form that records a payment. axe-core checks every one, and none may
 * break its Content-Security-Policy.
 */

const PASSWORD = 'browser-money-password';
let t: TestApp;
let base: string;
let caseId: string;
const browser = browserSuite();

beforeAll(async () => {
  t = await createTestApp();
  for (const [email, language] of [
    ['ekonom@e2e.satsa.se', 'sv'],
    ['finance@e2e.satsa.se', 'en'],
  ] as const) {
    await t.services.people.createUser({
      programmeId: PROGRAMME,
      email,
      displayName: language === 'sv' ? 'Eva Ekonom' : 'Fiona Finance',
      roles: ['administrator', 'finance'],
      password: PASSWORD,
      language,
    });
  }
  caseId = await createCase(t, 'Satsning med pengar');
  advance(t, caseId, storyUntilStep(10));
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await t?.close();
});

async function logIn(email: string, labels: { email: string; password: string; button: string }): Promise<Page> {
  const page = await browser.page();
  await page.goto(`${base}/login`);
  await page.getByLabel(labels.email).fill(email);
  await page.getByLabel(labels.password).fill(PASSWORD);
  await page.getByRole('button', { name: labels.button }).click();
  await page.waitForURL(`${base}/cases`);
  return page;
}

const SWEDISH = { email: 'E-postadress', password: 'Lösenord', button: 'Logga in' };
const poolId = (year: number) =>
  (
    t.services.db.$client
      .prepare("SELECT id FROM grant_pools WHERE programme_id = ? AND year = ? AND kind = 'state'")
      .get(PROGRAMME, year) as { id: string }
  ).id;

async function submitted(page: Page, button: string) {
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: button, exact: true }).click()]);
}

describe('the money pages in Chromium', { timeout: 90_000 }, () => {
  it('pools, a correction checked before it is recorded, and a carry-over: accessible, with errors at their fields', async () => {
    const page = await logIn('ekonom@e2e.satsa.se', SWEDISH);
    await page.getByRole('link', { name: 'Pengar', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('Pengar i');
    await expectAccessible(page, 'the money page');
    await screenshot(page, 'money-pools');

    await page.goto(`${base}/money/pools/${poolId(2026)}`);
    await expectAccessible(page, 'a pool');
    await page.getByRole('link', { name: 'Rätta beloppet' }).click();
    await submitted(page, 'Fortsätt');
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    await expectAccessible(page, 'the correction form with errors');
    await page.getByLabel('Ändring').fill('-10 000');
    await page.getByLabel('Motivering').fill('Statsbidraget blev lägre.');
    await submitted(page, 'Fortsätt');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Kontrollera rättelsen');
    await expectAccessible(page, 'checking a correction');
    await submitted(page, 'Registrera rättelsen');
    await expect.poll(() => page.locator('#notice').textContent()).toContain('Rättelsen är registrerad.');
    await expectAccessible(page, 'a corrected pool');

    await page.goto(`${base}/money/carry-over`);
    await page.getByLabel('Från året').selectOption('2028');
    await page.getByLabel('Pott', { exact: true }).selectOption('state');
    await page.getByLabel('Belopp').fill('1');
    await page.getByLabel('Beslutets diarienummer eller paragraf').fill('RS 2026/88');
    await page.getByLabel('Motivering').fill('Kvar.');
    await submitted(page, 'Fortsätt');
    await expect.poll(() => page.locator('.error-summary').textContent()).toContain('Lägg först upp Statsbidrag 2029');
    await expectAccessible(page, 'the carry-over form with errors');

    // A new pool, then how a pool is distributed between county-wide, sub-regional and local purposes.
    await page.goto(`${base}/money`);
    await page.getByRole('link', { name: 'Lägg upp en pott' }).click();
    await expectAccessible(page, 'the new pool form');
    await page.getByLabel('År', { exact: true }).fill('2028');
    await page.getByLabel('Slags pott').selectOption('joint');
    await page.getByLabel('Namn på potten').fill('Länsgemensam pott');
    await page.getByLabel('Belopp', { exact: true }).fill('2 000 000');
    await submitted(page, 'Fortsätt');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Kontrollera potten');
    await expectAccessible(page, 'checking a new pool');
    await submitted(page, 'Lägg upp potten');
    await expect.poll(() => page.locator('#notice').textContent()).toContain('Potten är upplagd.');
    await page.goto(`${base}/money/pools/${poolId(2026)}/distribution`);
    await expectAccessible(page, 'the distribution form');
  });

  it("a case's money and its form, in English", async () => {
    const page = await logIn('finance@e2e.satsa.se', SWEDISH);
    await page.goto(`${base}/cases/${caseId}`);
    await page.getByRole('link', { name: 'Money: granted, paid and repaid' }).click();
    await expectAccessible(page, "a case's money");
    await page.getByLabel('What do you want to record?').selectOption('release');
    await page.getByLabel('Pool', { exact: true }).selectOption('2027:state');
    await page.getByLabel('Amount').fill('1000');
    await page.getByLabel('Date', { exact: true }).fill('2027-02-01');
    await submitted(page, 'Record');
    await expect.poll(() => page.locator('#movement-motivation-error').textContent()).toContain('Say why');
    await expectAccessible(page, "a case's money form with errors");
    await page.getByLabel('Motivation').fill('One part will not be carried out.');
    await submitted(page, 'Record');
    await expect.poll(() => page.locator('#notice').textContent()).toContain('The money is released.');
    await expectAccessible(page, "a case's money after a release");
    await screenshot(page, 'money-case');
  });
});
