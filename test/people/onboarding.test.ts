import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createTestApp, json, OTHER_PROGRAMME, PROGRAMME, refusalRecords, tableCounts, type TestApp } from '../helpers.js';
import { startSmtp, type TestSmtp } from '../smtp.js';

/*
 * Getting in without anyone at the server, end to end through a real SMTP server: an
 * administrator's invitation, a registration with a work address, a forgotten password. The
 * links are read from the delivered e-mail, as a person would.
 */

let t: TestApp;
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({
    env: { SATSA_SMTP_HOST: '127.0.0.1', SATSA_SMTP_PORT: String(smtp.port), SATSA_PUBLIC_URL: 'https://satsa.example.se' },
  });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

/** The link in the newest message to `address`, after the relay has sent what is due. */
async function linkFor(address: string, path: RegExp): Promise<string> {
  await t.services.relay.drain();
  const mails = smtp.to(address);
  expect(mails.length, `mail to ${address}`).toBeGreaterThan(0);
  const text = mails[mails.length - 1]!.mail.text ?? '';
  const found = new RegExp(`https://satsa\\.example\\.se(${path.source})`).exec(text);
  expect(found, text).not.toBeNull();
  return found![1]!;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const post = (url: string, fields: Record<string, string>, extra: { cookies?: Record<string, string>; remoteAddress?: string } = {}) =>
  t.app.inject({
    method: 'POST',
    url,
    payload: form(fields),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    ...extra,
  });
const page = (url: string, cookies?: Record<string, string>) =>
  t.app.inject({ method: 'GET', url, cookies, headers: { accept: 'text/html' } });

describe('an administrator invites a coordinator', () => {
  it('by the browser pages: the e-mail’s link lets them set a password, log in and see the programme’s cases', async () => {
    const admin = t.services.people.createSession(t.actors.administrator.id, 1);
    const form = await page('/people/invite', { satsa_session: admin.token });
    expect(form.statusCode).toBe(200);
    const sent = await post(
      '/people/invite',
      { _csrf: admin.csrfToken, email: 'ny.samordnare@karlskrona.se', role: 'county-coordinator' },
      { cookies: { satsa_session: admin.token } },
    );
    expect(sent.statusCode, sent.body.slice(0, 300)).toBe(200);
    expect(sent.body).toContain('ny.samordnare@karlskrona.se');

    const link = await linkFor('ny.samordnare@karlskrona.se', /\/invitation\/[A-Za-z0-9_-]+/);
    const mail = smtp.to('ny.samordnare@karlskrona.se')[0]!;
    expect(mail.mail.subject).toContain('Inbjudan');
    expect(mail.mail.text).toContain('Länsamordnare');
    const accept = await page(link);
    expect(accept.statusCode).toBe(200);
    expect(accept.body).toContain('name="password"');
    const short = await post(link, { displayName: 'Nora Ny', password: 'kort', repeatPassword: 'kort' });
    expect(short.statusCode).toBe(422);
    const done = await post(link, {
      displayName: 'Nora Ny',
      password: 'ett långt eget lösenord',
      repeatPassword: 'ett långt eget lösenord',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/login?done=invitation');

    const login = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'ny.samordnare@karlskrona.se', password: 'ett långt eget lösenord' },
    });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const list = await t.app.inject({ method: 'GET', url: '/api/cases', headers: { cookie } });
    expect(list.statusCode).toBe(200);
    expect(json(await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).programmes).toEqual([
      { programmeId: PROGRAMME, roles: ['county-coordinator'] },
    ]);
    // The link worked once.
    expect((await page(link)).statusCode).toBe(410);
    // Disabled, their next request is refused.
    await t.app.inject({
      method: 'POST',
      url: `/api/people/${json(await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).id}/disable`,
      headers: auth(t.tokens.administrator),
      payload: { reason: 'Prov.' },
    });
    expect((await t.app.inject({ method: 'GET', url: '/api/cases', headers: { cookie } })).statusCode).toBe(401);
  });

  it('answers the same whether or not the address has an account; one who has gets the roles by the link', async () => {
    const admin = auth(t.tokens.administrator);
    const invite = (email: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/invitations',
        headers: admin,
        payload: { email, programmeId: PROGRAMME, roles: ['steering-group'] },
      });
    const known = await invite(t.actors.initiator.email);
    const unknown = await invite('okand@karlskrona.se');
    expect([known.statusCode, unknown.statusCode]).toEqual([202, 202]);
    expect(Object.keys(json(known)).sort()).toEqual(Object.keys(json(unknown)).sort());
    const link = await linkFor(t.actors.initiator.email, /\/invitation\/[A-Za-z0-9_-]+/);
    const accepted = await t.app.inject({ method: 'POST', url: '/api/invitations/accept', payload: { token: link.split('/').pop() } });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(json(accepted)).toEqual({ newAccount: false });
    expect(t.services.people.actorById(t.actors.initiator.id)!.memberships).toEqual([
      { programmeId: PROGRAMME, roles: ['initiator', 'steering-group'] },
    ]);
    const pending = json<{ items: { email: string }[] }>(await t.app.inject({ method: 'GET', url: '/api/invitations', headers: admin }));
    expect(pending.items.map((i) => i.email)).toContain('okand@karlskrona.se');
    expect(pending.items.map((i) => i.email)).not.toContain(t.actors.initiator.email);
  });

  it('an administrator of another programme cannot invite to ours, nor anyone without the role', async () => {
    const payload = { email: 'x@karlskrona.se', programmeId: OTHER_PROGRAMME, roles: ['initiator'] };
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/invitations', headers: auth(t.tokens.administrator), payload })).statusCode,
    ).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/invitations',
          headers: auth(t.tokens['county-coordinator']),
          payload: { ...payload, programmeId: PROGRAMME },
        })
      ).statusCode,
    ).toBe(403);
  });
});

