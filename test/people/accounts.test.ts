import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/people/actor.js';
import { auth, createTestApp, FAR_FUTURE, json, OTHER_PROGRAMME, PROGRAMME, tableCounts, type TestApp } from '../helpers.js';

/*
 * Accounts: log-in throttling per account and address, an administrator's acts on the people
 * of their programme (each recorded in the audit), and what everyone does with their own
 * account (password, sessions, tokens). Time moves with the test clock, never with sleeps.
 */

let t: TestApp;
const PASSWORD = 'ett riktigt långt lösenord';
let person: Actor;

beforeAll(async () => {
  t = await createTestApp();
  person = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'konto@test.satsa.se',
    displayName: 'Kim Konto',
    roles: ['county-coordinator'],
    password: PASSWORD,
  });
});
afterAll(async () => {
  await t.close();
});

const logIn = (email: string, password: string, address = '10.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/api/session', payload: { email, password }, remoteAddress: address });

describe('log-in throttling', () => {
  it('20 wrong passwords from one address: that address waits, even with the right password; other addresses and accounts do not; it ends by itself or by an unlock', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await logIn(person.email, `fel lösenord ${i}`);
      // The first few failures cost nothing; then each attempt must wait.
      if (i < 5) expect(res.statusCode, `attempt ${i}`).toBe(401);
      else expect([401, 429], `attempt ${i}`).toContain(res.statusCode);
      t.clock.advance(1_000);
    }
    const refused = await logIn(person.email, PASSWORD);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json(refused)).toMatchObject({ code: 'too-many-attempts', status: 429 });
    const wait = Number(refused.headers['retry-after']);
    expect(wait).toBeGreaterThan(60);
    expect(wait).toBeLessThanOrEqual(15 * 60);

    // Another address, and another account from this one, are not held up.
    expect((await logIn(person.email, PASSWORD, '10.0.0.2')).statusCode).toBe(200);
    expect((await logIn(t.actors.initiator.email, 'fel', '10.0.0.1')).statusCode).toBe(401);

    // The wait passes.
    t.clock.advance(wait * 1000 + 1);
    expect((await logIn(person.email, PASSWORD)).statusCode).toBe(200);
  });

  it('an administrator’s unlock ends the wait at once, and is in the audit with the reason', async () => {
    for (let i = 0; i < 8; i++) await logIn(person.email, 'fel igen', '10.0.0.3');
    expect((await logIn(person.email, PASSWORD, '10.0.0.3')).statusCode).toBe(429);
    const admin = auth(t.tokens.administrator);
    const before = json<{ locked: boolean }>(await t.app.inject({ method: 'GET', url: `/api/people/${person.id}`, headers: admin }));
    expect(before.locked).toBe(true);
    const unlocked = await t.app.inject({
      method: 'POST',
      url: `/api/people/${person.id}/unlock`,
      headers: admin,
      payload: { reason: 'Ringde och bad om det.' },
    });
    expect(unlocked.statusCode, unlocked.body).toBe(200);
    expect(json(unlocked).locked).toBe(false);
    expect((await logIn(person.email, PASSWORD, '10.0.0.3')).statusCode).toBe(200);
    const audit = json<{ items: { action: string; reason: string; actorId: string; subjectUserId: string }[] }>(
      await t.app.inject({ method: 'GET', url: `/api/audit?person=${person.id}`, headers: admin }),
    );
    expect(audit.items[0]).toMatchObject({
      action: 'person.unlocked',
      reason: 'Ringde och bad om det.',
      actorId: t.actors.administrator.id,
      subjectUserId: person.id,
    });
  });

  it('the log-in page says how long to wait, with 429', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/login', remoteAddress: '10.0.0.9' });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = page.cookies.find((c) => c.name === 'satsa_login_csrf')!.value;
    const post = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: '10.0.0.9',
        cookies: { satsa_login_csrf: cookie },
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        payload: new URLSearchParams({ _csrf: csrf, email: person.email, password, next: '/cases' }).toString(),
      });
    for (let i = 0; i < 10; i++) await post('fel på sidan');
    const res = await post(PASSWORD);
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body).toContain('För många misslyckade inloggningar');
  });
});

