import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyUntilStep } from '../../src/demo/story.js';
import { loadProgrammeDefinition } from '../../src/programmes/config.js';
import { advance, auth, createCase, createTestApp, json, OTHER_PROGRAMME, PROGRAMME, tableCounts, type TestApp } from '../helpers.js';
import { replay, rowsOf } from '../replay.js';

/*
 * A programme's administrator changes its settings over the API: each change a new version
 * in force at once, earlier ones readable, running cases' deadlines computed anew.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

type Settings = Record<string, unknown> & { deadlines: { ideaResponseDays: number }; name: { sv: string; en: string } };
type VersionView = { version: number; source: string; inForce: boolean; settings: Settings; changed?: boolean; casesRecomputed?: number };

const admin = () => auth(t.tokens.administrator);
const url = `/api/programmes/${PROGRAMME}/settings`;

async function current(): Promise<VersionView> {
  const res = await t.app.inject({ method: 'GET', url, headers: admin() });
  expect(res.statusCode).toBe(200);
  expect(res.headers.etag).toBe(`"${json<VersionView>(res).version}"`);
  return json<VersionView>(res);
}

/** What a change sends: the settings without id and diary prefix. */
function editable(settings: Settings) {
  const { id: _id, diaryPrefix: _prefix, ...rest } = settings;
  return rest;
}

async function put(body: unknown, version: number | undefined, headers = admin()) {
  return t.app.inject({
    method: 'PUT',
    url,
    headers: { ...headers, ...(version === undefined ? {} : { 'if-match': `"${version}"` }) },
    payload: body as object,
  });
}

const timersOf = (caseId: string) =>
  t.services.db.$client.prepare("SELECT kind, due_at FROM timers WHERE case_id = ? AND status = 'pending' ORDER BY kind").all(caseId) as {
    kind: string;
    due_at: string;
  }[];

