import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseContext } from '../../machines/case/context.js';
import { CASE_EVENT_TYPES } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import type { Actor } from '../../src/people/service.js';
import { DEMO_IDEA, FULL_STORY, type StoryStep } from '../../src/demo/story.js';
import { FAR_FUTURE, auth, createTestApp, json, type TestApp } from '../helpers.js';

/*
 * One initiative, "Stödgrupper för unga vuxna", from the idea to the decision to scale it
 * up across Blekinge — told step by step over HTTP, each step sent by the person whose
 * job it is, and checked against what the API then says about the case.
 */

const SV_STEPS: Record<number, string> = {
  1: 'Idé väcks',
  2: 'Kontakt med länsamordnarna',
  3: 'Mall för idébeskrivning skickas in',
  4: 'Samordningsgruppen',
  5: 'Dialogforum',
  6: 'Dialog med målgrupper',
  7: 'Avstämningar med ledningsgrupper',
  8: 'Underlag för satsningen skrivs fram',
  9: 'Beslut',
  10: 'Genomförande med uppföljning',
  11: 'Seminarier – lärande och spridning',
  12: 'Implementering och uppskalning',
};
const SV_ROLES: Record<Role, string> = {
  initiator: 'Initiativtagare',
  'county-coordinator': 'Länsamordnare',
  'local-coordinator': 'Lokal samordnare',
  'coordination-group': 'Samordningsgrupp',
  'lsvo-secretary': 'LSVO:s sekreterare',
  'regional-director': 'Regiondirektör',
  'steering-group': 'Styrgruppsledamot',
  finance: 'Ekonom',
  administrator: 'Administratör',
};
const svStepText = (steps: number[]) => steps.map((s) => `steg ${s} av 12: ${SV_STEPS[s]}`).join('; ');

/** The story's payload for an event type (the n-th one when it occurs several times). */
function story(type: string, n = 0): StoryStep {
  const found = FULL_STORY.filter((s) => s.type === type)[n];
  if (!found) throw new Error(`no ${type} #${n} in FULL_STORY`);
  return found;
}

interface CaseBody {
  id: string;
  diaryNumber: string;
  version: number;
  status: string;
  outcome: string | null;
  outcomeLabel: string | null;
  steps: number[];
  stepCount: number;
  stepText: string;
  state: string[];
  priorityAreaId: string | null;
  initiatorId: string;
  createdAt: string;
  updatedAt: string;
  initiator: { id: string; displayName: string };
  data: CaseContext;
  allowedEvents: { type: string; role?: string; allowed: boolean }[];
  blockedEvents: { type: string; reasons: { code: string }[] }[];
}

interface HistoryEvent {
  version: number;
  type: string;
  label: string;
  actor: { id: string; displayName: string | null };
  role: string;
  roleLabel: string;
  at: string;
  payload: unknown;
  stateBefore: string[] | null;
  stateAfter: string[];
  stepsBefore: number[];
  stepsAfter: number[];
}

interface LogEntry {
  type: string;
  role: Role;
  actorId: string;
  displayName: string;
  at: string;
  payload: unknown;
  stateBefore: string[] | null;
  stateAfter: string[];
  stepsBefore: number[];
  stepsAfter: number[];
}

let t: TestApp;
let englishReader: { actor: Actor; token: string };
/** Ingrid's colleague at the municipality, who joins the case as a co-writer. */
let colleague: { actor: Actor; token: string };
let caseId: string;
let version = 0;
let currentState: string[] = [];
let currentSteps: number[] = [];
const log: LogEntry[] = [];

beforeAll(async () => {
  t = await createTestApp();
  const actor = await t.services.people.createUser({
    programmeId: 'uph-blekinge',
    email: 'english.reader@test.satsa.se',
    displayName: 'English reader',
    roles: ['lsvo-secretary'],
    language: 'en',
  });
  englishReader = { actor, token: t.services.people.createApiToken(actor.id, 'test', FAR_FUTURE).token };
  const kalle = await t.services.people.createUser({
    programmeId: 'uph-blekinge',
    email: 'kalle.kollega@test.satsa.se',
    displayName: 'Kalle Kollega',
    roles: ['initiator'],
  });
  colleague = { actor: kalle, token: t.services.people.createApiToken(kalle.id, 'test', FAR_FUTURE).token };
});
afterAll(async () => t.close());

