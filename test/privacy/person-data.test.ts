import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY, storyOfVersion } from '../../src/demo/story.js';
import { playStory } from '../../src/demo/seed.js';
import type { Actor } from '../../src/people/actor.js';
import { multipart, PDF } from '../documents/multipart.js';
import { auth, createTestApp, FAR_FUTURE, json, OTHER_PROGRAMME, PROGRAMME, type TestApp } from '../helpers.js';
import { expectReplayReproduces } from '../replay.js';

/*
 * A person's data, the whole way: an initiator with two cases (one their own, one they take
 * part in), comments, a document, a draft, e-mails, log-ins. Their export holds every row and
 * file that names them; after erasure nothing in the database (any table, the raw file and
 * its WAL) or the data directory names them or holds what they wrote, every case still
 * replays, and the reports read the same. Another programme's administrator can do neither.
 */

const NAME = 'Ingrid Qwzxdottir';
const EMAIL = 'ingrid.qwzx@karlskrona.se';
/** Text only Ingrid wrote: none of it may be readable anywhere after the erasure. */
const MARK = 'Qwzxmark';

let t: TestApp;
let ingrid: Actor;
let token: string;
let own: string;
let other: string;
let foreignAdmin: string;
let foreignAdminId: string;

/** Every place a value could hide: each table's rows (every column as text) and every file's bytes. */
function findEverywhere(values: string[]) {
  const sqlite = t.services.db.$client;
  const rows: { table: string; row: Record<string, unknown> }[] = [];
  const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
    name: string;
  }[];
  for (const { name } of tables) {
    for (const row of sqlite.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
      const text = Object.values(row)
        .map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v)))
        .join('\u0000');
      if (values.some((v) => text.includes(v))) rows.push({ table: name, row });
    }
  }
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (values.some((v) => fs.readFileSync(file).includes(Buffer.from(v, 'utf8')))) files.push(file);
    }
  };
  walk(t.dir);
  return { rows, files };
}

