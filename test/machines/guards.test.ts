import { describe, expect, it } from 'vitest';
import {
  and,
  createMachine,
  getNextTransitions,
  initialTransition,
  transition,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyStateNode,
} from 'xstate';
import { EVENT_ROLES } from '../../machines/case/catalogue.js';
import type { CaseContext, CaseInput } from '../../machines/case/context.js';
import { REQUIREMENT_IDS, requirementIdsOf, requirementsFor, unmet, type RequirementId } from '../../machines/case/requirements.js';
import type { CaseEvent, CaseEventType, PayloadOf } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import { CASE_MACHINE_VERSIONS } from '../../machines/versions.js';
import { FULL_PROPOSAL, FULL_STORY, storyOfVersion, type StoryStep } from '../../src/demo/story.js';

/*
 * Each transition of the chart names the rules it checks (a guard per requirement id), and
 * `requirementsFor` is what the API explains a refusal with. Here, for every released
 * machine version: (a) the rules named on an event's transitions are every rule
 * `requirementsFor` can give for that event, and every guard named is implemented; (b) over
 * many cases and payloads, the machine takes an event exactly when `requirementsFor` finds
 * nothing unmet, and would no longer do so if any rule were dropped from any transition.
 */

const VERSIONS = Object.keys(CASE_MACHINE_VERSIONS).map(Number) as (keyof typeof CASE_MACHINE_VERSIONS)[];
const machineOf = (version: number) => CASE_MACHINE_VERSIONS[version as keyof typeof CASE_MACHINE_VERSIONS] as unknown as AnyStateMachine;
const isRequirement = (name: string): name is RequirementId => (REQUIREMENT_IDS as readonly string[]).includes(name);

const INITIATOR = 'u-initiator';
const PARTICIPANT = '00000000-0000-4000-8000-000000000001';
const NEWCOMER = '00000000-0000-4000-8000-000000000002';
const FORUM_ROLES = [
  'idea-owner',
  'identified-actors',
  'county-coordinator',
  'suicide-prevention-coordinator',
  'local-coordinator',
  'user-organisation',
] as const;
const INPUT: CaseInput = {
  caseId: 'guards',
  programme: {
    priorityAreaIds: ['barn-och-unga'],
    criterionIds: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'],
    forumRequiredRoles: [...FORUM_ROLES],
  },
  idea: { title: 'Guards', summary: 'Guards', initiatorId: INITIATOR },
  at: '2026-01-15T09:00:00.000Z',
};

function ev<T extends CaseEventType>(type: T, payload: PayloadOf<T>, role: Role = EVENT_ROLES[type][0]!): CaseEvent {
  return { type, payload, meta: { actorId: `u-${role}`, role, at: '2026-02-01T10:00:00.000Z' } } as CaseEvent;
}
const fromStory = (s: StoryStep) => ev(s.type, s.payload as never, s.role);
const storyPayload = <T extends CaseEventType>(type: T) => FULL_STORY.find((s) => s.type === type)!.payload as PayloadOf<T>;

// --- the guards named on the chart's transitions ----------------------------------------

interface NamedTransition {
  state: string;
  path: readonly string[];
  eventType: string;
  index: number;
  guards: string[];
}

/** The names of the guards a transition's guard is made of; an inline function is named `(inline)`. */
function guardNames(guard: unknown): string[] {
  if (guard === undefined) return [];
  if (typeof guard === 'string') return [guard];
  if (typeof guard === 'function' && Array.isArray((guard as { guards?: unknown }).guards)) {
    return (guard as unknown as { guards: unknown[] }).guards.flatMap(guardNames);
  }
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return [String((guard as { type: unknown }).type)];
  return ['(inline)'];
}

function namedTransitions(machine: AnyStateMachine): NamedTransition[] {
  const out: NamedTransition[] = [];
  const walk = (node: AnyStateNode) => {
    for (const [eventType, transitions] of Object.entries(node.on)) {
      transitions.forEach((t, index) =>
        out.push({ state: node.path.join('.') || '(root)', path: node.path, eventType, index, guards: guardNames(t.guard) }),
      );
    }
    for (const child of Object.values(node.states)) walk(child as AnyStateNode);
  };
  walk(machine.root);
  return out;
}

// --- cases: the demo story, and stories with something missing or different -------------

