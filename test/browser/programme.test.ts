import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../child-server.js';
import { FAR_FUTURE, PROGRAMME, createTestApp, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, screenshot } from './browser.js';

/*
 * A programme's administrator changes its settings in a real browser: the overview, a short
 * form per part, its errors, the check before saving, the versions. A second server process
 * on the same database file uses the change at once. axe-core checks every page type, in
 * Swedish and English, and no page may break its Content-Security-Policy.
 */

const PASSWORD = 'browser-programme-password';
let t: TestApp;
let base: string;
let second: ChildServer;
let token: string;
const browser = browserSuite();

beforeAll(async () => {
  t = await createTestApp();
  const admin = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'prog.admin@e2e.satsa.se',
    displayName: 'Pia Programadministratör',
    roles: ['administrator'],
    password: PASSWORD,
  });
  token = t.services.people.createApiToken(admin.id, 'second process', FAR_FUTURE).token;
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  // A second server process on the same database file, as a region running two behind a proxy would.
  second = await startChildServer({
    env: { SATSA_DATA_DIR: t.dir, SATSA_DEMO_DATA: 'false', SATSA_LOG_LEVEL: 'silent', SATSA_POLL_SECONDS: '3600' },
  });
}, 60_000);

afterAll(async () => {
  await second?.stop();
  await t?.close();
});

async function logIn(page: Page) {
  await page.goto(`${base}/login`);
  await page.getByLabel('E-postadress').fill('prog.admin@e2e.satsa.se');
  await page.getByLabel('Lösenord', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL(`${base}/cases`);
}

/** The programme's name as the second process answers it. */
async function nameInSecondProcess(): Promise<string> {
  const res = await fetch(`${second.base}/api/programmes`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { items: { id: string; name: { sv: string } }[] };
  return body.items.find((p) => p.id === PROGRAMME)!.name.sv;
}

describe("a programme's settings in the browser", () => {
  it('an administrator renames the programme; the check page shows the change; a second process uses it at once', async () => {
    expect(await nameInSecondProcess()).toBe('Uppdrag psykisk hälsa i Blekinge');
    const page = await browser.page();
    await logIn(page);
    await page.getByRole('link', { name: 'Programmet' }).click();
    await page.waitForURL(`${base}/programme/settings`);
    await expectAccessible(page, 'programme settings overview');
    await page.getByRole('link', { name: /Ändra namn och brevlåda/ }).click();
    await expectAccessible(page, 'programme settings form');

    // A mailbox that is no address: the error summary, the field marked, nothing saved.
    await page.getByLabel('Brevlåda (e-postadress)').fill('inte en adress');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    await expectAccessible(page, 'programme settings form with errors');
    await page.getByLabel('Brevlåda (e-postadress)').fill('psykiskhalsa@regionblekinge.se');
    await page.getByLabel('Programmets namn på svenska').fill('Psykisk hälsa i Blekinge');
    await page.getByRole('button', { name: 'Fortsätt' }).click();

    await page.getByRole('heading', { name: 'Kontrollera ändringen' }).waitFor();
    expect(await page.locator('main').innerText()).toContain('Psykisk hälsa i Blekinge');
    await expectAccessible(page, 'programme settings check');
    await page.getByLabel('Varför görs ändringen? (frivilligt)').fill('Nytt namn enligt styrgruppens beslut');
    await page.getByRole('button', { name: 'Spara som version 2' }).click();
    await page.waitForURL(`${base}/programme/settings?done=saved`);
    expect(await page.getByRole('status').innerText()).toContain('version 2');
    await screenshot(page, 'programme-settings-saved');

    // In force at once, in this process and in the other.
    expect(await nameInSecondProcess()).toBe('Psykisk hälsa i Blekinge');

    await page.getByRole('link', { name: 'Se alla versioner' }).click();
    await expectAccessible(page, 'programme settings versions');
    expect(await page.locator('main').innerText()).toContain('Nytt namn enligt styrgruppens beslut');
    await page.getByRole('link', { name: 'Version 1' }).click();
    await expectAccessible(page, 'programme settings one version');
    expect(await page.locator('main').innerText()).toContain('Uppdrag psykisk hälsa i Blekinge');
  });

  it('adds a criterion and a question to the idea template, and the pages read in English too', async () => {
    const page = await browser.page();
    await logIn(page);
    await page.goto(`${base}/programme/settings/criteria`);
    await page.getByLabel('Kriterium på svenska').last().fill('Satsningen når unga vuxna');
    await page.getByLabel('Kriterium på engelska').last().fill('The initiative reaches young adults');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await page.getByRole('button', { name: /Spara som version/ }).click();
    await page.waitForURL(/done=saved/);
    expect(t.services.programmes.get(PROGRAMME)!.criteria.at(-1)!.label.sv).toBe('Satsningen når unga vuxna');

    await page.goto(`${base}/programme/settings/template`);
    await expectAccessible(page, 'idea template form');
    await page.getByLabel('Fråga på svenska').last().fill('Hur når ni målgruppen?');
    await page.getByLabel('Fråga på engelska').last().fill('How do you reach the target group?');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await page.getByRole('button', { name: /Spara som version/ }).click();
    await page.waitForURL(/done=saved/);
    const template = t.services.programmes.ideaTemplate(PROGRAMME)!;
    expect(template.fields.at(-1)).toMatchObject({ label: { sv: 'Hur når ni målgruppen?' }, type: 'textarea', required: true });

    await page.getByRole('button', { name: 'English' }).click();
    await page.waitForURL(`${base}/programme/settings?done=saved`);
    await expectAccessible(page, 'programme settings overview in English');
    await page.goto(`${base}/programme/settings/bodies`);
    await expectAccessible(page, 'bodies form in English');
  });
});
