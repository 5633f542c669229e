import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyStateNode, type SnapshotFrom } from 'xstate';
import { EVENT_ROLES } from '../../machines/case/catalogue.js';
import type { CaseInput } from '../../machines/case/context.js';
import { caseMachine } from '../../machines/case/machine.js';
import { requirementsFor, unmet } from '../../machines/case/requirements.js';
import type { CaseEvent, CaseEventOf, CaseEventType, PayloadOf, ProposalFields } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import { FULL_PROPOSAL, storyOfVersion, type StoryStep } from '../../src/demo/story.js';
import { loadProgrammeDefinition, programmeRules } from '../../src/programmes/config.js';
import { BLEKINGE_CRITERIA, EMPTY_PROPOSAL_UNMET_V1 } from '../expected.js';

/*
 * Unit tests on the pure statechart: no HTTP, no database. Snapshots are built by
 * replaying prefixes of FULL_STORY through `transition()`, as version 1's chart takes it
 * (version 4's follow-up reports: ./v4.test.ts).
 */

const FULL_STORY = storyOfVersion(1);

type Snap = SnapshotFrom<typeof caseMachine>;

const PROGRAMME = programmeRules(loadProgrammeDefinition('uph-blekinge'));
const CRITERIA = BLEKINGE_CRITERIA;
const FORUM_REQUIRED = [
  'idea-owner',
  'identified-actors',
  'county-coordinator',
  'suicide-prevention-coordinator',
  'local-coordinator',
  'user-organisation',
] as const;

const INPUT: CaseInput = {
  caseId: 'case-under-test',
  programme: PROGRAMME,
  idea: { title: 'Stödgrupper', summary: 'Gruppbaserat stöd för unga vuxna.', initiatorId: 'user-initiator' },
  at: '2026-01-15T09:00:00.000Z',
};
const AT = '2026-02-01T10:00:00.000Z';

function ev<T extends CaseEventType>(type: T, payload: PayloadOf<T>, role: Role = EVENT_ROLES[type][0]!): CaseEventOf<T> {
  return { type, payload, meta: { actorId: `user-${role}`, role, at: AT } } as CaseEventOf<T>;
}
const fromStory = (s: StoryStep): CaseEvent => ev(s.type, s.payload as never, s.role);

const start = (): Snap => initialTransition(caseMachine, INPUT)[0];
const send = (snapshot: Snap, event: CaseEvent): Snap => transition(caseMachine, snapshot, event)[0];

/** Sends events one by one; every one of them must be taken (the helper refuses silent no-ops). */
function play(snapshot: Snap, events: CaseEvent[]): Snap {
  return events.reduce((s, e) => {
    const next = send(s, e);
    if (next === s) throw new Error(`set-up event ${e.type} was not accepted in ${JSON.stringify(s.value)}`);
    return next;
  }, snapshot);
}

/** FULL_STORY up to, not including, the `nth` (1-based) event of `type`. */
function storyBefore(type: CaseEventType, nth = 1): StoryStep[] {
  let seen = 0;
  const index = FULL_STORY.findIndex((s) => s.type === type && ++seen === nth);
  if (index < 0) throw new Error(`FULL_STORY has no ${nth}. ${type}`);
  return FULL_STORY.slice(0, index);
}
const storyStep = <T extends CaseEventType>(type: T): PayloadOf<T> => FULL_STORY.find((s) => s.type === type)!.payload as PayloadOf<T>;

/** The snapshot FULL_STORY stands at just before its first `type` event. */
const before = (type: CaseEventType, nth = 1) => play(start(), storyBefore(type, nth).map(fromStory));

const expectUnchanged = (snapshot: Snap, event: CaseEvent) => {
  const next = send(snapshot, event);
  expect(next).toBe(snapshot);
  return next;
};

const at = {
  step1: () => start(),
  step2: () => before('ASSESS_ELIGIBLE'),
  step3: () => before('SUBMIT_IDEA_TEMPLATE'),
  step4: () => before('PLACE_ON_AGENDA'),
  step5: () => before('BOOK_DIALOGUE_FORUM'),
  step6: () => before('RECORD_TARGET_GROUP_DIALOGUE'),
  step7: () => before('RECORD_CHECK_IN'),
  step8: () => before('UPDATE_PROPOSAL'),
  proposalReady: () => before('SUBMIT_TO_LSVO'),
  step9Recommendation: () => before('RECORD_RECOMMENDATION'),
  step9Decision: () => before('RECORD_DECISION'),
  running: () => before('RECORD_FOLLOW_UP'),
  endedWithPlan: () => before('RECORD_SCALE_UP_RECOMMENDATION'),
  scaleUpDecision: () => before('RECORD_SCALE_UP_DECISION'),
};

const recommendation = (kind: 'approve' | 'reject' | 'revise', motivation = `LSVO: ${kind}.`) =>
  ev('RECORD_RECOMMENDATION', { ...storyStep('RECORD_RECOMMENDATION'), recommendation: kind, motivation });
const APPROVAL = storyStep('RECORD_DECISION');
const decision = (payload: Partial<PayloadOf<'RECORD_DECISION'>> & Pick<PayloadOf<'RECORD_DECISION'>, 'decision'>) =>
  ev('RECORD_DECISION', { motivation: `Beslut: ${payload.decision}.`, ...payload });
