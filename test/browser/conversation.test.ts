import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyUntilStep } from '../../src/demo/story.js';
import type { Actor } from '../../src/people/service.js';
import { createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { playStory } from '../../src/demo/seed.js';
import { browserSuite, expectAccessible, logIn, mainOf, screenshot, serve } from './browser.js';

/*
 * The conversation on a case in Chromium: a coordinator (in Swedish) writes an internal and
 * a shared comment; the initiator (in English) answers the shared one and never sees the
 * internal one; the coordinator invites a guest through the form and its check page. axe-core
 * checks every page on the way, and no page may break its Content-Security-Policy.
 */

const PASSWORD = 'browser-conversation-password';
const INTERNAL = 'Internt: vi behöver kolla budgeten med ekonomen först.';
const SHARED = 'Hej! Kan ni berätta mer om målgruppen?';
const ANSWER = 'Young adults aged 18 to 25, in Karlshamn and Olofström.';
let t: TestApp;
let base: string;
let caseId: string;
let coordinator: Actor;
let initiator: Actor;
const browser = browserSuite();

beforeAll(async () => {
  t = await createTestApp();
  coordinator = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'karin@e2e.satsa.se',
    displayName: 'Karin Samordnare',
    roles: ['county-coordinator'],
    password: PASSWORD,
  });
  initiator = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'ian@e2e.satsa.se',
    displayName: 'Ian Initiator',
    roles: ['initiator'],
    password: PASSWORD,
    language: 'en',
  });
  caseId = t.services.cases.create(initiator, { title: 'Peer support groups', summary: 'Support groups for young adults.' }, 'en').id;
  playStory(t.services, caseId, storyUntilStep(3), { ...t.actors, initiator, 'county-coordinator': coordinator });
  base = await serve(t.app);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('the conversation on a case', () => {
  it('a coordinator writes an internal and a shared comment; both are on their page, the internal one marked', async () => {
    const page = await browser.page();
    await logIn(page, base, coordinator.email, PASSWORD);
    await page.goto(`${base}/cases/${caseId}`);
    await expectAccessible(page, 'case page with an empty conversation (sv)');
    await page.getByLabel('Meddelande', { exact: true }).fill(INTERNAL);
    await page.getByLabel('Bara programmets medarbetare (internt)').check();
    await page.getByRole('button', { name: 'Skicka meddelandet' }).click();
    await expect.poll(() => page.url()).toContain('done=comment');
    await page.getByLabel('Meddelande', { exact: true }).fill(SHARED);
    await page.getByLabel(/Alla i ärendet/).check();
    await page.getByRole('button', { name: 'Skicka meddelandet' }).click();
    await expect.poll(() => mainOf(page)).toContain(SHARED);
    const text = await mainOf(page);
    expect(text).toContain(INTERNAL);
    expect(text).toContain('Internt: bara programmets medarbetare ser det här meddelandet');
    await expectAccessible(page, 'case page with comments (sv)');
    await screenshot(page, 'conversation-coordinator');

    // An empty message is named in an error summary.
    await page.getByRole('button', { name: 'Skicka meddelandet' }).click();
    await expect.poll(() => mainOf(page)).toContain('Skriv ett meddelande');
    await expectAccessible(page, 'comment form with an error (sv)');
  });

  it('the initiator, in English, answers the shared comment, attaches a document, and never sees the internal one', async () => {
    const page = await browser.page({ locale: 'en-GB' });
    await page.goto(`${base}/login`);
    await page.getByLabel(/E-postadress|E-mail/).fill(initiator.email);
    await page.getByLabel(/^(Lösenord|Password)$/).fill(PASSWORD);
    await page.getByRole('button', { name: /Logga in|Log in/ }).click();
    await page.goto(`${base}/cases/${caseId}`);
    let text = await mainOf(page);
    expect(text).toContain(SHARED);
    expect(text).not.toContain(INTERNAL);
    expect(await page.content()).not.toContain(INTERNAL);
    expect(await page.getByRole('radio').count()).toBe(0);
    await expectAccessible(page, 'case page of the initiator (en)');
    await page.getByLabel('Message', { exact: true }).fill(ANSWER);
    await page.getByRole('button', { name: 'Send the message' }).click();
    await expect.poll(() => mainOf(page)).toContain(ANSWER);
    text = await mainOf(page);
    expect(text).toContain('The message has been sent.');
    expect(text).not.toContain(INTERNAL);
    // The initiator attaches a document on the same page.
    await page
      .getByLabel('Choose a file')
      .setInputFiles({ name: 'budget.csv', mimeType: 'text/csv', buffer: Buffer.from('Post;Belopp\nLokal;12000\n') });
    await page.getByRole('button', { name: 'Add the document' }).click();
    await expect.poll(() => mainOf(page)).toContain('budget.csv');
    expect(await mainOf(page)).not.toContain(INTERNAL);
    text = await mainOf(page);
    // Following: the initiator follows their own case, and can stop.
    expect(text).toContain('You follow the case because it is yours.');
    await page.getByRole('button', { name: 'Stop following the case' }).click();
    await expect.poll(() => mainOf(page)).toContain('You no longer follow the case.');
    await expectAccessible(page, 'case page after stopping following (en)');
    await page.goto(`${base}/cases/${caseId}/print`);
    expect(await page.content()).not.toContain(INTERNAL);
    await screenshot(page, 'conversation-initiator');
  });

  it('the coordinator invites a guest: a form, a check page, and the invitation', async () => {
    const page = await browser.page();
    await logIn(page, base, coordinator.email, PASSWORD);
    await page.goto(`${base}/cases/${caseId}`);
    expect(await mainOf(page)).toContain(ANSWER);
    await page.getByRole('link', { name: 'Bjud in en gäst' }).click();
    await expectAccessible(page, 'invite a guest (sv)');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await expect.poll(() => mainOf(page)).toContain('Skriv en e-postadress i rätt format');
    await expectAccessible(page, 'invite a guest with an error (sv)');
    await page.getByLabel('E-postadress').fill('gun@foreningen.example');
    await page.getByLabel('Namn (frivilligt)').fill('Gun Gäst');
    await page.getByLabel('Organisation (frivilligt)').fill('Föreningen Bryggan');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await expect.poll(() => mainOf(page)).toContain('Kontrollera inbjudan');
    await expectAccessible(page, 'check the invitation (sv)');
    await page.getByRole('button', { name: 'Skicka inbjudan' }).click();
    await expect.poll(() => mainOf(page)).toContain('Inbjudan är skickad');
    expect(await mainOf(page)).toContain('gun@foreningen.example');
  });
});
