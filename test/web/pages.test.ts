import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDEA, storyUntilStep } from '../../src/demo/story.js';
import { advance, createCase, createTestApp, type TestApp } from '../helpers.js';

/*
 * The pages over HTTP (the browser suite drives the same pages in Chromium): log-in with
 * its CSRF cookie, the case list with its step track, the language switch and log-out.
 */

let t: TestApp;
const PASSWORD = 'a-long-password-for-pages';

beforeAll(async () => {
  t = await createTestApp();
  await t.services.people.createUser({
    programmeId: 'uph-blekinge',
    email: 'sida@test.satsa.se',
    displayName: 'Sid Initiativ',
    roles: ['initiator'],
    password: PASSWORD,
  });
});
afterAll(async () => {
  await t.close();
});

const cookieOf = (res: { cookies: { name: string; value: string }[] }, name: string) => res.cookies.find((c) => c.name === name)?.value;

async function logIn(email = 'sida@test.satsa.se', password = PASSWORD) {
  const form = await t.app.inject({ method: 'GET', url: '/login' });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
  const res = await t.app.inject({
    method: 'POST',
    url: '/login',
    cookies: { satsa_login_csrf: cookieOf(form, 'satsa_login_csrf')! },
    payload: new URLSearchParams({ email, password, _csrf: csrf }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  return { res, session: cookieOf(res, 'satsa_session') };
}

describe('log-in', () => {
  it('shows a Swedish form with labelled fields and a CSRF token, and logs in to the case list', async () => {
    const form = await t.app.inject({ method: 'GET', url: '/login' });
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-type']).toMatch(/^text\/html/);
    expect(form.body).toContain('<html lang="sv">');
    expect(form.body).toContain('<label for="email">E-postadress</label>');
    expect(form.body).toContain('<a class="skip" href="#main">');
    const { res, session } = await logIn();
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/cases');
    expect(session).toBeTruthy();
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] as string[]).find((c) => c.startsWith('satsa_session='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
  });

  it('a wrong password or a missing token sends the visitor back with a message, and makes no session', async () => {
    const wrong = await logIn('sida@test.satsa.se', 'not the password at all');
    expect(wrong.res.headers.location).toBe('/login?error=failed');
    expect(wrong.session).toBeUndefined();
    const message = await t.app.inject({ method: 'GET', url: '/login?error=failed' });
    expect(message.body).toContain('role="alert"');
    const forged = await t.app.inject({
      method: 'POST',
      url: '/login',
      payload: `email=sida%40test.satsa.se&password=${PASSWORD}&_csrf=guess`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.headers.location).toBe('/login?error=expired');
    expect(cookieOf(forged, 'satsa_session')).toBeUndefined();
  });

  it('the JSON API still refuses form posts', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: 'email=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(415);
  });
});

describe('the case list', () => {
  it('shows my cases with "steg N av 12" on a track of the twelve steps, and escapes titles', async () => {
    const id = await createCase(t, '<script>alert(1)</script> Stödgrupper');
    advance(t, id, storyUntilStep(5));
    expect((await t.app.inject({ method: 'GET', url: '/cases' })).headers.location).toBe('/login');
    // The test initiator owns the case; log in as them through a session of their own.
    const session = t.services.people.createSession(t.actors.initiator.id, 1);
    const list = await t.app.inject({ method: 'GET', url: '/cases', cookies: { satsa_session: session.token } });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('<h1>Mina ärenden</h1>');
    expect(list.body).toContain('steg 5 av 12: Dialogforum');
    expect(list.body).toContain('aria-current="step"');
    expect(list.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Stödgrupper');
    expect(list.body).not.toContain('<script>alert(1)</script>');
    // Someone else's initiator sees none of it.
    const other = t.services.people.createSession(t.otherInitiator.actor.id, 1);
    const theirs = await t.app.inject({ method: 'GET', url: '/cases', cookies: { satsa_session: other.token } });
    expect(theirs.statusCode).toBe(200);
    expect(theirs.body).toContain('<h1>Mina ärenden</h1>');
    expect(theirs.body).not.toContain(DEMO_IDEA.title);
    expect(theirs.body).not.toContain('Stödgrupper');
  });

  it('switches to English (kept for the user) and logs out only with the CSRF token', async () => {
    const session = t.services.people.createSession(t.actors.initiator.id, 1);
    const cookies = { satsa_session: session.token };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const switched = await t.app.inject({
      method: 'POST',
      url: '/language',
      cookies,
      headers: form,
      payload: `language=en&returnTo=%2Fcases&_csrf=${session.csrfToken}`,
    });
    expect(switched.statusCode).toBe(303);
    expect(switched.headers.location).toBe('/cases');
    const english = await t.app.inject({ method: 'GET', url: '/cases', cookies });
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('<h1>My cases</h1>');
    expect(english.body).toContain('step 5 of 12: Dialogue forum');
    // Without the token, a form post is refused and the session lives on.
    const forged = await t.app.inject({ method: 'POST', url: '/logout', cookies, headers: form, payload: '' });
    expect(forged.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/cases', cookies })).statusCode).toBe(200);
    const out = await t.app.inject({ method: 'POST', url: '/logout', cookies, headers: form, payload: `_csrf=${session.csrfToken}` });
    expect(out.headers.location).toBe('/login');
    expect((await t.app.inject({ method: 'GET', url: '/cases', cookies })).headers.location).toBe('/login');
    // An outside address is never a place to return to.
    const away = await t.app.inject({
      method: 'POST',
      url: '/language',
      headers: form,
      payload: 'language=sv&returnTo=%2F%2Fevil.example',
    });
    expect(away.headers.location).toBe('/');
    t.services.people.updatePreferences(t.actors.initiator.id, { language: 'sv' });
  });
});
