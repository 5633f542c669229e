import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_MACHINE_VERSIONS, CURRENT_CASE_MACHINE_VERSION } from '../../machines/versions.js';
import { decisiveEvents } from '../../src/process/describe.js';
import { actionSetup } from '../../src/web/actions.js';
import { formValues } from '../../src/web/forms.js';
import type { CaseContext } from '../../machines/case/context.js';
import type { CaseEventType } from '../../machines/case/schemas.js';
import {
  advance,
  createCase,
  createCaseOnVersion,
  createTestApp,
  mainText,
  pageSession,
  PROGRAMME,
  tableCounts,
  type TestApp,
} from '../helpers.js';
import { FULL_STORY, RECORDED_AT_CREATION, storyOfVersion, storyUntilStep } from '../../src/demo/story.js';

/*
 * Every act that moves a case on for good (a transition to another state in its machine
 * version) is shown back on a check-your-answers page first; only "Bekräfta och skicka" sends
 * it. The set is read from the machines, so a new decisive event gets the page without a test
 * naming it; this test walks the demo story through the pages and fails for any decisive event
 * it did not see checked.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const viewOf = (id: string) => t.services.cases.get(t.actors['county-coordinator'], id, 'sv');

/** The flat form values of an event's payload, as its form posts them. */
function formOf(id: string, type: CaseEventType, payload: unknown) {
  const config = t.services.programmes.get(PROGRAMME)!;
  const setup = actionSetup(type, {
    lang: 'sv',
    config,
    template: t.services.programmes.ideaTemplate(PROGRAMME)!,
    context: viewOf(id).data as CaseContext,
    candidates: [],
  });
  return formValues(setup.schema, payload, setup.hints);
}