type Story = CaseEvent[];
/** The story as a version lives it: follow-up reports only from version 4. */
const storyOf = (version: number): Story => storyOfVersion(version).map(fromStory);
const STORY: Story = FULL_STORY.map(fromStory);

const replaced = <T extends CaseEventType>(story: Story, type: T, payload: (p: PayloadOf<T>) => PayloadOf<T>): Story =>
  story.map((e) => (e.type === type ? ({ ...e, payload: payload(e.payload as PayloadOf<T>) } as CaseEvent) : e));
const without = (story: Story, keep: (e: CaseEvent) => boolean): Story => story.filter(keep);
const insertedAfter = (story: Story, type: CaseEventType, event: CaseEvent): Story => {
  const i = story.findIndex((e) => e.type === type);
  return [...story.slice(0, i + 1), event, ...story.slice(i + 1)];
};

/** Proposals that each miss what one rule asks for. */
const { scope: _scope, longTermGoal: _long, shortTermGoals: _short, followUpPlan: _plan, ...V1_PROPOSAL } = FULL_PROPOSAL;
const PROPOSAL_GAPS: PayloadOf<'UPDATE_PROPOSAL'>[] = [
  { ...FULL_PROPOSAL, participants: FULL_PROPOSAL.participants!.filter((p) => p.kind !== 'regional') },
  {
    ...FULL_PROPOSAL,
    userParticipation: undefined,
    participants: FULL_PROPOSAL.participants!.filter((p) => p.kind !== 'user-organisation'),
  },
  { ...FULL_PROPOSAL, logic: undefined },
  { ...FULL_PROPOSAL, targetGroup: ' ' },
  { ...FULL_PROPOSAL, indicators: [] },
  { ...FULL_PROPOSAL, activities: FULL_PROPOSAL.activities!.map((a, i) => (i === 0 ? { id: a.id, title: a.title } : a)) },
  { ...FULL_PROPOSAL, evaluationPlan: undefined },
  { ...FULL_PROPOSAL, economicEffects: undefined },
  { ...FULL_PROPOSAL, scope: undefined },
  { ...FULL_PROPOSAL, followUpPlan: undefined },
  V1_PROPOSAL,
  {},
];

const storiesOf = (STORY: Story): Story[] => [
  STORY,
  ...PROPOSAL_GAPS.map((gap) => replaced(STORY, 'UPDATE_PROPOSAL', () => gap)),
  // Criteria: one never assessed, one not fulfilled.
  without(STORY, (e) => !(e.type === 'ASSESS_CRITERION' && e.payload.criterionId === 'c8')),
  replaced(STORY, 'ASSESS_CRITERION', (p) => (p.criterionId === 'c3' ? { ...p, fulfilled: false } : p)),
  // No check-in before the proposal is started.
  without(STORY, (e) => e.type !== 'RECORD_CHECK_IN'),
  // People brought in before and while the initiative runs.
  insertedAfter(
    insertedAfter(STORY, 'CONTACT_COORDINATORS', ev('ADD_PARTICIPANT', { userId: PARTICIPANT })),
    'RECORD_DECISION',
    ev('ADD_PARTICIPANT', { userId: NEWCOMER }),
  ),
  // The coordination group names no actors: the forum need not account for them.
  replaced(STORY, 'RECORD_COORDINATION_GROUP_REVIEW', (p) => ({ ...p, actorsToInvolve: [] })),
  // LSVO recommends otherwise than the story's director decides.
  replaced(STORY, 'RECORD_RECOMMENDATION', (p) => ({ ...p, recommendation: 'reject' })),
  replaced(STORY, 'RECORD_RECOMMENDATION', (p) => ({ ...p, recommendation: 'revise' })),
  // Follow-ups that adjust; a scale-up without a plan; other recommendations.
  replaced(STORY, 'RECORD_FOLLOW_UP', (p) => ({ ...p, conclusion: 'adjust', adjustment: 'Fler grupper på kvällstid.' })),
  without(STORY, (e) => e.type !== 'UPDATE_SCALE_UP_PLAN'),
  replaced(STORY, 'RECORD_SCALE_UP_RECOMMENDATION', (p) => ({ ...p, recommendation: 'implement' })),
  replaced(
    without(STORY, (e) => e.type !== 'UPDATE_SCALE_UP_PLAN'),
    'RECORD_SCALE_UP_RECOMMENDATION',
    (p) => ({ ...p, recommendation: 'end' }),
  ),
  // Version 4: a second report (its date reported twice), and an adjusting review of it.
  insertedAfter(
    STORY,
    'RECORD_FOLLOW_UP',
    ev('SUBMIT_FOLLOW_UP_REPORT', { ...storyPayload('SUBMIT_FOLLOW_UP_REPORT'), followUpDate: '2027-06-01' }),
  ),
];