describe('an administrator and the people of their programme', () => {
  const admin = () => auth(t.tokens.administrator);

  it('lists and finds the programme’s people, never another programme’s', async () => {
    const all = json<{ items: { email: string; programmes: { programmeId: string }[] }[] }>(
      await t.app.inject({ method: 'GET', url: '/api/people', headers: admin() }),
    );
    expect(all.items.map((p) => p.email)).toContain(person.email);
    expect(all.items.map((p) => p.email)).not.toContain(t.foreignCoordinator.actor.email);
    expect(all.items.every((p) => p.programmes.every((m) => m.programmeId === PROGRAMME))).toBe(true);
    const found = json<{ items: { email: string }[] }>(await t.app.inject({ method: 'GET', url: '/api/people?q=kim', headers: admin() }));
    expect(found.items.map((p) => p.email)).toEqual([person.email]);
    expect((await t.app.inject({ method: 'GET', url: `/api/people/${t.foreignCoordinator.actor.id}`, headers: admin() })).statusCode).toBe(
      404,
    );
    expect(json(await t.app.inject({ method: 'GET', url: `/api/people?programme=${OTHER_PROGRAMME}`, headers: admin() })).items).toEqual(
      [],
    );
    // Not an administrator: refused.
    expect((await t.app.inject({ method: 'GET', url: '/api/people', headers: auth(t.tokens['county-coordinator']) })).statusCode).toBe(403);
  });

  it('disabling ends the sessions and tokens at once; enabling lets the person in again; both in the audit', async () => {
    const victim = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'stangs@test.satsa.se',
      displayName: 'Stängd',
      roles: ['initiator'],
      password: PASSWORD,
    });
    const token = t.services.people.createApiToken(victim.id, 'test', FAR_FUTURE).token;
    const session = t.services.people.createSession(victim.id, 1);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: auth(token) })).statusCode).toBe(200);
    const disabled = await t.app.inject({
      method: 'POST',
      url: `/api/people/${victim.id}/disable`,
      headers: admin(),
      payload: { reason: 'Slutat.' },
    });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(json(disabled).disabled).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: auth(token) })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', cookies: { satsa_session: session.token } })).statusCode).toBe(401);
    expect((await logIn(victim.email, PASSWORD, '10.1.0.1')).statusCode).toBe(401);
    const enabled = await t.app.inject({
      method: 'POST',
      url: `/api/people/${victim.id}/enable`,
      headers: admin(),
      payload: { reason: 'Tillbaka.' },
    });
    expect(json(enabled).disabled).toBe(false);
    // The old token stays revoked; the person logs in anew.
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: auth(token) })).statusCode).toBe(401);
    expect((await logIn(victim.email, PASSWORD, '10.1.0.1')).statusCode).toBe(200);
    const audit = json<{ items: { action: string; reason: string }[] }>(
      await t.app.inject({ method: 'GET', url: `/api/audit?person=${victim.id}`, headers: admin() }),
    );
    expect(audit.items.map((a) => [a.action, a.reason])).toEqual([
      ['person.enabled', 'Tillbaka.'],
      ['person.disabled', 'Slutat.'],
    ]);
  });

  it('changes roles in their programme only, never leaves it without an administrator, and needs a reason', async () => {
    const changed = await t.app.inject({
      method: 'PUT',
      url: `/api/people/${person.id}/roles`,
      headers: admin(),
      payload: { programmeId: PROGRAMME, roles: ['county-coordinator', 'steering-group'], reason: 'Ny i styrgruppen.' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(json(changed).programmes).toEqual([{ programmeId: PROGRAMME, roles: ['county-coordinator', 'steering-group'] }]);
    const foreign = await t.app.inject({
      method: 'PUT',
      url: `/api/people/${person.id}/roles`,
      headers: admin(),
      payload: { programmeId: OTHER_PROGRAMME, roles: ['initiator'], reason: 'Fel.' },
    });
    expect(foreign.statusCode).toBe(404);
    const last = await t.app.inject({
      method: 'PUT',
      url: `/api/people/${t.actors.administrator.id}/roles`,
      headers: admin(),
      payload: { programmeId: PROGRAMME, roles: [], reason: 'Går.' },
    });
    expect(last.statusCode).toBe(409);
    // No roles: the person leaves the programme, and the answer says so (they are not reachable any more).
    const leaver = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'gar@test.satsa.se',
      displayName: 'Går',
      roles: ['initiator'],
    });
    const left = await t.app.inject({
      method: 'PUT',
      url: `/api/people/${leaver.id}/roles`,
      headers: admin(),
      payload: { programmeId: PROGRAMME, roles: [], reason: 'Flyttat.' },
    });
    expect(left.statusCode, left.body).toBe(200);
    expect(json(left).programmes).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: `/api/people/${leaver.id}`, headers: admin() })).statusCode).toBe(404);
    const noReason = await t.app.inject({ method: 'POST', url: `/api/people/${person.id}/disable`, headers: admin(), payload: {} });
    expect(noReason.statusCode).toBe(422);
    const self = await t.app.inject({
      method: 'POST',
      url: `/api/people/${t.actors.administrator.id}/disable`,
      headers: admin(),
      payload: { reason: 'x' },
    });
    expect(self.statusCode).toBe(409);
  });
});