/** The values of a payload's id fields (`priorityAreaId`, `indicatorId`, …), wherever they are. */
function idsIn(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return /Id$/.test(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => idsIn(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => idsIn(v, k));
  return [];
}

describe('check your answers before an act that cannot be undone', () => {
  it('the decisive events are read from the machines: every transition that leaves its state', () => {
    for (const v of Object.keys(CASE_MACHINE_VERSIONS).map(Number)) {
      const decisive = decisiveEvents(v);
      for (const type of ['WITHDRAW', 'ASSESS_NOT_ELIGIBLE', 'SUBMIT_TO_LSVO', 'RECORD_DECISION', 'END_INITIATIVE']) {
        expect(decisive.has(type), `${type} in version ${v}`).toBe(true);
      }
      // Recording in place (a proposal saved, a criterion assessed, a check-in) can be done again.
      for (const type of ['UPDATE_PROPOSAL', 'ASSESS_CRITERION', 'RECORD_CHECK_IN', 'PLACE_ON_AGENDA']) {
        expect(decisive.has(type), `${type} in version ${v}`).toBe(false);
      }
    }
  });

  it('walks the whole story on the pages: each decisive act first comes back to be checked, and nothing is written until it is confirmed', async () => {
    const id = await createCase(t);
    const decisive = decisiveEvents(CURRENT_CASE_MACHINE_VERSION);
    const checked = new Set<string>();
    // What the case's creation already records (the idea sent to the coordinators) is not sent again.
    for (const step of storyOfVersion(CURRENT_CASE_MACHINE_VERSION).filter((s) => !RECORDED_AT_CREATION.includes(s.type))) {
      const who = pageSession(t, t.actors[step.role]);
      const values = { _version: String(viewOf(id).version), ...formOf(id, step.type, step.payload) };
      const counts = tableCounts(t);
      const first = await who.post(`/cases/${id}/events/${step.type}`, values);
      if (!decisive.has(step.type)) {
        expect(first.statusCode, `${step.type}: ${first.body.slice(0, 300)}`).toBe(303);
        continue;
      }
      expect(first.statusCode, step.type).toBe(200);
      expect(first.body, step.type).toContain('id="check-answers"');
      expect(first.body).toContain('Bekräfta och skicka');
      // What is shown back is named as people name it: no area, criterion or indicator id.
      for (const idValue of idsIn(step.payload))
        expect(mainText(first.body), `${step.type}: ${idValue}`).not.toMatch(new RegExp(`\\b${idValue}\\b`));
      expect(tableCounts(t), step.type).toEqual(counts);
      // "Change your answers" brings the form back with what was written.
      const change = await who.post(`/cases/${id}/do/${step.type}`, values);
      expect(change.statusCode).toBe(200);
      expect(change.body).toContain(`id="form-${step.type}"`);
      const confirmed = await who.post(`/cases/${id}/events/${step.type}`, { ...values, _confirmed: 'yes' });
      expect(confirmed.statusCode, `${step.type}: ${confirmed.body.slice(0, 300)}`).toBe(303);
      checked.add(step.type);
    }
    expect(viewOf(id).status).toBe('done');

    // The acts off the story's road: withdrawing, and an idea that does not fit.
    for (const [type, role, payload, until, machineVersion] of [
      // On version 4 the idea is sent as it is raised; a case of version 2 still has the form for it.
      ['CONTACT_COORDINATORS', 'initiator', { message: 'Vi vill berätta mer om idén.' }, 1, 2],
      ['WITHDRAW', 'initiator', { reason: 'Vi hinner inte i år.' }, 2],
      ['ASSESS_NOT_ELIGIBLE', 'county-coordinator', { reason: 'Ligger utanför överenskommelsen.' }, 2],
      ['SKIP_TARGET_GROUP_DIALOGUE', 'county-coordinator', { reason: 'Målgruppen hördes redan i dialogforumet.' }, 6],
    ] as const) {
      const other = machineVersion ? await createCaseOnVersion(t, machineVersion) : await createCase(t);
      advance(t, other, storyUntilStep(until));
      const who = pageSession(t, t.actors[role]);
      const values = { _version: String(viewOf(other).version), ...formOf(other, type, payload) };
      const counts = tableCounts(t);
      const first = await who.post(`/cases/${other}/events/${type}`, values);
      expect(first.body, type).toContain('id="check-answers"');
      expect(tableCounts(t)).toEqual(counts);
      const cancel = /<a href="([^"]+)">Avbryt, skicka inget<\/a>/.exec(first.body);
      expect(cancel?.[1]).toBe(`/cases/${other}`);
      expect((await who.post(`/cases/${other}/events/${type}`, { ...values, _confirmed: 'yes' })).statusCode).toBe(303);
      checked.add(type);
    }
    // Every decisive act of the current version was seen checked, but the import's (no form: a file).
    const missing = [...decisive].filter((type) => !checked.has(type) && type !== 'IMPORT_DECIDED');
    expect(missing).toEqual([]);
  });

  it('an act the case would refuse is not shown back as if it would go through', async () => {
    const id = await createCase(t);
    advance(t, id, storyUntilStep(8));
    const coordinator = pageSession(t, t.actors['county-coordinator']);
    const res = await coordinator.post(`/cases/${id}/events/SUBMIT_TO_LSVO`, { _version: String(viewOf(id).version) });
    expect(res.statusCode).toBe(422);
    expect(res.body).not.toContain('id="check-answers"');
  });

  it('a confirmation on a case that moved on meanwhile is a conflict, not a send', async () => {
    const id = await createCase(t);
    advance(t, id, storyUntilStep(2));
    const stale = String(viewOf(id).version);
    const initiator = pageSession(t, t.actors.initiator);
    // Someone else writes on the case while the initiator looks at the check page.
    t.services.conversation.add(t.actors['county-coordinator'], id, { body: 'Hej! Ring mig gärna först.', visibility: 'shared' });
    const res = await initiator.post(`/cases/${id}/events/WITHDRAW`, { _version: stale, reason: 'Vi avstår.', _confirmed: 'yes' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('Det här har hänt i ärendet sedan du öppnade formuläret');
    expect(res.body).toMatch(/id="notice" tabindex="-1" autofocus/);
    expect(viewOf(id).status).not.toBe('done');
  });
});

describe('earlier answers are not asked for again', () => {
  it("the idea template starts with the idea's title and the area the coordinators chose", async () => {
    const id = await createCase(t, 'Kamratstöd i Ronneby');
    advance(t, id, storyUntilStep(3));
    const page = await pageSession(t, t.actors.initiator).get(`/cases/${id}/do/SUBMIT_IDEA_TEMPLATE`);
    expect(page.body).toMatch(/id="SUBMIT_IDEA_TEMPLATE-answers-title" name="answers.title"[^>]* value="Kamratstöd i Ronneby"/);
    const area = (viewOf(id).data as CaseContext).eligibility!.priorityAreaId!;
    expect(page.body).toContain(`<option value="${area}" selected>`);
  });

  it("the decision starts with the proposal's budget, per year, in kronor as people write them", async () => {
    const id = await createCase(t);
    advance(
      t,
      id,
      FULL_STORY.slice(
        0,
        FULL_STORY.findIndex((s) => s.type === 'RECORD_DECISION'),
      ),
    );
    const page = await pageSession(t, t.actors['regional-director']).get(`/cases/${id}/do/RECORD_DECISION`);
    const budget = (viewOf(id).data as CaseContext).proposal.budget!;
    const firstYear = Math.min(...budget.map((b) => b.year));
    expect(page.body).toMatch(new RegExp(`id="RECORD_DECISION-grantedBudget-0-year"[\\s\\S]*?<option value="${firstYear}" selected>`));
    expect(page.body).toMatch(/id="RECORD_DECISION-grantedBudget-0-amountOre" name="grantedBudget.0.amountOre"[^>]* value="[\d  ]+"/);
  });
});
