import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyUntilStep } from '../../src/demo/story.js';
import { openDatabase } from '../../src/db/client.js';
import type { Actor } from '../../src/people/actor.js';
import { FAR_FUTURE, advance, auth, createCase, createTestApp, json, OTHER_PROGRAMME, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * One person, one e-mail address, roles in several programmes: the API's lists cover every
 * programme the person holds a role in (with a `programme` filter), the pages work in one
 * programme at a time with a switcher, and every access check is made per programme.
 */

const THIRD = 'uph-third';

let t: TestApp;
/** A county coordinator in the main programme who is an initiator in the other. */
let both: Actor;
let bothToken: string;
let mainCase: string;
let otherCase: string;
let thirdCase: string;

beforeAll(async () => {
  t = await createTestApp();
  t.services.programmes.upsert({ ...t.services.programmes.get(PROGRAMME)!, id: THIRD, diaryPrefix: 'TRE' });
  both = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'bada@test.satsa.se',
    displayName: 'Båda',
    roles: ['county-coordinator'],
  });
  both = t.services.people.grantRoles(both.id, OTHER_PROGRAMME, ['initiator'])!;
  bothToken = t.services.people.createApiToken(both.id, 'test', FAR_FUTURE).token;
  mainCase = await createCase(t, 'Huvudprogrammets idé');
  advance(t, mainCase, storyUntilStep(2));
  // In the other programme, the person's own idea; a stranger's idea there stays hidden.
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/cases',
    headers: auth(bothToken),
    payload: { programmeId: OTHER_PROGRAMME, title: 'Egen idé i det andra programmet', summary: 'En idé.' },
  });
  expect(created.statusCode, created.body).toBe(201);
  otherCase = json<{ id: string }>(created).id;
  const thirdInitiator = await t.services.people.createUser({
    programmeId: THIRD,
    email: 'tredje@test.satsa.se',
    displayName: 'Tredje',
    roles: ['initiator'],
  });
  thirdCase = t.services.cases.create(thirdInitiator, { title: 'Det tredje programmets idé', summary: 'En idé.' }, 'sv').id;
});
afterAll(async () => {
  await t.close();
});

const as = (token: string) => auth(token);
const listIds = async (url: string) =>
  json<{ items: { id: string; programmeId: string }[] }>(await t.app.inject({ method: 'GET', url, headers: as(bothToken) })).items;

