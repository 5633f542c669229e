import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_ROLES } from '../../machines/case/catalogue.js';
import { CASE_EVENT_TYPES } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import { DEMO_IDEA, FULL_STORY, storyUntilStep, type StoryStep } from '../../src/demo/story.js';
import type { Actor } from '../../src/people/service.js';
import { FAR_FUTURE, createCaseOnVersion, advance, auth, createCase, createTestApp, json, tableCounts, type TestApp } from '../helpers.js';
import { EMPTY_PROPOSAL_UNMET } from '../expected.js';

/*
 * Who sees what, log-in sessions, what a caller may do on a case and why not, and the
 * self-description of the API.
 */

interface Summary {
  id: string;
  diaryNumber: string;
  title: string;
  status: string;
  steps: number[];
  state: string[];
  priorityAreaId: string | null;
  createdAt: string;
}
interface Page {
  items: Summary[];
  nextCursor: string | null;
}
interface Availability {
  type: string;
  label: string;
  allowed: boolean;
  role?: string;
  reasons: { code: string; message: string; requirement?: string; subject?: string; roles?: string[] }[];
}
interface CaseView extends Summary {
  allowedEvents: Availability[];
  blockedEvents: Availability[];
}

interface JsonSchema {
  type?: string;
  additionalProperties?: boolean;
  required?: string[];
  properties?: Record<string, { enum?: string[] }>;
}

/** A case made for this file, with what we know it must look like. */
interface Made {
  id: string;
  title: string;
  createdAt: string;
  steps: number[];
  state: string[];
  status: 'active' | 'done';
  priorityAreaId: string | null;
  owner: 'initiator' | 'third';
}

const PROGRAMME_ROLES: Role[] = [
  'county-coordinator',
  'local-coordinator',
  'coordination-group',
  'lsvo-secretary',
  'regional-director',
  'steering-group',
  'administrator',
];

const withPriorityArea = (steps: StoryStep[], priorityAreaId: string): StoryStep[] =>
  steps.map((s) => (s.type === 'ASSESS_ELIGIBLE' ? ({ ...s, payload: { ...s.payload, priorityAreaId } } as StoryStep) : s));
const WITHDRAW = { type: 'WITHDRAW', role: 'initiator', payload: { reason: 'Vi har inte tid i år.' } } as StoryStep;
const NOT_ELIGIBLE = {
  type: 'ASSESS_NOT_ELIGIBLE',
  role: 'county-coordinator',
  payload: { reason: 'Utanför överenskommelsen.' },
} as StoryStep;
const RUNNING = ['running.execution.ongoing', 'running.seminars.active', 'running.scaleUp.planning'];

/** [title, steps to play, steps it then stands at, state, status, priority area] */
const SPECS: [string, StoryStep[], number[], string[], 'active' | 'done', string | null][] = [
  ['Samtalsstöd för äldre i Ronneby', [], [1], ['open.idea'], 'active', null],
  ['Kvalitetscafé om samsjuklighet', [], [1], ['open.idea'], 'active', null],
  ['Fritidsbank för unga i Olofström', [], [1], ['open.idea'], 'active', null],
  ['Idé steg ett nummer fyra', [], [1], ['open.idea'], 'active', null],
  ['Idé steg ett nummer fem', [], [1], ['open.idea'], 'active', null],
  ['Kontakt ett', storyUntilStep(2), [2], ['open.coordinatorContact'], 'active', null],
  ['Kontakt två', storyUntilStep(2), [2], ['open.coordinatorContact'], 'active', null],
  ['Kontakt tre', storyUntilStep(2), [2], ['open.coordinatorContact'], 'active', null],
  [
    'Suicidpreventiv utbildning för skolpersonal',
    withPriorityArea(storyUntilStep(3), 'suicidprevention'),
    [3],
    ['open.ideaTemplate'],
    'active',
    'suicidprevention',
  ],
  ['Mall två', storyUntilStep(3), [3], ['open.ideaTemplate'], 'active', 'barn-och-unga'],
  ['Mall tre', storyUntilStep(3), [3], ['open.ideaTemplate'], 'active', 'barn-och-unga'],
  ['Samordning ett', storyUntilStep(4), [4], ['open.preparation.coordinationGroup'], 'active', 'barn-och-unga'],
  [
    'Samordning två',
    withPriorityArea(storyUntilStep(4), 'samsjuklighet'),
    [4],
    ['open.preparation.coordinationGroup'],
    'active',
    'samsjuklighet',
  ],
  ['Dialogforum ett', storyUntilStep(5), [5], ['open.preparation.dialogueForum'], 'active', 'barn-och-unga'],
  ['Dialogforum två', storyUntilStep(5), [5], ['open.preparation.dialogueForum'], 'active', 'barn-och-unga'],
  ['Målgrupp ett', storyUntilStep(6), [6], ['open.preparation.targetGroupDialogue'], 'active', 'barn-och-unga'],
  ['Målgrupp två', storyUntilStep(6), [6], ['open.preparation.targetGroupDialogue'], 'active', 'barn-och-unga'],
  ['Avstämning ett', storyUntilStep(7), [7], ['open.preparation.checkIns'], 'active', 'barn-och-unga'],
  ['Avstämning två', storyUntilStep(7), [7], ['open.preparation.checkIns'], 'active', 'barn-och-unga'],
  ['Brukarstyrd mottagning i Karlskrona', storyUntilStep(8), [8], ['open.preparation.proposal'], 'active', 'barn-och-unga'],
  [
    'Underlag två',
    withPriorityArea(storyUntilStep(8), 'suicidprevention'),
    [8],
    ['open.preparation.proposal'],
    'active',
    'suicidprevention',
  ],
  ['Underlag tre', storyUntilStep(8), [8], ['open.preparation.proposal'], 'active', 'barn-och-unga'],
  [
    'Föräldrastöd för små barns psykiska hälsa',
    storyUntilStep(9),
    [9],
    ['open.preparation.decision.awaitingRecommendation'],
    'active',
    'barn-och-unga',
  ],
  ['Beslut två', storyUntilStep(9), [9], ['open.preparation.decision.awaitingRecommendation'], 'active', 'barn-och-unga'],
  ['Genomförande ett', storyUntilStep(10), [10, 11, 12], RUNNING, 'active', 'barn-och-unga'],
  ['Genomförande två', storyUntilStep(10), [10, 11, 12], RUNNING, 'active', 'barn-och-unga'],
  ['Peer support på akutpsykiatrin', FULL_STORY, [12], ['scaledUp'], 'done', 'barn-och-unga'],
  ['Uppskalat två', FULL_STORY, [12], ['scaledUp'], 'done', 'barn-och-unga'],
  ['Tillbakadraget vid dialogforum', [...storyUntilStep(5), WITHDRAW], [5], ['withdrawn'], 'done', 'barn-och-unga'],
  ['Inte i linje', [...storyUntilStep(2), NOT_ELIGIBLE], [2], ['notEligible'], 'done', null],
];

