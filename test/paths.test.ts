import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyStateNode, type SnapshotFrom, type StateValue } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { EVENT_ROLES } from '../machines/case/catalogue.js';
import type { CaseInput } from '../machines/case/context.js';
import { caseMachine } from '../machines/case/machine.js';
import type { CaseEvent, CaseEventOf, CaseEventType, PayloadOf } from '../machines/case/schemas.js';
import type { Role } from '../machines/roles.js';
import { DEMO_IDEA, FULL_PROPOSAL, FULL_STORY } from '../src/demo/story.js';
import { loadProgrammeDefinition, programmeRules } from '../src/programmes/config.js';
import { PROGRAMME, auth, createTestApp, json, type TestApp, createCaseOnVersion } from './helpers.js';

/*
 * Model-based path tests: xstate/graph walks the case machine with concrete, valid events
 * and yields the shortest path to every (abstract) state; each path is then played over
 * the HTTP API on a fresh case, checking every response and the stored rows, and the
 * union of all paths must reach every state node and take every transition of the machine.
 */

type Snap = SnapshotFrom<typeof caseMachine>;

const RULES = programmeRules(loadProgrammeDefinition(PROGRAMME));
const INPUT: CaseInput = {
  caseId: 'model',
  programme: RULES,
  idea: { title: DEMO_IDEA.title, summary: DEMO_IDEA.summary, initiatorId: 'model-initiator' },
  at: '2026-01-15T09:00:00.000Z',
};

// --- the events offered to the traversal -------------------------------------------------

const story = <T extends CaseEventType>(type: T): PayloadOf<T> => FULL_STORY.find((s) => s.type === type)!.payload as PayloadOf<T>;

function ev<T extends CaseEventType>(type: T, payload: PayloadOf<T>): CaseEventOf<T> {
  const role = EVENT_ROLES[type][0]!;
  return { type, payload, meta: { actorId: `model-${role}`, role, at: '2026-02-01T10:00:00.000Z' } } as CaseEventOf<T>;
}

/** Dotted paths of the active leaf states, as the API reports them. */
function statePaths(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  return Object.entries(value).flatMap(([key, child]) =>
    child === undefined ? [] : statePaths(child as StateValue, prefix ? `${prefix}.${key}` : key),
  );
}

function stepsOf(s: Snap): number[] {
  const steps = [...s.tags].filter((t) => t.startsWith('step:')).map((t) => Number(t.slice(5)));
  if (steps.length === 0 && s.context.outcome) return [s.context.outcome.step];
  return [...new Set(steps)].sort((a, b) => a - b);
}

/** The model's stand-in for the user id of the participant; the HTTP side sends a real user's id. */
const MODEL_PARTICIPANT = '00000000-0000-4000-8000-000000000001';
const PARTICIPANT_ROLE: Role = 'local-coordinator';
/** A second participant, brought in while the initiative runs (steps 10–12). */
const MODEL_LATE_PARTICIPANT = '00000000-0000-4000-8000-000000000002';
const LATE_PARTICIPANT_ROLE: Role = 'steering-group';
const participantRole = (modelId: string): Role => (modelId === MODEL_LATE_PARTICIPANT ? LATE_PARTICIPANT_ROLE : PARTICIPANT_ROLE);
const lateParticipantAdded = (c: Snap['context']) => c.participants.some((p) => p.userId === MODEL_LATE_PARTICIPANT);

const deviation = (recommended: string | undefined, decided: string) =>
  recommended !== undefined && recommended !== decided ? { deviationMotivation: `Avviker från rekommendationen (${recommended}).` } : {};

/**
 * The concrete events that are valid in `s`. Self-loops that only add data are offered
 * once (while the data is missing), so the abstract state space below stays finite.
 */
