import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/people/service.js';
import { createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, logIn, mainOf, serve } from './browser.js';

/*
 * A person's data in Chromium with axe: one's own data page (Swedish and English), an
 * administrator's page of a person, and the erasure: refused in words while the person's
 * running case must be kept; for a person without cases the reason, its error, the
 * confirmation (it cannot be undone) and the panel after. No internal name is shown.
 */

const PASSWORD = 'browser-privacy-password';
let t: TestApp;
let base: string;
let admin: Actor;
let initiator: Actor;
let leaving: Actor;
let reader: Actor;
const browser = browserSuite();

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'adam@e2e.satsa.se',
    displayName: 'Adam Administratör',
    roles: ['administrator'],
    password: PASSWORD,
  });
  initiator = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'ines@e2e.satsa.se',
    displayName: 'Ines Initiativtagare',
    roles: ['initiator'],
    password: PASSWORD,
  });
  leaving = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'lova@e2e.satsa.se',
    displayName: 'Lova Lämnar',
    roles: ['initiator'],
  });
  reader = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'ian@e2e.satsa.se',
    displayName: 'Ian Reader',
    roles: ['steering-group'],
    password: PASSWORD,
    language: 'en',
  });
  t.services.cases.create(initiator, { title: 'Promenadgrupper i Ronneby', summary: 'Promenader i grupp.' }, 'sv');
  base = await serve(t.app);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

/** Words a person should never read on these pages. */
const SYSTEM_WORDS = [
  'case_',
  'outbox',
  'audit_log',
  'PERSON_ERASED',
  'CASE_CREATED',
  'CONTACT_COORDINATORS',
  'must-be-kept',
  'not-delivered',
];

describe("a person's data on the pages", () => {
  it('one’s own data, in Swedish and in English, with the file to download', async () => {
    const page = await browser.page();
    await logIn(page, base, initiator.email, PASSWORD);
    await page.goto(`${base}/account`);
    await page.getByRole('link', { name: 'Dina uppgifter i Satsa' }).click();
    await page.waitForURL(`${base}/account/data`);
    const text = await mainOf(page);
    expect(text).toContain('Ines Initiativtagare');
    expect(text).toContain('Promenadgrupper i Ronneby');
    expect(text).toContain('Äger idén');
    expect(text).toContain('Inloggningar');
    for (const word of SYSTEM_WORDS) expect(text).not.toContain(word);
    await expectAccessible(page, 'own data (sv)');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /JSON-fil/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^satsa-uppgifter-\d{4}-\d{2}-\d{2}\.json$/);
    const english = await browser.page();
    await logIn(english, base, reader.email, PASSWORD);
    await english.goto(`${base}/account/data`);
    const words = await mainOf(english);
    expect(words).toContain('Your data in Satsa');
    expect(words).toContain('Download the data (JSON file)');
    for (const word of SYSTEM_WORDS) expect(words).not.toContain(word);
    await expectAccessible(english, 'own data (en)');
  }, 60_000);

  it('an administrator sees a person’s data; erasure is refused in words while their case runs', async () => {
    const page = await browser.page();
    await logIn(page, base, admin.email, PASSWORD);
    await page.goto(`${base}/people/${initiator.id}`);
    await page.getByRole('link', { name: 'Se allt Satsa har om Ines Initiativtagare' }).click();
    expect(await mainOf(page)).toContain('Promenadgrupper i Ronneby');
    await expectAccessible(page, 'a person’s data (sv)');
    await page.goto(`${base}/people/${initiator.id}/erase`);
    const text = await mainOf(page);
    expect(text).toContain('Uppgifterna kan inte raderas än');
    expect(text).toContain('ärendet pågår');
    expect(await page.getByRole('button', { name: 'Fortsätt' }).count()).toBe(0);
    for (const word of SYSTEM_WORDS) expect(text).not.toContain(word);
    await expectAccessible(page, 'erasure refused (sv)');
  }, 60_000);

  it('an administrator erases a person without cases: reason, its error, the confirmation, the panel', async () => {
    const page = await browser.page();
    await logIn(page, base, admin.email, PASSWORD);
    await page.goto(`${base}/people/${leaving.id}`);
    await page.getByRole('link', { name: 'Radera uppgifterna om Lova Lämnar' }).click();
    expect(await mainOf(page)).toContain('Det här händer om du raderar uppgifterna');
    await expectAccessible(page, 'erasure (sv)');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    expect(await mainOf(page)).toContain('Skriv varför uppgifterna ska raderas');
    await expectAccessible(page, 'erasure with an error (sv)');
    await page.getByLabel('Varför ska uppgifterna raderas?').fill('Personen har begärt radering.');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await expect.poll(() => mainOf(page)).toContain('Det går inte att ångra');
    await expectAccessible(page, 'erasure confirmation (sv)');
    await page.getByRole('button', { name: 'Ja, radera uppgifterna' }).click();
    await page.waitForURL(`${base}/people/erased`);
    expect(await mainOf(page)).toContain('Uppgifterna är raderade');
    await expectAccessible(page, 'erased (sv)');
    const gone = await page.goto(`${base}/people/${leaving.id}/data`);
    expect(gone?.status()).toBe(404);
  }, 60_000);
});
