import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import type { CaseEvent } from '../../machines/case/schemas.js';
import { caseMachineFor } from '../../machines/versions.js';
import { FULL_STORY, storyUntilStep, type StoryStep } from '../../src/demo/story.js';
import { stepsOf } from '../../src/engine/snapshot.js';
import { advance, createCase, createCaseOnVersion, createTestApp, sendEvent, type TestApp } from '../helpers.js';
import { expectReplayReproduces, replay, rowsOf } from '../replay.js';

/*
 * The event log is the truth: replaying a case's log from the machine's initial state, with
 * nothing but the stored rows, must give exactly the snapshot the engine stored — and each
 * row's state_before / state_after must be what the replay passes through.
 */

const step = (type: string, role: StoryStep['role'], payload: unknown) => ({ type, role, payload }) as StoryStep;
const byType = (type: string) => FULL_STORY.find((s) => s.type === type)!;

const WITHDRAW_REASON = 'Vi har fått finansiering från annat håll.';
const WITHDRAW = step('WITHDRAW', 'initiator', { reason: WITHDRAW_REASON });
const NOT_ELIGIBLE = step('ASSESS_NOT_ELIGIBLE', 'county-coordinator', {
  reason: 'Idén gäller fysisk hälsa och ligger utanför överenskommelsen.',
});
const PROTOCOL = { meetingDate: '2026-06-10', paragraph: '§ 51', diaryNumber: 'LSVO 2026/140' };
const REVISED_AND_RESUBMITTED: StoryStep[] = [
  ...storyUntilStep(9), // stands at step 9, awaiting LSVO's recommendation
  step('RECORD_RECOMMENDATION', 'lsvo-secretary', {
    recommendation: 'revise',
    motivation: 'Budgeten behöver brytas ned per kommun.',
    protocol: PROTOCOL,
  }),
  step('UPDATE_PROPOSAL', 'initiator', {
    budget: [
      { year: 2026, costType: 'Personal Karlshamn', amountOre: 40_000_000 },
      { year: 2026, costType: 'Personal Olofström', amountOre: 25_000_000 },
      { year: 2027, costType: 'Personal', amountOre: 70_000_000 },
    ],
  }),
  step('SUBMIT_TO_LSVO', 'county-coordinator', {}),
  step('RECORD_RECOMMENDATION', 'lsvo-secretary', {
    recommendation: 'approve',
    motivation: 'Budgeten är nu nedbruten.',
    protocol: { ...PROTOCOL, meetingDate: '2026-08-19', paragraph: '§ 60' },
  }),
  step('RECORD_DECISION', 'regional-director', {
    decision: 'revise',
    motivation: 'Uppföljningsplanen behöver kompletteras.',
    deviationMotivation: 'Beslutet avviker eftersom uppföljningen inte är tydlig nog.',
  }),
  step('UPDATE_PROPOSAL', 'county-coordinator', {
    evaluationPlan: 'Följs upp kvartalsvis; extern utvärdering av FoU Blekinge efter år ett och två.',
  }),
  step('SUBMIT_TO_LSVO', 'county-coordinator', {}),
  step('RECORD_RECOMMENDATION', 'lsvo-secretary', {
    recommendation: 'approve',
    motivation: 'Kompletteringen är gjord.',
    protocol: { ...PROTOCOL, meetingDate: '2026-09-16', paragraph: '§ 71' },
  }),
  byType('RECORD_DECISION'),
];

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

/** Plays the steps through the services, an hour apart, so every event has its own time. */
async function caseWith(steps: StoryStep[], title: string, machineVersion?: 2): Promise<string> {
  const id = machineVersion ? createCaseOnVersion(t, machineVersion, title) : await createCase(t, title);
  for (const s of steps) {
    t.clock.advance(3_600_000);
    advance(t, id, [s]);
  }
  return id;
}