function eventsFor(s: Snap): CaseEvent[] {
  if (s.status !== 'active') return [];
  const c = s.context;
  const leaves = statePaths(s.value);
  const out: CaseEvent[] = [];
  const inState = (path: string) => leaves.includes(path);

  // A root-level self-loop, valid in every active state: offered once, at step 1.
  if (inState('open.idea') && c.participants.length === 0) out.push(ev('ADD_PARTICIPANT', { userId: MODEL_PARTICIPANT }));
  if (leaves[0]!.startsWith('running.') && !lateParticipantAdded(c)) {
    out.push(ev('ADD_PARTICIPANT', { userId: MODEL_LATE_PARTICIPANT }));
  }
  if (leaves[0]!.startsWith('open.')) out.push(ev('WITHDRAW', { reason: `Dras tillbaka vid steg ${c.step}.` }));
  if (leaves[0]!.startsWith('open.preparation.') && c.checkIns.length === 0) out.push(ev('RECORD_CHECK_IN', story('RECORD_CHECK_IN')));

  if (inState('open.idea')) out.push(ev('CONTACT_COORDINATORS', story('CONTACT_COORDINATORS')));
  if (inState('open.coordinatorContact')) {
    out.push(ev('ASSESS_ELIGIBLE', story('ASSESS_ELIGIBLE')));
    out.push(ev('ASSESS_NOT_ELIGIBLE', { reason: 'Idén ligger utanför överenskommelsens prioriterade områden.' }));
  }
  if (inState('open.ideaTemplate')) out.push(ev('SUBMIT_IDEA_TEMPLATE', story('SUBMIT_IDEA_TEMPLATE')));
  if (inState('open.preparation.coordinationGroup')) {
    if (!c.coordinationGroup.agenda) out.push(ev('PLACE_ON_AGENDA', story('PLACE_ON_AGENDA')));
    out.push(ev('RECORD_COORDINATION_GROUP_REVIEW', story('RECORD_COORDINATION_GROUP_REVIEW')));
  }
  if (inState('open.preparation.dialogueForum')) {
    if (!c.dialogueForum.booking) out.push(ev('BOOK_DIALOGUE_FORUM', story('BOOK_DIALOGUE_FORUM')));
    out.push(ev('RECORD_DIALOGUE_FORUM', story('RECORD_DIALOGUE_FORUM')));
  }
  if (inState('open.preparation.targetGroupDialogue')) {
    out.push(ev('RECORD_TARGET_GROUP_DIALOGUE', story('RECORD_TARGET_GROUP_DIALOGUE')));
    out.push(ev('SKIP_TARGET_GROUP_DIALOGUE', { reason: 'Målgruppen var representerad i dialogforumet.' }));
  }
  if (inState('open.preparation.checkIns') && c.checkIns.length > 0) out.push(ev('START_PROPOSAL', {}));
  if (inState('open.preparation.proposal')) {
    const filled = Object.keys(c.proposal).length > 0;
    const next = RULES.criterionIds.find((id) => c.criteria[id] === undefined);
    if (!filled) out.push(ev('UPDATE_PROPOSAL', FULL_PROPOSAL));
    if (next) {
      out.push(ev('ASSESS_CRITERION', { criterionId: next, fulfilled: true, justification: `Kriterium ${next} är uppfyllt.` }));
    }
    if (filled && !next) out.push(ev('SUBMIT_TO_LSVO', {}));
  }
  const mayRevise = c.revisions.length === 0;
  if (inState('open.preparation.decision.awaitingRecommendation')) {
    for (const recommendation of ['approve', 'reject', 'revise'] as const) {
      if (recommendation === 'revise' && !mayRevise) continue;
      out.push(
        ev('RECORD_RECOMMENDATION', {
          ...story('RECORD_RECOMMENDATION'),
          recommendation,
          motivation: `LSVO rekommenderar: ${recommendation}.`,
        }),
      );
    }
  }
  if (inState('open.preparation.decision.awaitingDecision')) {
    const recommended = c.recommendation?.recommendation;
    out.push(ev('RECORD_DECISION', { ...story('RECORD_DECISION'), ...deviation(recommended, 'approve') }));
    out.push(ev('RECORD_DECISION', { decision: 'reject', motivation: 'Satsningen genomförs inte.', ...deviation(recommended, 'reject') }));
    if (mayRevise) {
      out.push(
        ev('RECORD_DECISION', { decision: 'revise', motivation: 'Underlaget behöver kompletteras.', ...deviation(recommended, 'revise') }),
      );
    }
  }
  if (inState('running.execution.ongoing')) {
    const base = story('RECORD_FOLLOW_UP');
    if (c.followUps.length === 0) {
      out.push(ev('RECORD_FOLLOW_UP', { ...base, conclusion: 'continue' }));
      out.push(ev('RECORD_FOLLOW_UP', { ...base, conclusion: 'adjust', adjustment: 'Grupperna flyttas till kvällstid.' }));
    }
    out.push(ev('RECORD_FOLLOW_UP', { ...base, conclusion: 'stop', narrative: 'För få deltagare; satsningen avbryts.' }));
    out.push(ev('END_INITIATIVE', story('END_INITIATIVE')));
  }
  if (inState('running.seminars.active') && c.seminars.length === 0) out.push(ev('RECORD_SEMINAR', story('RECORD_SEMINAR')));
  if (inState('running.scaleUp.planning')) {
    if (!c.scaleUpPlan) out.push(ev('UPDATE_SCALE_UP_PLAN', story('UPDATE_SCALE_UP_PLAN')));
    if (c.execution.ended) {
      for (const recommendation of ['implement', 'scale-up', 'end'] as const) {
        if (recommendation !== 'end' && !c.scaleUpPlan) continue;
        out.push(
          ev('RECORD_SCALE_UP_RECOMMENDATION', {
            ...story('RECORD_SCALE_UP_RECOMMENDATION'),
            recommendation,
            motivation: `LSVO rekommenderar: ${recommendation}.`,
          }),
        );
      }
    }
  }
  if (inState('running.scaleUp.awaitingDecision')) {
    const recommended = c.scaleUpRecommendation?.recommendation;
    for (const decision of ['implement', 'scale-up', 'end'] as const) {
      out.push(
        ev('RECORD_SCALE_UP_DECISION', {
          decision,
          motivation: `Regiondirektören beslutar: ${decision}.`,
          ...deviation(recommended, decision),
        }),
      );
    }
  }
  return out;
}

