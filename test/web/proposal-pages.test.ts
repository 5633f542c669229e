import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventPayloads } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import { formValues } from '../../src/web/forms.js';
import { PROPOSAL_PARTS, valuesOf } from '../../src/web/proposal-pages.js';
import { DEMO_IDEA, FULL_PROPOSAL, storyUntilStep } from '../../src/demo/story.js';
import { auth, advance, createCase, createTestApp, mainText, sendEvent, tableCounts, type TestApp } from '../helpers.js';

/*
 * The proposal's question pages over HTTP: the overview of its parts with their status, a page
 * per part saving into the writer's own draft (prefilled from the proposal and the idea's
 * answers, errors in the summary), the check-your-answers page sending UPDATE_PROPOSAL, and a
 * stale draft that is shown, never sent over the newer proposal.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };

function as(role: Role | 'other-initiator') {
  const actor = role === 'other-initiator' ? t.otherInitiator.actor : t.actors[role];
  const session = t.services.people.createSession(actor.id, 1);
  const cookies = { satsa_session: session.token };
  return {
    actor,
    get: (url: string) => t.app.inject({ method: 'GET', url, cookies, headers: { accept: 'text/html' } }),
    post: (url: string, fields: Record<string, string | string[]> = {}, csrf = true) => {
      const body = new URLSearchParams();
      if (csrf) body.append('_csrf', session.csrfToken);
      for (const [k, v] of Object.entries(fields)) for (const x of ([] as string[]).concat(v)) body.append(k, x);
      return t.app.inject({ method: 'POST', url, cookies, headers: FORM, payload: body.toString() });
    },
  };
}

const caseOf = (id: string) => t.services.cases.get(t.actors['county-coordinator'], id, 'sv');
const proposalOf = (id: string) => (caseOf(id).data as { proposal: Record<string, unknown> }).proposal;

async function atProposal(title = DEMO_IDEA.title) {
  const id = await createCase(t, title);
  advance(t, id, storyUntilStep(8));
  return id;
}

describe('the proposal as question pages', () => {
  it('the case page links to the pages, and a part is saved into the draft without touching the case', async () => {
    const id = await atProposal();
    const me = as('initiator');
    const casePage = await me.get(`/cases/${id}`);
    expect(casePage.body).toContain(`<a class="button" href="/cases/${id}/proposal">Skriv förslaget</a>`);
    expect(casePage.body).not.toContain('id="form-UPDATE_PROPOSAL"');

    const overview = await me.get(`/cases/${id}/proposal`);
    expect(overview.statusCode).toBe(200);
    const text = mainText(overview.body);
    for (const part of ['Bakgrund, syfte och mål', 'Målgrupp och brukarnas delaktighet', 'Budget och ekonomiska effekter'])
      expect(text).toContain(part);
    expect((overview.body.match(/Inte påbörjad/g) ?? []).length).toBe(7);

    // Prefilled: the idea's summary as background, the idea template's target group, user participation and partners.
    const purpose = await me.get(`/cases/${id}/proposal/purpose`);
    expect(purpose.statusCode).toBe(200);
    expect(purpose.body).toContain('Spara och fortsätt');
    expect(purpose.body).toContain(`href="/cases/${id}/proposal"`);
    expect(purpose.body).toContain('Unga vuxna med psykisk ohälsa får inte samordnat stöd.');
    const target = await me.get(`/cases/${id}/proposal/target-group`);
    expect(target.body).toContain('Unga vuxna 18–25 år');
    expect(target.body).toContain('Peer supporters leder grupperna.');
    const participants = await me.get(`/cases/${id}/proposal/participants`);
    expect(participants.body).toContain('value="vuxenpsykiatrin"');

    const before = { version: caseOf(id).version, counts: tableCounts(t) };
    const saved = await me.post(`/cases/${id}/proposal/purpose`, {
      background: 'Bakgrund skriven på sin egen sida.',
      purpose: FULL_PROPOSAL.purpose!,
      goals: 'Första målet\nAndra målet',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/cases/${id}/proposal/target-group`);
    expect(caseOf(id).version).toBe(before.version);
    expect(tableCounts(t)).toEqual({ ...before.counts, case_drafts: before.counts.case_drafts! + 1 });
    expect(proposalOf(id)).toEqual({});

    const again = await me.get(`/cases/${id}/proposal/purpose`);
    expect(again.body).toContain('Bakgrund skriven på sin egen sida.');
    expect(again.body).toContain('Första målet\nAndra målet');
    expect(mainText((await me.get(`/cases/${id}/proposal`)).body)).toContain('Sparad i ditt utkast');
    expect((await me.get(`/cases/${id}`)).body).toContain('Fortsätt skriva förslaget');
    // The draft is nobody else's: a coordinator who may write the proposal starts from the case's proposal.
    const coordinator = await as('county-coordinator').get(`/cases/${id}/proposal/purpose`);
    expect(coordinator.body).not.toContain('Bakgrund skriven på sin egen sida.');
    expect((await as('county-coordinator').get(`/cases/${id}`)).body).toContain('>Skriv förslaget<');
  });

  it('an error is shown at its field with the error summary, and nothing is saved', async () => {
    const id = await atProposal();
    const me = as('county-coordinator');
    const counts = tableCounts(t);
    const res = await me.post(`/cases/${id}/proposal/budget`, {
      'budget.0.costType': '',
      'budget.1.costType': 'Lön',
      'budget.1.amountOre': '1000',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('class="alert error-summary"');
    expect(res.body).toContain('<a href="#part-budget-budget-1-year">');
    expect(res.body).toContain('id="part-budget-budget-1-year-error"');
    expect(tableCounts(t)).toEqual(counts);
    const wrongPart = await me.post(`/cases/${id}/proposal/no-such-part`, { background: 'x' });
    expect(wrongPart.statusCode).toBe(404);
  });

  it('the check page shows every answer with a change link, and its button sends the proposal and deletes the draft', async () => {
    const id = await atProposal();
    const me = as('initiator');
    await me.post(`/cases/${id}/proposal/purpose`, { background: FULL_PROPOSAL.background!, purpose: FULL_PROPOSAL.purpose! });
    await me.post(`/cases/${id}/proposal/participants`, {
      'participants.0.name': 'Karlshamns kommun',
      'participants.0.kind': 'municipal',
      'participants.1.name': 'Region Blekinge',
      'participants.1.kind': 'regional',
      'scope.level': 'local',
      'scope.municipalities': 'Karlshamn',
    });
    const budget = await me.post(`/cases/${id}/proposal/budget`, {
      'budget.0.year': '2026',
      'budget.0.costType': 'Lön',
      'budget.0.amountOre': '12 500,50',
      economicEffects: FULL_PROPOSAL.economicEffects!,
    });
    expect(budget.headers.location).toBe(`/cases/${id}/proposal/check`);

    const check = await me.get(`/cases/${id}/proposal/check`);
    expect(check.statusCode).toBe(200);
    const text = mainText(check.body);
    expect(text).toContain(FULL_PROPOSAL.purpose!);
    expect(text).toContain('Kommun');
    expect(text).toMatch(/12\s500,50\skr/);
    expect(check.body).toContain(`<a href="/cases/${id}/proposal/budget">Ändra`);
    expect(check.body).toContain('Skicka in förslaget');

    const version = caseOf(id).version;
    const sent = await me.post(`/cases/${id}/proposal/check`);
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`/cases/${id}?done=UPDATE_PROPOSAL`);
    expect(caseOf(id).version).toBe(version + 1);
    const proposal = proposalOf(id);
    expect(proposal.purpose).toBe(FULL_PROPOSAL.purpose);
    expect(proposal.budget).toEqual([{ year: 2026, costType: 'Lön', amountOre: 1_250_050 }]);
    expect(proposal.scope).toEqual({ level: 'local', municipalities: ['Karlshamn'] });
    expect(t.services.drafts.read(me.actor, id, 'UPDATE_PROPOSAL')).toBeUndefined();
    expect(mainText((await me.get(`/cases/${id}/proposal`)).body)).toContain('Finns i förslaget');
  });

  it('a stale draft is not sent: the check page shows what differs, and the writer goes through the parts again', async () => {
    const id = await atProposal();
    const a = as('initiator');
    await a.post(`/cases/${id}/proposal/purpose`, { background: 'A:s bakgrund.', purpose: 'A:s syfte.' });
    await a.post(`/cases/${id}/proposal/evaluation`, { evaluationPlan: 'A:s utvärdering.' });
    // Another event on the case does not make the draft stale.
    const comment = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${id}/comments`,
      headers: auth(t.tokens['county-coordinator']),
      payload: { body: 'En kommentar under tiden.', visibility: 'shared' },
    });
    expect(comment.statusCode).toBe(201);
    expect((await a.get(`/cases/${id}/proposal/check`)).statusCode).toBe(200);

    // B saves the proposal meanwhile.
    const b = await sendEvent(t, id, t.tokens['county-coordinator'], { type: 'UPDATE_PROPOSAL', payload: { purpose: 'B:s syfte.' } });
    expect(b.statusCode).toBe(200);

    const check = await a.get(`/cases/${id}/proposal/check`);
    expect(check.statusCode).toBe(409);
    const text = mainText(check.body);
    expect(text).toContain('Förslaget har ändrats sedan du började på ditt utkast');
    expect(text).toContain('B:s syfte.');
    expect(text).toContain('A:s syfte.');
    expect(text).toContain('Bakgrund, syfte och mål');
    expect(text).not.toContain('Utvärdering och implementering');

    const counts = tableCounts(t);
    const version = caseOf(id).version;
    const refused = await a.post(`/cases/${id}/proposal/check`);
    expect(refused.statusCode).toBe(409);
    expect(caseOf(id).version).toBe(version);
    expect(tableCounts(t)).toEqual(counts);
    expect(proposalOf(id)).toEqual({ purpose: 'B:s syfte.' });

    const restart = await a.post(`/cases/${id}/proposal/restart`);
    expect(restart.statusCode).toBe(303);
    const overview = mainText((await a.get(`/cases/${id}/proposal?done=restarted`)).body);
    expect(overview).toContain('Titta igen');
    const purpose = await a.get(`/cases/${id}/proposal/purpose`);
    // The newer proposal in the field, the writer's own answer beside it.
    expect(purpose.body).toMatch(/<textarea[^>]*name="purpose"[^>]*>B:s syfte\.<\/textarea>/);
    expect(mainText(purpose.body)).toContain('Det här skrev du i ditt utkast');
    expect(mainText(purpose.body)).toContain('A:s syfte.');
    // Where nobody else changed anything, the writer's answers stay.
    expect((await a.get(`/cases/${id}/proposal/evaluation`)).body).toContain('A:s utvärdering.');

    await a.post(`/cases/${id}/proposal/purpose`, { background: 'A:s bakgrund.', purpose: 'B:s syfte, med A:s tillägg.' });
    const sent = await a.post(`/cases/${id}/proposal/check`);
    expect(sent.statusCode).toBe(303);
    expect(proposalOf(id)).toMatchObject({
      purpose: 'B:s syfte, med A:s tillägg.',
      background: 'A:s bakgrund.',
      evaluationPlan: 'A:s utvärdering.',
    });
  });

  it('the whole demo proposal typed in part by part comes back the same, and every field it fills is on its part’s page', async () => {
    const id = await atProposal();
    const me = as('county-coordinator');
    const values = formValues(eventPayloads.UPDATE_PROPOSAL, FULL_PROPOSAL, {
      'budget.amountOre': { money: true },
      'scope.municipalities': { options: [] },
    });
    for (const part of PROPOSAL_PARTS) {
      const fields = valuesOf(values, part.fields);
      const page = await me.get(`/cases/${id}/proposal/${part.id}`);
      // Every field is on the page; the short ids of rows are hidden ones, made from their names.
      for (const name of Object.keys(fields)) {
        if (name.endsWith('.id')) expect(page.body).toMatch(new RegExp(`type="hidden" name="${name.replace(/\./g, '\\.')}"`));
        else expect(page.body).toContain(`id="part-${part.id}-${name.replace(/\./g, '-')}"`);
      }
      const saved = await me.post(`/cases/${id}/proposal/${part.id}`, fields as Record<string, string | string[]>);
      expect(saved.statusCode, part.id).toBe(303);
    }
    expect((await me.post(`/cases/${id}/proposal/check`)).statusCode).toBe(303);
    expect(proposalOf(id)).toEqual(FULL_PROPOSAL);
  });

  it('a draft can be thrown away, and only those who may write the proposal reach the pages', async () => {
    const id = await atProposal();
    const me = as('local-coordinator');
    await me.post(`/cases/${id}/proposal/purpose`, { purpose: 'Ett syfte att kasta.' });
    const discarded = await me.post(`/cases/${id}/proposal/discard`);
    expect(discarded.statusCode).toBe(303);
    expect(t.services.drafts.read(me.actor, id, 'UPDATE_PROPOSAL')).toBeUndefined();

    expect((await as('lsvo-secretary').get(`/cases/${id}/proposal`)).statusCode).toBe(403);
    expect((await as('other-initiator').get(`/cases/${id}/proposal`)).statusCode).toBe(404);
    const noCsrf = await as('initiator').post(`/cases/${id}/proposal/purpose`, { purpose: 'Utan token.' }, false);
    expect(noCsrf.statusCode).toBe(403);
    const early = await createCase(t, 'Inte framme än');
    expect((await as('initiator').get(`/cases/${early}/proposal`)).statusCode).toBe(409);
    const loggedOut = await t.app.inject({ url: `/cases/${id}/proposal`, headers: { accept: 'text/html' } });
    expect(loggedOut.statusCode).toBe(303);
  });
});
