import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playStory } from '../../src/demo/seed.js';
import { storyUntilStep } from '../../src/demo/story.js';
import type { Actor } from '../../src/people/service.js';
import { createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, logIn, mainOf, screenshot, serve } from './browser.js';

/*
 * "Att göra" in Chromium on a phone (390×844): an initiator (in Swedish) has the idea template
 * to fill in and a comment to answer; a coordinator (in English) has an idea to place on the
 * agenda, with its due date in words. The menu counts them; axe finds nothing.
 */

const PASSWORD = 'browser-waiting-password';
const PHONE = { width: 390, height: 844 };
let t: TestApp;
let base: string;
let initiator: Actor;
let coordinator: Actor;
const browser = browserSuite();

beforeAll(async () => {
  t = await createTestApp();
  initiator = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'ida@e2e.satsa.se',
    displayName: 'Ida Initiativtagare',
    roles: ['initiator'],
    password: PASSWORD,
  });
  coordinator = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'cole@e2e.satsa.se',
    displayName: 'Cole Coordinator',
    roles: ['county-coordinator'],
    password: PASSWORD,
    language: 'en',
  });
  const actors = { ...t.actors, initiator, 'county-coordinator': coordinator };
  const template = t.services.cases.create(initiator, { title: 'Stödgrupper för unga vuxna', summary: 'Stöd i grupp.' }, 'sv').id;
  playStory(t.services, template, storyUntilStep(3), actors);
  t.services.conversation.add(coordinator, template, { body: 'Hur många grupper tänker ni er?', visibility: 'shared' });
  const submitted = t.services.cases.create(initiator, { title: 'Samtalsstöd i skolan', summary: 'Samtal i skolan.' }, 'sv').id;
  playStory(t.services, submitted, storyUntilStep(4), actors);
  base = await serve(t.app);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('what waits for me, on a phone', () => {
  it('an initiator, in Swedish: the idea template and a comment to answer, counted in the menu', async () => {
    const page = await browser.page({ viewport: PHONE });
    await logIn(page, base, initiator.email, PASSWORD);
    const link = page.getByRole('link', { name: 'Att göra (2 saker väntar på dig)' });
    await expect.poll(() => link.count()).toBe(1);
    await link.click();
    await page.waitForURL(`${base}/waiting`);
    const text = await mainOf(page);
    expect(text).toContain('Fyll i idémallen');
    expect(text).toContain('Svara på en kommentar');
    expect(text).toContain('Senaste kommentaren är från Cole Coordinator');
    expect(text).toContain('Inget sista datum');
    await expectAccessible(page, 'to do (sv, phone)');
    // No sideways scrolling on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'waiting-initiator-sv');
    await page.getByRole('link', { name: /^Fyll i idémallen/ }).click();
    await expect.poll(() => page.url()).toContain('/cases/');
  });

  it('a coordinator, in English: an idea to place on the agenda, due by a date in words', async () => {
    const page = await browser.page({ viewport: PHONE });
    await logIn(page, base, coordinator.email, PASSWORD);
    await page.goto(`${base}/waiting`);
    const text = await mainOf(page);
    expect(text).toContain('To do');
    expect(text).toContain('Put the idea on the coordination group’s agenda'.replace('’', "'"));
    expect(text).toMatch(/Due by \d{1,2} [A-Z][a-z]+ 2026/);
    expect(await page.getByRole('link', { name: /^To do \(\d+ things? waiting for you\)$/ }).count()).toBe(1);
    await expectAccessible(page, 'to do (en, phone)');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await screenshot(page, 'waiting-coordinator-en');
  });
});
