import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { has, LANGUAGES, t as translate } from '../../src/i18n/index.js';
import { loadIdeaTemplate } from '../../src/programmes/config.js';
import { actionSetup } from '../../src/web/actions.js';
import { allStatePaths, stateLabelKey } from '../../src/web/diagram.js';
import { formValues, parseForm } from '../../src/web/forms.js';
import { advance, createCase, createTestApp, pageSession, PROGRAMME, tableCounts, type TestApp } from '../helpers.js';
import type { Role } from '../../machines/roles.js';
import type { CaseContext } from '../../machines/case/context.js';

/*
 * The case pages over HTTP: forms generated from the schemas (every payload of the demo
 * story can be typed into them and comes back the same), errors next to fields with
 * nothing written, why an action is not possible yet, access, CSRF and the conflict answer.
 * The browser suite (test/browser) drives the same pages in Chromium.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

function as(role: Role | 'other-initiator' | 'foreign') {
  return pageSession(
    t,
    role === 'other-initiator' ? t.otherInitiator.actor : role === 'foreign' ? t.foreignCoordinator.actor : t.actors[role],
  );
}

const version = (caseId: string) => t.services.cases.get(t.actors['county-coordinator'], caseId, 'sv').version;
const contextOf = (caseId: string) => t.services.cases.get(t.actors['county-coordinator'], caseId, 'sv').data as CaseContext;

describe('forms generated from the schemas', () => {
  it('every payload of the demo story goes through its form and comes back the same', () => {
    const config = t.services.programmes.get(PROGRAMME)!;
    const template = loadIdeaTemplate(config.ideaTemplate);
    let checked = 0;
    for (const step of FULL_STORY) {
      const setup = actionSetup(step.type, {
        lang: 'sv',
        config,
        template,
        context: { proposal: {}, dialogueForum: {} } as unknown as CaseContext,
        candidates: [],
      });
      const values = formValues(setup.schema, step.payload, setup.hints);
      const parsed = setup.schema.parse(parseForm(setup.schema, values, setup.hints).payload);
      expect(parsed, step.type).toEqual(setup.schema.parse(step.payload));
      checked++;
    }
    expect(checked).toBe(FULL_STORY.length);
  });

  it('reads kronor into whole öre exactly, leaves an unused scope out, and drops empty rows', () => {
    const config = t.services.programmes.get(PROGRAMME)!;
    const template = loadIdeaTemplate(config.ideaTemplate);
    const inputs = {
      lang: 'sv' as const,
      template,
      context: { proposal: {}, dialogueForum: {} } as unknown as CaseContext,
      candidates: [],
    };
    const setup = actionSetup('UPDATE_PROPOSAL', { ...inputs, config });
    const { payload, rows } = parseForm(
      setup.schema,
      {
        'budget.0.costType': '',
        'budget.1.year': '2027',
        'budget.1.costType': 'Lön',
        'budget.1.amountOre': '1 234 567 890,12',
        'scope.level': '',
      },
      setup.hints,
    );
    expect(payload).toMatchObject({ budget: [{ year: 2027, costType: 'Lön', amountOre: 123_456_789_012 }] });
    expect(payload).not.toHaveProperty('scope');
    expect(rows.get('budget')).toEqual([1]);
    // More than two decimals is not whole öre: the schema refuses it rather than rounding.
    const tooFine = parseForm(
      setup.schema,
      { 'budget.0.year': '2026', 'budget.0.costType': 'Lön', 'budget.0.amountOre': '10,005' },
      setup.hints,
    ).payload;
    expect(setup.schema.safeParse(tooFine).success).toBe(false);
    // A programme without a list of municipalities takes them typed, one per line.
    const open = actionSetup('UPDATE_PROPOSAL', { ...inputs, config: { ...config, municipalities: [] } });
    expect(
      parseForm(open.schema, { 'scope.level': 'sub-regional', 'scope.municipalities': 'Ronneby\nKarlshamn' }, open.hints).payload,
    ).toMatchObject({
      scope: { level: 'sub-regional', municipalities: ['Ronneby', 'Karlshamn'] },
    });
  });

  it('labels every state of every machine version in both languages, for the diagram', () => {
    for (const v of [1, 2]) {
      for (const path of allStatePaths(v))
        for (const lang of LANGUAGES) expect(has(lang, stateLabelKey(path)), `${lang} ${path.join('.')}`).toBe(true);
    }
  });
});

describe('the case page', () => {
  it('shows where the case stands, who acts next, the history and the diagram with its position', async () => {
    const id = await createCase(t, '<b>Ej fet</b> idé');
    advance(t, id, storyUntilStep(4));
    const page = await as('county-coordinator').get(`/cases/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('&lt;b&gt;Ej fet&lt;/b&gt; idé');
    expect(page.body).toContain('steg 4 av 12: Samordningsgruppen');
    expect(page.body).toMatch(/Registrera samordningsgruppens genomgång: görs av Samordningsgrupp/);
    // The history names who did what.
    expect(page.body).toContain('Test initiator');
    expect(page.body).toContain('Skicka in idébeskrivningen');
    // The diagram holds every state, with only the current one marked.
    for (const path of allStatePaths(2)) expect(page.body).toContain(translate('sv', stateLabelKey(path)).replace(/'/g, '&#39;'));
    expect(page.body.match(/<li class="state current" aria-current="true">/g)).toHaveLength(1);
    expect(page.body).toMatch(/<li class="state current" aria-current="true">\s*<span class="state-name">Steg 4: Samordningsgruppen/);
    // The coordinator's own action at this step is a link to its page; the group's is not theirs.
    expect(page.body).toContain(`href="/cases/${id}/do/PLACE_ON_AGENDA"`);
    expect(page.body).not.toContain(`href="/cases/${id}/do/RECORD_COORDINATION_GROUP_REVIEW"`);
    const own = await as('county-coordinator').get(`/cases/${id}/do/PLACE_ON_AGENDA`);
    expect(own.body).toContain('id="form-PLACE_ON_AGENDA"');
    const group = await as('coordination-group').get(`/cases/${id}`);
    expect(group.body).toMatch(new RegExp(`<p id="your-action">.*href="/cases/${id}/do/RECORD_COORDINATION_GROUP_REVIEW"`));
    // Not theirs: the page says so and has no form.
    const notTheirs = await as('coordination-group').get(`/cases/${id}/do/PLACE_ON_AGENDA`);
    expect(notTheirs.body).not.toContain('id="form-PLACE_ON_AGENDA"');
    expect(notTheirs.body).toContain('Det går inte längre');
  });

  it('says why an action is not possible yet, and refuses it with the same reasons', async () => {
    const id = await createCase(t);
    advance(t, id, storyUntilStep(8));
    const coordinator = as('county-coordinator');
    const page = await coordinator.get(`/cases/${id}`);
    const notYet = page.body.slice(page.body.indexOf('class="not-yet"'));
    expect(notYet).toContain('Skicka underlaget till LSVO');
    expect(notYet).toContain('Minst ett kommunalt och ett regionalt verksamhetsområde medverkar tillsammans.');
    const counts = tableCounts(t);
    const refused = await coordinator.post(`/cases/${id}/events/SUBMIT_TO_LSVO`, { _version: String(version(id)) });
    expect(refused.statusCode).toBe(422);
    // The rules read as what must hold first, never as a reason that seems to say the opposite.
    expect(refused.body).toMatch(
      /role="alert" id="notice" tabindex="-1" autofocus>Skicka underlaget till LSVO: Det blir möjligt när det här stämmer:/,
    );
    expect(refused.body).toContain('Minst ett kommunalt och ett regionalt verksamhetsområde medverkar tillsammans.');
    expect(tableCounts(t)).toEqual(counts);
  });

  it('an idea template sent half empty comes back with an error at each field, in Swedish, and nothing is written', async () => {
    const id = await createCase(t);
    advance(t, id, storyUntilStep(3));
    const initiator = as('initiator');
    const form = await initiator.get(`/cases/${id}/do/SUBMIT_IDEA_TEMPLATE`);
    const template = loadIdeaTemplate('uph-blekinge');
    for (const field of template.fields) {
      expect(form.body).toContain(`<label for="SUBMIT_IDEA_TEMPLATE-answers-${field.id}">${field.label.sv}`);
      const input = new RegExp(`id="SUBMIT_IDEA_TEMPLATE-answers-${field.id}" name="answers.${field.id}"( required)?`).exec(form.body);
      expect(input, field.id).not.toBeNull();
      expect(Boolean(input![1]), field.id).toBe(field.required);
    }
    const counts = tableCounts(t);
    const res = await initiator.post(`/cases/${id}/events/SUBMIT_IDEA_TEMPLATE`, {
      _version: String(version(id)),
      'answers.title': 'Ett <namn>',
      'answers.estimatedCostSek': 'tusen',
    });
    expect(res.statusCode).toBe(422);
    for (const field of template.fields.filter((f) => f.required && f.id !== 'title')) {
      const message = field.type === 'select' ? 'Välj ett av alternativen.' : 'Fyll i det här fältet.';
      expect(res.body).toContain(
        `<p class="field-error" id="SUBMIT_IDEA_TEMPLATE-answers-${field.id}-error"><span class="visually-hidden">Fel: </span>${message}</p>`,
      );
      // The summary names the field as the form does.
      expect(res.body).toContain(`<a href="#SUBMIT_IDEA_TEMPLATE-answers-${field.id}">${field.label.sv}: ${message}</a>`);
    }
    expect(res.body).toContain(
      'id="SUBMIT_IDEA_TEMPLATE-answers-estimatedCostSek-error"><span class="visually-hidden">Fel: </span>Ange ett tal',
    );
    expect(res.body).toContain('value="Ett &lt;namn&gt;"');
    expect(res.body).not.toContain('SUBMIT_IDEA_TEMPLATE-answers-title-error');
    expect(tableCounts(t)).toEqual(counts);
  });

  it('a stale form is a conflict: the page shows the case as it is now and nothing is overwritten', async () => {
    const id = await createCase(t);
    advance(t, id, storyUntilStep(5));
    const coordinator = as('county-coordinator');
    const stale = String(version(id));
    const first = await coordinator.post(`/cases/${id}/events/BOOK_DIALOGUE_FORUM`, {
      _version: stale,
      date: '2026-03-10',
      place: 'Rådhuset',
    });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`/cases/${id}?done=BOOK_DIALOGUE_FORUM`);
    const second = await coordinator.post(`/cases/${id}/events/BOOK_DIALOGUE_FORUM`, {
      _version: stale,
      date: '2026-03-11',
      place: 'Biblioteket',
    });
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('Någon annan har ändrat ärendet');
    expect(second.body).toContain('Rådhuset'); // the case as it is now
    expect(second.body).toContain('value="Biblioteket"'); // what the user wrote, to look at again
    expect(second.body).toContain(`name="_version" value="${version(id)}"`);
    expect(contextOf(id).dialogueForum.booking?.place).toBe('Rådhuset');
  });

  it('a decision beyond the pool is refused at the amount, with nothing written', async () => {
    const id = await createCase(t);
    advance(
      t,
      id,
      FULL_STORY.slice(
        0,
        FULL_STORY.findIndex((s) => s.type === 'RECORD_DECISION'),
      ),
    );
    const director = as('regional-director');
    const counts = tableCounts(t);
    const res = await director.post(`/cases/${id}/events/RECORD_DECISION`, {
      _version: String(version(id)),
      decision: 'approve',
      motivation: 'Beviljas.',
      'grantedBudget.0.year': '2026',
      'grantedBudget.0.amountOre': '999 999 999',
      followUpDates: '2026-12-01',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('id="RECORD_DECISION-grantedBudget-0-amountOre-error"');
    expect(res.body).toContain('överskrider det som finns kvar i bidragsramen');
    expect(tableCounts(t)).toEqual(counts);
  });
});

describe('forms that are sent back', () => {
  it('an error in a row is shown at that row, even after empty rows above it are dropped', async () => {
    const id = await createCase(t);
    advance(t, id, storyUntilStep(8));
    const res = await as('county-coordinator').post(`/cases/${id}/events/UPDATE_PROPOSAL`, {
      _version: String(version(id)),
      'budget.0.costType': '',
      'budget.1.costType': 'Lön',
      'budget.1.amountOre': '1000',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('id="UPDATE_PROPOSAL-budget-1-year-error"');
    expect(res.body).not.toContain('id="UPDATE_PROPOSAL-budget-0-year-error"');
    expect(res.body).toContain('<a href="#UPDATE_PROPOSAL-budget-1-year">');
  });

  it('row numbers in the posted names cannot make the page huge, and a JSON body is no 500', async () => {
    const id = await createCase(t);
    advance(t, id, storyUntilStep(8));
    const coordinator = as('county-coordinator');
    const res = await coordinator.post(`/cases/${id}/events/UPDATE_PROPOSAL`, {
      _version: String(version(id)),
      'budget.5000000.costType': 'x',
      'budget.1e21.costType': 'y',
      'budget.199.costType': 'z',
    });
    expect(res.statusCode).toBe(422);
    expect((res.body.match(/class="row"/g) ?? []).length).toBeLessThan(1000);
    const session = t.services.people.createSession(t.actors['county-coordinator'].id, 1);
    const json = await t.app.inject({
      method: 'POST',
      url: `/cases/${id}/events/WITHDRAW`,
      cookies: { satsa_session: session.token },
      headers: { 'content-type': 'application/json', accept: 'text/html' },
      payload: JSON.stringify({ _csrf: session.csrfToken, _version: String(version(id)), reason: { nested: true }, title: 5 }),
    });
    expect(json.statusCode).toBeGreaterThanOrEqual(400);
    expect(json.statusCode).toBeLessThan(500);
  });

  it('an initiator adds a co-writer by e-mail address and is not shown the programme’s users', async () => {
    const id = await createCase(t);
    const initiator = as('initiator');
    const page = await initiator.get(`/cases/${id}/do/ADD_PARTICIPANT`);
    expect(page.body).toContain('Personens e-postadress');
    expect(page.body).not.toContain('Test lsvo-secretary');
    // Whoever the address belongs to (nobody, another programme's staff, a person of ours), the
    // answer is the same invitation: nothing tells an initiator who has an account.
    const answers = [];
    for (const email of ['nobody@elsewhere.se', t.foreignCoordinator.actor.email, t.otherInitiator.actor.email]) {
      const res = await initiator.post(`/cases/${id}/events/ADD_PARTICIPANT`, { _version: String(version(id)), email });
      expect(res.statusCode).toBe(200);
      answers.push(res.body.replace(email, 'ADDRESS').replace(/name="_version" value="\d+"/g, ''));
    }
    expect(answers[1]).toBe(answers[0]);
    expect(answers[2]).toBe(answers[0]);
    expect(answers[0]).toContain('Vi har skickat en inbjudan till ADDRESS');
    // Nobody is in the case until they accept; the person of ours accepts by the e-mail's link.
    expect(contextOf(id).participants).toEqual([]);
    const link = t.services.links.pendingInvitations([PROGRAMME]).find((l) => l.email === t.otherInitiator.actor.email && l.caseId === id);
    expect(link).toBeDefined();
    const token = t.services.links.create('invitation', t.otherInitiator.actor.email, 1, {
      programmeId: PROGRAMME,
      roles: ['initiator'],
      caseId: id,
      createdBy: t.actors.initiator.id,
    }).token;
    expect(await t.services.onboarding.acceptInvitation(token)).toMatchObject({ newAccount: false, caseId: id });
    expect(contextOf(id).participants.map((p) => p.userId)).toEqual([t.otherInitiator.actor.id]);
    // The coordinator chooses from the programme's users instead.
    expect((await as('county-coordinator').get(`/cases/${id}/do/ADD_PARTICIPANT`)).body).toContain(
      '<option value="' + t.actors['lsvo-secretary'].id + '">Test lsvo-secretary</option>',
    );
  });
});

describe('the pages of the bodies that decide and follow up', () => {
  it('the steering group gets the follow-up form once the initiator has reported, with the proposal’s indicators to choose from', async () => {
    const id = await createCase(t);
    advance(t, id, storyUntilStep(10));
    // Before the initiator's report there is nothing to review (machine version 4).
    expect((await as('steering-group').get(`/cases/${id}`)).body).not.toContain(`href="/cases/${id}/do/RECORD_FOLLOW_UP"`);
    advance(
      t,
      id,
      FULL_STORY.filter((s) => s.type === 'SUBMIT_FOLLOW_UP_REPORT'),
    );
    const page = await as('steering-group').get(`/cases/${id}/do/RECORD_FOLLOW_UP`);
    expect(page.body).toContain('id="form-RECORD_FOLLOW_UP"');
    expect(page.body).toContain(
      '<option value="andel-i-syssla">Andel deltagare i arbete eller studier efter 12 månader (procent)</option>',
    );
    expect(page.body).toContain('name="adjustment"');
    const waiting = await as('steering-group').get('/cases');
    expect(waiting.body.slice(waiting.body.indexOf('id="waiting"'))).toContain(`/cases/${id}`);
  });
});

describe('the initiator’s follow-up report (machine version 4)', () => {
  it('is a form of its own: the outstanding follow-up dates to choose from, kronor read into öre, and the report shown after', async () => {
    const id = await createCase(t);
    advance(t, id, storyUntilStep(10));
    const initiator = as('initiator');
    expect((await initiator.get(`/cases/${id}`)).body).toMatch(
      new RegExp(`<p id="your-action">.*href="/cases/${id}/do/SUBMIT_FOLLOW_UP_REPORT"`),
    );
    const page = await initiator.get(`/cases/${id}/do/SUBMIT_FOLLOW_UP_REPORT`);
    expect(page.body).toContain('id="form-SUBMIT_FOLLOW_UP_REPORT"');
    for (const date of ['2026-12-01', '2027-06-01', '2027-12-01']) expect(page.body).toContain(`<option value="${date}"`);
    expect(page.body).toContain('Vad har ni gjort?');
    const res = await initiator.post(`/cases/${id}/events/SUBMIT_FOLLOW_UP_REPORT`, {
      _version: String(version(id)),
      followUpDate: '2027-06-01',
      'indicatorValues.0.indicatorId': 'andel-i-syssla',
      'indicatorValues.0.value': '21',
      spentToDateOre: '412 500',
      done: 'Fyra grupper har träffats varje vecka.',
      results: 'Fler deltagare har börjat studera.',
    });
    expect(res.statusCode, res.body.slice(0, 500)).toBeLessThan(400);
    expect(contextOf(id).followUpReports).toMatchObject([
      { followUpDate: '2027-06-01', spentToDateOre: 41_250_000, indicatorValues: [{ indicatorId: 'andel-i-syssla', value: 21 }] },
    ]);
    const after = await initiator.get(`/cases/${id}`);
    expect(after.body).toContain('<h3>Uppföljningsrapporter</h3>');
    // The date reported is no longer offered.
    expect((await initiator.get(`/cases/${id}/do/SUBMIT_FOLLOW_UP_REPORT`)).body).not.toContain('<option value="2027-06-01"');
  });
});

describe('access and CSRF on the pages', () => {
  it('only the case’s people and the programme see it; others get a 404 page, not a hint', async () => {
    const id = await createCase(t);
    for (const who of ['other-initiator', 'foreign'] as const) {
      const res = await as(who).get(`/cases/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('Sidan finns inte');
    }
    expect((await as('initiator').get('/board')).statusCode).toBe(403);
    const long = await as('county-coordinator').get(`/cases/${'x'.repeat(300)}`);
    expect([400, 404]).toContain(long.statusCode);
    expect(long.headers['content-type']).toMatch(/^text\/html/);
    expect((await as('county-coordinator').get('/cases/not-a-case/print')).statusCode).toBe(404);
    expect((await as('county-coordinator').get('/board')).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/cases/${id}` })).headers.location).toBe(`/login?next=%2Fcases%2F${id}`);
  });

  it('a form without the CSRF token, or by a role that may not send it, changes nothing', async () => {
    const id = await createCase(t);
    advance(t, id, storyUntilStep(2));
    const [coordinator, initiator] = [as('county-coordinator'), as('initiator')];
    const counts = tableCounts(t);
    const forged = await coordinator.post(`/cases/${id}/events/ASSESS_NOT_ELIGIBLE`, { _version: String(version(id)), reason: 'x' }, false);
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['content-type']).toMatch(/^text\/html/);
    const wrongRole = await initiator.post(`/cases/${id}/events/ASSESS_NOT_ELIGIBLE`, {
      _version: String(version(id)),
      reason: 'Passar inte.',
    });
    expect(wrongRole.statusCode).toBe(403);
    const unknown = await coordinator.post(`/cases/${id}/events/DROP_TABLE`, { _version: '1' });
    expect(unknown.statusCode).toBe(404);
    expect(tableCounts(t)).toEqual(counts);
    // The API still answers problem+json.
    const api = await t.app.inject({ method: 'GET', url: '/api/cases/nope', headers: { accept: 'text/html' } });
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('the board filters by step and search, and links to the annual reports', async () => {
    const id = await createCase(t, 'Sökbar satsning i Sölvesborg');
    advance(t, id, storyUntilStep(5));
    const coordinator = as('county-coordinator');
    const hit = await coordinator.get('/board?q=S%C3%B6lvesborg&step=5');
    expect(hit.body).toContain('Sökbar satsning i Sölvesborg');
    const miss = await coordinator.get('/board?q=S%C3%B6lvesborg&step=4');
    expect(miss.body).not.toContain('Sökbar satsning i Sölvesborg');
    // The test clock stands in 2026; the programme runs from 2025.
    expect(hit.body).toContain(`<a href="/programmes/${PROGRAMME}/reports/2026">Årsrapport 2026</a>`);
    expect(hit.body).not.toContain('reports/2027');
    const report = await coordinator.get(`/programmes/${PROGRAMME}/reports/2025`);
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toMatch(/^text\/html/);
    // In the site's layout, with the board in its menu.
    expect(report.body).toContain('Årsrapport 2025</h1>');
    expect(report.body).toContain('<a href="/board">');
    // The API's page format leads to the same page.
    const moved = await coordinator.get(`/api/programmes/${PROGRAMME}/reports/2025?format=html`);
    expect([moved.statusCode, moved.headers.location]).toEqual([303, `/programmes/${PROGRAMME}/reports/2025`]);
  });
});

describe('settings', () => {
  it('turns informational e-mails off, never mandatory ones, and sets the language', async () => {
    const user = as('steering-group');
    const res = await user.post('/settings', { language: 'en', notify: ['decision-recorded'] });
    expect(res.headers.location).toBe('/settings?saved=1');
    const prefs = t.services.people.preferences(t.actors['steering-group'].id);
    expect(prefs.language).toBe('en');
    expect(prefs.mutedNotifications).toContain('step-changed');
    expect(prefs.mutedNotifications).toEqual(['case-withdrawn', 'comment-added', 'step-changed']);
    const page = await user.get('/settings?saved=1');
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('The settings are saved.');
    t.services.people.updatePreferences(t.actors['steering-group'].id, { language: 'sv', mutedNotifications: [] });
  });
});