/**
 * The abstract state: the state value plus only the context facts that decide which
 * events are valid or that a self-loop changes, each only where it matters.
 */
function serializeState(s: Snap): string {
  const c = s.context;
  if (s.status === 'done') return JSON.stringify({ final: s.value, step: c.outcome?.step });
  const leaves = statePaths(s.value);
  const inState = (path: string) => leaves.includes(path);
  const key: Record<string, unknown> = { value: s.value };
  if (inState('open.idea')) key.participants = c.participants.length;
  if (leaves[0]!.startsWith('running.')) key.lateParticipant = lateParticipantAdded(c);
  if (leaves[0]!.startsWith('open.')) key.revisions = c.revisions.map((r) => r.source);
  if (['coordinationGroup', 'dialogueForum', 'targetGroupDialogue', 'checkIns'].some((n) => inState(`open.preparation.${n}`))) {
    key.checkIn = c.checkIns.length > 0;
  }
  if (inState('open.preparation.coordinationGroup')) key.agenda = c.coordinationGroup.agenda !== undefined;
  if (inState('open.preparation.dialogueForum')) key.booking = c.dialogueForum.booking !== undefined;
  if (inState('open.preparation.checkIns')) key.skipped = c.targetGroupDialogue?.skipped;
  if (inState('open.preparation.proposal')) {
    key.proposal = Object.keys(c.proposal).length > 0;
    key.assessed = Object.keys(c.criteria).length;
  }
  if (inState('open.preparation.decision.awaitingDecision')) key.recommendation = c.recommendation?.recommendation;
  if (leaves[0]!.startsWith('running.')) key.seminar = c.seminars.length > 0;
  if (inState('running.execution.ongoing')) key.followUps = c.followUps.map((f) => f.conclusion);
  if (inState('running.scaleUp.planning')) key.plan = c.scaleUpPlan !== undefined;
  if (inState('running.scaleUp.awaitingDecision')) key.scaleUpRecommendation = c.scaleUpRecommendation?.recommendation;
  return JSON.stringify(key);
}