let t: TestApp;
let third: { actor: Actor; token: string };
let dual: { actor: Actor; token: string };
const made: Made[] = [];
let thirdsCase: Made;

const get = (url: string, token: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers: { ...auth(token), ...headers } });
const list = async (query: string, token: string) => {
  const res = await get(`/api/cases${query ? `?${query}` : ''}`, token);
  expect(res.statusCode, res.body).toBe(200);
  return json<Page>(res);
};
const view = async (id: string, token: string) => {
  const res = await get(`/api/cases/${id}`, token);
  expect(res.statusCode, res.body).toBe(200);
  return json<CaseView>(res);
};

/** Newest first, ties broken by id descending — the list's documented order. */
const ordered = (cases: Made[]) =>
  [...cases].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1)).map((c) => c.id);
const idsOf = (page: Page) => page.items.map((c) => c.id);
const all = () => [...made, thirdsCase];

beforeAll(async () => {
  t = await createTestApp();
  const thirdActor = await t.services.people.createUser({
    programmeId: 'uph-blekinge',
    email: 'tredje.initiativtagare@test.satsa.se',
    displayName: 'Tredje initiativtagaren',
    roles: ['initiator'],
  });
  third = { actor: thirdActor, token: t.services.people.createApiToken(thirdActor.id, 'test', FAR_FUTURE).token };
  const dualActor = await t.services.people.createUser({
    programmeId: 'uph-blekinge',
    email: 'dual@test.satsa.se',
    displayName: 'Initiativtagare och länsamordnare',
    roles: ['initiator', 'county-coordinator'],
  });
  dual = { actor: dualActor, token: t.services.people.createApiToken(dualActor.id, 'test', FAR_FUTURE).token };

  // Two cases per minute, so pages must break ties on createdAt by id.
  for (const [i, [title, steps, standsAt, state, status, priorityAreaId]] of SPECS.entries()) {
    if (i % 2 === 0) t.clock.advance(60_000);
    const createdAt = t.clock.now().toISOString();
    // A case standing at step 1 is one raised before machine version 4 (which sends the idea at once).
    const id = standsAt[0] === 1 ? createCaseOnVersion(t, 2, title) : await createCase(t, title);
    advance(t, id, steps);
    made.push({ id, title, createdAt, steps: standsAt, state, status, priorityAreaId, owner: 'initiator' });
  }
  t.clock.advance(60_000);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/cases',
    headers: auth(third.token),
    payload: { title: 'Tredje personens idé om ensamhet', summary: DEMO_IDEA.summary },
  });
  expect(res.statusCode).toBe(201);
  thirdsCase = {
    id: json<{ id: string }>(res).id,
    title: 'Tredje personens idé om ensamhet',
    createdAt: t.clock.now().toISOString(),
    steps: [2],
    state: ['open.coordinatorContact'],
    status: 'active',
    priorityAreaId: null,
    owner: 'third',
  };
});
afterAll(async () => t.close());

