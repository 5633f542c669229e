import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { startSmtp, type TestSmtp } from '../smtp.js';
import { browserSuite, expectAccessible, screenshot } from './browser.js';

/*
 * Getting in, in a real browser with a real SMTP server: an administrator invites a
 * coordinator, who follows the e-mail's link, chooses a password, logs in and sees the
 * programme's cases, and is refused once disabled; an initiator registers with a work address;
 * a forgotten password is chosen anew. axe-core checks every page type on the way, and no page
 * may break its Content-Security-Policy.
 */

const PASSWORD = 'browser-onboarding-password';
let t: TestApp;
let smtp: TestSmtp;
let base: string;
const browser = browserSuite();

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({
    env: { SATSA_SMTP_HOST: '127.0.0.1', SATSA_SMTP_PORT: String(smtp.port), SATSA_PUBLIC_URL: 'https://satsa.example.se' },
  });
  await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'ada@e2e.satsa.se',
    displayName: 'Ada Administratör',
    roles: ['administrator'],
    password: PASSWORD,
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const newPage = (): Promise<Page> => browser.page();

/** The path of the link in the newest e-mail to `address` (the e-mail names the public address; the test server is elsewhere). */
async function linkIn(address: string, path: RegExp): Promise<string> {
  await t.services.relay.drain();
  const mails = smtp.to(address);
  expect(mails.length, `mail to ${address}`).toBeGreaterThan(0);
  const found = new RegExp(`https://satsa\\.example\\.se(${path.source})`).exec(mails[mails.length - 1]!.mail.text ?? '');
  expect(found).not.toBeNull();
  return `${base}${found![1]}`;
}

