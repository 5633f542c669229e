import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playStory } from '../../src/demo/seed.js';
import { storyUntilStep } from '../../src/demo/story.js';
import type { Actor } from '../../src/people/service.js';
import { createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, logIn, mainOf, screenshot, serve } from './browser.js';

/*
 * The proposal's question pages in Chromium: the initiator writes part of the proposal, logs
 * out and in again, and finds the draft where it was; a coordinator (in English) saves the
 * proposal meanwhile, after which the initiator's check page refuses to send the older draft,
 * shows what differs, and lets her go through the parts again. axe-core checks the overview, a
 * part page and the check page in Swedish and in English.
 */

const PASSWORD = 'browser-proposal-password';
const MY_PURPOSE = 'Att pröva kamratstöd i grupp tillsammans med RSMH.';
const THEIR_PURPOSE = 'To test group peer support run jointly by the municipality and the region.';
let t: TestApp;
let base: string;
let caseId: string;
let initiator: Actor;
let coordinator: Actor;
const browser = browserSuite();

beforeAll(async () => {
  t = await createTestApp();
  initiator = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'ines@e2e.satsa.se',
    displayName: 'Ines Initiativ',
    roles: ['initiator'],
    password: PASSWORD,
  });
  coordinator = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'connor@e2e.satsa.se',
    displayName: 'Connor Coordinator',
    roles: ['county-coordinator'],
    password: PASSWORD,
    language: 'en',
  });
  caseId = t.services.cases.create(initiator, { title: 'Kamratstöd i Karlshamn', summary: 'Stödgrupper för unga vuxna.' }, 'sv').id;
  playStory(t.services, caseId, storyUntilStep(8), { ...t.actors, initiator, 'county-coordinator': coordinator });
  base = await serve(t.app);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('the proposal as question pages', () => {
  it('the initiator writes part of the proposal, logs out and in, and the draft is there', async () => {
    const page = await browser.page();
    await logIn(page, base, initiator.email, PASSWORD);
    await page.goto(`${base}/cases/${caseId}`);
    await page.getByRole('link', { name: 'Skriv förslaget' }).first().click();
    await page.waitForURL(`${base}/cases/${caseId}/proposal`);
    expect(await mainOf(page)).toContain('Inte påbörjad');
    await expectAccessible(page, 'proposal overview (sv)');

    await page.getByRole('link', { name: 'Bakgrund, syfte och mål' }).click();
    await expectAccessible(page, 'proposal part page (sv)');
    await page.getByLabel('Syfte', { exact: true }).fill(MY_PURPOSE);
    await page.getByRole('button', { name: 'Spara och fortsätt' }).click();
    await page.waitForURL(`${base}/cases/${caseId}/proposal/target-group`);

    // An answer that cannot be read is named in the error summary.
    await page.goto(`${base}/cases/${caseId}/proposal/budget`);
    await page.locator('#part-budget-budget-0-costType').fill('Lön');
    await page.locator('#part-budget-budget-0-amountOre').fill('tolvtusen');
    await page.getByRole('button', { name: 'Spara och fortsätt' }).click();
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    await expectAccessible(page, 'proposal part page with errors (sv)');
    await screenshot(page, 'proposal-part-errors');

    await page.getByRole('button', { name: 'Logga ut' }).click();
    await logIn(page, base, initiator.email, PASSWORD);
    await page.goto(`${base}/cases/${caseId}`);
    await page.getByRole('link', { name: 'Fortsätt skriva förslaget' }).first().click();
    await page.waitForURL(`${base}/cases/${caseId}/proposal`);
    expect(await mainOf(page)).toContain('Sparad i ditt utkast');
    await page.getByRole('link', { name: 'Bakgrund, syfte och mål' }).click();
    expect(await page.getByLabel('Syfte', { exact: true }).inputValue()).toBe(MY_PURPOSE);

    await page.goto(`${base}/cases/${caseId}/proposal/check`);
    expect(await mainOf(page)).toContain(MY_PURPOSE);
    await expectAccessible(page, 'proposal check page (sv)');
    await screenshot(page, 'proposal-check');
  }, 90_000);

  it('a coordinator saves the proposal in English; the initiator’s older draft is shown, never sent over it', async () => {
    const other = await browser.page();
    await logIn(other, base, coordinator.email, PASSWORD);
    await other.goto(`${base}/cases/${caseId}`);
    await other.getByRole('link', { name: 'Write the proposal' }).first().click();
    await other.waitForURL(`${base}/cases/${caseId}/proposal`);
    expect(await other.locator('html').getAttribute('lang')).toBe('en');
    await expectAccessible(other, 'proposal overview (en)');
    await other.getByRole('link', { name: 'Background, purpose and goals' }).click();
    await expectAccessible(other, 'proposal part page (en)');
    await other.getByLabel('Purpose', { exact: true }).fill(THEIR_PURPOSE);
    await other.getByRole('button', { name: 'Save and continue' }).click();
    await other.waitForURL(`${base}/cases/${caseId}/proposal/target-group`);
    await other.goto(`${base}/cases/${caseId}/proposal/check`);
    await expectAccessible(other, 'proposal check page (en)');
    await other.getByRole('button', { name: 'Send the proposal' }).click();
    await other.waitForURL(`${base}/cases/${caseId}?done=UPDATE_PROPOSAL`);
    const sent = t.services.cases.get(coordinator, caseId, 'sv');
    expect((sent.data as { proposal: { purpose?: string } }).proposal.purpose).toBe(THEIR_PURPOSE);

    const page = await browser.page();
    await logIn(page, base, initiator.email, PASSWORD);
    await page.goto(`${base}/cases/${caseId}/proposal/check`);
    const text = await mainOf(page);
    expect(text).toContain('Förslaget har ändrats sedan du började på ditt utkast');
    expect(text).toContain(THEIR_PURPOSE);
    expect(text).toContain(MY_PURPOSE);
    expect(await page.getByRole('button', { name: 'Skicka in förslaget' }).count()).toBe(0);
    await expectAccessible(page, 'proposal check page of a stale draft (sv)');
    await screenshot(page, 'proposal-stale');

    await page.getByRole('button', { name: 'Gå igenom delarna igen' }).click();
    await page.waitForURL(/\/proposal\?done=restarted$/);
    expect(await mainOf(page)).toContain('Titta igen');
    await page.getByRole('link', { name: 'Bakgrund, syfte och mål' }).click();
    expect(await page.getByLabel('Syfte', { exact: true }).inputValue()).toBe(THEIR_PURPOSE);
    expect(await mainOf(page)).toContain(MY_PURPOSE);
    await expectAccessible(page, 'proposal part page after the proposal changed (sv)');
    const after = t.services.cases.get(coordinator, caseId, 'sv');
    expect((after.data as { proposal: { purpose?: string } }).proposal.purpose).toBe(THEIR_PURPOSE);
    expect(after.version).toBe(sent.version);
  }, 90_000);
});