const FOLLOW_UP = storyStep('RECORD_FOLLOW_UP');
const followUp = (payload: Partial<PayloadOf<'RECORD_FOLLOW_UP'>>) => ev('RECORD_FOLLOW_UP', { ...FOLLOW_UP, ...payload });
const END = ev('END_INITIATIVE', storyStep('END_INITIATIVE'));
const PLAN = ev('UPDATE_SCALE_UP_PLAN', storyStep('UPDATE_SCALE_UP_PLAN'));
const SCALE_UP_PROTOCOL = storyStep('RECORD_SCALE_UP_RECOMMENDATION').protocol;
const scaleUpRecommendation = (kind: 'implement' | 'scale-up' | 'end') =>
  ev('RECORD_SCALE_UP_RECOMMENDATION', { recommendation: kind, motivation: `LSVO: ${kind}.`, protocol: SCALE_UP_PROTOCOL });
const scaleUpDecision = (kind: 'implement' | 'scale-up' | 'end', deviationMotivation?: string) =>
  ev('RECORD_SCALE_UP_DECISION', {
    decision: kind,
    motivation: `Direktören: ${kind}.`,
    ...(deviationMotivation ? { deviationMotivation } : {}),
  });
const CHECK_IN = ev('RECORD_CHECK_IN', { date: '2026-04-02', group: 'Ledningsgrupp', notes: 'Avstämning gjord.' }, 'local-coordinator');
const withdraw = (reason = 'Initiativtagaren har bytt tjänst.') => ev('WITHDRAW', { reason });
const assess = (criterionId: string, fulfilled = true) =>
  ev('ASSESS_CRITERION', { criterionId, fulfilled, justification: `Bedömning av ${criterionId}.` });

/** The proposal state with `proposal` written and the criteria assessed as given (all fulfilled by default). */
function proposalWith(proposal: ProposalFields, assessments: [string, boolean][] = CRITERIA.map((c) => [c, true])): Snap {
  return play(at.step8(), [ev('UPDATE_PROPOSAL', proposal, 'initiator'), ...assessments.map(([c, f]) => assess(c, f))]);
}
const SUBMIT = ev('SUBMIT_TO_LSVO', {});
const unmetOf = (type: CaseEventType, snapshot: Snap, event?: CaseEvent) =>
  unmet(requirementsFor(type, snapshot.context, event)).map((r) => (r.subject ? `${r.id}:${r.subject}` : r.id));

function allNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap((child) => allNodes(child as AnyStateNode))];
}

// ---------------------------------------------------------------------------------------

describe('the programme fixture', () => {
  it('is the Blekinge programme the story was written for', () => {
    expect(PROGRAMME.criterionIds).toEqual(CRITERIA);
    expect(PROGRAMME.forumRequiredRoles).toEqual([...FORUM_REQUIRED]);
    expect(PROGRAMME.priorityAreaIds).toContain('barn-och-unga');
  });

  it('FULL_STORY runs the machine from step 1 to the scaled-up final state', () => {
    const end = play(start(), FULL_STORY.map(fromStory));
    expect(end.value).toBe('scaledUp');
    expect(end.status).toBe('done');
    expect(end.context.outcome).toMatchObject({ kind: 'scaled-up', step: 12 });
  });
});

describe('step 2: ASSESS_ELIGIBLE needs a priority area of the programme', () => {
  it('passes with a priority area of the programme', () => {
    const next = send(at.step2(), ev('ASSESS_ELIGIBLE', { priorityAreaId: 'suicidprevention', justification: 'Passar.' }));
    expect(next.value).toEqual({ open: 'ideaTemplate' });
    expect(next.context.step).toBe(3);
    expect(next.context.eligibility).toEqual({
      eligible: true,
      priorityAreaId: 'suicidprevention',
      text: 'Passar.',
      by: 'user-county-coordinator',
      role: 'county-coordinator',
      at: AT,
    });
  });

  it('fails with a priority area the programme does not have', () => {
    const s = at.step2();
    const event = ev('ASSESS_ELIGIBLE', { priorityAreaId: 'klimat', justification: 'Passar inte.' });
    expectUnchanged(s, event);
    expect(unmet(requirementsFor('ASSESS_ELIGIBLE', s.context, event))).toEqual([
      { id: 'priority-area-of-programme', subject: 'klimat', met: false },
    ]);
  });

  it('ASSESS_NOT_ELIGIBLE ends the case as not eligible at step 2', () => {
    const next = send(at.step2(), ev('ASSESS_NOT_ELIGIBLE', { reason: 'Ligger utanför överenskommelsen.' }));
    expect(next.value).toBe('notEligible');
    expect(next.status).toBe('done');
    expect(next.context.eligibility).toMatchObject({ eligible: false, text: 'Ligger utanför överenskommelsen.' });
    expect(next.context.outcome).toEqual({
      kind: 'not-eligible',
      reason: 'Ligger utanför överenskommelsen.',
      step: 2,
      by: 'user-county-coordinator',
      role: 'county-coordinator',
      at: AT,
    });
  });
});