describe('one’s own account', () => {
  it('changes the password with the current one; other sessions end, this one stays; the old password no longer works', async () => {
    const own = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'eget@test.satsa.se',
      displayName: 'Egen',
      roles: ['initiator'],
      password: PASSWORD,
    });
    const [here, elsewhere] = [t.services.people.createSession(own.id, 1), t.services.people.createSession(own.id, 1)];
    const change = (currentPassword: string, newPassword: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/me/password',
        cookies: { satsa_session: here.token },
        headers: { 'x-csrf-token': here.csrfToken },
        payload: { currentPassword, newPassword },
      });
    const wrong = await change('inte det', 'ett nytt långt lösenord');
    expect(wrong.statusCode).toBe(422);
    expect(json<{ errors: { path: string }[] }>(wrong).errors.map((e) => e.path)).toEqual(['body.currentPassword']);
    expect(json<{ errors: { path: string }[] }>(await change(PASSWORD, 'kort')).errors.map((e) => e.path)).toEqual(['body.newPassword']);
    const ok = await change(PASSWORD, 'ett nytt långt lösenord');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(json(ok)).toEqual({ sessionsEnded: 1 });
    expect((await t.app.inject({ method: 'GET', url: '/api/me', cookies: { satsa_session: here.token } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', cookies: { satsa_session: elsewhere.token } })).statusCode).toBe(401);
    expect((await logIn(own.email, PASSWORD, '10.2.0.1')).statusCode).toBe(401);
    expect((await logIn(own.email, 'ett nytt långt lösenord', '10.2.0.1')).statusCode).toBe(200);
  });

  it('sees and ends their own sessions, and logs out everywhere else', async () => {
    const own = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'sessioner@test.satsa.se',
      displayName: 'Sessioner',
      roles: ['initiator'],
    });
    const sessions = [1, 2, 3].map(() => t.services.people.createSession(own.id, 1));
    const [me] = sessions;
    const as = { cookies: { satsa_session: me!.token }, headers: { 'x-csrf-token': me!.csrfToken } };
    const list = json<{ items: { id: string; current: boolean }[] }>(await t.app.inject({ method: 'GET', url: '/api/me/sessions', ...as }));
    expect(list.items).toHaveLength(3);
    expect(list.items.filter((s) => s.current)).toHaveLength(1);
    const other = list.items.find((s) => !s.current)!;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/me/sessions/${other.id}`, ...as })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/me/sessions/${other.id}`, ...as })).statusCode).toBe(404);
    expect(json(await t.app.inject({ method: 'DELETE', url: '/api/me/sessions', ...as }))).toEqual({ sessionsEnded: 1 });
    expect(json<{ items: unknown[] }>(await t.app.inject({ method: 'GET', url: '/api/me/sessions', ...as })).items).toHaveLength(1);
    // Another person's session is not theirs to end.
    const stranger = t.services.people.createSession(t.actors.initiator.id, 1);
    const strangerId = json<{ items: { id: string }[] }>(
      await t.app.inject({ method: 'GET', url: '/api/me/sessions', cookies: { satsa_session: stranger.token } }),
    ).items[0]!.id;
    expect((await t.app.inject({ method: 'DELETE', url: `/api/me/sessions/${strangerId}`, ...as })).statusCode).toBe(404);
  });

  it('makes a token that works until it expires, lists tokens without the secret, and revokes them', async () => {
    const headers = auth(t.tokens['steering-group']);
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/me/tokens',
      headers,
      payload: { name: 'rapportverktyg', expiresInDays: 2 },
    });
    expect(made.statusCode, made.body).toBe(201);
    const { id, token, expiresAt } = json<{ id: string; token: string; expiresAt: string }>(made);
    expect(token).toMatch(/^satsa_/);
    expect(Date.parse(expiresAt) - t.clock.now().getTime()).toBe(2 * 86_400_000);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: auth(token) })).statusCode).toBe(200);
    const listed = json<{ items: { id: string; name: string; token?: string }[] }>(
      await t.app.inject({ method: 'GET', url: '/api/me/tokens', headers }),
    );
    expect(listed.items.find((i) => i.id === id)).toMatchObject({ name: 'rapportverktyg' });
    expect(JSON.stringify(listed)).not.toContain(token);
    // Expired: refused.
    t.clock.advance(2 * 86_400_000 + 1);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: auth(token) })).statusCode).toBe(401);
    const second = json<{ id: string; token: string }>(
      await t.app.inject({ method: 'POST', url: '/api/me/tokens', headers, payload: { name: 'ny' } }),
    );
    expect((await t.app.inject({ method: 'DELETE', url: `/api/me/tokens/${second.id}`, headers })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: auth(second.token) })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/me/tokens', headers, payload: { name: 'för länge', expiresInDays: 1000 } }))
        .statusCode,
    ).toBe(422);
  });

  it('a person whose password was made for them may do nothing but choose their own; the pages take them to the form', async () => {
    const given = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'given@test.satsa.se',
      displayName: 'Given',
      roles: ['county-coordinator'],
      password: PASSWORD,
      passwordChangeRequired: true,
    });
    const session = t.services.people.createSession(given.id, 1);
    const as = { cookies: { satsa_session: session.token }, headers: { 'x-csrf-token': session.csrfToken } };
    const counts = tableCounts(t);
    const refused = await t.app.inject({ method: 'GET', url: '/api/cases', ...as });
    expect(refused.statusCode).toBe(403);
    expect(json(refused).code).toBe('password-change-required');
    expect(json(await t.app.inject({ method: 'GET', url: '/api/me', ...as })).passwordChangeRequired).toBe(true);
    const page = await t.app.inject({ method: 'GET', url: '/cases', cookies: as.cookies, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/account/password');
    const form = await t.app.inject({ method: 'GET', url: '/account/password', cookies: as.cookies, headers: { accept: 'text/html' } });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="newPassword"');
    // Its stylesheet is served to them too (as a browser asks for it).
    const sheet = /href="(\/assets\/[^"]+\.css)"/.exec(form.body)![1]!;
    expect(
      (await t.app.inject({ method: 'GET', url: sheet, cookies: as.cookies, headers: { accept: 'text/css,*/*;q=0.1' } })).statusCode,
    ).toBe(200);
    expect(tableCounts(t)).toEqual(counts);
    const chosen = await t.app.inject({
      method: 'POST',
      url: '/account/password',
      cookies: as.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: new URLSearchParams({
        _csrf: session.csrfToken,
        currentPassword: PASSWORD,
        newPassword: 'mitt eget långa lösenord',
        repeatPassword: 'mitt eget långa lösenord',
      }).toString(),
    });
    expect(chosen.statusCode, chosen.body.slice(0, 300)).toBe(303);
    expect((await t.app.inject({ method: 'GET', url: '/api/cases', ...as })).statusCode).toBe(200);
  });
});

