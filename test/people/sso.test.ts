import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { auth, createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { goesOnTo, makeCertificates, startProvider, TestBrowser, trustingFetch, type Answer, type TestProvider } from '../oidc.js';

/*
 * Logging in through OpenID Connect, end to end: two real providers (oidc-provider over TLS,
 * with a CA made for the test), a region's and a municipality's, each serving its own e-mail
 * domain. A "browser" follows every redirect with its cookies across the app and the
 * providers, fills in the provider's log-in form and its consent, and comes back.
 */

const PUBLIC_URL = 'https://satsa.example.se';

let t: TestApp;
let region: TestProvider;
let kommun: TestProvider;
let trust: ReturnType<typeof trustingFetch>;
let dir: string;

beforeAll(async () => {
  const tls = makeCertificates();
  trust = trustingFetch(tls.ca);
  region = await startProvider({
    id: 'region-blekinge',
    name: { sv: 'Region Blekinge', en: 'Region Blekinge' },
    publicUrl: PUBLIC_URL,
    tls,
    emailDomains: ['regionblekinge.se'],
    accounts: {
      anna: { email: 'Anna.Berg@regionblekinge.se', email_verified: true, name: 'Anna Berg' },
      olle: { email: 'olle@regionblekinge.se', email_verified: false, name: 'Olle Obekräftad' },
      okand: { email: 'okand@regionblekinge.se', email_verified: true, name: 'Okänd Person' },
      nora: { email: 'nora.ny@regionblekinge.se', email_verified: true, given_name: 'Nora', family_name: 'Nyström' },
      kim: { email: 'kim@karlskrona.se', email_verified: true, name: 'Kim från fel håll' },
    },
  });
  kommun = await startProvider({
    id: 'karlskrona',
    name: { sv: 'Karlskrona kommun', en: 'Karlskrona municipality' },
    publicUrl: PUBLIC_URL,
    tls,
    emailDomains: ['karlskrona.se'],
    // As Microsoft Entra ID by default: the address in the ID token, and no email_verified.
    trustUnverifiedEmail: true,
    configuration: { conformIdTokenClaims: false },
    accounts: { kim: { email: 'kim@karlskrona.se', name: 'Kim Kommun' } },
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-sso-'));
  const providersFile = path.join(dir, 'providers.json');
  // A third that nobody answers for: its log-in cannot be reached.
  const nowhere = {
    ...kommun.entry,
    id: 'nowhere',
    name: { sv: 'Ingenstans kommun', en: 'Nowhere' },
    issuer: 'https://127.0.0.1:9',
    emailDomains: ['ingenstans.se'],
  };
  fs.writeFileSync(providersFile, JSON.stringify([region.entry, kommun.entry, nowhere], null, 2));
  t = await createTestApp({
    env: { SATSA_OIDC_PROVIDERS_FILE: providersFile, SATSA_PUBLIC_URL: PUBLIC_URL },
    outbound: trust.outbound,
  });
  for (const [email, name] of [
    ['anna.berg@regionblekinge.se', 'Anna Berg'],
    ['olle@regionblekinge.se', 'Olle Obekräftad'],
    ['kim@karlskrona.se', 'Kim Kommun'],
  ] as const) {
    await t.services.people.createUser({ programmeId: PROGRAMME, email, displayName: name, roles: ['county-coordinator'] });
  }
}, 60_000);

afterAll(async () => {
  await t?.close();
  await region?.close();
  await kommun?.close();
  await trust?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const browser = () => new TestBrowser(t.app, PUBLIC_URL, trust.fetch);

/** Opens the log-in page and sends its provider form: by e-mail address, or a provider's button. */
async function start(b: TestBrowser, fields: { email?: string; provider?: string; next?: string }): Promise<Answer> {
  const login = await b.request(`${PUBLIC_URL}/login`);
  expect(login.status).toBe(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(login.body)![1]!;
  return b.request(`${PUBLIC_URL}/login/sso`, { form: { _csrf: csrf, next: '/cases', ...fields } });
}

/** Logs in at the provider and comes back: the app's answer to the provider's redirect. */
async function logIn(b: TestBrowser, email: string, login: string, next?: string): Promise<Answer> {
  const started = await start(b, { email, ...(next ? { next } : {}) });
  expect(started.status, started.body.slice(0, 300)).toBe(303);
  return b.request(await b.throughProvider(started, login));
}

const auditOf = (userId: string) =>
  t.services.db.$client
    .prepare('SELECT action, programme_id AS programmeId, details FROM audit_log WHERE subject_user_id = ? ORDER BY id')
    .all(userId) as { action: string; programmeId: string | null; details: string }[];

const sessionCookieOf = (answer: Answer) =>
  ([] as string[]).concat(answer.headers['set-cookie'] ?? []).find((c) => c.startsWith('satsa_session='));

describe('the log-in page with providers', () => {
  it('offers a button per provider and a field for the work address; its forms may go on to the providers only', async () => {
    const page = await browser().request(`${PUBLIC_URL}/login`);
    expect(page.body).toContain('Logga in via Region Blekinge');
    expect(page.body).toContain('Logga in via Karlskrona kommun');
    expect(page.body).toContain('for="sso-email"');
    expect(page.body).toContain('Logga in med lösenord');
    const formAction = /form-action ([^;]+)/.exec(String(page.headers['content-security-policy']))![1]!.trim().split(/\s+/);
    expect(formAction.sort()).toEqual(["'self'", region.issuer, kommun.issuer, 'https://127.0.0.1:9'].sort());
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  it('a provider is chosen by the e-mail domain typed, or by its button; each sends the person to its own issuer', async () => {
    const byRegion = await start(browser(), { email: 'anna.berg@regionblekinge.se' });
    expect(byRegion.status).toBe(303);
    const regionUrl = new URL(byRegion.location!);
    expect(regionUrl.origin).toBe(region.issuer);
    expect(regionUrl.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/login/sso/region-blekinge/callback`);
    expect(regionUrl.searchParams.get('login_hint')).toBe('anna.berg@regionblekinge.se');
    expect(regionUrl.searchParams.get('code_challenge_method')).toBe('S256');
    for (const p of ['state', 'nonce', 'code_challenge']) expect(regionUrl.searchParams.get(p)?.length).toBeGreaterThanOrEqual(43);
    expect(regionUrl.searchParams.get('scope')).toBe('openid email profile');
    // The log-in under way: HttpOnly, Lax (the way back is a navigation from the provider's site), short-lived.
    const cookie = ([] as string[]).concat(byRegion.headers['set-cookie'] ?? []).find((c) => c.startsWith('satsa_sso='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=600/);
    expect(cookie).toMatch(/Path=\/login\/sso/);

    const byKommun = await start(browser(), { email: 'Kim@Karlskrona.se' });
    expect(new URL(byKommun.location!).origin).toBe(kommun.issuer);
    expect(new URL(byKommun.location!).searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/login/sso/karlskrona/callback`);
    const byButton = await start(browser(), { provider: 'karlskrona' });
    expect(new URL(byButton.location!).origin).toBe(kommun.issuer);
    expect(new URL(byButton.location!).searchParams.has('login_hint')).toBe(false);
  });

  it('a provider that cannot be reached: a page says so, and nothing is under way', async () => {
    const b = browser();
    const answer = await start(b, { email: 'vem@ingenstans.se' });
    expect(answer.status).toBe(502);
    expect(answer.body).toContain('Satsa får inte kontakt med Ingenstans kommun');
    expect(b.cookie(PUBLIC_URL, 'satsa_sso')).toBeUndefined();
  });

  it('an address no provider serves, or none at all, is shown at the field', async () => {
    const b = browser();
    const unknown = await start(b, { email: 'someone@example.com' });
    expect(unknown.status).toBe(303);
    expect(unknown.location).toBe(`${PUBLIC_URL}/login?error=sso-domain&next=%2Fcases`);
    const page = await b.request(unknown.location!);
    expect(page.body).toContain('Det finns ingen inloggning via organisation för adresser med den domänen');
    expect(page.body).toMatch(/id="sso-email"[^>]*aria-invalid="true"/);
    const empty = await start(b, { email: '' });
    expect(empty.location).toContain('error=sso-email');
    // Without the log-in page's token, nothing starts.
    const forged = await b.request(`${PUBLIC_URL}/login/sso`, { form: { provider: 'karlskrona', _csrf: 'forged' } });
    expect(forged.location).toBe(`${PUBLIC_URL}/login?error=expired`);
  });
});

describe('logging in through a provider', () => {
  it('an existing account logs in: it lands on /cases with a session that works on /api/me, and the audit says so', async () => {
    const b = browser();
    const started = await start(b, { email: 'anna.berg@regionblekinge.se' });
    const key = b.cookie(PUBLIC_URL, 'satsa_sso')!;
    const underWay = () =>
      t.services.db.$client
        .prepare('SELECT count(*) AS n FROM sso_transactions WHERE id = ?')
        .get(createHash('sha256').update(key).digest('hex'));
    expect(underWay()).toEqual({ n: 1 });
    const back = await b.request(await b.throughProvider(started, 'anna'));
    // A page of the app's own that goes on at once: the Strict session cookie goes with that navigation.
    expect(back.status, back.body.slice(0, 400)).toBe(200);
    expect(back.body).toContain('Du är inloggad som Anna Berg');
    expect(goesOnTo(back)).toBe(`${PUBLIC_URL}/cases`);
    const cookie = sessionCookieOf(back)!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    // The log-in under way is gone from the browser and from the server.
    expect(b.cookie(PUBLIC_URL, 'satsa_sso')).toBeUndefined();
    expect(underWay()).toEqual({ n: 0 });
    const cases = await b.request(goesOnTo(back)!);
    expect(cases.status).toBe(200);
    expect(cases.body).toContain('Anna Berg');
    const me = await t.app.inject({ method: 'GET', url: '/api/me', cookies: { satsa_session: b.cookie(PUBLIC_URL, 'satsa_session')! } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: 'anna.berg@regionblekinge.se', displayName: 'Anna Berg' });
    const anna = t.services.people.userByEmail('anna.berg@regionblekinge.se')!;
    expect(auditOf(anna.id)).toEqual([
      { action: 'sso.logged-in', programmeId: PROGRAMME, details: JSON.stringify({ provider: 'region-blekinge' }) },
    ]);
  });

  it('a callback whose state was changed is refused, and the log-in under way cannot be answered again', async () => {
    const b = browser();
    const started = await start(b, { email: 'anna.berg@regionblekinge.se' });
    const callback = new URL(await b.throughProvider(started, 'anna'));
    const honest = callback.href;
    callback.searchParams.set('state', 'a-state-of-someone-elses-making-0000000000000');
    const tampered = await b.request(callback.href);
    expect(tampered.status).toBe(400);
    expect(tampered.body).toContain('Svaret från inloggningen hörde inte ihop med den inloggning du började här');
    expect(tampered.body).toContain('href="/login"');
    expect(sessionCookieOf(tampered)).toBeUndefined();
    // Single use: the honest answer now finds no log-in under way.
    const late = await b.request(honest);
    expect(late.status).toBe(400);
    expect(late.body).toContain('Inloggningen tog mer än 10 minuter, eller så började den i en annan webbläsare');
    expect(sessionCookieOf(late)).toBeUndefined();
  });

  it('an answer for another log-in (a callback replayed into another browser) is refused', async () => {
    const victim = browser();
    await start(victim, { email: 'anna.berg@regionblekinge.se' });
    const attacker = browser();
    const attackersCallback = await attacker.throughProvider(await start(attacker, { email: 'olle@regionblekinge.se' }), 'olle');
    const replayed = await victim.request(attackersCallback);
    expect(replayed.status).toBe(400);
    expect(sessionCookieOf(replayed)).toBeUndefined();
  });

  it('an ID token whose nonce is not the log-in’s is refused (the provider was asked with another nonce, all else honest)', async () => {
    // The app's own authorisation request, with the state and the PKCE challenge of its log-in,
    // but another nonce: the provider signs that nonce into the ID token.
    const asAnotherNonce = async (b: TestBrowser) => {
      const started = await start(b, { email: 'anna.berg@regionblekinge.se' });
      const url = new URL(started.location!);
      url.searchParams.set('nonce', 'a-nonce-of-another-log-in-00000000000000000000');
      return b.throughProvider({ ...started, location: url.href }, 'anna');
    };
    const b = browser();
    const refused = await b.request(await asAnotherNonce(b));
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('Svaret från inloggningen hörde inte ihop med den inloggning du började här');
    expect(sessionCookieOf(refused)).toBeUndefined();
    // The same through the service, to see which check refused it: the nonce, with state and PKCE passing.
    const c = browser();
    const callback = new URL(await asAnotherNonce(c));
    await expect(
      t.services.sso.finish('region-blekinge', c.cookie(PUBLIC_URL, 'satsa_sso'), `${callback.pathname}${callback.search}`, 'sv'),
    ).rejects.toMatchObject({ code: 'sso-failed', details: { reason: 'mismatch', check: 'nonce' } });
  });

  it('a code the provider gave for another PKCE challenge cannot be exchanged with this log-in’s verifier', async () => {
    const b = browser();
    const started = await start(b, { email: 'anna.berg@regionblekinge.se' });
    const url = new URL(started.location!);
    url.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    const callback = await b.throughProvider({ ...started, location: url.href }, 'anna');
    // The provider took the request and gave a code; exchanging it is what fails.
    expect(new URL(callback).searchParams.has('code')).toBe(true);
    const answer = await b.request(callback);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('Region Blekinge svarade med ett fel');
    expect(sessionCookieOf(answer)).toBeUndefined();
  });

  it('an unverified address from a provider not trusted without email_verified is refused', async () => {
    const answer = await logIn(browser(), 'olle@regionblekinge.se', 'olle');
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('Region Blekinge har inte bekräftat att olle@regionblekinge.se är din adress');
    expect(sessionCookieOf(answer)).toBeUndefined();
  });

  it('a provider trusted without email_verified (as Entra ID by default) logs its person in, and on to the page they asked for', async () => {
    const b = browser();
    const answer = await logIn(b, 'kim@karlskrona.se', 'kim', '/account');
    expect(answer.status, answer.body.slice(0, 400)).toBe(200);
    expect(goesOnTo(answer)).toBe(`${PUBLIC_URL}/account`);
    const me = await b.request(`${PUBLIC_URL}/api/me`);
    expect(JSON.parse(me.body)).toMatchObject({ email: 'kim@karlskrona.se' });
  });

  it('a provider may vouch only for addresses in its own domains', async () => {
    const answer = await logIn(browser(), 'x@regionblekinge.se', 'kim');
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('Region Blekinge kan bara logga in adresser som slutar på regionblekinge.se');
    expect(sessionCookieOf(answer)).toBeUndefined();
  });

  it('someone without an account or an invitation gets a page saying so, and what to do; nothing is made', async () => {
    const users = t.services.db.$client.prepare('SELECT count(*) AS n FROM users').get();
    const answer = await logIn(browser(), 'okand@regionblekinge.se', 'okand');
    expect(answer.status).toBe(403);
    expect(answer.headers['content-type']).toMatch(/text\/html/);
    expect(answer.body).toContain('Du har inget konto i Satsa');
    expect(answer.body).toContain('okand@regionblekinge.se har inget konto i Satsa. Be en administratör för ditt program att bjuda in dig');
    expect(sessionCookieOf(answer)).toBeUndefined();
    expect(t.services.db.$client.prepare('SELECT count(*) AS n FROM users').get()).toEqual(users);
  });

  it('an invited person gets in: the invitation is accepted, their account made with the provider’s name and no password', async () => {
    const invited = await t.app.inject({
      method: 'POST',
      url: '/api/invitations',
      headers: auth(t.tokens.administrator),
      payload: { email: 'nora.ny@regionblekinge.se', programmeId: PROGRAMME, roles: ['county-coordinator'] },
    });
    expect(invited.statusCode).toBe(202);
    const b = browser();
    const answer = await logIn(b, 'nora.ny@regionblekinge.se', 'nora');
    expect(answer.status, answer.body.slice(0, 400)).toBe(200);
    expect(goesOnTo(answer)).toBe(`${PUBLIC_URL}/cases`);
    expect((await b.request(goesOnTo(answer)!)).body).toContain('Nora Nyström');
    const me = JSON.parse((await b.request(`${PUBLIC_URL}/api/me`)).body);
    expect(me).toMatchObject({ email: 'nora.ny@regionblekinge.se', displayName: 'Nora Nyström' });
    expect(me.programmes).toEqual([{ programmeId: PROGRAMME, roles: ['county-coordinator'] }]);
    const row = t.services.db.$client.prepare('SELECT password_hash AS hash FROM users WHERE email = ?').get('nora.ny@regionblekinge.se');
    expect(row).toEqual({ hash: null });
    // The invitation is used: no longer pending, and its link is spent.
    expect(t.services.links.pendingInvitationsTo('nora.ny@regionblekinge.se')).toEqual([]);
    const nora = t.services.people.userByEmail('nora.ny@regionblekinge.se')!;
    expect(auditOf(nora.id).map((e) => e.action)).toEqual(['invitation.accepted', 'sso.account-created', 'sso.logged-in']);
    expect(JSON.parse(auditOf(nora.id)[0]!.details)).toMatchObject({ newAccount: true, via: 'sso', provider: 'region-blekinge' });
    // The next time, the account logs in as any other.
    const again = await logIn(browser(), 'nora.ny@regionblekinge.se', 'nora');
    expect(goesOnTo(again)).toBe(`${PUBLIC_URL}/cases`);
    expect(t.services.db.$client.prepare('SELECT count(*) AS n FROM users WHERE email = ?').get('nora.ny@regionblekinge.se')).toEqual({
      n: 1,
    });
  });

  it('a disabled account does not get in', async () => {
    const kim = t.services.people.userByEmail('kim@karlskrona.se')!;
    t.services.people.setDisabled(kim.id, true);
    try {
      const answer = await logIn(browser(), 'kim@karlskrona.se', 'kim');
      expect(answer.status).toBe(403);
      expect(answer.body).toContain('Kontot för kim@karlskrona.se är avstängt');
    } finally {
      t.services.people.setDisabled(kim.id, false);
    }
  });

  it('cancelled at the provider: a page says so', async () => {
    const b = browser();
    const started = await start(b, { email: 'anna.berg@regionblekinge.se' });
    let page = await b.request(started.location!);
    while (page.location) page = await b.request(page.location);
    const abort = /href="([^"]*\/abort)"/.exec(page.body)![1]!;
    let answer = await b.request(new URL(abort, page.url).href);
    while (answer.location && !answer.location.startsWith(PUBLIC_URL)) answer = await b.request(answer.location);
    const back = await b.request(answer.location!);
    expect(back.status).toBe(400);
    expect(back.body).toContain('Inloggningen hos Region Blekinge avbröts');
  });

  it('in English, the pages speak English', async () => {
    const b = browser();
    await b.request(`${PUBLIC_URL}/login`);
    const started = await start(b, { email: 'okand@regionblekinge.se' });
    const callback = await b.throughProvider(started, 'okand');
    const res = await t.app.inject({
      method: 'GET',
      url: callback.slice(PUBLIC_URL.length),
      headers: { accept: 'text/html', 'accept-language': 'en', cookie: `satsa_sso=${b.cookie(PUBLIC_URL, 'satsa_sso')}` },
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('okand@regionblekinge.se has no account in Satsa. Ask an administrator of your programme to invite you');
  });
});

describe('the providers file', () => {
  const write = (content: unknown) => {
    const file = path.join(dir, `providers-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };
  const entry = {
    id: 'region',
    name: { sv: 'Region', en: 'Region' },
    issuer: 'https://login.example.se/tenant/v2.0',
    clientId: 'satsa',
    clientSecret: 's',
    emailDomains: ['Region.example.se'],
  };
  const load = (content: unknown) => loadConfig({ SATSA_OIDC_PROVIDERS_FILE: write(content) });

  it('is read and checked at start: defaults filled in, domains in lower case', () => {
    expect(load([entry]).oidcProviders).toEqual([{ ...entry, emailDomains: ['region.example.se'], trustUnverifiedEmail: false }]);
    expect(loadConfig({}).oidcProviders).toEqual([]);
  });

  it('refuses an issuer that is not https, a domain served twice, an unknown field, and a file that is not JSON', () => {
    expect(() => load([{ ...entry, issuer: 'http://login.example.se' }])).toThrow(/providers\.0\.issuer: an https URL/);
    expect(() => load([entry, { ...entry, id: 'other' }])).toThrow(/region\.example\.se is served by region too/);
    expect(() => load([{ ...entry, clientSecrets: 'x' }])).toThrow(/SATSA_OIDC_PROVIDERS_FILE/);
    expect(() => load([{ ...entry, emailDomains: [] }])).toThrow(/emailDomains/);
    expect(() => load('{ not json')).toThrow(/SATSA_OIDC_PROVIDERS_FILE/);
  });
});