describe('step 5: RECORD_DIALOGUE_FORUM needs every required forum role accounted for', () => {
  const FORUM = storyStep('RECORD_DIALOGUE_FORUM');
  const beforeForum = () => before('RECORD_DIALOGUE_FORUM');
  const forum = (attendance: PayloadOf<'RECORD_DIALOGUE_FORUM'>['attendance']) => ev('RECORD_DIALOGUE_FORUM', { ...FORUM, attendance });
  const allPresent = FORUM_REQUIRED.map((role) => ({ role, present: true }));

  it('passes with every required role present', () => {
    const s = beforeForum();
    const event = forum(allPresent);
    const next = send(s, event);
    expect(next.value).toEqual({ open: { preparation: 'targetGroupDialogue' } });
    expect(next.context.step).toBe(6);
    expect(next.context.dialogueForum.record?.attendance).toEqual(allPresent);
    expect(requirementsFor('RECORD_DIALOGUE_FORUM', s.context, event)).toEqual(
      FORUM_REQUIRED.map((role) => ({ id: 'forum-role-accounted', subject: role, met: true })),
    );
  });

  it.each(FORUM_REQUIRED)('passes when %s is absent with a reason for the absence', (role) => {
    const attendance = allPresent.map((a) =>
      a.role === role ? { role, present: false, absenceReason: 'Förhindrad; lämnade synpunkter skriftligt.' } : a,
    );
    const next = send(beforeForum(), forum(attendance));
    expect(next.value).toEqual({ open: { preparation: 'targetGroupDialogue' } });
  });

  it.each(FORUM_REQUIRED)('fails when %s is missing from the attendance', (role) => {
    const s = beforeForum();
    const event = forum(allPresent.filter((a) => a.role !== role));
    expectUnchanged(s, event);
    expect(unmetOf('RECORD_DIALOGUE_FORUM', s, event)).toEqual([`forum-role-accounted:${role}`]);
  });

  it.each(FORUM_REQUIRED)('fails when %s is absent without a reason', (role) => {
    const s = beforeForum();
    const event = forum(allPresent.map((a) => (a.role === role ? { role, present: false } : a)));
    expectUnchanged(s, event);
    expect(unmetOf('RECORD_DIALOGUE_FORUM', s, event)).toEqual([`forum-role-accounted:${role}`]);
  });

  it('fails when the reason for an absence is only whitespace', () => {
    const s = beforeForum();
    const event = forum(
      allPresent.map((a) => (a.role === 'local-coordinator' ? { role: a.role, present: false, absenceReason: '   ' } : a)),
    );
    expectUnchanged(s, event);
    expect(unmetOf('RECORD_DIALOGUE_FORUM', s, event)).toEqual(['forum-role-accounted:local-coordinator']);
  });

  it('lists every missing role at once', () => {
    const s = beforeForum();
    const event = forum([{ role: 'idea-owner', present: true }]);
    expectUnchanged(s, event);
    expect(unmetOf('RECORD_DIALOGUE_FORUM', s, event)).toEqual(
      FORUM_REQUIRED.filter((r) => r !== 'idea-owner').map((r) => `forum-role-accounted:${r}`),
    );
  });

  it("does not require 'identified-actors' when the coordination group identified no actors", () => {
    const review = storyStep('RECORD_COORDINATION_GROUP_REVIEW');
    const s = play(before('RECORD_COORDINATION_GROUP_REVIEW'), [
      ev('RECORD_COORDINATION_GROUP_REVIEW', { ...review, actorsToInvolve: [] }),
    ]);
    expect(s.value).toEqual({ open: { preparation: 'dialogueForum' } });
    const event = forum(allPresent.filter((a) => a.role !== 'identified-actors'));
    expect(requirementsFor('RECORD_DIALOGUE_FORUM', s.context, event).map((r) => r.subject)).toEqual(
      FORUM_REQUIRED.filter((r) => r !== 'identified-actors'),
    );
    const next = send(s, event);
    expect(next.value).toEqual({ open: { preparation: 'targetGroupDialogue' } });
  });

  it("requires 'identified-actors' when the coordination group identified actors", () => {
    const s = beforeForum();
    expect(s.context.coordinationGroup.review?.actorsToInvolve).toHaveLength(2);
    const event = forum(allPresent.filter((a) => a.role !== 'identified-actors'));
    expectUnchanged(s, event);
    expect(unmetOf('RECORD_DIALOGUE_FORUM', s, event)).toEqual(['forum-role-accounted:identified-actors']);
  });
});

describe('steps 6–7: target group dialogue and START_PROPOSAL', () => {
  it('step 6 can be skipped with a recorded reason', () => {
    const next = send(at.step6(), ev('SKIP_TARGET_GROUP_DIALOGUE', { reason: 'Målgruppen hördes redan i forumet.' }));
    expect(next.value).toEqual({ open: { preparation: 'checkIns' } });
    expect(next.context.step).toBe(7);
    expect(next.context.targetGroupDialogue).toEqual({
      skipped: true,
      reason: 'Målgruppen hördes redan i forumet.',
      by: 'user-county-coordinator',
      role: 'county-coordinator',
      at: AT,
    });
  });

  it('step 6 done records the dialogue as not skipped', () => {
    const next = send(at.step6(), ev('RECORD_TARGET_GROUP_DIALOGUE', storyStep('RECORD_TARGET_GROUP_DIALOGUE')));
    expect(next.value).toEqual({ open: { preparation: 'checkIns' } });
    expect(next.context.targetGroupDialogue?.skipped).toBe(false);
  });

  it('START_PROPOSAL fails without a check-in', () => {
    const s = at.step7();
    expect(s.context.checkIns).toEqual([]);
    expectUnchanged(s, ev('START_PROPOSAL', {}));
    expect(requirementsFor('START_PROPOSAL', s.context)).toEqual([{ id: 'check-in-recorded', met: false }]);
  });

  it('START_PROPOSAL passes with a check-in recorded at step 7', () => {
    const s = send(at.step7(), CHECK_IN);
    expect(requirementsFor('START_PROPOSAL', s.context)).toEqual([{ id: 'check-in-recorded', met: true }]);
    const next = send(s, ev('START_PROPOSAL', {}));
    expect(next.value).toEqual({ open: { preparation: 'proposal' } });
    expect(next.context.step).toBe(8);
  });

  it('START_PROPOSAL passes with a check-in recorded earlier, at step 4', () => {
    const s = play(at.step4(), [
      CHECK_IN,
      ...FULL_STORY.slice(3, 8).map(fromStory), // PLACE_ON_AGENDA … RECORD_TARGET_GROUP_DIALOGUE
    ]);
    expect(s.value).toEqual({ open: { preparation: 'checkIns' } });
    expect(s.context.checkIns.map((c) => c.step)).toEqual([4]);
    expect(send(s, ev('START_PROPOSAL', {})).value).toEqual({ open: { preparation: 'proposal' } });
  });
});