describe('programme settings', () => {
  it('are read by the administrator with their version as ETag, and by nobody else', async () => {
    const view = await current();
    expect(view).toMatchObject({ version: 1, source: 'file', inForce: true });
    expect(view.settings.bodies).toMatchObject({ decider: { sv: { name: 'regiondirektören' } } });
    expect((await t.app.inject({ method: 'GET', url, headers: auth(t.tokens['county-coordinator']) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url, headers: auth(t.foreignCoordinator.token) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
  });

  it('refuse a change without If-Match, with a stale one, with bad values, or by another role, and change nothing', async () => {
    const view = await current();
    const before = tableCounts(t);
    const body = editable(view.settings);
    expect((await put(body, undefined)).statusCode).toBe(428);
    expect((await put(body, view.version + 5)).statusCode).toBe(412);
    const bad = await put(
      { ...body, mailbox: 'not an address', deadlines: { ...view.settings.deadlines, ideaResponseDays: 0 } },
      view.version,
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const paths = json<{ errors: { path: string }[] }>(bad).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.mailbox', 'body.deadlines.ideaResponseDays']));
    const twice = await put({ ...body, criteria: [...(body.criteria as object[]), (body.criteria as object[])[0]] }, view.version);
    expect(twice.statusCode).toBe(422);
    const renumbered = await put({ ...body, diaryPrefix: 'NYA' }, view.version);
    expect(renumbered.statusCode).toBe(422);
    expect(json<{ errors: { path: string }[] }>(renumbered).errors.map((e) => e.path)).toEqual(['body.diaryPrefix']);
    expect((await put(body, view.version, auth(t.tokens['county-coordinator']))).statusCode).toBe(403);
    expect((await put(body, view.version, auth(t.foreignCoordinator.token))).statusCode).toBe(404);
    expect(tableCounts(t)).toEqual(before);
  });

  it('make a new version in force at once; the same settings again make none; earlier versions stay readable', async () => {
    const view = await current();
    const renamed = {
      ...editable(view.settings),
      name: { sv: 'Psykisk hälsa i Blekinge', en: 'Mental health in Blekinge' },
      note: 'Nytt namn',
    };
    const res = await put(renamed, view.version);
    expect(res.statusCode).toBe(200);
    const change = json<VersionView>(res);
    expect(change).toMatchObject({ version: view.version + 1, source: 'browser', changed: true, inForce: true, casesRecomputed: 0 });
    expect(res.headers.etag).toBe(`"${view.version + 1}"`);
    // In force at once: the programme list reads the new name.
    const list = await t.app.inject({ method: 'GET', url: '/api/programmes', headers: admin() });
    expect(json<{ items: { id: string; name: { sv: string } }[] }>(list).items.find((p) => p.id === PROGRAMME)!.name.sv).toBe(
      'Psykisk hälsa i Blekinge',
    );
    const again = await put(renamed, change.version);
    expect(json<VersionView>(again)).toMatchObject({ version: change.version, changed: false });
    const versions = json<{ items: { version: number; source: string; changed: string[]; note: string | null }[] }>(
      await t.app.inject({ method: 'GET', url: `${url}/versions`, headers: admin() }),
    ).items;
    expect(versions.at(-1)).toMatchObject({ version: change.version, source: 'browser', changed: ['name'], note: 'Nytt namn' });
    const first = json<VersionView>(await t.app.inject({ method: 'GET', url: `${url}/versions/1`, headers: admin() }));
    expect(first).toMatchObject({ version: 1, inForce: false });
    expect(first.settings.name.sv).toBe(loadProgrammeDefinition(PROGRAMME).name.sv);
    expect((await t.app.inject({ method: 'GET', url: `${url}/versions/99`, headers: admin() })).statusCode).toBe(404);
    const audit = t.services.db.$client.prepare("SELECT * FROM audit_log WHERE action = 'programme.changed'").all() as { reason: string }[];
    expect(audit.at(-1)!.reason).toBe('Nytt namn');
  });

  it('compute the deadlines of running cases anew from changed figures, each such case getting a new version', async () => {
    const id = await createCase(t, 'Tidsgränser som ändras');
    advance(t, id, storyUntilStep(4));
    const [timer] = timersOf(id);
    expect(timer).toMatchObject({ kind: 'idea-unanswered' });
    const caseVersion = (t.services.db.$client.prepare('SELECT version FROM cases WHERE id = ?').get(id) as { version: number }).version;
    const view = await current();
    const longer = {
      ...editable(view.settings),
      deadlines: { ...view.settings.deadlines, ideaResponseDays: view.settings.deadlines.ideaResponseDays + 20 },
    };
    const change = json<VersionView>(await put(longer, view.version));
    expect(change.casesRecomputed).toBeGreaterThanOrEqual(1);
    const [moved] = timersOf(id);
    expect(new Date(moved!.due_at).getTime() - new Date(timer!.due_at).getTime()).toBe(20 * 24 * 3600 * 1000);
    const res = await t.app.inject({ method: 'GET', url: `/api/cases/${id}/history`, headers: admin() });
    expect(res.headers.etag).toBe(`"${caseVersion + 1}"`);
    const last = json<{ events: { type: string; payload: { programmeVersion: number } }[] }>(res).events.at(-1)!;
    expect(last).toMatchObject({ type: 'DEADLINES_RECOMPUTED', payload: { programmeVersion: change.version } });
    // The log still replays to the stored snapshot.
    const { row, events } = rowsOf(t.services.db.$client, id);
    replay(row, events);
  });

  it('a programme changed in the browser is not overwritten by its file unless a new version is asked for', async () => {
    const definition = loadProgrammeDefinition(PROGRAMME);
    expect(() => t.services.programmes.upsert(definition)).toThrow(/--new-version/);
    const before = t.services.programmes.version(PROGRAMME);
    t.services.programmes.upsert(definition, { newVersion: true });
    expect(t.services.programmes.current(PROGRAMME)).toMatchObject({ version: before + 1, source: 'file' });
    // Another programme, never changed in the browser, takes its file as before.
    expect(() => t.services.programmes.upsert({ ...definition, id: OTHER_PROGRAMME, diaryPrefix: 'OTH' })).not.toThrow();
  });

  it('a case raised before a change is still shown with the labels and criteria it was answered against', async () => {
    const before = await createCase(t, 'Besvarad före ändringen');
    advance(t, before, storyUntilStep(9));
    const view = await current();
    const criteria = view.settings.criteria as { id: string; label: { sv: string; en: string } }[];
    const oldLabel = criteria[0]!.label.sv;
    const renamed = {
      ...editable(view.settings),
      criteria: [{ ...criteria[0]!, label: { sv: 'Ett helt nytt kriterium', en: 'A brand new criterion' } }, ...criteria.slice(1)],
    };
    expect((await put(renamed, view.version)).statusCode).toBe(200);
    const after = await createCase(t, 'Besvarad efter ändringen');
    advance(t, after, storyUntilStep(9));
    const session = t.services.people.createSession(t.actors['county-coordinator'].id, 1);
    const page = async (id: string) =>
      (
        await t.app.inject({
          method: 'GET',
          url: `/cases/${id}`,
          cookies: { satsa_session: session.token },
          headers: { accept: 'text/html' },
        })
      ).body;
    const old = await page(before);
    expect(old).toContain(oldLabel);
    expect(old).not.toContain('Ett helt nytt kriterium');
    const fresh = await page(after);
    expect(fresh).toContain('Ett helt nytt kriterium');
  });

  it("the deadlines page sets the assignments' reminder and grace days too, and keeps them when the others change", async () => {
    const session = t.services.people.createSession(t.actors.administrator.id, 1);
    const post = (fields: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/programme/settings/deadlines',
        cookies: { satsa_session: session.token },
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        payload: new URLSearchParams({ _csrf: session.csrfToken, ...fields }).toString(),
      });
    const view = await current();
    const fields = {
      _version: String(view.version),
      'deadlines-ideaResponseDays': '12',
      'deadlines-followUpReminderDays': '14',
      'deadlines-followUpGraceDays': '1',
      'deadlines-assignmentReminderDays': '21',
      'deadlines-assignmentGraceDays': '3',
    };
    expect((await post(fields)).statusCode).toBe(200);
    expect((await post({ ...fields, confirm: 'yes' })).statusCode).toBe(303);
    expect(t.services.programmes.get(PROGRAMME)!.deadlines).toMatchObject({
      ideaResponseDays: 12,
      assignmentReminderDays: 21,
      assignmentGraceDays: 3,
    });
  });
});