const report = async (url: string) => {
  const res = await t.app.inject({ method: 'GET', url, headers: auth(t.tokens.administrator) });
  expect(res.statusCode, res.body).toBe(200);
  return res.body;
};
/** Every figure of a report, by its path: what an erasure must not change (texts she wrote may). */
function figures(value: unknown, at = ''): string[] {
  if (typeof value === 'number' || typeof value === 'boolean') return [`${at}=${value}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => figures(v, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => figures(v, `${at}.${k}`));
  return [];
}
const reports = async () => {
  const all = [
    await report(`/api/programmes/${PROGRAMME}/reports/2026`),
    await report(`/api/programmes/${PROGRAMME}/reports/2027`),
    await report(`/api/programmes/${PROGRAMME}/reports/multi-year`),
  ];
  return all.map((body) => figures(JSON.parse(body)));
};

beforeAll(async () => {
  t = await createTestApp();
  ingrid = await t.services.people.createUser({ programmeId: PROGRAMME, email: EMAIL, displayName: NAME, roles: ['initiator'] });
  token = t.services.people.createApiToken(ingrid.id, 'her script', FAR_FUTURE).token;
  const admin = await t.services.people.createUser({
    programmeId: OTHER_PROGRAMME,
    email: 'admin@other.satsa.se',
    displayName: 'Other administrator',
    roles: ['administrator'],
  });
  foreignAdmin = t.services.people.createApiToken(admin.id, 'test', FAR_FUTURE).token;
  foreignAdminId = admin.id;
  // A log-in, and a failed one.
  t.services.people.createSession(ingrid.id, 1);
  await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: EMAIL, password: 'not her password' } });

  // Her own idea, told in her own words.
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/cases',
    headers: auth(token),
    payload: { title: `Promenader ${MARK} titel`, summary: `${MARK} sammanfattning: promenadgrupper för unga vuxna.` },
  });
  expect(created.statusCode, created.body).toBe(201);
  own = json<{ id: string }>(created).id;
  // Another initiator's case, which she takes part in.
  other = t.services.cases.create(t.actors.initiator, { title: 'Samtalsstöd i Ronneby', summary: 'Stöd för äldre.' }, 'sv').id;
  const view = t.services.cases.get(t.actors.initiator, other, 'sv');
  t.services.cases.send(t.actors.initiator, other, { type: 'ADD_PARTICIPANT', payload: { userId: ingrid.id } }, view.version, 'sv');

  const actors = { ...t.actors, initiator: ingrid };
  const proposalAt = FULL_STORY.findIndex((s) => s.type === 'UPDATE_PROPOSAL');
  const story = FULL_STORY.map((s) =>
    s.type === 'UPDATE_PROPOSAL' ? { ...s, payload: { ...s.payload, background: `${MARK} bakgrund, skriven av henne.` } } : s,
  );
  for (const id of [own, other]) {
    playStory(t.services, id, story.slice(0, proposalAt), id === own ? actors : { ...t.actors, initiator: t.actors.initiator });
    // A comment, a document and a draft of hers on each.
    const comment = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${id}/comments`,
      headers: auth(token),
      payload: { body: `${MARK} kommentar från henne`, visibility: 'shared' },
    });
    expect(comment.statusCode, comment.body).toBe(201);
    const body = multipart([
      { name: 'description', value: `${MARK} beskrivning` },
      { name: 'file', fileName: `${MARK}-underlag.pdf`, bytes: PDF, type: 'application/pdf' },
    ]);
    const upload = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${id}/documents`,
      headers: { ...auth(token), ...body.headers },
      payload: body.payload,
    });
    expect(upload.statusCode, upload.body).toBe(201);
    t.services.drafts.save(ingrid, id, 'UPDATE_PROPOSAL', { values: { background: `${MARK} utkast` }, parts: ['background'] });
    playStory(t.services, id, story.slice(proposalAt), actors);
  }
  await t.services.relay.drain();
}, 120_000);

afterAll(async () => {
  await t.close();
});

describe("a person's data", () => {
  it('is exported whole: every row and file that names them is in the export, and the log holds none of it', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/people/${ingrid.id}/data`, headers: auth(t.tokens.administrator) });
    expect(res.statusCode, res.body).toBe(200);
    const data = json<{
      person: { email: string };
      cases: { id: string; events: { type: string; payload: unknown }[] }[];
      comments: unknown[];
      documents: { fileName: string }[];
      drafts: unknown[];
      emails: { message: string | null }[];
      logins: { sessions: unknown[]; failedAttempts: unknown[]; tokens: unknown[] };
      otherRecords: Record<string, unknown[]>;
    }>(res);
    expect(data.person.email).toBe(EMAIL);
    expect(data.cases.map((c) => c.id).sort()).toEqual([own, other].sort());
    expect(JSON.stringify(data.cases.find((c) => c.id === own)!.events)).toContain(`${MARK} bakgrund`);
    expect(data.comments).toHaveLength(2);
    expect(data.documents.map((d) => d.fileName)).toEqual([`${MARK}-underlag.pdf`, `${MARK}-underlag.pdf`]);
    expect(data.drafts).toHaveLength(2);
    expect(data.logins.sessions).toHaveLength(1);
    expect(data.logins.failedAttempts).toHaveLength(1);
    expect(data.logins.tokens).toHaveLength(1);
    expect(data.emails.length).toBeGreaterThan(0);

    const found = findEverywhere([ingrid.id, NAME, EMAIL]);
    // The log names her by reference only, and keeps what she wrote encrypted.
    expect(found.rows.filter((r) => r.table === 'case_events')).toEqual([]);
    expect(findEverywhere([MARK]).rows.filter((r) => r.table === 'case_events')).toEqual([]);
    for (const table of new Set(found.rows.map((r) => r.table))) {
      const rows = found.rows.filter((r) => r.table === table);
      if (table === 'cases' || table === 'case_people') {
        for (const { row } of rows) expect(data.cases.map((c) => c.id)).toContain(row.case_id ?? row.id);
      } else {
        expect(data.otherRecords[table], table).toHaveLength(rows.length);
      }
    }
    const messages = data.emails.map((m) => m.message);
    for (const file of found.files) {
      if (file.includes(`${path.sep}mail${path.sep}`)) expect(messages).toContain(fs.readFileSync(file, 'utf8'));
      else expect(path.basename(file), file).toMatch(/^satsa\.sqlite(-wal|-shm)?$/);
    }
    expect(found.files.some((f) => f.endsWith('.eml'))).toBe(true);
  });

  it('is out of reach of another programme’s administrator, and erasure is refused while a case must be kept', async () => {
    for (const url of [`/api/people/${ingrid.id}/data`, `/api/people/${ingrid.id}/erasure`]) {
      const res = await t.app.inject({ method: 'GET', url, headers: auth(foreignAdmin) });
      expect(res.statusCode, url).toBe(404);
    }
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/people/${ingrid.id}/erasure`,
      headers: auth(foreignAdmin),
      payload: { reason: 'Begäran om radering' },
    });
    expect(refused.statusCode).toBe(404);
    // A system administrator (made so on the command line) sees anyone's data, across programmes.
    t.services.people.setSystemAdministrator(foreignAdminId, true);
    const across = await t.app.inject({ method: 'GET', url: `/api/people/${ingrid.id}/data`, headers: auth(foreignAdmin) });
    expect(across.statusCode).toBe(200);
    expect(json<{ cases: unknown[] }>(across).cases).toHaveLength(2);
    t.services.people.setSystemAdministrator(foreignAdminId, false);
    // Closed but not delivered to the e-archive: the record must be kept as it is.
    const preview = json<{ allowed: boolean; mustKeep: { reason: string }[] }>(
      await t.app.inject({ method: 'GET', url: `/api/people/${ingrid.id}/erasure`, headers: auth(t.tokens.administrator) }),
    );
    expect(preview.allowed).toBe(false);
    expect(preview.mustKeep.map((k) => k.reason)).toEqual(['not-delivered', 'not-delivered']);
    const kept = await t.app.inject({
      method: 'POST',
      url: `/api/people/${ingrid.id}/erasure`,
      headers: auth(t.tokens.administrator),
      payload: { reason: 'Begäran om radering' },
    });
    expect(kept.statusCode, kept.body).toBe(409);
    expect(kept.headers['content-type']).toContain('application/problem+json');
    expect(findEverywhere([EMAIL]).rows.length).toBeGreaterThan(0);
  });

  it('is erased keeping the record: nothing names her or holds what she wrote, replay holds, the reports read the same', async () => {
    const sqlite = t.services.db.$client;
    // Delivered to the e-archive: the record is kept there, and Satsa's copies of the packages go with her.
    await t.services.archive.deliver(t.actors.administrator, PROGRAMME, { caseIds: [own, other] }, 'sv');
    const packages = findEverywhere([ingrid.id, NAME, EMAIL, MARK]).files.filter((f) => f.includes(`${path.sep}archive${path.sep}`));
    expect(packages).toHaveLength(2);
    // Her export lists Satsa's copies of them.
    const exported = json<{ archivePackages: { id: string }[] }>(
      await t.app.inject({ method: 'GET', url: `/api/people/${ingrid.id}/data`, headers: auth(t.tokens.administrator) }),
    );
    expect(exported.archivePackages.map((p) => `${p.id}.zip`).sort()).toEqual(packages.map((f) => path.basename(f)).sort());
    const before = await reports();
    const preview = json<{ allowed: boolean; changes: Record<string, number> }>(
      await t.app.inject({ method: 'GET', url: `/api/people/${ingrid.id}/erasure`, headers: auth(t.tokens.administrator) }),
    );
    expect(preview.allowed).toBe(true);
    expect(preview.changes).toMatchObject({ cases: 2, comments: 2, documents: 2, drafts: 2 });
    expect(preview.changes.textsMadeUnreadable).toBeGreaterThan(2);

    const res = await t.app.inject({
      method: 'POST',
      url: `/api/people/${ingrid.id}/erasure`,
      headers: auth(t.tokens.administrator),
      payload: { reason: 'Begäran om radering enligt artikel 17' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { pseudonymId } = json<{ pseudonymId: string }>(res);

    const after = findEverywhere([ingrid.id, NAME, EMAIL, EMAIL.toLowerCase(), MARK]);
    expect(after.rows.map((r) => r.table)).toEqual([]);
    expect(after.files).toEqual([]);

    for (const id of [own, other]) expectReplayReproduces(sqlite, id);
    expect(await reports()).toEqual(before);

    // Who did what stays, as the pseudonym; the decisions and their amounts too.
    const view = t.services.cases.get(t.actors.administrator, own, 'sv');
    expect(view.data.decision?.grantedBudget?.length).toBeGreaterThan(0);
    const history = json<{ events: { type: string; actor: { id: string } }[] }>(
      await t.app.inject({ method: 'GET', url: `/api/cases/${own}/history`, headers: auth(t.tokens.administrator) }),
    );
    expect(history.events.find((e) => e.type === 'CASE_CREATED')!.actor.id).toBe(pseudonymId);
    expect(history.events.at(-1)!.type).toBe('PERSON_ERASED');
    // Her token and sessions are gone; so is her way in.
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: auth(token) })).statusCode).toBe(401);
  });

  it('reaches a case moved to a later version of the process: replay goes through the move and the erasure', async () => {
    const moses = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'moses.qwzx@ronneby.se',
      displayName: 'Moses Qwzxsson',
      roles: ['initiator'],
    });
    const actors = { ...t.actors, initiator: moses };
    const id = t.services.engine.create(moses, PROGRAMME, { title: `Flyttad ${MARK}`, summary: `${MARK} på version 3.` }, 3).id;
    const early = storyOfVersion(3).slice(
      0,
      FULL_STORY.findIndex((s) => s.type === 'START_PROPOSAL'),
    );
    playStory(t.services, id, early, actors);
    t.services.processMigration.migrate(t.actors.administrator, PROGRAMME, { toVersion: 4, caseIds: [id] }, 'sv');
    playStory(t.services, id, storyOfVersion(4).slice(early.length), actors);
    const sqlite = t.services.db.$client;
    expect(sqlite.prepare('SELECT status, machine_version AS v FROM cases WHERE id = ?').get(id)).toEqual({ status: 'done', v: 4 });
    await t.services.archive.deliver(t.actors.administrator, PROGRAMME, { caseIds: [id] }, 'sv');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/people/${moses.id}/erasure`,
      headers: auth(t.tokens.administrator),
      payload: { reason: 'Begäran om radering' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { events } = expectReplayReproduces(sqlite, id);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['CASE_MIGRATED', 'PERSON_ERASED']));
    const after = findEverywhere([moses.id, 'Moses Qwzxsson', 'moses.qwzx@ronneby.se', `Flyttad ${MARK}`]);
    expect(after.rows.map((r) => r.table)).toEqual([]);
    expect(after.files).toEqual([]);
  });
});