describe('step 8: SUBMIT_TO_LSVO needs a complete proposal and every criterion fulfilled', () => {
  const without = (...keys: (keyof ProposalFields)[]): ProposalFields =>
    Object.fromEntries(Object.entries(FULL_PROPOSAL).filter(([k]) => !keys.includes(k as keyof ProposalFields)));

  it('passes when every requirement holds', () => {
    const s = proposalWith(FULL_PROPOSAL);
    const rules = requirementsFor('SUBMIT_TO_LSVO', s.context);
    expect(rules).toHaveLength(8 + 2 * CRITERIA.length);
    expect(unmet(rules)).toEqual([]);
    const next = send(s, SUBMIT);
    expect(next.value).toEqual({ open: { preparation: { decision: 'awaitingRecommendation' } } });
    expect(next.context.step).toBe(9);
  });

  it('the story reaches the same ready proposal', () => {
    expect(unmetOf('SUBMIT_TO_LSVO', at.proposalReady())).toEqual([]);
  });

  it('fails on an empty proposal with every rule listed', () => {
    const s = at.step8();
    expectUnchanged(s, SUBMIT);
    expect(unmetOf('SUBMIT_TO_LSVO', s)).toEqual([...EMPTY_PROPOSAL_UNMET_V1, ...CRITERIA.map((c) => `criterion-assessed:${c}`)]);
  });

  const participants = FULL_PROPOSAL.participants!;
  const cases: [string, ProposalFields, string][] = [
    [
      'only municipal participants',
      { ...FULL_PROPOSAL, participants: participants.filter((p) => p.kind !== 'regional') },
      'municipal-and-regional-participants',
    ],
    [
      'only regional participants',
      { ...FULL_PROPOSAL, participants: participants.filter((p) => p.kind !== 'municipal') },
      'municipal-and-regional-participants',
    ],
    [
      'no user participation (no text, no user organisation)',
      { ...without('userParticipation'), participants: participants.filter((p) => p.kind !== 'user-organisation') },
      'user-participation',
    ],
    ['no background', without('background'), 'purpose-goals-and-logic'],
    ['no purpose', without('purpose'), 'purpose-goals-and-logic'],
    ['no goals', { ...FULL_PROPOSAL, goals: [] }, 'purpose-goals-and-logic'],
    ['no logic', { ...FULL_PROPOSAL, logic: '  ' }, 'purpose-goals-and-logic'],
    ['no target group', without('targetGroup'), 'target-group'],
    ['no measurable indicator', { ...FULL_PROPOSAL, indicators: [] }, 'measurable-indicator'],
    [
      'one activity without evidence',
      { ...FULL_PROPOSAL, activities: [FULL_PROPOSAL.activities![0]!, { id: 'ny-aktivitet', title: 'Aktivitet utan evidens' }] },
      'evidence-for-every-activity',
    ],
    ['no activities at all', { ...FULL_PROPOSAL, activities: [] }, 'evidence-for-every-activity'],
    ['no evaluation plan', without('evaluationPlan'), 'evaluation-and-implementation-plan'],
    ['no implementation plan', without('implementationPlan'), 'evaluation-and-implementation-plan'],
    [
      'a budget of zero only',
      { ...FULL_PROPOSAL, budget: [{ year: 2026, costType: 'Personal', amountOre: 0 }] },
      'budget-and-economic-effects',
    ],
    ['no economic effects', without('economicEffects'), 'budget-and-economic-effects'],
  ];

  it.each(cases)('fails with %s', (_name, proposal, requirement) => {
    const s = proposalWith(proposal);
    expectUnchanged(s, SUBMIT);
    expect(unmetOf('SUBMIT_TO_LSVO', s)).toEqual([requirement]);
  });

  it('passes with user participation given only by a user organisation among the participants', () => {
    const s = proposalWith(without('userParticipation'));
    expect(unmetOf('SUBMIT_TO_LSVO', s)).toEqual([]);
    expect(send(s, SUBMIT).value).toEqual({ open: { preparation: { decision: 'awaitingRecommendation' } } });
  });

  it.each(CRITERIA)('fails while criterion %s is not assessed', (criterion) => {
    const s = proposalWith(
      FULL_PROPOSAL,
      CRITERIA.filter((c) => c !== criterion).map((c) => [c, true]),
    );
    expectUnchanged(s, SUBMIT);
    expect(unmet(requirementsFor('SUBMIT_TO_LSVO', s.context))).toEqual([{ id: 'criterion-assessed', subject: criterion, met: false }]);
  });

  it('fails when a criterion is assessed as not fulfilled', () => {
    const s = proposalWith(
      FULL_PROPOSAL,
      CRITERIA.map((c) => [c, c !== 'c3']),
    );
    expectUnchanged(s, SUBMIT);
    expect(unmet(requirementsFor('SUBMIT_TO_LSVO', s.context))).toEqual([{ id: 'criterion-fulfilled', subject: 'c3', met: false }]);
  });

  it('passes once a criterion assessed as not fulfilled is re-assessed as fulfilled', () => {
    const s = send(
      proposalWith(
        FULL_PROPOSAL,
        CRITERIA.map((c) => [c, c !== 'c3']),
      ),
      assess('c3', true),
    );
    expect(send(s, SUBMIT).value).toEqual({ open: { preparation: { decision: 'awaitingRecommendation' } } });
  });

  it('UPDATE_PROPOSAL merges fields into the proposal without changing the state', () => {
    const s = send(at.step8(), ev('UPDATE_PROPOSAL', { targetGroup: 'Unga vuxna' }, 'initiator'));
    const next = send(s, ev('UPDATE_PROPOSAL', { purpose: 'Syfte' }, 'initiator'));
    expect(next.value).toEqual({ open: { preparation: 'proposal' } });
    expect(next.context.proposal).toEqual({ targetGroup: 'Unga vuxna', purpose: 'Syfte' });
  });

  it('ASSESS_CRITERION with a criterion of the programme records it', () => {
    const next = send(at.step8(), assess('c5', false));
    expect(next.value).toEqual({ open: { preparation: 'proposal' } });
    expect(next.context.criteria).toEqual({
      c5: {
        criterionId: 'c5',
        fulfilled: false,
        justification: 'Bedömning av c5.',
        by: 'user-county-coordinator',
        role: 'county-coordinator',
        at: AT,
      },
    });
  });

  it('ASSESS_CRITERION with an unknown criterion is refused', () => {
    const s = at.step8();
    const event = assess('c9');
    expectUnchanged(s, event);
    expect(unmet(requirementsFor('ASSESS_CRITERION', s.context, event))).toEqual([
      { id: 'criterion-of-programme', subject: 'c9', met: false },
    ]);
  });
});