describe('one person in two programmes', () => {
  it('the API tells which programmes and roles the person has', async () => {
    const me = json(await t.app.inject({ method: 'GET', url: '/api/me', headers: as(bothToken) }));
    expect(me.programmes).toEqual([
      { programmeId: PROGRAMME, roles: ['county-coordinator'] },
      { programmeId: OTHER_PROGRAMME, roles: ['initiator'] },
    ]);
    const programmes = json<{ items: { id: string }[] }>(
      await t.app.inject({ method: 'GET', url: '/api/programmes', headers: as(bothToken) }),
    );
    expect(programmes.items.map((p) => p.id)).toEqual([PROGRAMME, OTHER_PROGRAMME]);
  });

  it('the case list covers both programmes, each by the roles held there, and filters by programme', async () => {
    const all = await listIds('/api/cases?limit=100');
    // Every case of the main programme (a coordinator there), only their own in the other.
    expect(all.map((c) => c.id)).toEqual(expect.arrayContaining([mainCase, otherCase]));
    expect(all.filter((c) => c.programmeId === OTHER_PROGRAMME).map((c) => c.id)).toEqual([otherCase]);
    expect(all.some((c) => c.programmeId === THIRD)).toBe(false);
    expect(new Set((await listIds(`/api/cases?programme=${OTHER_PROGRAMME}`)).map((c) => c.programmeId))).toEqual(
      new Set([OTHER_PROGRAMME]),
    );
    expect(await listIds(`/api/cases?programme=${THIRD}`)).toEqual([]);
    // With a step filter, the step index is asked the same way.
    // (A new idea stands at step 2: raising it sent it to the coordinators.)
    expect((await listIds('/api/cases?step=2')).map((c) => c.id)).toEqual(expect.arrayContaining([mainCase, otherCase]));
    expect((await listIds('/api/cases?step=1')).map((c) => c.id)).toEqual([]);
  });

  it('acts by the roles of the case’s own programme', async () => {
    // A coordinator in the main programme may assess there …
    const view = json<{ allowedEvents: { type: string }[] }>(
      await t.app.inject({ method: 'GET', url: `/api/cases/${mainCase}`, headers: as(bothToken) }),
    );
    expect(view.allowedEvents.map((e) => e.type)).toContain('ASSESS_ELIGIBLE');
    // … but in the other programme is only the initiator of their own idea.
    const own = json<{ allowedEvents: { type: string }[] }>(
      await t.app.inject({ method: 'GET', url: `/api/cases/${otherCase}`, headers: as(bothToken) }),
    );
    expect(own.allowedEvents.map((e) => e.type)).toEqual(expect.arrayContaining(['ADD_PARTICIPANT', 'WITHDRAW']));
    expect(own.allowedEvents.map((e) => e.type)).not.toContain('ASSESS_ELIGIBLE');
    // Money of the main programme: yes; of the other (an initiator there): no; of a third: not even there.
    expect((await t.app.inject({ method: 'GET', url: `/api/programmes/${PROGRAMME}/pools`, headers: as(bothToken) })).statusCode).toBe(200);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/programmes/${OTHER_PROGRAMME}/pools`, headers: as(bothToken) })).statusCode,
    ).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `/api/programmes/${THIRD}/pools`, headers: as(bothToken) })).statusCode).toBe(404);
  });

  it('is refused in a third programme, which it cannot even see', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/cases/${thirdCase}`, headers: as(bothToken) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/programmes/${THIRD}/idea-template`, headers: as(bothToken) })).statusCode).toBe(
      404,
    );
    const raised = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: as(bothToken),
      payload: { programmeId: THIRD, title: 'Fel program', summary: 'En idé.' },
    });
    expect(raised.statusCode).toBe(404);
  });

  it('raising an idea needs the programme when the person is an initiator in several', async () => {
    both = t.services.people.grantRoles(both.id, PROGRAMME, ['initiator'])!;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: as(bothToken),
      payload: { title: 'Vilket program?', summary: 'En idé.' },
    });
    expect(res.statusCode).toBe(422);
    expect(json<{ errors: { path: string }[] }>(res).errors.map((e) => e.path)).toEqual(['body.programmeId']);
  });
});

describe('an administrator of one programme', () => {
  it('sees and retries only the outbox of the programmes they administer', async () => {
    // Mail in both programmes: an idea found eligible tells its initiator.
    advance(t, mainCase, storyUntilStep(3).slice(storyUntilStep(2).length));
    const send = (actor: Actor, type: string, payload: object) =>
      t.services.cases.send(actor, otherCase, { type: type as never, payload }, t.services.cases.get(actor, otherCase, 'sv').version, 'sv');
    send(t.foreignCoordinator.actor, 'ASSESS_ELIGIBLE', { priorityAreaId: 'suicidprevention', justification: 'Ligger inom området.' });
    const perProgramme = t.services.db.$client
      .prepare('SELECT programme_id AS p, count(*) AS n FROM outbox GROUP BY programme_id ORDER BY p')
      .all();
    // (The third programme's coordinators were told of its idea when it was raised.)
    expect(perProgramme).toEqual([
      { p: PROGRAMME, n: expect.any(Number) },
      { p: OTHER_PROGRAMME, n: expect.any(Number) },
      { p: 'uph-third', n: expect.any(Number) },
    ]);
    const admin = auth(t.tokens.administrator);
    const items = json<{ items: { id: string; caseId: string | null }[] }>(
      await t.app.inject({ method: 'GET', url: '/api/admin/outbox?limit=200', headers: admin }),
    ).items;
    const programmes = t.services.db.$client
      .prepare('SELECT DISTINCT programme_id AS p FROM outbox WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(items.map((i) => i.id))) as { p: string }[];
    expect(programmes.map((r) => r.p)).toEqual([PROGRAMME]);
    const foreign = t.services.db.$client.prepare('SELECT id FROM outbox WHERE programme_id <> ? LIMIT 1').get(PROGRAMME) as
      { id: string } | undefined;
    expect(foreign).toBeDefined();
    expect((await t.app.inject({ method: 'POST', url: `/api/admin/outbox/${foreign!.id}/retry`, headers: admin })).statusCode).toBe(404);
    expect(
      json(await t.app.inject({ method: 'GET', url: `/api/admin/outbox?programme=${OTHER_PROGRAMME}`, headers: admin })).items,
    ).toEqual([]);
    // A pool in another programme: not theirs to create.
    const pool = await t.app.inject({
      method: 'POST',
      url: `/api/programmes/${OTHER_PROGRAMME}/pools`,
      headers: admin,
      payload: { year: 2029, kind: 'joint', name: 'Fel pott', amountOre: 100 },
    });
    expect(pool.statusCode).toBe(404);
  });
});

describe('the pages work in one programme at a time', () => {
  const page = (url: string, token: string) =>
    t.app.inject({ method: 'GET', url, cookies: { satsa_session: token }, headers: { accept: 'text/html' } });

  it('a person in two programmes gets a switcher; switching changes the case list and the board, never to a programme not theirs', async () => {
    const session = t.services.people.createSession(both.id, 1);
    const first = await page('/cases', session.token);
    expect(first.body).toContain('id="programme-switch"');
    expect(first.body).toContain(mainCase);
    expect(first.body).not.toContain(otherCase);
    const switchTo = (programmeId: string) =>
      t.app.inject({
        method: 'POST',
        url: '/programme',
        cookies: { satsa_session: session.token },
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        payload: new URLSearchParams({ _csrf: session.csrfToken, programmeId, returnTo: '/board' }).toString(),
      });
    expect((await switchTo(OTHER_PROGRAMME)).headers.location).toBe('/board');
    const other = await page('/cases', session.token);
    expect(other.body).toContain(otherCase);
    expect(other.body).not.toContain(mainCase);
    // An initiator only, there: no board.
    expect((await page('/board', session.token)).statusCode).toBe(403);
    await switchTo(THIRD);
    expect((await page('/cases', session.token)).body).toContain(otherCase);
  });

  it('a person in one programme gets no switcher', async () => {
    const session = t.services.people.createSession(t.actors['county-coordinator'].id, 1);
    expect((await page('/cases', session.token)).body).not.toContain('id="programme-switch"');
  });
});

describe('the migration to memberships', () => {
  it('gives everyone their roles in the programme they belonged to, and deletes nothing that refers to them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-migration-'));
    try {
      // The database as it was before: the migrations up to 0005.
      const folder = path.join(dir, 'migrations');
      fs.mkdirSync(path.join(folder, 'meta'), { recursive: true });
      const journal = JSON.parse(fs.readFileSync('migrations/meta/_journal.json', 'utf8')) as { entries: { idx: number; tag: string }[] };
      const before = journal.entries.filter((e) => e.idx <= 5);
      fs.writeFileSync(path.join(folder, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: before }));
      for (const e of before) fs.copyFileSync(`migrations/${e.tag}.sql`, path.join(folder, `${e.tag}.sql`));
      const file = path.join(dir, 'old.sqlite');
      const old = new Database(file);
      old.pragma('foreign_keys = ON');
      migrate(drizzle(old), { migrationsFolder: folder });
      const at = '2026-01-01T00:00:00.000Z';
      old
        .prepare("INSERT INTO programmes (id, diary_prefix, config, created_at) VALUES ('p1', 'P', '{}', ?), ('p2', 'Q', '{}', ?)")
        .run(at, at);
      const [u1, u2] = [crypto.randomUUID(), crypto.randomUUID()];
      old
        .prepare(
          "INSERT INTO users (id, programme_id, email, display_name, created_at) VALUES (?, 'p1', 'a@x.se', 'A', ?), (?, 'p2', 'b@x.se', 'B', ?)",
        )
        .run(u1, at, u2, at);
      old
        .prepare("INSERT INTO user_roles (user_id, role) VALUES (?, 'initiator'), (?, 'county-coordinator'), (?, 'administrator')")
        .run(u1, u1, u2);
      old.prepare("INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES ('s1', ?, 'c', ?, ?)").run(u1, at, at);
      old.prepare("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ('t1', ?, 'n', 'h', ?)").run(u2, at);
      old.close();

      const db = openDatabase(file);
      const sqlite = db.$client;
      expect(sqlite.prepare('SELECT user_id, programme_id, role FROM memberships ORDER BY user_id = ?, role').all(u2)).toEqual([
        { user_id: u1, programme_id: 'p1', role: 'county-coordinator' },
        { user_id: u1, programme_id: 'p1', role: 'initiator' },
        { user_id: u2, programme_id: 'p2', role: 'administrator' },
      ]);
      // The rebuilt users table took nothing with it: sessions and tokens still refer to their people.
      expect(sqlite.prepare('SELECT user_id FROM sessions').all()).toEqual([{ user_id: u1 }]);
      expect(sqlite.prepare('SELECT user_id FROM api_tokens').all()).toEqual([{ user_id: u2 }]);
      expect(sqlite.prepare('SELECT id, email FROM users ORDER BY email').all()).toEqual([
        { id: u1, email: 'a@x.se' },
        { id: u2, email: 'b@x.se' },
      ]);
      expect(sqlite.pragma('foreign_key_check')).toEqual([]);
      expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      sqlite.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