/** Every snapshot a story passes through on `machine`, as far as the machine takes it. */
function snapshotsOf(machine: AnyStateMachine, story: Story): AnyMachineSnapshot[] {
  let [snapshot] = initialTransition(machine, INPUT) as [AnyMachineSnapshot, unknown];
  const out = [snapshot];
  for (const event of story) {
    const [next] = transition(machine, snapshot, event) as [AnyMachineSnapshot, unknown];
    if (next === snapshot) break;
    out.push((snapshot = next));
  }
  return out;
}

/** Events of every type, with payloads that meet the rules and payloads that each fail one. */
function eventsFor(ctx: CaseContext): CaseEvent[] {
  const decision = storyPayload('RECORD_DECISION');
  const followUp = storyPayload('RECORD_FOLLOW_UP');
  const report = storyPayload('SUBMIT_FOLLOW_UP_REPORT');
  const forum = storyPayload('RECORD_DIALOGUE_FORUM');
  const deviation = { deviationMotivation: 'Avviker från rekommendationen.' };
  return [
    ...STORY,
    ev('WITHDRAW', { reason: 'Annan lösning.' }),
    ev('ASSESS_NOT_ELIGIBLE', { reason: 'Utanför överenskommelsen.' }),
    ev('SKIP_TARGET_GROUP_DIALOGUE', { reason: 'Behovet är redan känt.' }),
    ...[INITIATOR, NEWCOMER, ...ctx.participants.map((p) => p.userId)].map((userId) => ev('ADD_PARTICIPANT', { userId })),
    ev('ASSESS_ELIGIBLE', { ...storyPayload('ASSESS_ELIGIBLE'), priorityAreaId: 'okand-omrade' }),
    ...FORUM_ROLES.flatMap((role) => [
      ev('RECORD_DIALOGUE_FORUM', { ...forum, attendance: forum.attendance.filter((a) => a.role !== role) }),
      ev('RECORD_DIALOGUE_FORUM', { ...forum, attendance: forum.attendance.map((a) => (a.role === role ? { role, present: false } : a)) }),
      ev('RECORD_DIALOGUE_FORUM', {
        ...forum,
        attendance: forum.attendance.map((a) => (a.role === role ? { role, present: false, absenceReason: 'Förhindrad.' } : a)),
      }),
    ]),
    ev('ASSESS_CRITERION', { criterionId: 'c-okand', fulfilled: true, justification: 'Okänt kriterium.' }),
    ev('ASSESS_CRITERION', { criterionId: 'c1', fulfilled: false, justification: 'Uppfylls inte.' }),
    ...(['approve', 'reject', 'revise'] as const).map((recommendation) =>
      ev('RECORD_RECOMMENDATION', { ...storyPayload('RECORD_RECOMMENDATION'), recommendation }),
    ),
    ...(['approve', 'reject', 'revise'] as const).flatMap((choice) => {
      const base = choice === 'approve' ? { ...decision, decision: choice } : { decision: choice, motivation: decision.motivation };
      return [ev('RECORD_DECISION', base), ev('RECORD_DECISION', { ...base, ...deviation })];
    }),
    ...[{}, deviation].flatMap((extra) => [
      ev('RECORD_DECISION', { ...decision, ...extra, grantedBudget: undefined }),
      ev('RECORD_DECISION', { ...decision, ...extra, grantedBudget: [] }),
      ev('RECORD_DECISION', { ...decision, ...extra, followUpDates: undefined }),
    ]),
    ...(['continue', 'adjust', 'stop'] as const).flatMap((conclusion) => [
      ev('RECORD_FOLLOW_UP', { ...followUp, conclusion }),
      ev('RECORD_FOLLOW_UP', { ...followUp, conclusion, adjustment: 'Fler grupper på kvällstid.' }),
      ev('RECORD_FOLLOW_UP', { ...followUp, conclusion, indicatorValues: [{ indicatorId: 'okand-indikator', value: 1 }] }),
      ev('RECORD_FOLLOW_UP', { ...followUp, conclusion, indicatorValues: [] }),
    ]),
    ...['2026-12-01', '2027-06-01', '2030-01-01'].flatMap((followUpDate) => [
      ev('SUBMIT_FOLLOW_UP_REPORT', { ...report, followUpDate }),
      ev('SUBMIT_FOLLOW_UP_REPORT', { ...report, followUpDate, indicatorValues: [{ indicatorId: 'okand-indikator', value: 1 }] }),
    ]),
    ...(['implement', 'scale-up', 'end'] as const).flatMap((choice) => [
      ev('RECORD_SCALE_UP_RECOMMENDATION', { ...storyPayload('RECORD_SCALE_UP_RECOMMENDATION'), recommendation: choice }),
      ev('RECORD_SCALE_UP_DECISION', { decision: choice, motivation: 'Beslut.' }),
      ev('RECORD_SCALE_UP_DECISION', { decision: choice, motivation: 'Beslut.', ...deviation }),
    ]),
  ];
}