describe('who sees which cases', () => {
  it('the initiator sees exactly her own cases, newest first, and not another initiator’s', async () => {
    const page = await list('limit=100', t.tokens.initiator);
    expect(page.items).toHaveLength(SPECS.length);
    expect(idsOf(page)).toEqual(ordered(made));
    expect(idsOf(page)).not.toContain(thirdsCase.id);
    expect(page.nextCursor).toBeNull();
    expect((await get(`/api/cases/${thirdsCase.id}`, t.tokens.initiator)).statusCode).toBe(404);
  });

  it('the list shows where each case stands', async () => {
    const page = await list('limit=100', t.tokens.initiator);
    const byId = new Map(page.items.map((c) => [c.id, c]));
    for (const m of made) {
      expect(byId.get(m.id), m.title).toMatchObject({
        title: m.title,
        steps: m.steps,
        state: m.state,
        status: m.status,
        priorityAreaId: m.priorityAreaId,
        createdAt: m.createdAt,
      });
    }
  });

  it('the third initiator sees only their own case', async () => {
    const page = await list('', third.token);
    expect(idsOf(page)).toEqual([thirdsCase.id]);
    expect((await get(`/api/cases/${made[0]!.id}`, third.token)).statusCode).toBe(404);
  });

  it('an initiator who owns nothing gets 404 on a case and an empty list', async () => {
    const res = await get(`/api/cases/${made[0]!.id}`, t.otherInitiator.token);
    expect(res.statusCode).toBe(404);
    expect(json(res)).toMatchObject({ code: 'not-found' });
    expect((await get(`/api/cases/${made[0]!.id}/history`, t.otherInitiator.token)).statusCode).toBe(404);
    expect(await list('', t.otherInitiator.token)).toEqual({ items: [], nextCursor: null });
    expect(await list('step=1', t.otherInitiator.token)).toEqual({ items: [], nextCursor: null });
  });

  it.each(PROGRAMME_ROLES)('%s sees every case of the programme, whoever raised it', async (role) => {
    const page = await list('limit=100', t.tokens[role]);
    expect(idsOf(page)).toEqual(ordered(all()));
    expect((await get(`/api/cases/${thirdsCase.id}`, t.tokens[role])).statusCode).toBe(200);
    expect((await get(`/api/cases/${made[5]!.id}/history`, t.tokens[role])).statusCode).toBe(200);
  });

  it('a coordinator of another programme sees none of them, not even when asking for the programme', async () => {
    const token = t.foreignCoordinator.token;
    expect(await list('', token)).toEqual({ items: [], nextCursor: null });
    expect(await list('programme=uph-blekinge', token)).toEqual({ items: [], nextCursor: null });
    expect(await list('programme=uph-blekinge&limit=100&status=active', token)).toEqual({ items: [], nextCursor: null });
    for (const m of [made[0]!, made[20]!, thirdsCase]) {
      expect((await get(`/api/cases/${m.id}`, token)).statusCode).toBe(404);
      expect((await get(`/api/cases/${m.id}/history`, token)).statusCode).toBe(404);
    }
  });

  it("and the other programme's own case stays on its side", async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: auth(t.foreignCoordinator.token),
      payload: { title: 'En annan regions idé', summary: 'Något annat' },
    });
    expect(res.statusCode).toBe(201);
    const foreign = json<{ id: string; diaryNumber: string; programmeId: string }>(res);
    expect(foreign).toMatchObject({ programmeId: 'uph-other', diaryNumber: expect.stringMatching(/^OTH-2026-\d{4}$/) });
    expect(idsOf(await list('', t.foreignCoordinator.token))).toEqual([foreign.id]);
    expect((await get(`/api/cases/${foreign.id}`, t.tokens['county-coordinator'])).statusCode).toBe(404);
    expect(idsOf(await list('limit=100', t.tokens['county-coordinator']))).not.toContain(foreign.id);
    expect(await list('programme=uph-other', t.tokens['county-coordinator'])).toEqual({ items: [], nextCursor: null });
  });
});

