import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyOfVersion } from '../../src/demo/story.js';
import { PROGRAMME, createTestApp, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible } from './browser.js';

/*
 * A programme's administrator moves running cases to the latest version of the process in a
 * real browser: the versions and the dry run, the check before the move, the notice after, in
 * Swedish and English. axe-core checks every page; no page may break its Content-Security-Policy.
 */

const PASSWORD = 'browser-process-password';
let t: TestApp;
let base: string;
const browser = browserSuite();

function caseOnVersion3(title: string, until: string) {
  const story = storyOfVersion(3);
  let row = t.services.engine.create(t.actors.initiator, PROGRAMME, { title, summary: 'En idé.' }, 3);
  for (const step of story.slice(
    0,
    story.findIndex((s) => s.type === until),
  )) {
    row = t.services.engine.send({
      caseId: row.id,
      type: step.type,
      payload: step.type === 'RECORD_DECISION' ? { ...step.payload, grantedBudget: [{ year: 2026, amountOre: 100 }] } : step.payload,
      actor: t.actors[step.role],
      role: step.role,
      expectedVersion: row.version,
    }).row;
  }
  return row;
}

beforeAll(async () => {
  t = await createTestApp();
  await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'process.admin@e2e.satsa.se',
    displayName: 'Pelle Processadministratör',
    roles: ['administrator'],
    password: PASSWORD,
  });
  caseOnVersion3('Tidig idé', 'PLACE_ON_AGENDA');
  caseOnVersion3('Uppföljd satsning', 'RECORD_SEMINAR');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await t?.close();
});

async function logIn(page: Page) {
  await page.goto(`${base}/login`);
  await page.getByLabel('E-postadress').fill('process.admin@e2e.satsa.se');
  await page.getByLabel('Lösenord', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL(`${base}/cases`);
}

describe('the versions of the process in the browser', () => {
  it('an administrator checks the dry run, confirms and moves a case; the pages read in English too', async () => {
    const page = await browser.page();
    await logIn(page);
    await page.goto(`${base}/programme/settings`);
    await page.getByRole('link', { name: 'Processens versioner och flytt av ärenden' }).click();
    await page.waitForURL(`${base}/programme/process`);
    await expectAccessible(page, 'process versions and dry run');

    // Nothing chosen: the error summary.
    await page.getByRole('checkbox').uncheck();
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    await expectAccessible(page, 'process dry run with an error');

    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await page.getByRole('heading', { name: 'Kontrollera innan du flyttar ärendena' }).waitFor();
    await expectAccessible(page, 'process migration check');
    await page.getByRole('button', { name: 'Flytta ärendena' }).click();
    await page.waitForURL(/\/programme\/process\?done=1/);
    expect(await page.getByRole('status').innerText()).toContain('processens version 4');
    await expectAccessible(page, 'process migration done');

    await page.getByRole('button', { name: 'English' }).click();
    await page.waitForURL(/\/programme\/process/);
    expect(await page.locator('main').innerText()).toContain('Versions of the process');
    await expectAccessible(page, 'process versions in English');
  });
});