const traversal = { input: INPUT, events: eventsFor, serializeState: (s: Snap) => serializeState(s) };
const adjacency = getAdjacencyMap(caseMachine, traversal);
const shortest = getShortestPaths(caseMachine, traversal);

// --- the machine's definition: every state node and every transition ---------------------

function allNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap((child) => allNodes(child as AnyStateNode))];
}
const ALL_NODE_IDS = allNodes(caseMachine.root)
  .map((n) => n.id)
  .sort();

type TransitionDef = ReturnType<typeof caseMachine.getTransitionData>[number];
const transitionId = (t: TransitionDef) => {
  const index = t.source.transitions.get(t.eventType)!.indexOf(t);
  const targets = t.target?.map((n) => n.id).join('+') ?? '(stays)';
  return `${t.source.id} --${t.eventType}[${index}]--> ${targets}`;
};
const ALL_TRANSITIONS = allNodes(caseMachine.root)
  .flatMap((node) => [...node.transitions.values()].flat())
  .map(transitionId)
  .sort();

/** A leaf path such as "running.execution.ongoing" and all its ancestors, as state node ids. */
const nodeIdsOf = (leafPath: string) => {
  const parts = leafPath.split('.');
  return ['case', ...parts.map((_, i) => `case.${parts.slice(0, i + 1).join('.')}`)];
};