async function logIn(page: Page, email: string, password: string) {
  await page.goto(`${base}/login`);
  await page.getByLabel('E-postadress').fill(email);
  await page.getByLabel('Lösenord', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
}

describe('getting in without anyone at the server', () => {
  it('an administrator invites a coordinator; the coordinator follows the e-mail, chooses a password and sees the cases; disabled, they are refused', async () => {
    const admin = await newPage();
    await logIn(admin, 'ada@e2e.satsa.se', PASSWORD);
    await admin.waitForURL(`${base}/cases`);
    await admin.getByRole('link', { name: 'Personer' }).click();
    await admin.getByRole('link', { name: 'Bjud in en person' }).click();
    await expectAccessible(admin, 'invitation form');
    // Sent without a role: the error summary takes the focus and names the field.
    await admin.getByLabel('E-postadress').fill('kim.ny@karlskrona.se');
    await admin.getByRole('button', { name: 'Skicka inbjudan' }).click();
    await expect.poll(() => admin.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    await expectAccessible(admin, 'invitation form with an error');
    await admin.getByLabel('Länsamordnare').check();
    await admin.getByRole('button', { name: 'Skicka inbjudan' }).click();
    await expect.poll(() => admin.locator('h1').textContent()).toBe('Inbjudan är skickad');
    await expectAccessible(admin, 'invitation sent');

    const coordinator = await newPage();
    await coordinator.goto(await linkIn('kim.ny@karlskrona.se', /\/invitation\/[A-Za-z0-9_-]+/));
    await expectAccessible(coordinator, 'accepting an invitation');
    await screenshot(coordinator, '20-invitation');
    await coordinator.getByLabel('Ditt namn').fill('Kim Ny');
    await coordinator.getByLabel('Välj ett lösenord').fill('ett långt eget lösenord');
    await coordinator.getByLabel('Skriv det nya lösenordet igen').fill('ett långt eget lösenord');
    await coordinator.getByRole('button', { name: 'Tacka ja' }).click();
    await coordinator.waitForURL(`${base}/login?done=invitation`);
    await expectAccessible(coordinator, 'log-in after an invitation');
    await logIn(coordinator, 'kim.ny@karlskrona.se', 'ett långt eget lösenord');
    await coordinator.waitForURL(`${base}/cases`);
    // A coordinator of the programme: its board, and the programme's cases.
    await expect.poll(() => coordinator.getByRole('link', { name: 'Översikt' }).count()).toBeGreaterThan(0);

    // The administrator disables the account; the coordinator's next page is the log-in.
    const kim = t.services.people.userByEmail('kim.ny@karlskrona.se')!;
    t.services.peopleAdmin.disable(
      t.services.people.actorById(t.services.people.userByEmail('ada@e2e.satsa.se')!.id)!,
      kim.id,
      'Prov i webbläsaren.',
    );
    await coordinator.reload();
    await coordinator.waitForURL(/\/login/);

    // The link worked once; used again, its page says so.
    await coordinator.goto(await linkIn('kim.ny@karlskrona.se', /\/invitation\/[A-Za-z0-9_-]+/));
    expect(await coordinator.locator('h1').textContent()).toBe('Länken går inte att använda');
    await expectAccessible(coordinator, 'a used link');
  });

  it('an initiator registers with a work address after reading the privacy notice, and confirms it by the e-mail', async () => {
    const page = await newPage();
    await page.goto(`${base}/login`);
    await page.getByRole('link', { name: 'Skapa ett konto för att lämna idéer' }).click();
    await expectAccessible(page, 'registration');
    await page.getByLabel('Din e-postadress på jobbet').fill('ida.ide@ronneby.se');
    // Two programmes take registrations here: the person chooses theirs.
    await page.getByLabel('Program', { exact: true }).selectOption(PROGRAMME);
    await page.getByLabel('Jag har läst hur mina uppgifter behandlas').check();
    await page.getByRole('button', { name: 'Skicka länken' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Titta i din e-post');
    await expectAccessible(page, 'look in your e-mail');
    await page.goto(await linkIn('ida.ide@ronneby.se', /\/register\/[A-Za-z0-9_-]+/));
    await expectAccessible(page, 'confirming a registration');
    await page.getByLabel('Ditt namn').fill('Ida Idé');
    await page.getByLabel('Välj ett lösenord').fill('ett långt eget lösenord');
    await page.getByLabel('Skriv det nya lösenordet igen').fill('ett långt eget lösenord');
    await page.getByRole('button', { name: 'Skapa kontot' }).click();
    await page.waitForURL(`${base}/login?done=registered`);
    await logIn(page, 'ida.ide@ronneby.se', 'ett långt eget lösenord');
    await page.waitForURL(`${base}/cases`);
    await expect.poll(() => page.getByRole('link', { name: 'Ny idé' }).count()).toBeGreaterThan(0);
  });

  it('a forgotten password is chosen anew through the e-mail', async () => {
    await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'glomsk@karlshamn.se',
      displayName: 'Glömsk',
      roles: ['initiator'],
      password: PASSWORD,
    });
    const page = await newPage();
    await page.goto(`${base}/login`);
    await page.getByRole('link', { name: 'Glömt lösenordet?' }).click();
    await expectAccessible(page, 'asking for a new password');
    await page.getByLabel('E-postadress').fill('glomsk@karlshamn.se');
    await page.getByRole('button', { name: 'Skicka länken' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Titta i din e-post');
    await page.goto(await linkIn('glomsk@karlshamn.se', /\/password-reset\/[A-Za-z0-9_-]+/));
    await expectAccessible(page, 'choosing a new password');
    await page.getByLabel('Välj ett lösenord').fill('ett helt nytt långt lösenord');
    await page.getByLabel('Skriv det nya lösenordet igen').fill('ett helt nytt långt lösenord');
    await page.getByRole('button', { name: 'Byt lösenord' }).click();
    await page.waitForURL(`${base}/login?done=password-reset`);
    await logIn(page, 'glomsk@karlshamn.se', 'ett helt nytt långt lösenord');
    await page.waitForURL(`${base}/cases`);
  });
});
