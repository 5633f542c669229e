import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/people/actor.js';
import { AUDIT_PAGE_SIZE } from '../../src/routes/pages/people.js';
import { auth, createTestApp, FAR_FUTURE, OTHER_PROGRAMME, PROGRAMME, type TestApp, mainText } from '../helpers.js';

/*
 * One's own account, a programme's people and the audit, as pages over HTTP: who reaches
 * each page, the reason every act asks for (422 with the error at the field), disabling
 * after a confirmation (the person's sessions end at once), a token shown once that works as
 * a bearer token, revoking after a confirmation, and an audit that names people. The browser
 * suite (test/browser) drives the same pages in Chromium.
 */

let t: TestApp;
const PASSWORD = 'ett långt lösenord för sidorna';
let pia: Actor;
let foreignAdmin: Actor;

beforeAll(async () => {
  t = await createTestApp();
  pia = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'pia.person@test.satsa.se',
    displayName: 'Pia Person',
    roles: ['county-coordinator'],
    password: PASSWORD,
  });
  foreignAdmin = await t.services.people.createUser({
    programmeId: OTHER_PROGRAMME,
    email: 'annan.admin@test.satsa.se',
    displayName: 'Annan administratör',
    roles: ['administrator'],
  });
});
afterAll(async () => {
  await t.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
const UUID_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** A logged-in browser of `actor`: its own session, its forms with the session's CSRF token. */
function as(actor: Actor) {
  const session = t.services.people.createSession(actor.id, 8);
  const cookies = { satsa_session: session.token };
  return {
    session,
    get: (url: string) => t.app.inject({ method: 'GET', url, cookies, headers: { accept: 'text/html' } }),
    post: (url: string, fields: Record<string, string | string[]> = {}, csrf = true) => {
      const body = new URLSearchParams();
      if (csrf) body.append('_csrf', session.csrfToken);
      for (const [k, v] of Object.entries(fields)) for (const x of ([] as string[]).concat(v)) body.append(k, x);
      return t.app.inject({ method: 'POST', url, cookies, headers: FORM, payload: body.toString() });
    },
  };
}

const anonymous = (url: string) => t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
const admin = () => as(t.actors.administrator);
const personOf = (id: string) => t.services.people.person(id)!;
/** A session's id as the service keeps it: the hash of its token. */
const sha = (token: string) => createHash('sha256').update(token).digest('hex');
/** The header's main menu. */
const menuOf = (body: string) => /<nav aria-label="Huvudmeny">[\s\S]*?<\/nav>/.exec(body)![0];

describe('who reaches the pages', () => {
  it('my account is for everyone logged in; the people and the audit only for an administrator of the programme', async () => {
    const pages = ['/account', '/account/tokens/new', '/people', `/people/${pia.id}`, `/people/${pia.id}/roles`, '/audit'];
    const expected: Record<string, Record<string, number>> = {
      initiator: {
        '/account': 200,
        '/account/tokens/new': 200,
        '/people': 403,
        [`/people/${pia.id}`]: 403,
        [`/people/${pia.id}/roles`]: 403,
        '/audit': 403,
      },
      coordinator: {
        '/account': 200,
        '/account/tokens/new': 200,
        '/people': 403,
        [`/people/${pia.id}`]: 403,
        [`/people/${pia.id}/roles`]: 403,
        '/audit': 403,
      },
      // Another programme's administrator works in their own programme: our person does not exist there.
      foreignAdmin: {
        '/account': 200,
        '/account/tokens/new': 200,
        '/people': 200,
        [`/people/${pia.id}`]: 404,
        [`/people/${pia.id}/roles`]: 404,
        '/audit': 200,
      },
      admin: {
        '/account': 200,
        '/account/tokens/new': 200,
        '/people': 200,
        [`/people/${pia.id}`]: 200,
        [`/people/${pia.id}/roles`]: 200,
        '/audit': 200,
      },
    };
    const callers = {
      initiator: as(t.actors.initiator),
      coordinator: as(t.actors['county-coordinator']),
      foreignAdmin: as(foreignAdmin),
      admin: admin(),
    };
    const got: string[] = [];
    const want: string[] = [];
    for (const [who, browser] of Object.entries(callers)) {
      for (const url of pages) {
        const res = await browser.get(url);
        got.push(`${who} ${url}: ${res.statusCode}`);
        want.push(`${who} ${url}: ${expected[who]![url]}`);
        if (res.statusCode === 403) expect(res.body).toContain('Du har inte behörighet');
      }
    }
    expect(got).toEqual(want);
    // Anonymous visitors are sent to log in first, and back afterwards.
    for (const url of pages) {
      const res = await anonymous(url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location, url).toBe(`/login?next=${encodeURIComponent(url)}`);
    }
    // Another programme's administrator sees their own programme's people, never ours.
    const theirs = await callers.foreignAdmin.get('/people');
    expect(theirs.body).toContain('Foreign coordinator');
    expect(theirs.body).not.toContain('Pia Person');
  });

  it('the header menu: "My account" for everyone (it holds the settings), "People" for an administrator', async () => {
    const initiator = await as(t.actors.initiator).get('/account');
    expect(menuOf(initiator.body)).toContain('<a href="/account" aria-current="page">Mitt konto</a>');
    expect(menuOf(initiator.body)).not.toContain('href="/people"');
    expect(menuOf(initiator.body)).not.toContain('href="/settings"');
    // Settings is a page of one's account: the menu marks the account, and the page links back.
    const settings = await as(t.actors.initiator).get('/settings');
    expect(settings.body).toContain('<a href="/account" aria-current="true">Mitt konto</a>');
    expect(settings.body).toContain('<p class="back"><a href="/account">Mitt konto</a></p>');
    const administrator = await admin().get(`/people/${pia.id}`);
    expect(administrator.body).toContain('<a href="/people" aria-current="true">Personer</a>');
  });
});

describe('my account', () => {
  it('shows who I am, my log-ins with this one marked, and links to settings and the password', async () => {
    const elsewhere = t.services.people.createSession(pia.id, 8);
    const me = as(pia);
    const page = await me.get('/account');
    expect(page.statusCode).toBe(200);
    const text = mainText(page.body);
    expect(text).toContain('Pia Person');
    expect(text).toContain('pia.person@test.satsa.se');
    // Roles by their labels, the programme by its name: no ids.
    expect(text).toContain('Uppdrag psykisk hälsa');
    expect(text).toContain('Länsamordnare');
    expect(text).not.toContain('county-coordinator');
    expect(text).not.toMatch(UUID_TEXT);
    expect(page.body).toContain('href="/settings"');
    expect(page.body).toContain('href="/account/password"');
    // Local Swedish time, as the case history writes it (the test clock is 09:00 UTC, 10:00 in Sweden).
    expect(text).toContain('15 jan. 2026 10:00');
    expect(page.body.match(/<tr class="current">/g)).toHaveLength(1);
    expect(text).toContain('Den här');
    // Another log-in can be ended from here; this one is not offered (logging out does that).
    expect(page.body).toContain(`action="/account/sessions/${sha(elsewhere.token)}/end"`);
    expect(page.body).not.toContain(`action="/account/sessions/${sha(me.session.token)}/end"`);
    expect(page.body).toContain('action="/account/sessions/end-others"');
    t.services.people.endSession(elsewhere.token);
  });

  it('ends one log-in, then every other one; this one stays', async () => {
    const me = as(pia);
    const first = t.services.people.createSession(pia.id, 8);
    const second = t.services.people.createSession(pia.id, 8);
    const sessionOf = (token: string) => t.services.people.sessionActor(token);
    const firstId = sha(first.token);

    const ended = await me.post(`/account/sessions/${firstId}/end`);
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe('/account?done=session-ended');
    expect(sessionOf(first.token)).toBeUndefined();
    expect(sessionOf(second.token)).toBeDefined();
    const after = await me.get(ended.headers.location as string);
    expect(after.body).toContain('<div class="notice" role="status" id="notice">Inloggningen är avslutad.</div>');

    const all = await me.post('/account/sessions/end-others');
    expect(all.headers.location).toBe('/account?done=others-ended');
    expect(sessionOf(second.token)).toBeUndefined();
    expect(sessionOf(me.session.token)).toBeDefined();
    const page = await me.get('/account?done=others-ended');
    expect(page.body).toContain('Du är utloggad överallt utom här.');
    expect(page.body).toContain('Du är inte inloggad någon annanstans.');
    // Someone else's session is not mine to end.
    const other = t.services.people.createSession(t.actors.initiator.id, 1);
    expect((await me.post(`/account/sessions/${sha(other.token)}/end`)).statusCode).toBe(404);
    expect(sessionOf(other.token)).toBeDefined();
  });

  it('a token made on the page is shown once, works as a bearer token, and is revoked after a confirmation', async () => {
    const me = as(pia);
    const form = await me.get('/account/tokens/new');
    expect(form.body).toContain('value="90"');

    // What is missing or wrong comes back next to its field and in the summary, and nothing is made.
    const before = t.services.people.tokensOf(pia.id).length;
    const wrong = await me.post('/account/tokens', { name: '  ', days: '731' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('<a href="#token-name">Namn på nyckeln: Skriv ett namn på nyckeln</a>');
    expect(wrong.body).toContain('<a href="#token-days">Hur många dagar ska nyckeln gälla?: Skriv ett antal dagar från 1 till 730</a>');
    expect(wrong.body).toMatch(/<p class="field-error" id="token-days-error">.*Skriv ett antal dagar från 1 till 730<\/p>/);
    expect(wrong.body).toMatch(/id="token-days"[^>]*aria-invalid="true"/);
    expect(wrong.body).toContain('value="731"');
    const notANumber = await me.post('/account/tokens', { name: 'Diariet', days: 'nittio' });
    expect(notANumber.statusCode).toBe(422);
    expect(notANumber.body).toContain('Skriv antalet dagar med siffror, till exempel 90');
    expect(t.services.people.tokensOf(pia.id)).toHaveLength(before);

    const made = await me.post('/account/tokens', { name: 'Diariet', days: '30' });
    expect(made.statusCode).toBe(303);
    const shownAt = made.headers.location as string;
    expect(shownAt).toMatch(/^\/account\/tokens\/[0-9a-f-]{36}\/created$/);
    // The secret is never in a URL.
    expect(shownAt).not.toContain('satsa_');
    const shown = await me.get(shownAt);
    expect(shown.statusCode).toBe(200);
    const token = /id="new-token" class="token" readonly value="(satsa_[^"]+)"/.exec(shown.body)![1]!;
    expect(shown.body).toContain('Kopiera nyckeln nu. Den visas bara den här gången');
    expect(shown.body).toContain('Nyckeln slutar gälla 14 feb. 2026 10:00.');
    expect(shown.headers['cache-control']).toBe('no-store');
    // Once: going back, reloading or someone else asking shows it no more.
    const again = await me.get(shownAt);
    expect(again.statusCode).toBe(410);
    expect(again.body).not.toContain('satsa_');
    expect(again.body).toContain('Nyckeln kan inte visas igen');

    const api = await t.app.inject({ method: 'GET', url: '/api/me', headers: auth(token) });
    expect(api.statusCode).toBe(200);
    expect(api.json().email).toBe(pia.email);

    const id = shownAt.split('/')[3]!;
    const list = mainText((await me.get('/account')).body);
    expect(list).toContain('Diariet');
    expect(list).toContain('Gäller');
    expect((await me.get('/account')).body).toContain(`href="/account/tokens/${id}/revoke"`);

    // Revoking asks first; the question itself changes nothing.
    const question = await me.get(`/account/tokens/${id}/revoke`);
    expect(question.statusCode).toBe(200);
    expect(question.body).toContain('Vill du återkalla API-nyckeln ”Diariet”?');
    expect(question.body).toContain('Det går inte att ångra');
    expect(question.body).toContain('<input type="hidden" name="confirm" value="yes">');
    // A post without the confirmation goes back to the question.
    const unconfirmed = await me.post(`/account/tokens/${id}/revoke`);
    expect(unconfirmed.headers.location).toBe(`/account/tokens/${id}/revoke`);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: auth(token) })).statusCode).toBe(200);

    const revoked = await me.post(`/account/tokens/${id}/revoke`, { confirm: 'yes' });
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe('/account?done=token-revoked');
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: auth(token) })).statusCode).toBe(401);
    const page = await me.get('/account?done=token-revoked');
    expect(page.body).toContain('API-nyckeln är återkallad och fungerar inte längre.');
    expect(mainText(page.body)).toContain('Återkallad 15 jan. 2026 10:00');
    expect(page.body).not.toContain(`href="/account/tokens/${id}/revoke"`);

    // Someone else's token is a page that does not exist.
    const theirs = t.services.people.createApiToken(t.actors.initiator.id, 'deras', FAR_FUTURE);
    expect((await me.get(`/account/tokens/${theirs.id}/revoke`)).statusCode).toBe(404);
    expect((await me.post(`/account/tokens/${theirs.id}/revoke`, { confirm: 'yes' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: auth(theirs.token) })).statusCode).toBe(200);
  });

  it('refuses a form without the session’s token, and a person who must choose a password is taken to that form', async () => {
    const me = as(pia);
    const forged = await me.post('/account/sessions/end-others', {}, false);
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['content-type']).toMatch(/^text\/html/);
    const fresh = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'ny@test.satsa.se',
      displayName: 'Ny Person',
      roles: ['initiator'],
      password: 'ett lösenord någon annan gjorde',
      passwordChangeRequired: true,
    });
    const page = await as(fresh).get('/account');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/account/password');
  });

  it('is in English for a person who chose English', async () => {
    t.services.people.updatePreferences(pia.id, { language: 'en' });
    try {
      const page = await as(pia).get('/account');
      expect(page.body).toContain('<h1>My account</h1>');
      expect(page.body).toContain('Log out everywhere else');
      expect(page.body).toContain('County coordinator');
    } finally {
      t.services.people.updatePreferences(pia.id, { language: 'sv' });
    }
  });
});

