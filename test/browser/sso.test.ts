import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { makeCertificates, startProvider, trustingFetch, type TestProvider } from '../oidc.js';
import { browserSuite, expectAccessible, screenshot } from './browser.js';

/*
 * Logging in through an organisation's own OpenID Connect provider in Chromium: the log-in
 * page's buttons and its work-address field (axe, and its policy lets the forms go on to the
 * providers), the provider's own pages (oidc-provider over TLS, on another site than the app),
 * and the way back: the person lands on their cases, logged in, although the session cookie is
 * SameSite=Strict and the way back began on the provider's site.
 */

let t: TestApp;
let base: string;
let region: TestProvider;
let kommun: TestProvider;
let trust: ReturnType<typeof trustingFetch>;
let dir: string;
const browser = browserSuite();

/** A port free now, so that the app's public address (the providers' redirect URIs) is known before it listens. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  // localhost for the app, 127.0.0.1 for the providers: two sites, as in real life.
  base = `http://localhost:${port}`;
  const tls = makeCertificates();
  trust = trustingFetch(tls.ca);
  region = await startProvider({
    id: 'region-blekinge',
    name: { sv: 'Region Blekinge', en: 'Region Blekinge' },
    publicUrl: base,
    tls,
    emailDomains: ['regionblekinge.se'],
    accounts: {
      anna: { email: 'anna.berg@regionblekinge.se', email_verified: true, name: 'Anna Berg' },
      okand: { email: 'okand@regionblekinge.se', email_verified: true, name: 'Okänd Person' },
    },
  });
  kommun = await startProvider({
    id: 'karlskrona',
    name: { sv: 'Karlskrona kommun', en: 'Karlskrona municipality' },
    publicUrl: base,
    tls,
    emailDomains: ['karlskrona.se'],
    trustUnverifiedEmail: true,
    accounts: { kim: { email: 'kim@karlskrona.se', name: 'Kim Kommun' } },
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-sso-browser-'));
  const providersFile = path.join(dir, 'providers.json');
  fs.writeFileSync(providersFile, JSON.stringify([region.entry, kommun.entry]));
  t = await createTestApp({ env: { SATSA_OIDC_PROVIDERS_FILE: providersFile, SATSA_PUBLIC_URL: base }, outbound: trust.outbound });
  await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'anna.berg@regionblekinge.se',
    displayName: 'Anna Berg',
    roles: ['county-coordinator'],
  });
  await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'kim@karlskrona.se',
    displayName: 'Kim Kommun',
    roles: ['initiator'],
  });
  await t.app.listen({ port, host: 'localhost' });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await region?.close();
  await kommun?.close();
  await trust?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function newPage(): Promise<Page> {
  // The providers' certificate is signed by the test's own CA, which Chromium does not know.
  return browser.page({ ignoreHTTPSErrors: true });
}

/** At the provider's own pages: the log-in (any password), then the consent. */
async function atProvider(page: Page, issuer: string, login: string) {
  await page.waitForURL((url) => url.origin === issuer);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password will do');
  await page.locator('button[type="submit"]').click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe('logging in through an organisation in Chromium', { timeout: 60_000 }, () => {
  it('by the button: the provider’s pages, then the person’s cases, logged in', async () => {
    const page = await newPage();
    await page.goto(`${base}/login`);
    await expectAccessible(page, 'log-in page with providers');
    await screenshot(page, 'sso-01-login');
    await page.getByRole('button', { name: 'Logga in via Region Blekinge' }).click();
    await atProvider(page, region.issuer, 'anna');
    await page.waitForURL(`${base}/cases`);
    // Logged in on arrival: the page shows who they are and offers to log out.
    await expect.poll(() => page.locator('header').textContent()).toContain('Anna Berg');
    await expectAccessible(page, 'cases after logging in through an organisation');
    await screenshot(page, 'sso-02-cases');
  });

  it('by the work address: its domain chooses the provider, which is told who is coming', async () => {
    const page = await newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel('E-postadress i jobbet').fill('kim@karlskrona.se');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await page.waitForURL((url) => url.origin === kommun.issuer);
    expect(await page.locator('input[name="login"]').inputValue()).toBe('kim@karlskrona.se');
    await atProvider(page, kommun.issuer, 'kim');
    await page.waitForURL(`${base}/cases`);
    await expect.poll(() => page.locator('header').textContent()).toContain('Kim Kommun');
  });

  it('an address no provider serves is shown at the field; someone without an account gets a page saying so', async () => {
    const page = await newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel('E-postadress i jobbet').fill('someone@example.com');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await page.waitForURL(/\/login\?error=sso-domain/);
    expect(await page.locator('#sso-email').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'log-in page with an address no provider serves');

    await page.getByRole('button', { name: 'Logga in via Region Blekinge' }).click();
    await atProvider(page, region.issuer, 'okand');
    await page.waitForURL((url) => url.pathname === '/login/sso/region-blekinge/callback');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Du har inget konto i Satsa');
    await expectAccessible(page, 'no account');
    await screenshot(page, 'sso-03-no-account');
    await page.getByRole('link', { name: 'Till inloggningssidan' }).click();
    await page.waitForURL(`${base}/login`);
  });
});