describe('list filters', () => {
  const coordinator = () => t.tokens['county-coordinator'];
  const expectFilter = async (query: string, pick: (m: Made) => boolean) => {
    const expected = ordered(all().filter(pick));
    expect(expected.length, `the fixture has cases for ${query}`).toBeGreaterThan(0);
    expect(idsOf(await list(`${query}&limit=100`, coordinator())), query).toEqual(expected);
  };

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])('step=%i gives exactly the cases standing at that step', async (step) => {
    await expectFilter(`step=${step}`, (m) => m.steps.includes(step));
  });

  it('state gives the cases in that state or below it', async () => {
    await expectFilter('state=open.preparation.proposal', (m) => m.state.includes('open.preparation.proposal'));
    await expectFilter('state=open.preparation', (m) => m.state.some((s) => s.startsWith('open.preparation.')));
    await expectFilter('state=open.preparation.decision', (m) => m.steps[0] === 9 && m.status === 'active');
    await expectFilter('state=running.execution.ongoing', (m) => m.state.includes('running.execution.ongoing'));
    await expectFilter('state=running', (m) => m.state === RUNNING);
    await expectFilter('state=withdrawn', (m) => m.state[0] === 'withdrawn');
    await expectFilter('state=notEligible', (m) => m.state[0] === 'notEligible');
    await expectFilter('state=scaledUp', (m) => m.state[0] === 'scaledUp');
  });

  it('state=open.idea gives only the cases at step 1, not those in open.ideaTemplate', async () => {
    await expectFilter('state=open.idea', (m) => m.state.includes('open.idea'));
  });

  it('priorityArea gives the cases assessed in that area', async () => {
    await expectFilter('priorityArea=suicidprevention', (m) => m.priorityAreaId === 'suicidprevention');
    await expectFilter('priorityArea=samsjuklighet', (m) => m.priorityAreaId === 'samsjuklighet');
    await expectFilter('priorityArea=barn-och-unga', (m) => m.priorityAreaId === 'barn-och-unga');
    expect(await list('priorityArea=brukarinflytande', coordinator())).toEqual({ items: [], nextCursor: null });
  });

  it('status gives the active or the finished cases', async () => {
    await expectFilter('status=done', (m) => m.status === 'done');
    await expectFilter('status=active', (m) => m.status === 'active');
    expect((await list('status=done&limit=100', coordinator())).items).toHaveLength(4);
  });

  it('q searches titles, case-insensitively, and diary numbers', async () => {
    await expectFilter('q=kvalitetscaf%C3%A9', (m) => m.title === 'Kvalitetscafé om samsjuklighet');
    await expectFilter('q=KVALITETSCAF%C3%89', (m) => m.title === 'Kvalitetscafé om samsjuklighet');
    await expectFilter('q=ett', (m) => m.title.toLowerCase().includes('ett'));
    await expectFilter('q=m%C3%A5lgrupp', (m) => m.title.startsWith('Målgrupp'));
    // Every idea shares the demo summary, so a word from it finds them all.
    await expectFilter('q=peer%20support', () => true);
    const fifth = made[4]!;
    const { diaryNumber } = await view(fifth.id, coordinator());
    expect(diaryNumber).toBe('UPH-2026-0005');
    await expectFilter(`q=${diaryNumber}`, (m) => m.id === fifth.id);
    await expectFilter(`q=${diaryNumber.toLowerCase()}`, (m) => m.id === fifth.id);
    expect(await list('q=finns-inte-n%C3%A5gonstans', coordinator())).toEqual({ items: [], nextCursor: null });
  });

  it('filters combine', async () => {
    await expectFilter('step=8&priorityArea=suicidprevention', (m) => m.steps.includes(8) && m.priorityAreaId === 'suicidprevention');
    await expectFilter('status=done&step=12', (m) => m.status === 'done' && m.steps.includes(12));
    await expectFilter('status=active&q=steg%20ett', (m) => m.status === 'active' && m.title.includes('steg ett'));
    await expectFilter('programme=uph-blekinge&step=3', (m) => m.steps.includes(3));
  });

  it('an initiator’s filters only ever cover her own cases', async () => {
    expect(idsOf(await list('step=1&limit=100', t.tokens.initiator))).toEqual(ordered(made.filter((m) => m.steps.includes(1))));
    expect(idsOf(await list('q=tredje', t.tokens.initiator))).toEqual([]);
    expect(idsOf(await list('q=tredje', t.tokens['county-coordinator']))).toEqual([thirdsCase.id]);
  });
});

describe('cursor pagination', () => {
  async function pages(query: string, token: string, limit: number) {
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const page = await list(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, token);
      sizes.push(page.items.length);
      seen.push(...idsOf(page));
      cursor = page.nextCursor;
      if (!cursor) break;
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(cursor).toBeNull();
    return { seen, sizes };
  }

  it.each([1, 3, 7, 10, 31, 100])('limit=%i returns every case exactly once, in order', async (limit) => {
    const expected = ordered(all());
    const { seen, sizes } = await pages('', t.tokens['county-coordinator'], limit);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    expect(sizes).toHaveLength(Math.max(1, Math.ceil(expected.length / limit)));
    for (const size of sizes.slice(0, -1)) expect(size).toBe(limit);
  });

  it('pages of a filtered list hold exactly the filtered cases', async () => {
    const { seen } = await pages('status=active', t.tokens['regional-director'], 4);
    expect(seen).toEqual(ordered(all().filter((m) => m.status === 'active')));
  });

  it("pages of an initiator's list hold exactly her cases", async () => {
    const { seen } = await pages('', t.tokens.initiator, 6);
    expect(seen).toEqual(ordered(made));
  });

  it('the default page is 25 with a cursor to the rest', async () => {
    const page = await list('', t.tokens['county-coordinator']);
    expect(page.items).toHaveLength(25);
    expect(page.nextCursor).not.toBeNull();
    const rest = await list(`cursor=${page.nextCursor}`, t.tokens['county-coordinator']);
    expect([...idsOf(page), ...idsOf(rest)]).toEqual(ordered(all()));
    expect(rest.nextCursor).toBeNull();
  });
});