const getCase = (token: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: { ...auth(token), ...headers } });

/**
 * One step of the story: at `at`, the person in `role` opens the case, sees the event
 * among what they may do, sends it with the ETag they saw, and the case moves on to
 * `steps` / `state`. Returns the response body for further checks.
 */
async function act(
  step: StoryStep,
  at: string,
  expected: { steps: number[]; state: string[]; status?: 'active' | 'done' },
  who: { actor: Actor; token: string } = { actor: t.actors[step.role], token: t.tokens[step.role] },
): Promise<CaseBody> {
  t.clock.set(at);
  const token = who.token;
  const before = await getCase(token);
  expect(before.statusCode).toBe(200);
  expect(before.headers.etag).toBe(`"${version}"`);
  expect(json<CaseBody>(before).allowedEvents).toContainEqual(expect.objectContaining({ type: step.type, role: step.role, allowed: true }));

  const res = await t.app.inject({
    method: 'POST',
    url: `/api/cases/${caseId}/events`,
    headers: { ...auth(token), 'if-match': before.headers.etag as string },
    payload: { type: step.type, payload: step.payload },
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers.etag).toBe(`"${version + 1}"`);
  const body = json<CaseBody>(res);
  expect(body).toMatchObject({
    id: caseId,
    version: version + 1,
    steps: expected.steps,
    stepCount: 12,
    stepText: svStepText(expected.steps),
    state: expected.state,
    status: expected.status ?? 'active',
    updatedAt: at,
    createdAt: '2026-01-15T09:00:00.000Z',
  });

  log.push({
    type: step.type,
    role: step.role,
    actorId: who.actor.id,
    displayName: who.actor.displayName,
    at,
    payload: step.payload,
    stateBefore: currentState,
    stateAfter: expected.state,
    stepsBefore: currentSteps,
    stepsAfter: expected.steps,
  });
  version += 1;
  currentState = expected.state;
  currentSteps = expected.steps;
  return body;
}

describe('Stödgrupper för unga vuxna: from idea to scale-up', () => {
  it('Ingrid, an initiator in Karlshamn, raises the idea of support groups for young adults', async () => {
    t.clock.set('2026-01-15T09:00:00.000Z');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: auth(t.tokens.initiator),
      payload: { title: DEMO_IDEA.title, summary: DEMO_IDEA.summary },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = json<CaseBody>(res);
    caseId = body.id;
    expect(caseId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.headers.location).toBe(`/api/cases/${caseId}`);
    // Raising the idea sends it to the county coordinators (machine version 4): two events.
    expect(res.headers.etag).toBe('"2"');
    expect(body).toMatchObject({
      diaryNumber: 'UPH-2026-0001',
      programmeId: 'uph-blekinge',
      title: DEMO_IDEA.title,
      version: 2,
      status: 'active',
      outcome: null,
      outcomeLabel: null,
      steps: [2],
      stepCount: 12,
      stepText: 'steg 2 av 12: Kontakt med länsamordnarna',
      state: ['open.coordinatorContact'],
      priorityAreaId: null,
      initiatorId: t.actors.initiator.id,
      initiator: { id: t.actors.initiator.id, displayName: 'Test initiator' },
      createdAt: '2026-01-15T09:00:00.000Z',
      updatedAt: '2026-01-15T09:00:00.000Z',
    });
    expect(body.data.idea).toEqual({
      title: DEMO_IDEA.title,
      summary: DEMO_IDEA.summary,
      initiatorId: t.actors.initiator.id,
      createdAt: '2026-01-15T09:00:00.000Z',
    });
    expect(body.allowedEvents.map((e) => e.type)).toEqual(['ADD_PARTICIPANT', 'WITHDRAW']);
    // The contact is her own event, at the moment she raised the idea, with its summary as the message.
    expect(body.data.contact).toEqual({
      message: DEMO_IDEA.summary,
      by: t.actors.initiator.id,
      role: 'initiator',
      at: '2026-01-15T09:00:00.000Z',
    });
    log.push({
      type: 'CONTACT_COORDINATORS',
      role: 'initiator',
      actorId: t.actors.initiator.id,
      displayName: t.actors.initiator.displayName,
      at: '2026-01-15T09:00:00.000Z',
      payload: { message: DEMO_IDEA.summary },
      stateBefore: ['open.idea'],
      stateAfter: ['open.coordinatorContact'],
      stepsBefore: [1],
      stepsAfter: [2],
    });
    version = 2;
    currentState = ['open.coordinatorContact'];
    currentSteps = [2];
  });

  it('the county coordinators can see the idea and answer it at once', async () => {
    const body = json<CaseBody>(await getCase(t.tokens['county-coordinator']));
    expect(body.allowedEvents.map((e) => [e.type, e.role])).toEqual([
      ['ADD_PARTICIPANT', 'county-coordinator'],
      ['ASSESS_ELIGIBLE', 'county-coordinator'],
      ['ASSESS_NOT_ELIGIBLE', 'county-coordinator'],
    ]);
  });

  it('the county coordinators find the idea in line with the agreement (children and young people)', async () => {
    const body = await act(story('ASSESS_ELIGIBLE'), '2026-01-22T13:00:00.000Z', {
      steps: [3],
      state: ['open.ideaTemplate'],
    });
    expect(body.priorityAreaId).toBe('barn-och-unga');
    expect(body.data.eligibility).toMatchObject({
      eligible: true,
      priorityAreaId: 'barn-och-unga',
      by: t.actors['county-coordinator'].id,
      role: 'county-coordinator',
    });
  });

  it('the initiator fills in and submits the idea template', async () => {
    const body = await act(story('SUBMIT_IDEA_TEMPLATE'), '2026-01-29T10:15:00.000Z', {
      steps: [4],
      state: ['open.preparation.coordinationGroup'],
    });
    expect(body.data.ideaTemplate?.answers).toEqual((story('SUBMIT_IDEA_TEMPLATE').payload as { answers: unknown }).answers);
  });

  it("a county coordinator puts the idea on the coordination group's agenda for 12 February", async () => {
    const body = await act(story('PLACE_ON_AGENDA'), '2026-02-02T09:00:00.000Z', {
      steps: [4],
      state: ['open.preparation.coordinationGroup'],
    });
    expect(body.data.coordinationGroup.agenda?.meetingDate).toBe('2026-02-12');
  });

  it('the coordination group hears the idea and asks for Arbetsförmedlingen and RSMH to be involved', async () => {
    const body = await act(story('RECORD_COORDINATION_GROUP_REVIEW'), '2026-02-12T15:00:00.000Z', {
      steps: [5],
      state: ['open.preparation.dialogueForum'],
    });
    expect(body.data.coordinationGroup.review?.actorsToInvolve).toEqual([
      { name: 'Arbetsförmedlingen', kind: 'business' },
      { name: 'RSMH Blekinge', kind: 'user-organisation' },
    ]);
  });

  it('a county coordinator books a dialogue forum at the Kvalitetscafé in Karlshamn', async () => {
    await act(story('BOOK_DIALOGUE_FORUM'), '2026-02-16T11:00:00.000Z', {
      steps: [5],
      state: ['open.preparation.dialogueForum'],
    });
  });

  it('the dialogue forum is held, with every required role present or excused', async () => {
    const body = await act(story('RECORD_DIALOGUE_FORUM'), '2026-03-10T16:00:00.000Z', {
      steps: [6],
      state: ['open.preparation.targetGroupDialogue'],
    });
    expect(body.data.dialogueForum.record?.attendance).toHaveLength(6);
  });

  it('the county coordinators hold a dialogue with young adults in daily activities', async () => {
    const body = await act(story('RECORD_TARGET_GROUP_DIALOGUE'), '2026-03-24T14:00:00.000Z', {
      steps: [7],
      state: ['open.preparation.checkIns'],
    });
    expect(body.data.targetGroupDialogue).toMatchObject({ skipped: false, targetGroups: ['Unga vuxna i daglig verksamhet'] });
  });

  it("the local coordinator checks in with Karlshamn's social services management group", async () => {
    const body = await act(story('RECORD_CHECK_IN'), '2026-04-02T10:00:00.000Z', {
      steps: [7],
      state: ['open.preparation.checkIns'],
    });
    expect(body.data.checkIns).toEqual([
      {
        date: '2026-04-02',
        group: 'Ledningsgrupp socialtjänst Karlshamn',
        notes: 'Ledningsgruppen ställer sig bakom att underlaget skrivs fram.',
        step: 7,
        by: t.actors['local-coordinator'].id,
        role: 'local-coordinator',
        at: '2026-04-02T10:00:00.000Z',
      },
    ]);
  });

  it('a county coordinator starts the full proposal', async () => {
    const body = await act(story('START_PROPOSAL'), '2026-04-06T08:00:00.000Z', {
      steps: [8],
      state: ['open.preparation.proposal'],
    });
    // Nothing written yet: submitting to LSVO is blocked by every proposal requirement.
    const submit = json<CaseBody>(await getCase(t.tokens['county-coordinator'])).blockedEvents.find((e) => e.type === 'SUBMIT_TO_LSVO');
    expect(submit?.reasons).toHaveLength(18);
    expect(body.data.proposal).toEqual({});
  });

  it('Ingrid brings in her colleague Kalle at the municipality as a co-writer', async () => {
    expect((await getCase(colleague.token)).statusCode).toBe(404);
    const add: StoryStep = { type: 'ADD_PARTICIPANT', role: 'initiator', payload: { userId: colleague.actor.id } };
    const body = await act(add, '2026-04-07T08:00:00.000Z', { steps: [8], state: ['open.preparation.proposal'] });
    expect(body.data.participants).toEqual([
      { userId: colleague.actor.id, by: t.actors.initiator.id, role: 'initiator', at: '2026-04-07T08:00:00.000Z' },
    ]);
    expect((await getCase(colleague.token)).statusCode).toBe(200);
  });

  it('Kalle writes the proposal: partners, activities with evidence, an indicator and a budget', async () => {
    const body = await act(
      story('UPDATE_PROPOSAL'),
      '2026-04-20T12:00:00.000Z',
      { steps: [8], state: ['open.preparation.proposal'] },
      colleague,
    );
    expect(body.data.proposal).toEqual(story('UPDATE_PROPOSAL').payload);
  });

  it('the county coordinators assess all eight criteria as fulfilled', async () => {
    for (let n = 0; n < 8; n++) {
      const criterion = story('ASSESS_CRITERION', n);
      const minute = String(n).padStart(2, '0');
      await act(criterion, `2026-04-27T09:${minute}:00.000Z`, {
        steps: [8],
        state: ['open.preparation.proposal'],
      });
    }
    const body = json<CaseBody>(await getCase(t.tokens['county-coordinator']));
    expect(Object.keys(body.data.criteria).sort()).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
    expect(body.allowedEvents.map((e) => e.type)).toContain('SUBMIT_TO_LSVO');
  });

  it('a county coordinator sends the proposal to LSVO', async () => {
    await act(story('SUBMIT_TO_LSVO'), '2026-05-04T09:00:00.000Z', {
      steps: [9],
      state: ['open.preparation.decision.awaitingRecommendation'],
    });
  });

  it('the case now reads "steg 9 av 12: Beslut" for everyone working in Swedish', async () => {
    const body = json<CaseBody>(await getCase(t.tokens['lsvo-secretary']));
    expect(body.stepText).toBe('steg 9 av 12: Beslut');
  });

  it('a reader whose language is English sees "step 9 of 12: Decision"', async () => {
    const res = await getCase(englishReader.token);
    expect(res.statusCode).toBe(200);
    const body = json<CaseBody>(res);
    expect(body.stepText).toBe('step 9 of 12: Decision');
    expect(body.allowedEvents).toEqual([expect.objectContaining({ type: 'RECORD_RECOMMENDATION', label: "Record LSVO's recommendation" })]);
  });

  it('an anonymous request with Accept-Language: en is answered in English', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: { 'accept-language': 'en' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'unauthenticated', title: 'You need to log in' });
  });

  // A logged-in user's chosen language wins over the browser's Accept-Language (a user
  // chooses it in their profile); only anonymous callers follow the header.
  it('a Swedish-profile user sending Accept-Language: en still gets Swedish, their chosen language', async () => {
    const res = await getCase(t.tokens['lsvo-secretary'], { 'accept-language': 'en' });
    expect(res.statusCode).toBe(200);
    expect(json<CaseBody>(res).stepText).toBe('steg 9 av 12: Beslut');
  });

  it('LSVO recommends that the initiative is carried out', async () => {
    const body = await act(story('RECORD_RECOMMENDATION'), '2026-05-20T14:00:00.000Z', {
      steps: [9],
      state: ['open.preparation.decision.awaitingDecision'],
    });
    expect(body.data.recommendation).toMatchObject({
      recommendation: 'approve',
      protocol: { meetingDate: '2026-05-20', paragraph: '§ 42', diaryNumber: 'LSVO 2026/118' },
      by: t.actors['lsvo-secretary'].id,
      role: 'lsvo-secretary',
    });
  });

  it('the regional director approves it and grants 1.35 million kronor over two years', async () => {
    const body = await act(story('RECORD_DECISION'), '2026-06-01T10:00:00.000Z', {
      steps: [10, 11, 12],
      state: ['running.execution.ongoing', 'running.seminars.active', 'running.scaleUp.planning'],
    });
    expect(body.stepText).toBe(
      'steg 10 av 12: Genomförande med uppföljning; steg 11 av 12: Seminarier – lärande och spridning; ' +
        'steg 12 av 12: Implementering och uppskalning',
    );
    expect(body.data.decision?.grantedBudget).toEqual([
      { year: 2026, amountOre: 65_000_000 },
      { year: 2027, amountOre: 70_000_000 },
    ]);
    // Past the decision, the initiator can no longer withdraw; she reports on the follow-up dates.
    const initiatorView = json<CaseBody>(await getCase(t.tokens.initiator));
    expect(initiatorView.allowedEvents.map((e) => e.type)).toEqual(['ADD_PARTICIPANT', 'SUBMIT_FOLLOW_UP_REPORT', 'UPDATE_SCALE_UP_PLAN']);
  });

  it('Ingrid submits the follow-up report for 1 December: three groups, 22 participants, 18 % in work or studies', async () => {
    const body = await act(story('SUBMIT_FOLLOW_UP_REPORT'), '2026-11-27T10:00:00.000Z', {
      steps: [10, 11, 12],
      state: ['running.execution.ongoing', 'running.seminars.active', 'running.scaleUp.planning'],
    });
    expect(body.data.followUpReports).toMatchObject([{ followUpDate: '2026-12-01', spentToDateOre: 30_000_000 }]);
  });

  it('the steering group reviews the report in December and lets the initiative continue', async () => {
    const body = await act(story('RECORD_FOLLOW_UP'), '2026-12-01T13:00:00.000Z', {
      steps: [10, 11, 12],
      state: ['running.execution.ongoing', 'running.seminars.active', 'running.scaleUp.planning'],
    });
    expect(body.data.followUps).toHaveLength(1);
    expect(body.data.followUps[0]).toMatchObject({ conclusion: 'continue', spentToDateOre: 30_000_000 });
  });

  it('a county coordinator holds a learning seminar on peer support in practice', async () => {
    await act(story('RECORD_SEMINAR'), '2027-03-15T12:00:00.000Z', {
      steps: [10, 11, 12],
      state: ['running.execution.ongoing', 'running.seminars.active', 'running.scaleUp.planning'],
    });
  });

  it('a county coordinator writes the plan to bring the method to all five municipalities', async () => {
    await act(story('UPDATE_SCALE_UP_PLAN'), '2027-09-01T09:00:00.000Z', {
      steps: [10, 11, 12],
      state: ['running.execution.ongoing', 'running.seminars.active', 'running.scaleUp.planning'],
    });
  });

  it('the steering group ends the initiative at the close of 2027, its goals reached', async () => {
    await act(story('END_INITIATIVE'), '2027-12-31T15:00:00.000Z', {
      steps: [11, 12],
      state: ['running.execution.finished', 'running.seminars.active', 'running.scaleUp.planning'],
    });
  });

  it('LSVO recommends scaling it up across the county', async () => {
    await act(story('RECORD_SCALE_UP_RECOMMENDATION'), '2028-01-25T14:00:00.000Z', {
      steps: [11, 12],
      state: ['running.execution.finished', 'running.seminars.active', 'running.scaleUp.awaitingDecision'],
    });
  });

  it('the regional director decides to scale it up in all of Blekinge, and the case is done', async () => {
    const body = await act(story('RECORD_SCALE_UP_DECISION'), '2028-02-05T10:00:00.000Z', {
      steps: [12],
      state: ['scaledUp'],
      status: 'done',
    });
    expect(body).toMatchObject({
      outcome: 'scaled-up',
      outcomeLabel: 'Skalas upp',
      stepText: 'steg 12 av 12: Implementering och uppskalning',
    });
    expect(body.data.outcome).toEqual({
      kind: 'scaled-up',
      reason: 'Arbetssättet skalas upp i hela Blekinge.',
      step: 12,
      by: t.actors['regional-director'].id,
      role: 'regional-director',
      at: '2028-02-05T10:00:00.000Z',
    });
    expect(body.allowedEvents).toEqual([]);
    expect(body.blockedEvents).toHaveLength(CASE_EVENT_TYPES.length);
    for (const e of body.blockedEvents) expect(e.reasons.map((r) => r.code)).toContain('wrong-step');
  });

  it('the history tells the whole story: every event with who, as which role, when, and the state before and after', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/history`, headers: auth(t.tokens.initiator) });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"31"');
    const history = json<{ caseId: string; diaryNumber: string; version: number; events: HistoryEvent[] }>(res);
    expect(history).toMatchObject({ caseId, diaryNumber: 'UPH-2026-0001', version: 31 });
    expect(history.events).toHaveLength(31);
    expect(log).toHaveLength(30);

    const created = history.events[0];
    expect(created).toMatchObject({
      version: 1,
      type: 'CASE_CREATED',
      label: 'Idé väcks',
      actor: { id: t.actors.initiator.id, displayName: 'Test initiator' },
      role: 'initiator',
      roleLabel: 'Initiativtagare',
      at: '2026-01-15T09:00:00.000Z',
      stateBefore: null,
      stateAfter: ['open.idea'],
      stepsBefore: [],
      stepsAfter: [1],
    });
    expect(created!.payload).toMatchObject({
      caseId,
      idea: { title: DEMO_IDEA.title, summary: DEMO_IDEA.summary, initiatorId: t.actors.initiator.id },
      at: '2026-01-15T09:00:00.000Z',
    });

    log.forEach((entry, i) => {
      const event = history.events[i + 1];
      expect(event, `event ${i + 2}: ${entry.type}`).toEqual({
        version: i + 2,
        type: entry.type,
        label: expect.any(String),
        actor: { id: entry.actorId, displayName: entry.displayName },
        role: entry.role,
        roleLabel: SV_ROLES[entry.role],
        at: entry.at,
        payload: entry.payload,
        stateBefore: entry.stateBefore,
        stateAfter: entry.stateAfter,
        stepsBefore: entry.stepsBefore,
        stepsAfter: entry.stepsAfter,
      });
    });
    expect(history.events.map((e) => e.label).slice(1, 4)).toEqual([
      'Kontakta länsamordnarna',
      'Bedöm: i linje med överenskommelsen',
      'Skicka in idébeskrivningen',
    ]);
    // The log is in time order.
    const times = history.events.map((e) => e.at as string);
    expect([...times].sort()).toEqual(times);
  });

  it.each([
    ['the initiator', 'initiator'],
    ['the county coordinator', 'county-coordinator'],
    ['the LSVO secretary', 'lsvo-secretary'],
    ['the regional director', 'regional-director'],
    ['the steering group', 'steering-group'],
  ] as const)('%s can still open the finished case, its history and find it in the list', async (_who, role) => {
    const token = t.tokens[role];
    const one = await getCase(token);
    expect(one.statusCode).toBe(200);
    expect(json<CaseBody>(one)).toMatchObject({ id: caseId, status: 'done', outcome: 'scaled-up', version: 31 });

    const history = await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/history`, headers: auth(token) });
    expect(history.statusCode).toBe(200);
    expect(json<{ events: unknown[] }>(history).events).toHaveLength(31);

    const list = json<{ items: { id: string; status: string }[]; nextCursor: string | null }>(
      await t.app.inject({ method: 'GET', url: '/api/cases?status=done', headers: auth(token) }),
    );
    expect(list.items.map((c) => [c.id, c.status])).toEqual([[caseId, 'done']]);
    expect(list.nextCursor).toBeNull();
  });

  it('Kalle, the co-writer, still sees the case and finds it in his own list', async () => {
    expect((await getCase(colleague.token)).statusCode).toBe(200);
    const list = json<{ items: { id: string }[] }>(
      await t.app.inject({ method: 'GET', url: '/api/cases', headers: auth(colleague.token) }),
    );
    expect(list.items.map((c) => c.id)).toEqual([caseId]);
  });

  it('another initiator in the programme and a coordinator of another programme cannot see it', async () => {
    expect((await getCase(t.otherInitiator.token)).statusCode).toBe(404);
    expect((await getCase(t.foreignCoordinator.token)).statusCode).toBe(404);
  });
});