/** Context with the ids and times the API and the model cannot share blanked out. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        ['by', 'at', 'caseId', 'initiatorId', 'createdAt', 'userId'].includes(k) ? '·' : normalise(v),
      ]),
    );
  }
  return value;
}
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const variant = (e: CaseEvent) => {
  const p = e.payload as Record<string, unknown>;
  const kind = p.recommendation ?? p.decision ?? p.conclusion;
  return kind ? `${e.type}:${String(kind)}` : e.type;
};

// --- the tests ----------------------------------------------------------------------------

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const reachedOverHttp = new Set<string>();
const takenOverHttp = new Set<string>();
const variantsOverHttp = new Set<string>();

describe('the generated model', () => {
  it('has a finite abstract state space with a shortest path to each state', () => {
    const states = Object.keys(adjacency);
    expect(shortest).toHaveLength(states.length);
    expect(new Set(shortest.map((p) => serializeState(p.state)))).toEqual(new Set(states));
    expect(states.length).toBeGreaterThan(50);
  });

  it('offers only events that each change the state they are offered in', () => {
    for (const { state, transitions } of Object.values(adjacency)) {
      for (const { event, state: next } of Object.values(transitions) as { event: CaseEvent; state: Snap }[]) {
        expect(next, `${event.type} in ${serializeState(state)}`).not.toBe(state);
      }
    }
  });

  it('its paths reach every state node and take every transition of the machine', () => {
    const reached = new Set<string>();
    const taken = new Set<string>();
    for (const path of shortest) {
      let s = initialTransition(caseMachine, INPUT)[0];
      for (const leaf of statePaths(s.value)) nodeIdsOf(leaf).forEach((id) => reached.add(id));
      for (const { event, state } of path.steps.slice(1)) {
        caseMachine.getTransitionData(s, event).forEach((d) => taken.add(transitionId(d)));
        s = transition(caseMachine, s, event)[0];
        // the path's own snapshot and a fresh replay of its events agree
        expect(serializeState(s)).toBe(serializeState(state));
        for (const leaf of statePaths(s.value)) nodeIdsOf(leaf).forEach((id) => reached.add(id));
      }
    }
    expect([...reached].sort()).toEqual(ALL_NODE_IDS);
    expect(ALL_TRANSITIONS.filter((id) => !taken.has(id))).toEqual([]);
    expect([...taken].sort()).toEqual(ALL_TRANSITIONS);
  });

  it('knows every state node and transition of the machine', () => {
    expect(ALL_NODE_IDS).toHaveLength(30);
    expect(ALL_TRANSITIONS).toHaveLength(32);
  });
});

describe('every path over the HTTP API', () => {
  const sqlite = () => t.services.db.$client;

  it.each(shortest.map((p) => [serializeState(p.state), p] as const))('reaches %s', async (_name, path) => {
    // The paths are version 1's chart (which version 2 shares): the case is raised on version 2,
    // where it stands at step 1 (from version 4 raising the idea also sends it).
    const id = createCaseOnVersion(t, 2);
    const created = await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: auth(t.tokens.initiator) });
    expect(created.statusCode, created.body).toBe(200);
    const { state: initialState } = json<{ id: string; state: string[] }>(created);
    expect(initialState).toEqual(['open.idea']);
    initialState.forEach((leaf) => nodeIdsOf(leaf).forEach((nodeId) => reachedOverHttp.add(nodeId)));
    let etag = created.headers.etag as string;
    expect(etag).toBe('"1"');

    let replay = initialTransition(caseMachine, INPUT)[0];
    for (const [i, { event, state: expected }] of path.steps.slice(1).entries()) {
      const version = i + 2;
      const role = EVENT_ROLES[event.type][0]! as Role;
      const label = `event ${i + 1}/${path.steps.length - 1} ${variant(event)}`;
      const payload = event.type === 'ADD_PARTICIPANT' ? { userId: t.actors[participantRole(event.payload.userId)].id } : event.payload;
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/cases/${id}/events`,
        headers: { ...auth(t.tokens[role]), 'if-match': etag },
        payload: { type: event.type, payload },
      });
      expect(res.statusCode, `${label}: ${res.body}`).toBe(200);

      const transitions = caseMachine.getTransitionData(replay, event);
      replay = transition(caseMachine, replay, event)[0];
      expect(serializeState(replay), label).toBe(serializeState(expected));

      const body = json<{ state: string[]; steps: number[]; status: string; outcome: string | null; version: number; data: unknown }>(res);
      expect(body.state, label).toEqual(statePaths(expected.value));
      expect(body.steps, label).toEqual(stepsOf(expected));
      expect(body.status, label).toBe(expected.status === 'done' ? 'done' : 'active');
      expect(body.outcome, label).toBe(expected.context.outcome?.kind ?? null);
      expect(body.version, label).toBe(version);
      expect(res.headers.etag, label).toBe(`"${version}"`);
      expect(normalise(body.data), label).toEqual(normalise(viaJson(replay.context)));

      const row = sqlite().prepare('SELECT version, state_paths AS statePaths, steps, status, outcome FROM cases WHERE id = ?').get(id) as {
        version: number;
        statePaths: string;
        steps: string;
        status: string;
        outcome: string | null;
      };
      expect(row, label).toEqual({
        version,
        statePaths: statePaths(expected.value).join(','),
        steps: `,${stepsOf(expected).join(',')},`,
        status: body.status,
        outcome: body.outcome,
      });
      const log = sqlite().prepare('SELECT count(*) AS n, max(version) AS last FROM case_events WHERE case_id = ?').get(id) as {
        n: number;
        last: number;
      };
      expect(log, label).toEqual({ n: 1 + (i + 1), last: version });
      const last = sqlite()
        .prepare('SELECT type, actor_role AS role, state_after AS stateAfter FROM case_events WHERE case_id = ? AND version = ?')
        .get(id, version) as { type: string; role: string; stateAfter: string };
      expect({ ...last, stateAfter: JSON.parse(last.stateAfter) as unknown }, label).toEqual({
        type: event.type,
        role,
        stateAfter: viaJson(expected.value),
      });
      const members = sqlite().prepare('SELECT user_id AS userId, relation FROM case_members WHERE case_id = ? ORDER BY relation').all(id);
      expect(members, label).toEqual([
        { userId: t.actors.initiator.id, relation: 'owner' },
        ...replay.context.participants.map((p) => ({ userId: t.actors[participantRole(p.userId)].id, relation: 'participant' })),
      ]);

      body.state.forEach((leaf) => nodeIdsOf(leaf).forEach((nodeId) => reachedOverHttp.add(nodeId)));
      transitions.forEach((d) => takenOverHttp.add(transitionId(d)));
      variantsOverHttp.add(variant(event));
      etag = res.headers.etag as string;
    }

    const events = path.steps.length - 1;
    if (path.state.status === 'done') {
      // A closed case takes no more events over the API, not even the root-level ADD_PARTICIPANT.
      const refused = await t.app.inject({
        method: 'POST',
        url: `/api/cases/${id}/events`,
        headers: { ...auth(t.tokens.initiator), 'if-match': etag },
        payload: { type: 'ADD_PARTICIPANT', payload: { userId: t.actors[PARTICIPANT_ROLE].id } },
      });
      expect(refused.statusCode, refused.body).toBe(409);
    }
    const totals = sqlite()
      .prepare('SELECT c.version AS version, (SELECT count(*) FROM case_events e WHERE e.case_id = c.id) AS n FROM cases c WHERE c.id = ?')
      .get(id) as { version: number; n: number };
    expect(totals).toEqual({ version: 1 + events, n: 1 + events });
  });

  it('reached every state node of the machine through the API', () => {
    expect([...reachedOverHttp].sort()).toEqual(ALL_NODE_IDS);
  });

  it('took every transition of the machine, guarded alternatives included, through the API', () => {
    expect(ALL_TRANSITIONS.filter((id) => !takenOverHttp.has(id))).toEqual([]);
    expect([...takenOverHttp].sort()).toEqual(ALL_TRANSITIONS);
  });

  it('sent every event variant through the API', () => {
    expect([...variantsOverHttp].sort()).toEqual(
      [
        'ADD_PARTICIPANT',
        'ASSESS_CRITERION',
        'ASSESS_ELIGIBLE',
        'ASSESS_NOT_ELIGIBLE',
        'BOOK_DIALOGUE_FORUM',
        'CONTACT_COORDINATORS',
        'END_INITIATIVE',
        'PLACE_ON_AGENDA',
        'RECORD_CHECK_IN',
        'RECORD_COORDINATION_GROUP_REVIEW',
        'RECORD_DECISION:approve',
        'RECORD_DECISION:reject',
        'RECORD_DECISION:revise',
        'RECORD_DIALOGUE_FORUM',
        'RECORD_FOLLOW_UP:adjust',
        'RECORD_FOLLOW_UP:continue',
        'RECORD_FOLLOW_UP:stop',
        'RECORD_RECOMMENDATION:approve',
        'RECORD_RECOMMENDATION:reject',
        'RECORD_RECOMMENDATION:revise',
        'RECORD_SCALE_UP_DECISION:end',
        'RECORD_SCALE_UP_DECISION:implement',
        'RECORD_SCALE_UP_DECISION:scale-up',
        'RECORD_SCALE_UP_RECOMMENDATION:end',
        'RECORD_SCALE_UP_RECOMMENDATION:implement',
        'RECORD_SCALE_UP_RECOMMENDATION:scale-up',
        'RECORD_SEMINAR',
        'RECORD_TARGET_GROUP_DIALOGUE',
        'SKIP_TARGET_GROUP_DIALOGUE',
        'START_PROPOSAL',
        'SUBMIT_IDEA_TEMPLATE',
        'SUBMIT_TO_LSVO',
        'UPDATE_PROPOSAL',
        'UPDATE_SCALE_UP_PLAN',
        'WITHDRAW',
      ].sort(),
    );
  });
});