describe('what the caller may do on a case, and why not', () => {
  const at = (title: string) => made.find((m) => m.title === title)!;
  const event = (v: CaseView, type: string) => [...v.allowedEvents, ...v.blockedEvents].find((e) => e.type === type)!;

  it('every event is listed once, as allowed or blocked', async () => {
    const v = await view(at('Samtalsstöd för äldre i Ronneby').id, t.tokens.initiator);
    const types = [...v.allowedEvents, ...v.blockedEvents].map((e) => e.type).sort();
    expect(types).toEqual([...CASE_EVENT_TYPES].sort());
    for (const e of v.allowedEvents) expect(e).toMatchObject({ allowed: true, reasons: [] });
    for (const e of v.blockedEvents) {
      expect(e.allowed).toBe(false);
      expect(e.reasons.length).toBeGreaterThan(0);
    }
  });

  it('the initiator at step 1 may contact the coordinators, add a participant or withdraw', async () => {
    const v = await view(at('Samtalsstöd för äldre i Ronneby').id, t.tokens.initiator);
    expect(v.allowedEvents.map((e) => [e.type, e.role])).toEqual([
      ['ADD_PARTICIPANT', 'initiator'],
      ['CONTACT_COORDINATORS', 'initiator'],
      ['WITHDRAW', 'initiator'],
    ]);
  });

  it("'wrong-step': her own event at a later step", async () => {
    const v = await view(at('Samtalsstöd för äldre i Ronneby').id, t.tokens.initiator);
    expect(event(v, 'SUBMIT_IDEA_TEMPLATE')).toEqual({
      type: 'SUBMIT_IDEA_TEMPLATE',
      label: 'Skicka in idébeskrivningen',
      allowed: false,
      role: 'initiator',
      reasons: [{ code: 'wrong-step', message: 'Ärendet står inte i ett steg där detta kan göras.' }],
    });
  });

  it("'wrong-role': the coordinators' assessment, seen by the initiator at step 2", async () => {
    const v = await view(at('Kontakt ett').id, t.tokens.initiator);
    expect(event(v, 'ASSESS_ELIGIBLE')).toEqual({
      type: 'ASSESS_ELIGIBLE',
      label: 'Bedöm: i linje med överenskommelsen',
      allowed: false,
      reasons: [{ code: 'wrong-role', roles: ['county-coordinator'], message: 'Din roll får inte göra detta. Det gör: Länsamordnare.' }],
    });
    expect(v.allowedEvents.map((e) => e.type)).toEqual(['ADD_PARTICIPANT', 'WITHDRAW']);
  });

  it("both 'wrong-step' and 'wrong-role' when both apply", async () => {
    const v = await view(at('Samtalsstöd för äldre i Ronneby').id, t.tokens.initiator);
    expect(event(v, 'RECORD_DECISION').reasons.map((r) => r.code)).toEqual(['wrong-step', 'wrong-role']);
    expect(event(v, 'RECORD_DECISION').reasons[1]!.roles).toEqual(['regional-director']);
  });

  it('the county coordinator at step 2 may assess either way', async () => {
    const v = await view(at('Kontakt ett').id, t.tokens['county-coordinator']);
    expect(v.allowedEvents.map((e) => [e.type, e.role])).toEqual([
      ['ADD_PARTICIPANT', 'county-coordinator'],
      ['ASSESS_ELIGIBLE', 'county-coordinator'],
      ['ASSESS_NOT_ELIGIBLE', 'county-coordinator'],
    ]);
    expect(event(v, 'WITHDRAW').reasons).toEqual([
      { code: 'wrong-role', roles: ['initiator'], message: 'Din roll får inte göra detta. Det gör: Initiativtagare.' },
    ]);
  });

  it("'not-case-member': an initiator-and-coordinator on somebody else's idea", async () => {
    const v = await view(at('Samtalsstöd för äldre i Ronneby').id, dual.token);
    const notMember = { code: 'not-case-member', roles: ['initiator'], message: 'Du är inte initiativtagare i det här ärendet.' };
    expect(event(v, 'WITHDRAW')).toMatchObject({ allowed: false, reasons: [notMember] });
    expect(event(v, 'CONTACT_COORDINATORS')).toMatchObject({ allowed: false, reasons: [notMember] });
    expect(event(v, 'WITHDRAW').role).toBeUndefined();
    // As a coordinator they may still add a participant.
    expect(v.allowedEvents.map((e) => [e.type, e.role])).toEqual([['ADD_PARTICIPANT', 'county-coordinator']]);
  });

  it("'requirement-unmet': starting the proposal before any check-in", async () => {
    const v = await view(at('Avstämning ett').id, t.tokens['county-coordinator']);
    expect(event(v, 'START_PROPOSAL')).toEqual({
      type: 'START_PROPOSAL',
      label: 'Börja skriva fram underlaget',
      allowed: false,
      role: 'county-coordinator',
      reasons: [
        {
          code: 'requirement-unmet',
          requirement: 'check-in-recorded',
          message: 'Minst en avstämning med ledningsgrupp är registrerad.',
        },
      ],
    });
    expect(v.allowedEvents.map((e) => e.type)).toEqual(['ADD_PARTICIPANT', 'RECORD_CHECK_IN']);
  });

  it("'requirement-unmet': submitting an empty proposal to LSVO lists every unmet requirement", async () => {
    const v = await view(at('Underlag tre').id, t.tokens['county-coordinator']);
    const submit = event(v, 'SUBMIT_TO_LSVO');
    expect(submit.allowed).toBe(false);
    expect(submit.reasons.map((r) => r.code)).toEqual(Array(EMPTY_PROPOSAL_UNMET.length + 8).fill('requirement-unmet'));
    expect(submit.reasons.map((r) => r.requirement)).toEqual([...EMPTY_PROPOSAL_UNMET, ...Array(8).fill('criterion-assessed')]);
    expect(submit.reasons.slice(EMPTY_PROPOSAL_UNMET.length).map((r) => r.subject)).toEqual([
      'c1',
      'c2',
      'c3',
      'c4',
      'c5',
      'c6',
      'c7',
      'c8',
    ]);
    expect(submit.reasons[EMPTY_PROPOSAL_UNMET.length]!.message).toBe(
      'Kriteriet ”Motverka individers utanförskap.” är bedömt av en länsamordnare.',
    );
  });

  it('once the proposal is written and assessed, submitting to LSVO is allowed', async () => {
    const target = at('Underlag tre');
    const rest = FULL_STORY.filter((s) => s.type === 'UPDATE_PROPOSAL' || s.type === 'ASSESS_CRITERION');
    advance(t, target.id, rest);
    const v = await view(target.id, t.tokens['county-coordinator']);
    expect(event(v, 'SUBMIT_TO_LSVO')).toMatchObject({ allowed: true, role: 'county-coordinator', reasons: [] });
  });

  it("'requirement-unmet': LSVO cannot recommend on scale-up before the initiative has ended", async () => {
    const v = await view(at('Genomförande ett').id, t.tokens['lsvo-secretary']);
    expect(event(v, 'RECORD_SCALE_UP_RECOMMENDATION').reasons).toEqual([
      { code: 'requirement-unmet', requirement: 'initiative-ended', message: 'Satsningen är avslutad.' },
    ]);
  });

  it('a finished case allows nothing', async () => {
    const v = await view(at('Peer support på akutpsykiatrin').id, t.tokens['county-coordinator']);
    expect(v.allowedEvents).toEqual([]);
    for (const e of v.blockedEvents) expect(e.reasons[0]!.code).toBe('wrong-step');
  });
});