describe('who reaches the routes of people and accounts', () => {
  it('anonymous: 401; no administrator: 403; another programme’s administrator: not found or nothing; own account routes for everyone logged in', async () => {
    const foreignAdmin = await t.services.people.createUser({
      programmeId: OTHER_PROGRAMME,
      email: 'annan.admin@test.satsa.se',
      displayName: 'Annan administratör',
      roles: ['administrator'],
    });
    const callers = {
      anonymous: {},
      initiator: auth(t.tokens.initiator),
      coordinator: auth(t.tokens['county-coordinator']),
      foreignAdmin: auth(t.services.people.createApiToken(foreignAdmin.id, 'test', FAR_FUTURE).token),
      admin: auth(t.tokens.administrator),
    };
    const target = person.id;
    const routes: { method: 'GET' | 'POST' | 'PUT'; url: string; payload?: object; expected: Record<keyof typeof callers, number> }[] = [
      { method: 'GET', url: '/api/people', expected: { anonymous: 401, initiator: 403, coordinator: 403, foreignAdmin: 200, admin: 200 } },
      {
        method: 'GET',
        url: `/api/people/${target}`,
        expected: { anonymous: 401, initiator: 403, coordinator: 403, foreignAdmin: 404, admin: 200 },
      },
      ...['disable', 'enable', 'unlock'].map((act) => ({
        method: 'POST' as const,
        url: `/api/people/${target}/${act}`,
        payload: { reason: 'Prov.' },
        expected: { anonymous: 401, initiator: 403, coordinator: 403, foreignAdmin: 404, admin: 200 },
      })),
      {
        method: 'PUT',
        url: `/api/people/${target}/roles`,
        payload: { programmeId: PROGRAMME, roles: ['county-coordinator'], reason: 'Prov.' },
        expected: { anonymous: 401, initiator: 403, coordinator: 403, foreignAdmin: 404, admin: 200 },
      },
      {
        method: 'GET',
        url: `/api/audit?person=${target}`,
        expected: { anonymous: 401, initiator: 403, coordinator: 403, foreignAdmin: 404, admin: 200 },
      },
      {
        method: 'POST',
        url: '/api/invitations',
        payload: { email: 'matris@karlskrona.se', programmeId: PROGRAMME, roles: ['initiator'] },
        expected: { anonymous: 401, initiator: 403, coordinator: 403, foreignAdmin: 404, admin: 202 },
      },
      {
        method: 'GET',
        url: '/api/invitations',
        expected: { anonymous: 401, initiator: 403, coordinator: 403, foreignAdmin: 200, admin: 200 },
      },
      {
        method: 'GET',
        url: '/api/me/sessions',
        expected: { anonymous: 401, initiator: 200, coordinator: 200, foreignAdmin: 200, admin: 200 },
      },
      {
        method: 'GET',
        url: '/api/me/tokens',
        expected: { anonymous: 401, initiator: 200, coordinator: 200, foreignAdmin: 200, admin: 200 },
      },
    ];
    const got: string[] = [];
    const want: string[] = [];
    for (const route of routes) {
      for (const [who, headers] of Object.entries(callers) as [keyof typeof callers, Record<string, string>][]) {
        const res = await t.app.inject({ method: route.method, url: route.url, headers, payload: route.payload });
        got.push(`${route.method} ${route.url} as ${who}: ${res.statusCode}`);
        want.push(`${route.method} ${route.url} as ${who}: ${route.expected[who]}`);
      }
    }
    expect(got).toEqual(want);
    // What another programme's administrator lists is their own programme's people, never ours.
    const theirs = json<{ items: { email: string }[] }>(
      await t.app.inject({ method: 'GET', url: '/api/people', headers: callers.foreignAdmin }),
    );
    expect(theirs.items.map((p) => p.email)).not.toContain(person.email);
    expect(theirs.items.map((p) => p.email)).toContain(t.foreignCoordinator.actor.email);
  });
});
