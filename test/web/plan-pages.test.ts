import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/people/actor.js';
import { PROGRAMME, createCase, createTestApp, type TestApp, mainText, nothingWritten as nothingWrittenIn } from '../helpers.js';

/*
 * The plan's pages over HTTP: who reaches each, the plan in force as a person reads it (the
 * decision, goals by horizon, targets met or missed per year, overdue assignments, the next
 * revision), the draft edited part by part with its errors at their inputs, its adoption after
 * a check, values and statuses recorded, the versions and what changed between them. Nothing
 * is written by a refused form. The browser suite checks the pages with axe.
 */

const seed = JSON.parse(fs.readFileSync('test/fixtures/seed-004-plan.json', 'utf8')) as {
  document: Record<string, unknown> & { goals: Record<string, unknown>[] };
  adoption: Record<string, string>;
};

let t: TestApp;
let finance: Actor;
let englishCoordinator: Actor;
beforeAll(async () => {
  t = await createTestApp();
  const config = t.services.programmes.get(PROGRAMME)!;
  t.services.programmes.change({ ...config, years: { first: 2022, last: 2035 } }, t.actors.administrator.id, 'planens år');
  finance = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'ekonom.plan@test.satsa.se',
    displayName: 'Ekonom',
    roles: ['finance'],
  });
  englishCoordinator = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'english.coordinator@test.satsa.se',
    displayName: 'English Coordinator',
    roles: ['county-coordinator'],
    language: 'en',
  });
  const admin = t.actors.administrator;
  t.services.plans.saveDraft(admin, PROGRAMME, 0, seed.document);
  t.services.plans.adopt(admin, PROGRAMME, 1, seed.adoption);
});
afterAll(async () => {
  await t.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };

const sessions = new Map<string, { token: string; csrfToken: string }>();
/** A logged-in browser of `actor`: its own session (one per person), its forms with the session's CSRF token. */
function as(actor: Actor) {
  const session = sessions.get(actor.id) ?? t.services.people.createSession(actor.id, 8);
  sessions.set(actor.id, session);
  const cookies = { satsa_session: session.token };
  return {
    get: (url: string) => t.app.inject({ method: 'GET', url, cookies, headers: { accept: 'text/html' } }),
    post: (url: string, fields: Record<string, string | string[]> = {}) => {
      const body = new URLSearchParams({ _csrf: session.csrfToken });
      for (const [k, v] of Object.entries(fields)) for (const x of ([] as string[]).concat(v)) body.append(k, x);
      return t.app.inject({ method: 'POST', url, cookies, headers: FORM, payload: body.toString() });
    },
  };
}
const admin = () => as(t.actors.administrator);
const coordinator = () => as(t.actors['county-coordinator']);
const nothingWritten = <T extends { statusCode: number; body: string }>(send: () => Promise<T>) => nothingWrittenIn(t, send);
/** The error next to an input (its `id`) and the summary's link to it. */
const errorAt = (body: string, id: string) => {
  expect(body, `a link to #${id} in the error summary`).toContain(`href="#${id}"`);
  const error = new RegExp(`id="${id}-error"><span class="visually-hidden">[^<]*</span>([^<]*)</p>`).exec(body);
  expect(error, `an error next to ${id}`).not.toBeNull();
  return error![1]!;
};
/** The form's values as a browser would post them back (text inputs, text areas, checked boxes and radios). */
function formOf(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (k: string, v: string) => {
    const decoded = v
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    const had = out[k];
    out[k] = had === undefined ? decoded : ([] as string[]).concat(had, decoded);
  };
  for (const m of body.matchAll(/<input ([^>]*)>/g)) {
    const attrs = m[1]!;
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    const value = /value="([^"]*)"/.exec(attrs)?.[1] ?? '';
    const type = /type="([^"]*)"/.exec(attrs)?.[1];
    if (!name || name === '_csrf' || name === '_add') continue;
    if ((type === 'checkbox' || type === 'radio') && !/ checked/.test(attrs)) continue;
    add(name, value);
  }
  for (const m of body.matchAll(/<textarea [^>]*name="([^"]*)"[^>]*>([^<]*)<\/textarea>/g)) add(m[1]!, m[2]!);
  return out;
}