describe('log-in sessions', () => {
  const EMAIL = 'ingrid.losenord@test.satsa.se';
  const PASSWORD = 'a-long-password-123';
  let user: Actor;
  let cookie: string;
  let csrfToken: string;

  beforeAll(async () => {
    user = await t.services.people.createUser({
      programmeId: 'uph-blekinge',
      email: EMAIL,
      displayName: 'Ingrid med lösenord',
      roles: ['initiator'],
      password: PASSWORD,
    });
  });

  const sessionRows = () => (t.services.db.$client.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;

  it('a wrong password is 401 invalid-credentials, sets no cookie and starts no session', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: EMAIL, password: 'a-long-password-124' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json(res)).toMatchObject({ code: 'invalid-credentials', status: 401 });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(sessionRows()).toBe(0);
  });

  it('the right password sets an HttpOnly, SameSite=Strict session cookie and returns a CSRF token', async () => {
    t.clock.set('2026-03-01T08:00:00.000Z');
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: EMAIL.toUpperCase(), password: PASSWORD } });
    expect(res.statusCode, res.body).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^satsa_session=[A-Za-z0-9_-]{20,};/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\//);
    const c = res.cookies.find((x) => x.name === 'satsa_session')!;
    expect(c).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    cookie = `satsa_session=${c.value}`;
    const body = json<{ user: { id: string; email: string }; csrfToken: string; expiresAt: string }>(res);
    expect(body.user).toEqual({
      id: user.id,
      email: EMAIL,
      displayName: 'Ingrid med lösenord',
      language: 'sv',
      passwordChangeRequired: false,
      programmes: [{ programmeId: 'uph-blekinge', roles: ['initiator'] }],
    });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(body.expiresAt).toBe('2026-03-01T20:00:00.000Z');
    expect(c.value).not.toBe(body.csrfToken);
    csrfToken = body.csrfToken;
    expect(sessionRows()).toBe(1);
    // Only a hash of the cookie is stored.
    const stored = t.services.db.$client.prepare('SELECT id FROM sessions').get() as { id: string };
    expect(stored.id).not.toBe(c.value);
  });

  it('with the cookie, GET /api/me answers who is logged in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toMatchObject({ id: user.id, email: EMAIL, programmes: [{ programmeId: 'uph-blekinge', roles: ['initiator'] }] });
    expect((await t.app.inject({ method: 'GET', url: '/api/cases', headers: { cookie } })).statusCode).toBe(200);
  });

  it('a POST with the cookie but without X-CSRF-Token is 403 csrf-token-invalid and writes nothing', async () => {
    const before = tableCounts(t);
    for (const headers of [{ cookie }, { cookie, 'x-csrf-token': 'not-the-token' }, { cookie, 'x-csrf-token': '' }]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/cases', headers, payload: { title: 'Via cookie', summary: 'S' } });
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(json(res)).toMatchObject({ code: 'csrf-token-invalid', status: 403, title: expect.any(String) });
    }
    expect(tableCounts(t)).toEqual(before);
  });

  it('with the token from the log-in response, the POST works — for new ideas and for events', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: { cookie, 'x-csrf-token': csrfToken },
      payload: { title: 'Via cookie', summary: 'S' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id, initiatorId } = json<{ id: string; initiatorId: string }>(created);
    expect(initiatorId).toBe(user.id);
    const sent = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${id}/events`,
      headers: { cookie, 'x-csrf-token': csrfToken, 'if-match': '"2"' },
      payload: { type: 'WITHDRAW', payload: { reason: 'Via webben' } },
    });
    expect(sent.statusCode, sent.body).toBe(200);
    const noToken = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${id}/events`,
      headers: { cookie, 'if-match': '"3"' },
      payload: { type: 'WITHDRAW', payload: { reason: 'x' } },
    });
    expect(noToken.statusCode).toBe(403);
    expect(json(noToken)).toMatchObject({ code: 'csrf-token-invalid' });
  });

  it('DELETE /api/session logs out: the cookie is cleared and no longer works', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } });
    expect(res.statusCode).toBe(204);
    expect(String(res.headers['set-cookie'])).toMatch(/^satsa_session=;/);
    expect(sessionRows()).toBe(0);
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(me.statusCode).toBe(401);
    expect(json(me)).toMatchObject({ code: 'unauthenticated' });
    const post = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: { cookie, 'x-csrf-token': csrfToken },
      payload: { title: 'Efter utloggning', summary: 'S' },
    });
    expect(post.statusCode).toBe(401);
  });

  it('a session ends by itself after 12 hours', async () => {
    t.clock.set('2026-03-02T08:00:00.000Z');
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: EMAIL, password: PASSWORD } });
    const value = res.cookies.find((x) => x.name === 'satsa_session')!.value;
    const headers = { cookie: `satsa_session=${value}` };
    t.clock.set('2026-03-02T19:59:00.000Z');
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers })).statusCode).toBe(200);
    t.clock.set('2026-03-02T20:00:01.000Z');
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers })).statusCode).toBe(401);
  });
});

