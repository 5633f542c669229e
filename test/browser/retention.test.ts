import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCase, createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, screenshot } from './browser.js';

/*
 * The retention rules in a real browser: the administrator sets a rule with its decision (and
 * is told when the decision is missing), changes the e-archive settings, runs the rules and
 * reads the run. axe-core checks every page type, in Swedish and English.
 */

const PASSWORD = 'browser-retention-password';
const DAY = 86_400_000;
let t: TestApp;
let base: string;
const browser = browserSuite();

beforeAll(async () => {
  t = await createTestApp();
  await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'gallring.admin@e2e.satsa.se',
    displayName: 'Greta Gallring',
    roles: ['administrator'],
    password: PASSWORD,
  });
  // Mail sent 40 days ago, for the rule to remove.
  t.clock.advance(-40 * DAY);
  await createCase(t, 'En gammal idé');
  await t.services.relay.drain();
  t.clock.advance(40 * DAY);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await t?.close();
});

async function logIn(page: Page) {
  await page.goto(`${base}/login`);
  await page.getByLabel('E-postadress').fill('gallring.admin@e2e.satsa.se');
  await page.getByLabel('Lösenord', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL(`${base}/cases`);
}

describe('retention rules in the browser', () => {
  it('an administrator sets a rule with its decision, runs it and reads the run, in Swedish and English', async () => {
    const page = await browser.page();
    await logIn(page);
    await page.goto(`${base}/programme/settings`);
    await page.getByRole('link', { name: 'Gallring' }).first().click();
    await page.waitForURL(`${base}/programme/retention`);
    await expectAccessible(page, 'retention page without rules');

    await page.getByRole('link', { name: 'Ändra reglerna' }).click();
    await page.waitForURL(`${base}/programme/settings/retention`);
    await expectAccessible(page, 'retention rules form');
    await page.getByLabel('Antal dygn efter att e-posten skickades').fill('30');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    await expectAccessible(page, 'retention rules form with errors');
    await page.getByLabel('Gallringsbeslut').first().fill('RS 2025/311');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await page.getByRole('heading', { name: 'Kontrollera ändringen' }).waitFor();
    await expectAccessible(page, 'retention rules check');
    await page.getByRole('button', { name: /Spara som version/ }).click();
    await page.waitForURL(/\/programme\/settings\?done=saved/);
    expect(t.services.programmes.get(PROGRAMME)!.retention.sentMail).toEqual({ days: 30, decision: 'RS 2025/311' });

    await page.goto(`${base}/programme/settings/archive`);
    await expectAccessible(page, 'e-archive settings form');
    await page.getByLabel('Klassificering').fill('2.4.2');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await page.getByRole('button', { name: /Spara som version/ }).click();
    await page.waitForURL(/done=saved/);
    expect(t.services.programmes.get(PROGRAMME)!.archive?.classificationCode).toBe('2.4.2');

    await page.goto(`${base}/programme/retention`);
    await page.getByRole('button', { name: 'Kör gallringen nu' }).click();
    await page.waitForURL(/done=ran/);
    expect(await page.getByRole('status').innerText()).toContain('Gallringen är klar');
    expect(await page.locator('main').innerText()).toContain('RS 2025/311');
    await expectAccessible(page, 'retention page with a run');
    await screenshot(page, 'retention-run');

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Retention rules', level: 1 }).waitFor();
    await expectAccessible(page, 'retention page in English');
    await page.goto(`${base}/programme/settings/retention`);
    await expectAccessible(page, 'retention rules form in English');
  });
});