describe('the people of a programme', () => {
  it('lists them with roles by label and state in words, and finds one by a part of the name or address', async () => {
    const list = await admin().get('/people');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`<a href="/people/${pia.id}">Pia Person</a>`);
    const found = await admin().get('/people?q=PIA.per');
    const text = mainText(found.body);
    expect(text).toContain('Pia Person');
    expect(text).toContain('Länsamordnare');
    expect(text).toContain('Aktiv');
    expect(text).toContain('Antal träffar på ”PIA.per”: 1');
    expect(text).not.toContain('Test initiator');
    expect(text).not.toContain('county-coordinator');
    expect(found.body).toContain('role="search"');
  });

  it('an act without a reason comes back 422 with the error at the field and in the summary, and nothing is done', async () => {
    for (const act of ['disable', 'roles'] as const) {
      const res = await admin().post(
        `/people/${pia.id}/${act}`,
        act === 'roles' ? { roles: ['initiator'], reason: '   ' } : { reason: '' },
      );
      expect(res.statusCode, act).toBe(422);
      expect(res.body).toMatch(/<div class="alert error-summary" role="alert" tabindex="-1" autofocus id="[a-z]+-errors">/);
      expect(res.body).toContain('<li><a href="#reason">Anledning: Skriv en anledning</a></li>');
      expect(res.body).toMatch(
        /<p class="field-error" id="reason-error"><span class="visually-hidden">Fel: <\/span>Skriv en anledning<\/p>/,
      );
      expect(res.body).toMatch(
        /<textarea id="reason" name="reason" required aria-required="true" aria-describedby="reason-hint reason-error" aria-invalid="true"/,
      );
    }
    // What was chosen stays chosen.
    const roles = await admin().post(`/people/${pia.id}/roles`, { roles: ['initiator'], reason: '' });
    expect(roles.body).toMatch(/value="initiator" checked/);
    expect(roles.body).not.toMatch(/value="county-coordinator" checked/);
    expect(personOf(pia.id).disabled).toBe(false);
    expect(personOf(pia.id).memberships).toEqual([{ programmeId: PROGRAMME, roles: ['county-coordinator'] }]);
  });

  it('changes roles with checkboxes of the programme’s roles, and says when the programme would lose its last administrator', async () => {
    const page = await admin().get(`/people/${pia.id}/roles`);
    const config = t.services.programmes.get(PROGRAMME)!;
    expect(page.body.match(/<input type="checkbox" id="roles-\d+" name="roles"/g)).toHaveLength(config.roles.length);
    expect(page.body).toMatch(/value="county-coordinator" checked/);
    expect(page.body).toContain('<label for="roles-0">Initiativtagare</label>');

    const changed = await admin().post(`/people/${pia.id}/roles`, {
      roles: ['county-coordinator', 'steering-group'],
      reason: 'Ny i styrgruppen.',
    });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers.location).toBe(`/people/${pia.id}?done=roles`);
    expect(personOf(pia.id).memberships).toEqual([{ programmeId: PROGRAMME, roles: ['county-coordinator', 'steering-group'] }]);
    const person = await admin().get(changed.headers.location as string);
    expect(person.body).toContain('<div class="notice" role="status" id="notice">Rollerna för Pia Person är ändrade.</div>');
    expect(mainText(person.body)).toContain('Länsamordnare, Styrgruppsledamot');

    // A role the programme does not have is refused as a choice outside the list.
    const odd = await admin().post(`/people/${pia.id}/roles`, { roles: ['superuser'], reason: 'Prov.' });
    expect(odd.statusCode).toBe(422);
    expect(odd.body).toContain('Välj bland rollerna i listan');

    // The last administrator steps down: confirmed first, then refused in plain words at the roles.
    const self = admin();
    const confirm = await self.post(`/people/${t.actors.administrator.id}/roles`, { roles: ['steering-group'], reason: 'Går vidare.' });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Vill du sluta vara administratör?');
    const refused = await self.post(`/people/${t.actors.administrator.id}/roles`, {
      roles: ['steering-group'],
      reason: 'Går vidare.',
      confirm: 'yes',
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain(
      '<li><a href="#roles-0">Roller: Programmet måste ha minst en administratör. Ge rollen till någon annan först.</a></li>',
    );
    expect(refused.body).toMatch(/<p class="field-error" id="roles-error">/);
    expect(personOf(t.actors.administrator.id).memberships[0]!.roles).toEqual(['administrator']);
  });

  it('an administrator who steps down confirms it first, and then no longer reaches the people', async () => {
    const second = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'andra.admin@test.satsa.se',
      displayName: 'Andra Administratör',
      roles: ['administrator', 'steering-group'],
    });
    const self = as(second);
    const done = await self.post(`/people/${second.id}/roles`, { roles: ['steering-group'], reason: 'Lämnar över.', confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/account?done=roles');
    const account = await self.get('/account?done=roles');
    expect(account.body).toContain('Dina roller är ändrade.');
    expect(mainText(account.body)).toContain('Uppdrag psykisk hälsa i Blekinge: Styrgruppsledamot');
    expect((await self.get('/people')).statusCode).toBe(403);
    // A notice the page does not know is no notice.
    expect((await self.get('/account?done=toString')).body).not.toContain('role="status" id="notice"');
  });

  it('taking someone out of the programme asks first, then they are gone from its list', async () => {
    const leaver = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'lamnar@test.satsa.se',
      displayName: 'Lina Lämnar',
      roles: ['initiator'],
    });
    const question = await admin().post(`/people/${leaver.id}/roles`, { reason: 'Flyttat.' });
    expect(question.statusCode).toBe(200);
    expect(question.body).toContain('Vill du ta bort Lina Lämnar ur Uppdrag psykisk hälsa i Blekinge?');
    expect(personOf(leaver.id).memberships).toHaveLength(1);
    const done = await admin().post(`/people/${leaver.id}/roles`, { reason: 'Flyttat.', confirm: 'yes' });
    expect(done.headers.location).toBe(`/people?done=removed&person=${leaver.id}`);
    expect(personOf(leaver.id).memberships).toEqual([]);
    const list = await admin().get(done.headers.location as string);
    expect(list.body).toContain('Lina Lämnar har inte längre någon roll i Uppdrag psykisk hälsa i Blekinge.');
    expect(list.body).not.toContain(`href="/people/${leaver.id}"`);
    expect((await admin().get(`/people/${leaver.id}`)).statusCode).toBe(404);
  });

  it('disabling asks for a confirmation, then ends the person’s sessions and tokens at once; enabling lets them in again', async () => {
    const pias = as(pia);
    const token = t.services.people.createApiToken(pia.id, 'integration', FAR_FUTURE).token;
    expect((await pias.get('/cases')).statusCode).toBe(200);

    const form = await admin().get(`/people/${pia.id}/disable`);
    expect(form.body).toContain('<h1>Stäng av kontot för Pia Person</h1>');
    const question = await admin().post(`/people/${pia.id}/disable`, { reason: 'Har slutat på regionen.' });
    expect(question.statusCode).toBe(200);
    expect(question.body).toContain('Vill du stänga av kontot för Pia Person?');
    expect(question.body).toContain('<input type="hidden" name="reason" value="Har slutat på regionen.">');
    expect(question.body).toContain('<button type="submit" class="warning">Ja, stäng av kontot</button>');
    // Only asked: nothing has happened yet.
    expect(personOf(pia.id).disabled).toBe(false);
    expect((await pias.get('/cases')).statusCode).toBe(200);

    const done = await admin().post(`/people/${pia.id}/disable`, { reason: 'Har slutat på regionen.', confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/people/${pia.id}?done=disable`);
    expect(personOf(pia.id).disabled).toBe(true);
    expect(t.services.people.sessionsOf(pia.id)).toEqual([]);
    // Her next page load is refused: she is sent to log in.
    const refused = await pias.get('/cases');
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe('/login');
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: auth(token) })).statusCode).toBe(401);
    const person = await admin().get(done.headers.location as string);
    expect(person.body).toContain('Kontot för Pia Person är avstängt. Alla inloggningar är avslutade.');
    expect(mainText(person.body)).toContain('Avstängd');
    expect(person.body).toContain(`href="/people/${pia.id}/enable"`);
    expect(person.body).not.toContain(`href="/people/${pia.id}/disable"`);

    const enabled = await admin().post(`/people/${pia.id}/enable`, { reason: 'Tillbaka i tjänst.' });
    expect(enabled.headers.location).toBe(`/people/${pia.id}?done=enable`);
    expect(personOf(pia.id).disabled).toBe(false);
  });

  it('an administrator cannot disable their own account: not offered, and refused in plain words', async () => {
    const page = await admin().get(`/people/${t.actors.administrator.id}`);
    expect(page.body).not.toContain(`href="/people/${t.actors.administrator.id}/disable"`);
    expect(page.body).toContain('Du kan inte stänga av ditt eget konto.');
    const refused = await admin().post(`/people/${t.actors.administrator.id}/disable`, { reason: 'Prov.', confirm: 'yes' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('<li>Du kan inte stänga av ditt eget konto. Be en annan administratör om det behövs.</li>');
    expect(personOf(t.actors.administrator.id).disabled).toBe(false);
  });

  it('unlocks a person locked out by failed log-ins', async () => {
    for (let i = 0; i < 8; i++) {
      await t.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: pia.email, password: 'fel' },
        remoteAddress: '10.9.0.1',
      });
    }
    const page = await admin().get(`/people/${pia.id}`);
    expect(mainText(page.body)).toContain('Inloggningen låst efter för många försök');
    expect(page.body).toContain(`href="/people/${pia.id}/unlock"`);
    const done = await admin().post(`/people/${pia.id}/unlock`, { reason: 'Ringde och bad om det.' });
    expect(done.headers.location).toBe(`/people/${pia.id}?done=unlock`);
    expect(t.services.throttle.isLocked(pia.email)).toBe(false);
    // Nothing to unlock now: the page goes back to the person.
    expect((await admin().get(`/people/${pia.id}/unlock`)).headers.location).toBe(`/people/${pia.id}`);
  });
});

describe('the audit', () => {
  it('lists what was done, newest first, with names and plain words, never ids; also for one person', async () => {
    const page = await admin().get('/audit');
    expect(page.statusCode).toBe(200);
    const text = mainText(page.body);
    for (const words of [
      'Låste upp inloggningen',
      'Ringde och bad om det.',
      'Aktiverade kontot igen',
      'Tillbaka i tjänst.',
      'Stängde av kontot',
      'Har slutat på regionen.',
      'Ändrade rollerna',
      'Före: Länsamordnare. Efter: Länsamordnare, Styrgruppsledamot.',
      'Test administrator',
      'Pia Person',
    ])
      expect(text).toContain(words);
    expect(text).not.toMatch(UUID_TEXT);
    expect(text).not.toContain('person.disabled');
    expect(text).not.toContain('county-coordinator');
    // Newest first.
    expect(text.indexOf('Låste upp inloggningen')).toBeLessThan(text.indexOf('Stängde av kontot'));
    // The person's own page links to their entries, which are only theirs.
    expect((await admin().get(`/people/${pia.id}`)).body).toContain(`href="/audit?person=${pia.id}"`);
    const hers = mainText((await admin().get(`/audit?person=${pia.id}`)).body);
    expect(hers).toContain('Händelselogg för Pia Person');
    expect(hers).toContain('Stängde av kontot');
    expect(hers).not.toContain('Lina Lämnar');
    expect((await admin().get('/audit?person=not-an-id')).statusCode).toBe(404);
  });

  it('pages back through older entries', async () => {
    const busy = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'ofta.last@test.satsa.se',
      displayName: 'Ofta Låst',
      roles: ['initiator'],
    });
    for (let i = 0; i < AUDIT_PAGE_SIZE + 3; i++) {
      t.services.peopleAdmin.unlock(t.actors.administrator, busy.id, `Upplåsning ${i + 1}.`);
      t.clock.advance(1000);
    }
    const first = await admin().get(`/audit?person=${busy.id}`);
    expect(mainText(first.body)).toContain(`Upplåsning ${AUDIT_PAGE_SIZE + 3}.`);
    expect(mainText(first.body)).not.toContain('Upplåsning 3.');
    const older = /<a href="(\/audit\?person=[^"]+&amp;cursor=[^"]+)">Äldre händelser<\/a>/.exec(first.body)![1]!.replace(/&amp;/g, '&');
    const second = await admin().get(older);
    expect(second.statusCode).toBe(200);
    const text = mainText(second.body);
    expect(text).toContain('Upplåsning 1.');
    expect(text).toContain('Upplåsning 3.');
    expect(text).not.toContain('Upplåsning 4.');
    expect(second.body).not.toContain('Äldre händelser');
    expect(second.body).toContain(`<a href="/audit?person=${busy.id}">Nyaste händelserna</a>`);
  });
});