describe('self-registration', () => {
  it('an allowed domain gets in after the privacy notice and a confirmed link; another domain is refused', async () => {
    const form = await page('/register');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('personuppgiftsansvarig');
    const noNotice = await post('/register', { email: 'ida@ronneby.se', programmeId: PROGRAMME });
    expect(noNotice.statusCode).toBe(422);
    const wrongDomain = await post('/register', { email: 'ida@gmail.com', programmeId: PROGRAMME, privacy: 'yes' });
    expect(wrongDomain.statusCode).toBe(422);
    expect(wrongDomain.body).toContain('ronneby.se');
    const counts = tableCounts(t);
    expect(smtp.to('ida@gmail.com')).toHaveLength(0);
    const sent = await post('/register', { email: 'ida@ronneby.se', programmeId: PROGRAMME, privacy: 'yes' });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('ida@ronneby.se');
    expect(tableCounts(t).one_time_links).toBe(counts.one_time_links! + 1);

    const link = await linkFor('ida@ronneby.se', /\/register\/[A-Za-z0-9_-]+/);
    expect((await page(link)).body).toContain('name="displayName"');
    const done = await post(link, {
      displayName: 'Ida Idé',
      password: 'ett långt eget lösenord',
      repeatPassword: 'ett långt eget lösenord',
    });
    expect(done.headers.location).toBe('/login?done=registered');
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'ida@ronneby.se', password: 'ett långt eget lösenord' },
    });
    expect(json<{ user: { programmes: unknown } }>(login).user.programmes).toEqual([{ programmeId: PROGRAMME, roles: ['initiator'] }]);
  });

  it('answers the same for an address that has an account (which is reminded to log in), and a used or expired link gets a clear page', async () => {
    const existing = await post('/register', {
      email: t.actors.initiator.email.replace('@test.satsa.se', '@ronneby.se'),
      programmeId: PROGRAMME,
      privacy: 'yes',
    });
    expect(existing.statusCode).toBe(200);
    const person = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'har.konto@ronneby.se',
      displayName: 'Har Konto',
      roles: ['initiator'],
    });
    const again = await post('/register', { email: person.email, programmeId: PROGRAMME, privacy: 'yes' });
    expect(again.statusCode).toBe(200);
    expect(again.body.replace(person.email, 'X')).toBe(
      existing.body.replace(t.actors.initiator.email.replace('@test.satsa.se', '@ronneby.se'), 'X'),
    );
    await t.services.relay.drain();
    expect(smtp.to(person.email)[0]!.mail.subject).toContain('redan ett konto');

    const link = await linkFor(t.actors.initiator.email.replace('@test.satsa.se', '@ronneby.se'), /\/register\/[A-Za-z0-9_-]+/);
    t.clock.advance(25 * 3_600_000);
    const expired = await page(link);
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('slutat gälla');
    expect((await page('/register/not-a-real-token-at-all-xyz')).body).toContain('finns inte');
  });
});