describe('step 9: recommendation and decision', () => {
  const awaitingDecision = (kind: 'approve' | 'reject') => send(at.step9Recommendation(), recommendation(kind));

  it('a recommendation to approve or reject waits for the decision', () => {
    for (const kind of ['approve', 'reject'] as const) {
      const next = awaitingDecision(kind);
      expect(next.value).toEqual({ open: { preparation: { decision: 'awaitingDecision' } } });
      expect(next.context.recommendation?.recommendation).toBe(kind);
      expect(next.context.step).toBe(9);
    }
  });

  it("recommendation 'revise' returns to step 8 and clears the recommendation", () => {
    const next = send(at.step9Recommendation(), recommendation('revise', 'Förtydliga budgeten.'));
    expect(next.value).toEqual({ open: { preparation: 'proposal' } });
    expect(next.context.step).toBe(8);
    expect(next.context.recommendation).toBeUndefined();
    expect(next.context.decision).toBeUndefined();
    expect(next.context.revisions).toEqual([{ source: 'recommendation', motivation: 'Förtydliga budgeten.', at: AT }]);
    // The proposal and criteria stay, so it can be resubmitted as it is.
    expect(send(next, SUBMIT).value).toEqual({ open: { preparation: { decision: 'awaitingRecommendation' } } });
  });

  it("decision 'revise' (following the recommendation) returns to step 8 and clears recommendation and decision", () => {
    const s = play(at.step9Recommendation(), [recommendation('revise'), SUBMIT, recommendation('approve')]);
    // a second round: recommend approve, then the director asks for a revision with a motivated deviation
    const next = send(s, decision({ decision: 'revise', motivation: 'Komplettera.', deviationMotivation: 'Budgeten är otydlig.' }));
    expect(next.value).toEqual({ open: { preparation: 'proposal' } });
    expect(next.context.step).toBe(8);
    expect(next.context.recommendation).toBeUndefined();
    expect(next.context.decision).toBeUndefined();
    expect(next.context.revisions.map((r) => [r.source, r.motivation])).toEqual([
      ['recommendation', 'LSVO: revise.'],
      ['decision', 'Komplettera.'],
    ]);
  });

  it('approving as recommended enters the running parallel state', () => {
    const s = at.step9Decision();
    expect(unmetOf('RECORD_DECISION', s, ev('RECORD_DECISION', APPROVAL))).toEqual([]);
    const next = send(s, ev('RECORD_DECISION', APPROVAL));
    expect(next.value).toEqual({ running: { execution: 'ongoing', seminars: 'active', scaleUp: 'planning' } });
    expect(next.context.decision).toMatchObject({ decision: 'approve', grantedBudget: APPROVAL.grantedBudget });
  });

  it('deviating from the recommendation without a deviation motivation fails', () => {
    const s = awaitingDecision('approve');
    for (const kind of ['reject', 'revise'] as const) {
      const event = decision({ decision: kind });
      expectUnchanged(s, event);
      expect(unmetOf('RECORD_DECISION', s, event)).toEqual(['deviation-motivated']);
    }
    const blank = decision({ decision: 'reject', deviationMotivation: '  ' });
    expectUnchanged(s, blank);
    expect(unmetOf('RECORD_DECISION', s, blank)).toEqual(['deviation-motivated']);
  });

  it('deviating from a recommendation to approve with a deviation motivation passes', () => {
    const s = awaitingDecision('approve');
    const next = send(s, decision({ decision: 'reject', deviationMotivation: 'Medlen räcker inte i år.' }));
    expect(next.value).toBe('rejected');
  });

  it('approving against a recommendation to reject needs a deviation motivation', () => {
    const s = awaitingDecision('reject');
    const bare = ev('RECORD_DECISION', APPROVAL);
    expectUnchanged(s, bare);
    expect(unmetOf('RECORD_DECISION', s, bare)).toEqual(['deviation-motivated']);
    const motivated = ev('RECORD_DECISION', { ...APPROVAL, deviationMotivation: 'Regionen prioriterar målgruppen.' });
    expect(send(s, motivated).value).toEqual({ running: { execution: 'ongoing', seminars: 'active', scaleUp: 'planning' } });
  });

  it('approving without a granted budget fails', () => {
    const s = at.step9Decision();
    for (const grantedBudget of [undefined, []]) {
      const event = ev('RECORD_DECISION', { ...APPROVAL, grantedBudget });
      expectUnchanged(s, event);
      expect(unmetOf('RECORD_DECISION', s, event)).toEqual(['granted-budget-present']);
    }
  });

  it('approving without follow-up dates fails', () => {
    const s = at.step9Decision();
    for (const followUpDates of [undefined, []]) {
      const event = ev('RECORD_DECISION', { ...APPROVAL, followUpDates });
      expectUnchanged(s, event);
      expect(unmetOf('RECORD_DECISION', s, event)).toEqual(['follow-up-plan-present']);
    }
  });

  it('rejecting (as recommended) ends the case as rejected at step 9 without budget or dates', () => {
    const next = send(awaitingDecision('reject'), decision({ decision: 'reject', motivation: 'Avslås enligt LSVO.' }));
    expect(next.value).toBe('rejected');
    expect(next.status).toBe('done');
    expect(next.context.outcome).toEqual({
      kind: 'rejected',
      reason: 'Avslås enligt LSVO.',
      step: 9,
      by: 'user-regional-director',
      role: 'regional-director',
      at: AT,
    });
  });

  it('a decision is not accepted before the recommendation', () => {
    expectUnchanged(at.step9Recommendation(), ev('RECORD_DECISION', APPROVAL));
  });
});