describe('who reaches the plan pages', () => {
  it("the programme's roles read the plan, the recorders record, the administrator edits; initiators never", async () => {
    const pages = [
      '/plan',
      '/plan/versions',
      '/plan/versions/1',
      '/plan/diff?from=1&to=1',
      '/plan/draft',
      '/plan/draft/goals',
      '/plan/indicators/utbildade-andel/value',
      '/plan/assignments/uppdrag-kartlaggning/status',
      '/plan/draft/adopt',
    ];
    const expected: Record<string, number[]> = {
      initiator: [403, 403, 403, 403, 403, 403, 403, 403, 403],
      steering: [200, 200, 200, 200, 403, 403, 200, 200, 403],
      coordinator: [200, 200, 200, 200, 403, 403, 200, 200, 403],
      finance: [200, 200, 200, 200, 403, 403, 403, 403, 403],
      // No draft under way: nothing to adopt.
      admin: [200, 200, 200, 200, 200, 200, 200, 200, 404],
      // Another programme's people see their own programme, which has no plan.
      foreign: [200, 200, 404, 404, 403, 403, 404, 404, 403],
    };
    const callers = {
      initiator: as(t.actors.initiator),
      steering: as(t.actors['steering-group']),
      coordinator: coordinator(),
      finance: as(finance),
      admin: admin(),
      foreign: as(t.foreignCoordinator.actor),
    };
    const got: Record<string, number[]> = {};
    for (const [who, browser] of Object.entries(callers)) {
      got[who] = [];
      for (const url of pages) got[who].push((await browser.get(url)).statusCode);
    }
    expect(got).toEqual(expected);
    const foreign = await callers.foreign.get('/plan');
    expect(mainText(foreign.body)).toContain('ingen antagen plan');
    expect(foreign.body).not.toContain('Regionfullmäktige');
    // The menu has "Plan" for the programme's roles, not for an initiator.
    expect((await coordinator().get('/cases')).body).toContain('<a href="/plan">Plan</a>');
    expect((await as(t.actors.initiator).get('/cases')).body).not.toContain('href="/plan"');
    // Anonymous visitors log in first; forms posted by the wrong role are refused.
    const anonymous = await t.app.inject({ method: 'GET', url: '/plan', headers: { accept: 'text/html' } });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fplan');
    await nothingWritten(async () => {
      expect((await as(finance).post('/plan/indicators/utbildade-andel/value', { year: '2023', value: '30' })).statusCode).toBe(403);
      expect((await coordinator().post('/plan/draft/title', { _counter: '0', title: 'Ny' })).statusCode).toBe(403);
      expect((await as(t.actors.initiator).post('/plan/assignments/uppdrag-kartlaggning/status', { status: 'done' })).statusCode).toBe(403);
      return { statusCode: 0, body: '' };
    });
    expect((await admin().get('/plan/indicators/NOT_AN_ID/value')).statusCode).toBe(404);
    expect((await admin().get('/plan/versions/9')).statusCode).toBe(404);
    expect((await admin().get('/plan/draft/nothing')).statusCode).toBe(404);
  });
});