describe('a forgotten password', () => {
  it('works end to end through the e-mail; every session ends; the same answer for an unknown address; an expired link is refused', async () => {
    const person = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'glomsk@karlshamn.se',
      displayName: 'Glömsk',
      roles: ['initiator'],
      password: 'det gamla långa lösenordet',
    });
    const session = t.services.people.createSession(person.id, 24);
    const known = await t.app.inject({ method: 'POST', url: '/api/password-resets', payload: { email: person.email } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/password-resets', payload: { email: 'ingen@karlshamn.se' } });
    expect([known.statusCode, unknown.statusCode]).toEqual([202, 202]);
    await t.services.relay.drain();
    expect(smtp.to('ingen@karlshamn.se')).toHaveLength(0);
    const link = await linkFor(person.email, /\/password-reset\/[A-Za-z0-9_-]+/);
    const done = await post(link, { password: 'ett nytt långt lösenord', repeatPassword: 'ett nytt långt lösenord' });
    expect(done.headers.location).toBe('/login?done=password-reset');
    expect((await t.app.inject({ method: 'GET', url: '/api/me', cookies: { satsa_session: session.token } })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: person.email, password: 'ett nytt långt lösenord' } }))
        .statusCode,
    ).toBe(200);
    // Used once.
    expect((await post(link, { password: 'ett tredje långt lösenord', repeatPassword: 'ett tredje långt lösenord' })).statusCode).toBe(410);

    // A link of two hours is refused after them, over the API as well.
    await t.app.inject({ method: 'POST', url: '/api/password-resets', payload: { email: person.email } });
    const late = (await linkFor(person.email, /\/password-reset\/[A-Za-z0-9_-]+/)).split('/').pop()!;
    t.clock.advance(3 * 3_600_000);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/password-resets/complete',
      payload: { token: late, password: 'ett fjärde långt lösenord' },
    });
    expect(refused.statusCode).toBe(410);
    expect(json(refused)).toMatchObject({ code: 'link-invalid', reason: 'expired' });
  });

  it('asking again and again from one client for one address waits, like logging in', async () => {
    const before = refusalRecords(t).login_attempts!;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push(
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/password-resets',
            payload: { email: 'tjat@karlshamn.se' },
            remoteAddress: '10.9.9.9',
          })
        ).statusCode,
      );
    }
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses.slice(6)).toContain(429);
    expect(refusalRecords(t).login_attempts).toBeGreaterThan(before);
  });
});

describe('a co-writer named by e-mail', () => {
  it('a new person is invited to the case, makes an account by the link and is in the case; the API answers the same for a known address', async () => {
    const caseId = (
      await t.app.inject({
        method: 'POST',
        url: '/api/cases',
        headers: auth(t.tokens.initiator),
        payload: { title: 'Med skribent', summary: 'En idé.' },
      })
    ).json<{ id: string }>().id;
    const invite = (email: string) =>
      t.app.inject({ method: 'POST', url: `/api/cases/${caseId}/invitations`, headers: auth(t.tokens.initiator), payload: { email } });
    const fresh = await invite('skribent@olofstrom.se');
    const known = await invite(t.actors['lsvo-secretary'].email);
    expect([fresh.statusCode, known.statusCode]).toEqual([202, 202]);
    expect(Object.keys(json(fresh))).toEqual(Object.keys(json(known)));
    // Someone who may not bring people into the case cannot invite to it.
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/cases/${caseId}/invitations`,
          headers: auth(t.otherInitiator.token),
          payload: { email: 'x@olofstrom.se' },
        })
      ).statusCode,
    ).toBe(404);

    const link = await linkFor('skribent@olofstrom.se', /\/invitation\/[A-Za-z0-9_-]+/);
    expect(smtp.to('skribent@olofstrom.se')[0]!.mail.text).toContain('Med skribent');
    const done = await post(link, {
      displayName: 'Sara Skribent',
      password: 'ett långt eget lösenord',
      repeatPassword: 'ett långt eget lösenord',
    });
    expect(done.statusCode).toBe(303);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'skribent@olofstrom.se', password: 'ett långt eget lösenord' },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const seen = await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: { cookie } });
    expect(seen.statusCode).toBe(200);
    expect(json<{ data: { participants: { userId: string }[] } }>(seen).data.participants).toHaveLength(1);
  });
});