describe("replaying a case's log reproduces its stored snapshot", () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('a case standing at step %i', async (n) => {
    // Only a case raised before version 4 stands at step 1; from version 4 raising the idea also sends it.
    const id = await caseWith(storyUntilStep(n), `Ärende i steg ${n}`, n === 1 ? 2 : undefined);
    const { events, snapshot } = expectReplayReproduces(t.services.db.$client, id);
    expect(events).toHaveLength(storyUntilStep(n).length + (n === 1 ? 1 : 2));
    expect(stepsOf(snapshot)).toEqual(n === 10 ? [10, 11, 12] : [n]);
  });

  it('a case that went through the whole story to scale-up', async () => {
    const id = await caseWith(FULL_STORY, 'Hela berättelsen');
    const { events, snapshot, row } = expectReplayReproduces(t.services.db.$client, id);
    expect(events).toHaveLength(FULL_STORY.length + 1);
    expect(snapshot.value).toBe('scaledUp');
    expect(row.outcome).toBe('scaled-up');
  });

  it('a case the initiator withdrew at the dialogue forum', async () => {
    const id = await caseWith([...storyUntilStep(5), WITHDRAW], 'Tillbakadraget ärende');
    const { snapshot, row } = expectReplayReproduces(t.services.db.$client, id);
    expect(snapshot.value).toBe('withdrawn');
    expect(snapshot.context.outcome).toMatchObject({ kind: 'withdrawn', step: 5, reason: WITHDRAW_REASON });
    expect(row).toMatchObject({ status: 'done', outcome: 'withdrawn', steps: ',5,' });
  });

  it('a case the county coordinators found not in line with the agreement', async () => {
    const id = await caseWith([...storyUntilStep(2), NOT_ELIGIBLE], 'Ej i linje');
    const { snapshot, row } = expectReplayReproduces(t.services.db.$client, id);
    expect(snapshot.value).toBe('notEligible');
    expect(snapshot.context.eligibility).toMatchObject({ eligible: false });
    expect(row).toMatchObject({ status: 'done', outcome: 'not-eligible', steps: ',2,' });
  });

  it('a case sent back for revision by LSVO and by the director, revised and resubmitted, then approved', async () => {
    const id = await caseWith(REVISED_AND_RESUBMITTED, 'Reviderat och inskickat igen');
    const { snapshot, events } = expectReplayReproduces(t.services.db.$client, id);
    expect(events.filter((e) => e.type === 'SUBMIT_TO_LSVO')).toHaveLength(3);
    expect(snapshot.context.revisions.map((r) => r.source)).toEqual(['recommendation', 'decision']);
    expect(stepsOf(snapshot)).toEqual([10, 11, 12]);
    expect(snapshot.context.proposal.budget).toHaveLength(3);
  });

  it('a case with a participant, a skipped target-group dialogue and two check-ins', async () => {
    const until5 = storyUntilStep(6); // stands at step 6
    const id = await caseWith(
      [
        step('ADD_PARTICIPANT', 'initiator', { userId: t.otherInitiator.actor.id }),
        ...until5,
        step('SKIP_TARGET_GROUP_DIALOGUE', 'county-coordinator', { reason: 'Målgruppen hördes redan i dialogforumet.' }),
        byType('RECORD_CHECK_IN'),
        step('RECORD_CHECK_IN', 'county-coordinator', {
          date: '2026-04-09',
          group: 'Ledningsgrupp vuxenpsykiatrin',
          notes: 'Vuxenpsykiatrin deltar med en sjuksköterska.',
        }),
        byType('START_PROPOSAL'),
      ],
      'Med deltagare',
    );
    const { snapshot } = expectReplayReproduces(t.services.db.$client, id);
    expect(snapshot.context.participants.map((p) => p.userId)).toEqual([t.otherInitiator.actor.id]);
    expect(snapshot.context.targetGroupDialogue).toMatchObject({ skipped: true });
    expect(snapshot.context.checkIns.map((c) => c.step)).toEqual([7, 7]);
  });

  it('a case the director rejected, and one stopped at a follow-up', async () => {
    const rejected = await caseWith(
      [
        ...storyUntilStep(9),
        step('RECORD_RECOMMENDATION', 'lsvo-secretary', { recommendation: 'reject', motivation: 'Svag evidens.', protocol: PROTOCOL }),
        step('RECORD_DECISION', 'regional-director', { decision: 'reject', motivation: 'Avslag enligt LSVO.' }),
      ],
      'Avslag',
    );
    expect(expectReplayReproduces(t.services.db.$client, rejected).snapshot.value).toBe('rejected');

    const stopped = await caseWith(
      [
        ...storyUntilStep(10),
        FULL_STORY.find((s) => s.type === 'SUBMIT_FOLLOW_UP_REPORT')!,
        step('RECORD_FOLLOW_UP', 'steering-group', {
          date: '2026-12-01',
          indicatorValues: [{ indicatorId: 'andel-i-syssla', value: 2 }],
          spentToDateOre: 10_000_000,
          narrative: 'Inga deltagare har kunnat rekryteras.',
          conclusion: 'stop',
        }),
      ],
      'Avbrutet',
    );
    const { snapshot, row } = expectReplayReproduces(t.services.db.$client, stopped);
    expect(snapshot.value).toBe('stopped');
    expect(row).toMatchObject({ outcome: 'stopped', steps: ',10,' });
  });

  it('a case driven over HTTP, with rejected and replayed requests in between, still replays exactly', async () => {
    const id = await createCase(t, 'Över HTTP');
    const steps = storyUntilStep(4);
    for (const s of steps) {
      t.clock.advance(60_000);
      // A request the state does not accept, one from the wrong role, and a stale one: none may be logged.
      expect((await sendEvent(t, id, t.tokens['county-coordinator'], { type: 'START_PROPOSAL', payload: {} })).statusCode).toBe(409);
      expect((await sendEvent(t, id, t.tokens['lsvo-secretary'], { type: s.type, payload: s.payload })).statusCode).toBe(403);
      const key = { 'idempotency-key': `replay-${id}-${s.type}` };
      const first = await sendEvent(t, id, t.tokens[s.role], { type: s.type, payload: s.payload }, key);
      expect(first.statusCode, first.body).toBe(200);
      const version = Number(JSON.parse(first.headers.etag as string)) - 1;
      const again = await t.app.inject({
        method: 'POST',
        url: `/api/cases/${id}/events`,
        headers: { authorization: `Bearer ${t.tokens[s.role]}`, 'if-match': `"${version}"`, ...key },
        payload: { type: s.type, payload: s.payload },
      });
      expect(again.headers['idempotent-replay']).toBe('true');
    }
    const { events } = expectReplayReproduces(t.services.db.$client, id);
    expect(events.map((e) => e.type)).toEqual(['CASE_CREATED', 'CONTACT_COORDINATORS', ...steps.map((s) => s.type)]);
  });

  it('the comparison is strict: a log with one event left out does not reproduce the snapshot', async () => {
    const id = await caseWith(storyUntilStep(8), 'Kontroll');
    const { row, events } = rowsOf(t.services.db.$client, id);
    const withoutCheckIn = events.filter((e) => e.type !== 'RECORD_CHECK_IN');
    expect(withoutCheckIn).toHaveLength(events.length - 1);
    // Without the check-in, START_PROPOSAL's guard fails: the replay stops changing at that event.
    expect(() => replay(row, withoutCheckIn)).toThrow();
    const machine = caseMachineFor(row.machine_version);
    let [snapshot] = initialTransition(machine, JSON.parse(events[0]!.payload));
    for (const e of withoutCheckIn.slice(1)) {
      [snapshot] = transition(machine, snapshot, {
        type: e.type,
        payload: JSON.parse(e.payload),
        meta: { actorId: e.actor_id, role: e.actor_role, at: e.at },
      } as CaseEvent);
    }
    expect(JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot)))).not.toEqual(JSON.parse(row.snapshot));
  });
});