/** The cases each version's machine passes through, with the events to try on each. */
const CASES = new Map(
  VERSIONS.map((version) => [version, storiesOf(storyOf(version)).flatMap((story) => snapshotsOf(machineOf(version), story))]),
);

// --- (a) the chart names every rule -------------------------------------------------------

describe.each(VERSIONS)('the guards of machine version %i', (version) => {
  const machine = machineOf(version);
  const transitions = namedTransitions(machine);
  const implemented = new Set(Object.keys(machine.implementations.guards));

  it('are all named, and every name is implemented', () => {
    const names = new Set(transitions.flatMap((t) => t.guards));
    expect([...names].filter((name) => !implemented.has(name))).toEqual([]);
    expect(REQUIREMENT_IDS.filter((id) => !implemented.has(id))).toEqual([]);
    // The rules the chart checks, by name: version 1's chart names version 2's rules (they
    // pass under version 1), but no chart names the rules of version 4 before it.
    const named = REQUIREMENT_IDS.filter((id) => version >= 4 || !requirementIdsOf(4).includes(id) || requirementIdsOf(3).includes(id));
    expect([...names].filter(isRequirement).sort()).toEqual([...named].sort());
  });

  it("name, on an event's transitions, every rule requirementsFor gives for that event", () => {
    const named = new Map<string, Set<string>>();
    for (const t of transitions) {
      const set = named.get(t.eventType) ?? new Set();
      t.guards.filter(isRequirement).forEach((name) => set.add(name));
      named.set(t.eventType, set);
    }
    const given = new Map<string, Set<RequirementId>>();
    for (const snapshot of CASES.get(version)!) {
      const ctx = snapshot.context as CaseContext;
      for (const event of [undefined, ...eventsFor(ctx)]) {
        const types = event ? [event.type] : (Object.keys(EVENT_ROLES) as CaseEventType[]);
        for (const type of types) {
          const set = given.get(type) ?? new Set();
          requirementsFor(type, ctx, event, version).forEach((r) => set.add(r.id));
          given.set(type, set);
        }
      }
    }
    const missing = [...given].flatMap(([type, ids]) => [...ids].filter((id) => !named.get(type)?.has(id)).map((id) => `${type}: ${id}`));
    expect(missing).toEqual([]);
    // The cases exercise every rule of the version: version 1 has no scope or action-plan rule.
    const exercised = new Set([...given.values()].flatMap((ids) => [...ids]));
    expect([...exercised].sort()).toEqual([...requirementIdsOf(version)].sort());
    // And no transition names a rule its event never has, in this version or another.
    const anyVersion = (type: string, id: RequirementId) =>
      VERSIONS.some((v) =>
        CASES.get(v)!.some((s) =>
          eventsFor(s.context as CaseContext)
            .filter((e) => e.type === type)
            .some((e) => requirementsFor(e.type, s.context as CaseContext, e, v).some((r) => r.id === id)),
        ),
      );
    const stray = transitions.flatMap((t) =>
      t.guards
        .filter(isRequirement)
        .filter((id) => !anyVersion(t.eventType, id))
        .map((id) => `${t.eventType}: ${id}`),
    );
    expect(stray).toEqual([]);
  });
});

// --- (b) the machine takes an event exactly when its rules are met -------------------------

interface Disagreement {
  state: unknown;
  event: CaseEvent;
  taken: boolean;
  unmet: string[];
}