describe('steps 10–12: running', () => {
  it('after approval the case stands at steps 10, 11 and 12 in parallel', () => {
    const s = at.running();
    expect(s.value).toEqual({ running: { execution: 'ongoing', seminars: 'active', scaleUp: 'planning' } });
    expect([...s.tags].sort()).toEqual(['step:10', 'step:11', 'step:12']);
    expect(s.context.step).toBe(10);
    expect(s.status).toBe('active');
  });

  it('RECORD_FOLLOW_UP with continue is recorded without changing the state', () => {
    const s = at.running();
    const next = send(s, followUp({ conclusion: 'continue' }));
    expect(next.value).toEqual(s.value);
    expect(next.context.followUps).toHaveLength(1);
    expect(next.context.followUps[0]).toMatchObject({ conclusion: 'continue', indicatorValues: FOLLOW_UP.indicatorValues });
  });

  it('RECORD_FOLLOW_UP with an unknown indicator id fails', () => {
    const s = at.running();
    for (const conclusion of ['continue', 'stop'] as const) {
      const event = followUp({ conclusion, indicatorValues: [{ indicatorId: 'okand-indikator', value: 3 }] });
      expectUnchanged(s, event);
      expect(unmet(requirementsFor('RECORD_FOLLOW_UP', s.context, event))).toEqual([
        { id: 'indicator-of-proposal', subject: 'okand-indikator', met: false },
      ]);
    }
  });

  it('RECORD_FOLLOW_UP adjust needs the adjustment described', () => {
    const s = at.running();
    for (const adjustment of [undefined, '  ']) {
      const event = followUp({ conclusion: 'adjust', adjustment });
      expectUnchanged(s, event);
      expect(unmetOf('RECORD_FOLLOW_UP', s, event)).toEqual(['adjustment-described']);
    }
    const next = send(s, followUp({ conclusion: 'adjust', adjustment: 'Fler kvällsgrupper.' }));
    expect(next.value).toEqual(s.value);
    expect(next.context.followUps.map((f) => [f.conclusion, f.adjustment])).toEqual([['adjust', 'Fler kvällsgrupper.']]);
  });

  it("follow-up conclusion 'stop' ends the case as stopped at step 10", () => {
    const next = send(at.running(), followUp({ conclusion: 'stop', narrative: 'Deltagarna uteblev.' }));
    expect(next.value).toBe('stopped');
    expect(next.status).toBe('done');
    expect(next.context.outcome).toEqual({
      kind: 'stopped',
      reason: 'Deltagarna uteblev.',
      step: 10,
      by: 'user-steering-group',
      role: 'steering-group',
      at: AT,
    });
  });

  it('END_INITIATIVE finishes the execution region; follow-ups are no longer accepted', () => {
    const next = send(at.running(), END);
    expect(next.value).toEqual({ running: { execution: 'finished', seminars: 'active', scaleUp: 'planning' } });
    expect([...next.tags].sort()).toEqual(['step:11', 'step:12']);
    expect(next.context.execution.ended).toMatchObject(storyStep('END_INITIATIVE'));
    expectUnchanged(next, followUp({ conclusion: 'continue' }));
  });

  it('seminars are accepted during and after the initiative', () => {
    const seminar = ev('RECORD_SEMINAR', storyStep('RECORD_SEMINAR'));
    const during = send(at.running(), seminar);
    expect(during.context.seminars).toHaveLength(1);
    const after = play(at.running(), [END, seminar, seminar]);
    expect(after.value).toEqual({ running: { execution: 'finished', seminars: 'active', scaleUp: 'planning' } });
    expect(after.context.seminars).toHaveLength(2);
    const waiting = play(at.running(), [END, scaleUpRecommendation('end'), seminar]);
    expect(waiting.value).toEqual({ running: { execution: 'finished', seminars: 'active', scaleUp: 'awaitingDecision' } });
    expect(waiting.context.seminars).toHaveLength(1);
  });

  it('RECORD_SCALE_UP_RECOMMENDATION before END_INITIATIVE fails, even with a plan', () => {
    const s = send(at.running(), PLAN);
    for (const kind of ['implement', 'scale-up', 'end'] as const) {
      const event = scaleUpRecommendation(kind);
      expectUnchanged(s, event);
      expect(unmetOf('RECORD_SCALE_UP_RECOMMENDATION', s, event)).toEqual(['initiative-ended']);
    }
  });

  it.each(['implement', 'scale-up'] as const)('RECORD_SCALE_UP_RECOMMENDATION %s without a scale-up plan fails', (kind) => {
    const s = send(at.running(), END);
    expect(s.context.scaleUpPlan).toBeUndefined();
    const event = scaleUpRecommendation(kind);
    expectUnchanged(s, event);
    expect(unmet(requirementsFor('RECORD_SCALE_UP_RECOMMENDATION', s.context, event))).toEqual([
      { id: 'scale-up-plan-present', met: false },
    ]);
  });

  it("RECORD_SCALE_UP_RECOMMENDATION 'end' without a plan passes after END_INITIATIVE", () => {
    const s = send(at.running(), END);
    const next = send(s, scaleUpRecommendation('end'));
    expect(next.value).toEqual({ running: { execution: 'finished', seminars: 'active', scaleUp: 'awaitingDecision' } });
    expect(next.context.scaleUpRecommendation?.recommendation).toBe('end');
  });

  it.each(['implement', 'scale-up'] as const)('RECORD_SCALE_UP_RECOMMENDATION %s with a plan passes after END_INITIATIVE', (kind) => {
    const s = at.endedWithPlan();
    expect(unmetOf('RECORD_SCALE_UP_RECOMMENDATION', s, scaleUpRecommendation(kind))).toEqual([]);
    expect(send(s, scaleUpRecommendation(kind)).value).toEqual({
      running: { execution: 'finished', seminars: 'active', scaleUp: 'awaitingDecision' },
    });
  });

  it('RECORD_SCALE_UP_DECISION deviating from the recommendation needs a deviation motivation', () => {
    const s = at.scaleUpDecision();
    expect(s.context.scaleUpRecommendation?.recommendation).toBe('scale-up');
    for (const kind of ['implement', 'end'] as const) {
      const event = scaleUpDecision(kind);
      expectUnchanged(s, event);
      expect(unmetOf('RECORD_SCALE_UP_DECISION', s, event)).toEqual(['deviation-motivated']);
    }
    const implemented = send(s, scaleUpDecision('implement', 'Först i ordinarie verksamhet i två kommuner.'));
    expect(implemented.value).toBe('implemented');
    const ended = send(s, scaleUpDecision('end', 'Finansieringen saknas.'));
    expect(ended.value).toBe('ended');
    expect(send(s, scaleUpDecision('scale-up')).value).toBe('scaledUp');
  });
});