describe('the API describes itself', () => {
  it('GET /openapi.json is an OpenAPI 3 document with every route', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = res.json() as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<
        string,
        Record<string, { responses?: Record<string, unknown>; parameters?: { name: string; in: string; required?: boolean }[] }>
      >;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'Satsa API', version: expect.any(String) });
    const methods: Record<string, string[]> = {
      '/api/cases': ['get', 'post'],
      '/api/cases/{id}': ['get'],
      '/api/cases/{id}/events': ['post'],
      '/api/cases/{id}/history': ['get'],
      '/api/process': ['get'],
      '/api/session': ['post', 'delete'],
    };
    for (const [path, verbs] of Object.entries(methods)) {
      expect(Object.keys(doc.paths), path).toContain(path);
      for (const verb of verbs) expect(doc.paths[path]![verb], `${verb} ${path}`).toBeDefined();
    }
    for (const [path, ops] of Object.entries(doc.paths)) {
      expect(path.startsWith('/')).toBe(true);
      expect(path).not.toMatch(/:\w+/); // Fastify's :id must be written {id}
      for (const [verb, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses ?? {}).length, `${verb} ${path} has responses`).toBeGreaterThan(0);
        for (const name of path.match(/\{(\w+)\}/g) ?? []) {
          expect(op.parameters, `${verb} ${path}`).toContainEqual(
            expect.objectContaining({ name: name.slice(1, -1), in: 'path', required: true }),
          );
        }
      }
    }
    expect(Object.keys(doc.paths['/api/cases/{id}/events']!.post!.responses!)).toEqual(
      expect.arrayContaining(['403', '404', '409', '412', '422', '428']),
    );
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'session']);

    // Every $ref points at something in the document.
    const refs: string[] = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === '$ref' && typeof v === 'string') refs.push(v);
          else walk(v);
        }
      }
    };
    walk(doc);
    for (const ref of refs) {
      expect(ref.startsWith('#/'), ref).toBe(true);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
      expect(target, ref).toBeDefined();
    }
  });

  it('GET /docs answers with the HTML documentation', async () => {
    let res = await t.app.inject({ method: 'GET', url: '/docs' });
    for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
      const next = new URL(String(res.headers.location), 'http://localhost/docs').pathname;
      res = await t.app.inject({ method: 'GET', url: next });
    }
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/<html/i);
    expect(res.body).toMatch(/swagger-ui/i);
  });

  it('GET /api/process lists the 12 steps and every event with its roles and payload schema', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/process' });
    expect(res.statusCode).toBe(200);
    const process = res.json() as {
      stepCount: number;
      machineVersion: number;
      steps: { step: number; label: { sv: string; en: string }; states: string[] }[];
      events: { type: string; label: { sv: string; en: string }; roles: string[]; acceptedIn: string[]; payloadSchema: JsonSchema }[];
    };
    expect(process.stepCount).toBe(12);
    expect(process.machineVersion).toBe(4);
    expect(process.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(process.steps[8]!.label).toEqual({ sv: 'Beslut', en: 'Decision' });
    for (const s of process.steps) {
      expect(s.label.sv.length).toBeGreaterThan(0);
      expect(s.label.en.length).toBeGreaterThan(0);
      expect(s.states.length, `step ${s.step} has states`).toBeGreaterThan(0);
    }
    // Every event of the process; the import's own event (machine version 3, for imports only) is none of them.
    expect(process.events.map((e) => e.type)).toEqual(CASE_EVENT_TYPES.filter((type) => type !== 'IMPORT_DECIDED'));
    for (const e of process.events) {
      expect(e.roles, e.type).toEqual(EVENT_ROLES[e.type as keyof typeof EVENT_ROLES]);
      expect(e.roles.length).toBeGreaterThan(0);
      expect(e.payloadSchema.type, e.type).toBe('object');
      expect(e.payloadSchema.additionalProperties, e.type).toBe(false);
      expect(e.label.sv).not.toBe(e.label.en);
      expect(e.acceptedIn.length, `${e.type} is accepted somewhere`).toBeGreaterThan(0);
    }
    const byType = Object.fromEntries(process.events.map((e) => [e.type, e]));
    expect(byType.CONTACT_COORDINATORS!.payloadSchema.required).toEqual(['message']);
    expect(byType.RECORD_DECISION!.payloadSchema.properties!.decision!.enum).toEqual(['approve', 'reject', 'revise']);
    expect(byType.RECORD_CHECK_IN!.roles).toEqual(['county-coordinator', 'local-coordinator']);
  });

  it('GET /api/process says ADD_PARTICIPANT is accepted while the case is open or running', async () => {
    const process = (await t.app.inject({ method: 'GET', url: '/api/process' })).json() as {
      events: { type: string; acceptedIn: string[] }[];
    };
    expect(process.events.find((e) => e.type === 'ADD_PARTICIPANT')!.acceptedIn).toEqual(['open', 'running']);
    expect(process.events.find((e) => e.type === 'WITHDRAW')!.acceptedIn).toEqual(['open']);
  });

  it('GET /api/programmes/uph-blekinge/idea-template has a Swedish and an English label for every field', async () => {
    const res = await get('/api/programmes/uph-blekinge/idea-template', t.tokens.initiator);
    expect(res.statusCode).toBe(200);
    const template = res.json() as {
      id: string;
      language: string;
      title: { sv: string; en: string };
      intro: { sv: string; en: string };
      fields: {
        id: string;
        type: string;
        required: boolean;
        label: { sv: string; en: string };
        options?: { value: string; label: { sv: string; en: string } }[];
      }[];
    };
    expect(template).toMatchObject({
      id: 'uph-blekinge',
      language: 'sv',
      title: { sv: 'Mall för idébeskrivning', en: 'Idea description template' },
    });
    expect(template.fields.map((f) => f.id)).toEqual([
      'title',
      'organisation',
      'contactPhone',
      'problem',
      'idea',
      'targetGroup',
      'priorityArea',
      'partners',
      'userParticipation',
      'expectedEffects',
      'estimatedCostSek',
      'startDate',
    ]);
    for (const f of template.fields) {
      expect(typeof f.label.sv, f.id).toBe('string');
      expect(typeof f.label.en, f.id).toBe('string');
      expect(f.label.sv.trim().length, f.id).toBeGreaterThan(0);
      expect(f.label.en.trim().length, f.id).toBeGreaterThan(0);
      expect(f.label.sv, f.id).not.toBe(f.label.en);
    }
    const area = template.fields.find((f) => f.id === 'priorityArea')!;
    expect(area.options!.map((o) => o.value)).toEqual([
      'barn-och-unga',
      'suicidprevention',
      'samsjuklighet',
      'tidiga-insatser',
      'brukarinflytande',
    ]);
    for (const o of area.options!) {
      expect(o.label.sv.length).toBeGreaterThan(0);
      expect(o.label.en.length).toBeGreaterThan(0);
    }
    expect(area.options![1]!.label).toEqual({ sv: 'Suicidprevention', en: 'Suicide prevention' });
  });
});