/**
 * The (case, event) pairs where `machine` and `requirementsFor(…, version)` disagree: the
 * state handles the event, and the machine takes it although a rule is unmet, or refuses
 * it although none is. Every payload branch (approve / reject / revise, …) has a transition,
 * so with all rules met some transition is always taken.
 */
function disagreements(machine: AnyStateMachine, version: number, only?: string): Disagreement[] {
  const out: Disagreement[] = [];
  for (const stored of CASES.get(version as keyof typeof CASE_MACHINE_VERSIONS)!) {
    if (stored.status !== 'active') continue;
    // The case as `machine` sees it (it may be a variant of the version's machine).
    const snapshot = machine.resolveState({ value: stored.value, context: stored.context }) as AnyMachineSnapshot;
    const handled = new Set(getNextTransitions(snapshot).map((t) => t.eventType));
    const ctx = snapshot.context as CaseContext;
    for (const event of eventsFor(ctx)) {
      if (!handled.has(event.type) || (only && event.type !== only)) continue;
      const [after] = transition(machine, snapshot, event) as [AnyMachineSnapshot, unknown];
      const taken = after !== snapshot;
      const failing = unmet(requirementsFor(event.type, ctx, event, version)).map((r) => r.id + (r.subject ? `:${r.subject}` : ''));
      if (taken !== (failing.length === 0)) out.push({ state: snapshot.value, event, taken, unmet: failing });
    }
  }
  return out;
}

/** `machine` with one guard dropped from one transition, everything else as it is. */
function withoutGuard(machine: AnyStateMachine, t: NamedTransition, name: string): AnyStateMachine {
  type Config = { on?: Record<string, unknown>; states?: Record<string, Config> };
  const rewrite = (config: Config, depth: number): Config => {
    if (depth < t.path.length) {
      const key = t.path[depth]!;
      return { ...config, states: { ...config.states, [key]: rewrite(config.states![key]!, depth + 1) } };
    }
    const declared = config.on![t.eventType];
    const list = (Array.isArray(declared) ? declared : [declared]) as { guard?: unknown }[];
    const rest = guardNames(list[t.index]!.guard).filter((g) => g !== name);
    const { guard: _dropped, ...unguarded } = list[t.index]!;
    const changed = rest.length === 0 ? unguarded : { ...unguarded, guard: rest.length === 1 ? rest[0] : and(rest as never) };
    return { ...config, on: { ...config.on, [t.eventType]: list.map((x, i) => (i === t.index ? changed : x)) } };
  };
  return createMachine(rewrite(machine.config as Config, 0) as never, machine.implementations as never) as unknown as AnyStateMachine;
}

describe.each(VERSIONS)('machine version %i', (version) => {
  const machine = machineOf(version);

  it('takes an event exactly when requirementsFor finds none of its rules unmet', () => {
    expect(disagreements(machine, version)).toEqual([]);
  });

  it('refuses, somewhere among the cases, on every rule of the version', () => {
    const refusedFor = new Set<string>();
    for (const stored of CASES.get(version)!) {
      if (stored.status !== 'active') continue;
      const handled = new Set(getNextTransitions(stored).map((t) => t.eventType));
      for (const event of eventsFor(stored.context as CaseContext)) {
        if (!handled.has(event.type)) continue;
        const failing = unmet(requirementsFor(event.type, stored.context as CaseContext, event, version));
        if (failing.length > 0 && transition(machine, stored, event)[0] === stored) failing.forEach((r) => refusedFor.add(r.id));
      }
    }
    expect([...refusedFor].sort()).toEqual([...requirementIdsOf(version)].sort());
  });

  // The check has teeth: drop any rule from any transition and it finds a case the machine
  // lets through against the rules. Version 1 has no scope or action-plan rule to drop.
  const ruleGuards = namedTransitions(machine).flatMap((t) => t.guards.filter(isRequirement).map((name) => ({ t, name })));
  it.each(ruleGuards.map(({ t, name }) => [`${t.state} ${t.eventType}[${t.index}] without ${name}`, t, name] as const))(
    '%s is noticed',
    (_, t, name) => {
      const found = disagreements(withoutGuard(machine, t, name), version, t.eventType);
      const ruleExists = requirementIdsOf(version).includes(name);
      expect(found.length > 0).toBe(ruleExists);
      expect(found.every((d) => d.taken && d.unmet.some((u) => u.split(':')[0] === name))).toBe(true);
    },
  );
});