describe('the plan in force', () => {
  it('reads as the decision, goals by horizon with their areas, indicators per year, the action plan and the assignments', async () => {
    const res = await coordinator().get('/plan');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="sv">');
    const text = mainText(res.body);
    for (const words of [
      'Långsiktig utvecklingsplan för arbetet med psykisk ohälsa - reviderad',
      'Antagen av Regionfullmäktige',
      '2022-06-21—22 § 79',
      'Nästa revidering senast 2027-12-31',
      'Inom 12 år',
      'Inom 8 år',
      'Inom 4 år',
      'Ska nås år 2035',
      'Områden: Suicidprevention, Främjande, förebyggande och tidiga insatser',
      'våren 2023',
      'slutet på 2022',
      'hösten 2024',
      '250 000,00 kr',
    ]) {
      expect(text).toContain(words);
    }
    // Labels, never ids.
    for (const id of ['mal-12-ar', 'tidiga-insatser', 'uppdrag-kartlaggning', 'utbildade-andel']) expect(text).not.toContain(id);
    // Today is 2026-01-15: every assignment is past its due range and none is done.
    expect(text.match(/Försenat/g)).toHaveLength(3);
    expect(text).not.toContain('Revideringen är försenad');
    expect(text).toContain('Inget värde registrerat');
  });

  it('shows each year’s target met or missed in words, who entered the value and when; done assignments are not overdue', async () => {
    const before = await coordinator().get('/plan/indicators/utbildade-andel/value');
    expect(mainText(before.body)).toContain('Andel medarbetare');
    const saved = await coordinator().post('/plan/indicators/utbildade-andel/value', { year: '2022', value: '18,5', note: 'Preliminärt' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/plan?done=value');
    let text = mainText((await coordinator().get('/plan?done=value')).body);
    expect(text).toContain('Värdet är registrerat.');
    expect(text).toContain('2022 20 % 18,5 % Preliminärt Målet inte nått Test county-coordinator');
    // A count with a zero target (a "nollvision") is met at zero or below; yes/no when yes.
    t.services.plans.recordValue(t.actors['steering-group'], PROGRAMME, 'fullbordade-suicid', { year: 2027, value: 0 });
    expect(
      (await as(t.actors['steering-group']).post('/plan/indicators/utbildade-andel/value', { year: '2022', value: '21' })).statusCode,
    ).toBe(303);
    const yesNo = await admin().get('/plan/indicators/inventering-anhorigstod/value');
    expect(yesNo.body).toContain('type="radio" id="plan-value-0" name="value" value="yes"');
    expect((await admin().post('/plan/indicators/inventering-anhorigstod/value', { year: '2022', value: 'no' })).statusCode).toBe(303);
    const document = await admin().post('/plan/indicators/analys-folkhalsoenkat/value', {
      year: '2023',
      title: 'Analys av Folkhälsoenkäten 2022',
      reference: 'RS/2023/17',
    });
    expect(document.statusCode).toBe(303);
    text = mainText((await coordinator().get('/plan')).body);
    expect(text).toContain('2022 20 % 21 % Målet nått Test steering-group');
    expect(text).toContain('2027 0 personer 0 personer Målet nått');
    expect(text).toContain('2022 Ja Nej Målet inte nått');
    expect(text).toContain('2023 Levererat Analys av Folkhälsoenkäten 2022 (RS/2023/17) Målet nått');

    const status = await coordinator().get('/plan/assignments/uppdrag-anhorigstod/status');
    expect(status.body).toContain('value="open" checked');
    const changed = await coordinator().post('/plan/assignments/uppdrag-anhorigstod/status', { status: 'done', note: 'Redovisad' });
    expect(changed.headers.location).toBe('/plan?done=status');
    text = mainText((await coordinator().get('/plan?done=status')).body);
    expect(text).toContain('Uppdragets läge är ändrat.');
    expect(text.match(/Försenat/g)).toHaveLength(2);
    // Before the due ranges end nothing is overdue; after the next revision date, the revision is.
    // (Sessions live by the clock: each moment gets its own.)
    t.clock.set('2022-09-01T09:00:00.000Z');
    sessions.clear();
    expect(mainText((await coordinator().get('/plan')).body)).not.toContain('Försenat');
    t.clock.set('2028-01-10T09:00:00.000Z');
    sessions.clear();
    expect(mainText((await coordinator().get('/plan')).body)).toContain('Revideringen är försenad');
    t.clock.set('2026-01-15T09:00:00.000Z');
    sessions.clear();
  });

  it('refuses a wrong value or no status at the field, and writes nothing', async () => {
    coordinator(); // logged in before anything is counted
    const pct = await nothingWritten(() => coordinator().post('/plan/indicators/utbildade-andel/value', { year: '2023', value: '120' }));
    expect(pct.statusCode).toBe(422);
    expect(errorAt(pct.body, 'plan-value')).toBe('Skriv en andel från 0 till 100');
    const year = await nothingWritten(() => coordinator().post('/plan/indicators/utbildade-andel/value', { year: '2040', value: '12' }));
    expect(year.statusCode).toBe(422);
    expect(errorAt(year.body, 'plan-year')).toContain('2022–2035');
    const yesNo = await nothingWritten(() => coordinator().post('/plan/indicators/inventering-anhorigstod/value', { year: '2023' }));
    expect(errorAt(yesNo.body, 'plan-value')).toBe('Välj ja eller nej');
    const document = await nothingWritten(() => coordinator().post('/plan/indicators/analys-folkhalsoenkat/value', { year: '2023' }));
    expect(errorAt(document.body, 'plan-title')).toBe('Skriv dokumentets titel');
    const status = await nothingWritten(() => coordinator().post('/plan/assignments/uppdrag-kartlaggning/status', { note: 'Något' }));
    expect(status.statusCode).toBe(422);
    expect(errorAt(status.body, 'plan-status')).toBe('Välj uppdragets läge');
  });

  it('reads in English', async () => {
    const res = await as(englishCoordinator).get('/plan');
    expect(res.body).toContain('<html lang="en">');
    const text = mainText(res.body);
    expect(text).toContain('Adopted by Regionfullmäktige');
    expect(text).toContain('Next revision due 2027-12-31');
    expect(text).toContain('Within 12 years');
    expect(text).toContain('Target met');
    expect(text).toContain('Overdue');
    const form = await as(englishCoordinator).post('/plan/indicators/utbildade-andel/value', { year: 'x', value: '1' });
    expect(errorAt(form.body, 'plan-year')).toBe('Write a year, for example 2022');
  });
});

describe('the draft and its adoption', () => {
  it('starts from the plan in force, one part at a time; an empty row is no row, "add a row" gives one more', async () => {
    const overview = await admin().get('/plan/draft');
    expect(mainText(overview.body)).toContain('Utkastet utgår från version 1');
    const goals = await admin().get('/plan/draft/goals');
    const values = formOf(goals.body);
    expect(values['goals.3.title']).toContain('Inom 4 år, år 2027: arbeta för');
    expect(values['goals.0.areaIds']).toEqual(['suicidprevention', 'tidiga-insatser']);
    // The save button comes before "add a row", so Enter saves.
    expect(goals.body.indexOf('<button type="submit">Spara</button>')).toBeLessThan(goals.body.indexOf('name="_add"'));
    expect(goals.body).toContain('name="goals.4.title"');
    expect(goals.body).not.toContain('name="goals.5.title"');
    const more = await nothingWritten(() => admin().post('/plan/draft/goals', { ...values, _add: 'yes' }));
    expect(more.body).toContain('name="goals.5.title"');

    const added = {
      ...values,
      'goals.4.title': 'Inom 4 år, år 2027: fler efterlevande får stöd.',
      'goals.4.horizonYears': '4',
      'goals.4.targetYear': '2027',
      'goals.4.areaIds': 'suicidprevention',
    };
    const saved = await admin().post('/plan/draft/goals', added);
    expect(saved.statusCode, saved.body).toBe(303);
    expect(saved.headers.location).toBe('/plan/draft?done=saved');
    const draft = t.services.plans.draft(t.actors.administrator, PROGRAMME);
    expect(draft.draftCounter).toBe(1);
    expect(draft.document.goals).toHaveLength(5);
    expect(draft.document.goals.slice(0, 4).map((g) => g.id)).toEqual(['mal-12-ar', 'mal-8-ar', 'mal-4-ar-analys', 'mal-4-ar-suicid']);
    // The rest of the plan in force came along.
    expect(draft.document.assignments.map((a) => a.due.label)).toEqual(['våren 2023', 'slutet på 2022', 'hösten 2024']);

    // A row emptied is removed, with the links to it.
    const rows = formOf((await admin().get('/plan/draft/rows')).body);
    expect(rows['rows.0.timeFrame']).toBe('våren 2023');
    expect(rows['rows.1.cost']).toBe('250000');
    const emptied = Object.fromEntries(
      Object.entries(rows).map(([k, v]) => (k.startsWith('rows.0.') ? [k, k.endsWith('.id') ? v : ''] : [k, v])),
    );
    delete emptied['rows.0.indicatorIds'];
    delete emptied['rows.0.goalIds'];
    const removed = await admin().post('/plan/draft/rows', emptied);
    expect(removed.statusCode, removed.body).toBe(303);
    const after = t.services.plans.draft(t.actors.administrator, PROGRAMME).document;
    expect(after.rows.map((r) => r.id)).toEqual(['rad-utbildning']);
    expect(after.assignments.find((a) => a.id === 'uppdrag-kartlaggning')!.rowIds).toEqual([]);
  });

  it('shows the service’s refusals at their inputs in plain words, a stale form as changed meanwhile, and writes nothing', async () => {
    const goals = formOf((await admin().get('/plan/draft/goals')).body);
    const bad = await nothingWritten(() =>
      admin().post('/plan/draft/goals', { ...goals, 'goals.2.targetYear': 'snart', 'goals.1.horizonYears': '0', 'goals.1.title': '' }),
    );
    expect(bad.statusCode).toBe(422);
    expect(errorAt(bad.body, 'plan-goals-2-targetYear')).toBe('Skriv ett år, till exempel 2027');
    expect(errorAt(bad.body, 'plan-goals-1-horizonYears')).toBe('Skriv inom hur många år, en siffra från 1 till 50');
    expect(errorAt(bad.body, 'plan-goals-1-title')).toBe('Skriv målet');
    // What was typed is kept.
    expect(bad.body).toContain('value="snart"');

    const assignments = formOf((await admin().get('/plan/draft/assignments')).body);
    const date = await nothingWritten(() =>
      admin().post('/plan/draft/assignments', { ...assignments, 'assignments.1.due': 'någon gång 2023' }),
    );
    expect(errorAt(date.body, 'plan-assignments-1-due')).toContain('som planen skriver det');

    const indicators = formOf((await admin().get('/plan/draft/indicators')).body);
    expect(indicators['indicators.0.kind']).toBe('percentage');
    const twice = await nothingWritten(() =>
      admin().post('/plan/draft/indicators', {
        ...indicators,
        'indicators.0.targets.1.year': '2022',
        'indicators.0.targets.1.value': '30',
      }),
    );
    expect(errorAt(twice.body, 'plan-indicators-0-targets-1-year')).toBe('Året har redan ett mål');
    const words = await nothingWritten(() =>
      admin().post('/plan/draft/indicators', { ...indicators, 'indicators.1.targets.0.value': 'många' }),
    );
    expect(errorAt(words.body, 'plan-indicators-1-targets-0-value')).toBe('Skriv en siffra');

    const stale = await nothingWritten(() => admin().post('/plan/draft/goals', { ...goals, _counter: '0' }));
    expect(stale.statusCode).toBe(409);
    expect(mainText(stale.body)).toContain('Någon annan ändrade utkastet');
    expect(stale.body).toContain('name="_counter" value="2"');
  });

  it('adopts the draft after a check of the draft and the decision; the versions and what changed read in words', async () => {
    const form = await admin().get('/plan/draft/adopt');
    expect(form.statusCode).toBe(200);
    const missing = await nothingWritten(() => admin().post('/plan/draft/adopt', { _counter: '2', adoptedBy: 'Regionfullmäktige' }));
    expect(missing.statusCode).toBe(422);
    expect(errorAt(missing.body, 'plan-reference')).toBe('Skriv beslutets paragraf eller diarienummer');
    expect(errorAt(missing.body, 'plan-decisionDate')).toBe('Skriv beslutsdatumet');
    const early = await nothingWritten(() =>
      admin().post('/plan/draft/adopt', { _counter: '2', ...seed.adoption, decisionDate: '2022-06-01', nextRevisionDue: '2022-05-01' }),
    );
    expect(errorAt(early.body, 'plan-decisionDate')).toContain('(2022-06-22)');
    expect(errorAt(early.body, 'plan-nextRevisionDue')).toBe('Nästa revidering måste komma efter beslutsdatumet');

    const decision = {
      _counter: '2',
      adoptedBy: 'Regionfullmäktige',
      reference: 'RF 2026-01-14 § 5',
      decisionDate: '2026-01-14',
      nextRevisionDue: '2030-12-31',
    };
    const check = await nothingWritten(() => admin().post('/plan/draft/adopt', decision));
    expect(check.statusCode).toBe(200);
    const checkText = mainText(check.body);
    expect(checkText).toContain('Kontrollera planen och beslutet');
    expect(checkText).toContain('RF 2026-01-14 § 5');
    expect(checkText).toContain('fler efterlevande får stöd');
    const adopted = await admin().post('/plan/draft/adopt', { ...decision, _confirm: 'yes' });
    expect(adopted.statusCode).toBe(303);
    expect(adopted.headers.location).toBe('/plan?done=adopted');
    const plan = mainText((await coordinator().get('/plan?done=adopted')).body);
    expect(plan).toContain('Planen är antagen');
    expect(plan).toContain('Version 2 (gäller nu)');
    expect(plan).toContain('Nästa revidering senast 2030-12-31');

    const versions = mainText((await coordinator().get('/plan/versions')).body);
    expect(versions).toContain('Version 2 gäller nu');
    expect(versions).toContain('2022-06-21—22 § 79');
    const v1 = mainText((await coordinator().get('/plan/versions/1')).body);
    expect(v1).toContain('Planen, version 1');
    expect(v1).toContain('Kartläggning och analys av Folkhälsoenkät 2022');
    const diff = mainText((await coordinator().get('/plan/diff?from=1&to=2')).body);
    expect(diff).toContain('Vad som ändrades från version 1 till version 2');
    expect(diff).toMatch(/Mål Nytt Inom 4 år, år 2027: fler efterlevande får stöd\./);
    expect(diff).toMatch(/Handlingsplan Borttaget Kartläggning och analys/);
    expect(diff).toContain('Aktiviteter: Kartläggning och analys av Folkhälsoenkät 2022 och hälsosamtalet i skolan blev inget');
    expect(diff).not.toContain('rad-kartlaggning');
  });
});

describe('the goals and rows a case serves', () => {
  it('are chosen by a coordinator on one page of checkboxes, shown on the case page, and read by the other roles', async () => {
    const caseId = await createCase(t, 'Samtalsstöd i skolan');
    const initiator = as(t.actors.initiator);
    // The initiator neither sees the plan on the case page nor reaches the choice.
    expect((await initiator.get(`/cases/${caseId}`)).body).not.toContain('id="plan"');
    expect((await initiator.get(`/cases/${caseId}/plan`)).statusCode).toBe(403);

    const page = await coordinator().get(`/cases/${caseId}`);
    expect(page.body).toContain('id="plan"');
    expect(mainText(page.body)).toContain('inte kopplad till något mål');
    const form = await coordinator().get(`/cases/${caseId}/plan`);
    expect(form.statusCode).toBe(200);
    expect(mainText(form.body)).toContain('Inom 12 år, år 2035');
    const saved = await coordinator().post(`/cases/${caseId}/plan`, {
      goalIds: ['mal-12-ar', 'mal-4-ar-suicid'],
      rowIds: 'rad-utbildning',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/cases/${caseId}?done=plan-links#plan`);
    const after = mainText((await coordinator().get(saved.headers.location!.replace('#plan', ''))).body);
    expect(after).toContain('Planens mål och rader som satsningen bidrar till är sparade.');
    expect(after).toContain('Satsningen bidrar till: Inom 12 år, år 2035');
    expect(after).toContain('Grundläggande utbildning i psykisk hälsa');
    expect(t.services.plans.caseLinksOf(t.actors.administrator, caseId)).toEqual({
      caseId,
      goalIds: ['mal-12-ar', 'mal-4-ar-suicid'],
      rowIds: ['rad-utbildning'],
    });

    // Unticking one unlinks it; the rest stay.
    const again = formOf((await coordinator().get(`/cases/${caseId}/plan`)).body);
    expect({ goalIds: again.goalIds, rowIds: again.rowIds }).toEqual({
      goalIds: ['mal-12-ar', 'mal-4-ar-suicid'],
      rowIds: 'rad-utbildning',
    });
    await coordinator().post(`/cases/${caseId}/plan`, { goalIds: 'mal-12-ar' });
    expect(t.services.plans.caseLinksOf(t.actors.administrator, caseId)).toEqual({ caseId, goalIds: ['mal-12-ar'], rowIds: [] });

    // A goal not in the plan (a page of a plan replaced meanwhile) changes nothing.
    const refused = await nothingWritten(() => coordinator().post(`/cases/${caseId}/plan`, { goalIds: ['mal-12-ar', 'ett-gammalt-mal'] }));
    expect(refused.statusCode).toBe(409);
    expect(mainText(refused.body)).toContain('Planen har ändrats medan du valde');

    // Finance reads the plan but does not record under it: a list, no form.
    const read = await as(finance).get(`/cases/${caseId}/plan`);
    expect(read.statusCode).toBe(200);
    expect(read.body).not.toContain('<form method="post" action="/cases/');
    expect(mainText(read.body)).toContain('Inom 12 år, år 2035');
  });
});