describe('structure', () => {
  const nodes = allNodes(caseMachine.root);

  it('each of the twelve steps is tagged on exactly the expected state nodes', () => {
    const byTag: Record<string, string[]> = {};
    for (const node of nodes) for (const tag of node.tags) (byTag[tag] ??= []).push(node.id);
    for (let step = 1; step <= 12; step++) expect(byTag[`step:${step}`]?.length ?? 0).toBeGreaterThan(0);
    expect(byTag).toEqual({
      'step:1': ['case.open.idea'],
      'step:2': ['case.open.coordinatorContact'],
      'step:3': ['case.open.ideaTemplate'],
      'step:4': ['case.open.preparation.coordinationGroup'],
      'step:5': ['case.open.preparation.dialogueForum'],
      'step:6': ['case.open.preparation.targetGroupDialogue'],
      'step:7': ['case.open.preparation.checkIns'],
      'step:8': ['case.open.preparation.proposal'],
      'step:9': ['case.open.preparation.decision'],
      'step:10': ['case.running.execution.ongoing'],
      'step:11': ['case.running.seminars.active'],
      'step:12': ['case.running.scaleUp.planning', 'case.running.scaleUp.awaitingDecision'],
      final: ['case.notEligible', 'case.withdrawn', 'case.rejected', 'case.stopped', 'case.implemented', 'case.scaledUp', 'case.ended'],
    });
  });

  it('the final states are exactly the seven outcomes', () => {
    expect(nodes.filter((n) => n.type === 'final').map((n) => n.key)).toEqual([
      'notEligible',
      'withdrawn',
      'rejected',
      'stopped',
      'implemented',
      'scaledUp',
      'ended',
    ]);
  });

  it('each snapshot along the story stands at the tagged step', () => {
    const expected: [() => Snap, number[]][] = [
      [at.step1, [1]],
      [at.step2, [2]],
      [at.step3, [3]],
      [at.step4, [4]],
      [at.step5, [5]],
      [at.step6, [6]],
      [at.step7, [7]],
      [at.step8, [8]],
      [at.step9Recommendation, [9]],
      [at.step9Decision, [9]],
      [at.running, [10, 11, 12]],
    ];
    for (const [snapshot, steps] of expected) {
      const s = snapshot();
      const tagged = [...s.tags].map((t) => Number(t.slice('step:'.length))).sort((a, b) => a - b);
      expect(tagged).toEqual(steps);
      expect(s.context.step).toBe(steps[0]);
    }
  });

  describe('RECORD_CHECK_IN', () => {
    const accepting: [string, () => Snap, number][] = [
      ['4', at.step4, 4],
      ['5', at.step5, 5],
      ['6', at.step6, 6],
      ['7', at.step7, 7],
      ['8', at.step8, 8],
      ['9 (awaiting recommendation)', at.step9Recommendation, 9],
      ['9 (awaiting decision)', at.step9Decision, 9],
    ];
    it.each(accepting)('is accepted at step %s without changing the state value', (_name, snapshot, step) => {
      const s = snapshot();
      const next = send(s, CHECK_IN);
      expect(next).not.toBe(s);
      expect(next.value).toEqual(s.value);
      expect(next.context.step).toBe(step);
      expect(next.context.checkIns.slice(s.context.checkIns.length)).toEqual([
        { ...CHECK_IN.payload, step, by: 'user-local-coordinator', role: 'local-coordinator', at: AT },
      ]);
    });

    const refusing: [string, () => Snap][] = [
      ['1', at.step1],
      ['2', at.step2],
      ['3', at.step3],
      ['10–12 (running)', at.running],
      ['11–12 (initiative ended)', () => send(at.running(), END)],
      ['11–12 (awaiting scale-up decision)', at.scaleUpDecision],
    ];
    it.each(refusing)('is not accepted at step %s', (_name, snapshot) => {
      expectUnchanged(snapshot(), CHECK_IN);
    });
  });

  describe('WITHDRAW', () => {
    const withdrawable: [string, () => Snap, number][] = [
      ['1', at.step1, 1],
      ['2', at.step2, 2],
      ['3', at.step3, 3],
      ['4', at.step4, 4],
      ['5', at.step5, 5],
      ['6', at.step6, 6],
      ['7', at.step7, 7],
      ['8', at.step8, 8],
      ['9 (awaiting recommendation)', at.step9Recommendation, 9],
      ['9 (awaiting decision)', at.step9Decision, 9],
    ];
    it.each(withdrawable)('at step %s ends the case as withdrawn at that step', (_name, snapshot, step) => {
      const next = send(snapshot(), ev('WITHDRAW', { reason: `Dras tillbaka vid steg ${step}.` }, 'initiator'));
      expect(next.value).toBe('withdrawn');
      expect(next.status).toBe('done');
      expect([...next.tags]).toEqual(['final']);
      expect(next.context.outcome).toEqual({
        kind: 'withdrawn',
        reason: `Dras tillbaka vid steg ${step}.`,
        step,
        by: 'user-initiator',
        role: 'initiator',
        at: AT,
      });
    });

    const notWithdrawable: [string, () => Snap][] = [
      ['running', at.running],
      ['running, initiative ended', () => send(at.running(), END)],
      ['running, awaiting scale-up decision', at.scaleUpDecision],
    ];
    it.each(notWithdrawable)('is not accepted once %s', (_name, snapshot) => {
      expectUnchanged(snapshot(), withdraw());
    });

    it('is not accepted in a final state', () => {
      const s = send(at.step3(), withdraw());
      expectUnchanged(s, withdraw('igen'));
    });
  });

  it('every final state is done and carries an outcome with a reason', () => {
    const finals: [Snap, string, string, number][] = [
      [send(at.step2(), ev('ASSESS_NOT_ELIGIBLE', { reason: 'Utanför området.' })), 'not-eligible', 'Utanför området.', 2],
      [send(at.step5(), withdraw('Ingen tid.')), 'withdrawn', 'Ingen tid.', 5],
      [
        send(send(at.step9Recommendation(), recommendation('reject')), decision({ decision: 'reject', motivation: 'Nej.' })),
        'rejected',
        'Nej.',
        9,
      ],
      [send(at.running(), followUp({ conclusion: 'stop', narrative: 'Stopp.' })), 'stopped', 'Stopp.', 10],
      [
        send(send(at.endedWithPlan(), scaleUpRecommendation('implement')), scaleUpDecision('implement')),
        'implemented',
        'Direktören: implement.',
        12,
      ],
      [send(at.scaleUpDecision(), scaleUpDecision('scale-up')), 'scaled-up', 'Direktören: scale-up.', 12],
      [send(send(at.endedWithPlan(), scaleUpRecommendation('end')), scaleUpDecision('end')), 'ended', 'Direktören: end.', 12],
    ];
    const reached = new Set<string>();
    for (const [s, kind, reason, step] of finals) {
      expect(s.status).toBe('done');
      expect(s.hasTag('final')).toBe(true);
      expect(s.context.outcome).toMatchObject({ kind, reason, step });
      expect(s.context.outcome?.reason.length).toBeGreaterThan(0);
      reached.add(String(s.value));
    }
    expect([...reached]).toEqual(['notEligible', 'withdrawn', 'rejected', 'stopped', 'implemented', 'scaledUp', 'ended']);
  });

  describe('ADD_PARTICIPANT', () => {
    const add = (userId: string) => ev('ADD_PARTICIPANT', { userId }, 'initiator');
    const USER = '5b0c1d7e-3f4a-4b6c-8d9e-0a1b2c3d4e5f';

    it.each([
      ['1', at.step1],
      ['8', at.step8],
      ['9', at.step9Decision],
      ['10–12', at.running],
      ['12 (awaiting scale-up decision)', at.scaleUpDecision],
    ] as const)('adds a participant at step %s without changing the state value', (_name, snapshot) => {
      const s = snapshot();
      const next = send(s, add(USER));
      expect(next.value).toEqual(s.value);
      expect(next.context.participants).toEqual([{ userId: USER, by: 'user-initiator', role: 'initiator', at: AT }]);
    });

    it('refuses the initiator and someone who already takes part', () => {
      const s = send(at.step4(), add(USER));
      for (const userId of [INPUT.idea.initiatorId, USER]) {
        const event = add(userId);
        expectUnchanged(s, event);
        expect(unmetOf('ADD_PARTICIPANT', s, event)).toEqual(['participant-new']);
      }
    });

    // Handled on `open` and `running` only: a final state accepts no participant.
    it('is not accepted once the case is closed', () => {
      expectUnchanged(send(at.step3(), withdraw()), add(USER));
    });
  });

  it('events outside their step change nothing', () => {
    expectUnchanged(at.step1(), ev('ASSESS_ELIGIBLE', storyStep('ASSESS_ELIGIBLE')));
    expectUnchanged(at.step4(), SUBMIT);
    expectUnchanged(at.step8(), ev('RECORD_SEMINAR', storyStep('RECORD_SEMINAR')));
    expectUnchanged(at.running(), ev('UPDATE_PROPOSAL', FULL_PROPOSAL, 'initiator'));
  });
});
