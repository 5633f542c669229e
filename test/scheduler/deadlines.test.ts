import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import type { CaseInput } from '../../machines/case/context.js';
import type { CaseMachine } from '../../machines/case/machine.js';
import type { CaseEvent, CaseEventType } from '../../machines/case/schemas.js';
import { CASE_MACHINE_VERSIONS } from '../../machines/versions.js';
import { storyOfVersion } from '../../src/demo/story.js';
import { machineInput } from '../expected.js';
import { desiredTimers, type Deadlines } from '../../src/scheduler/deadlines.js';

/*
 * The timers a case should have, computed from the deadlines declared beside the chart:
 * pure, no database. The same keys, data, due times and order as the timer rules of
 * TIMER_RULES_VERSION 1 have always given (test/scheduler/timers.test.ts runs them end to end).
 */

type Snap = SnapshotFrom<CaseMachine>;

const DEADLINES: Deadlines = { ideaResponseDays: 10, followUpReminderDays: 14, followUpGraceDays: 1 };
const INPUT: CaseInput = machineInput('Deadlines', '2026-01-15T09:00:00.000Z');
const SUBMITTED = '2026-01-15T09:00:00.000Z';
const DECIDED = '2026-11-20T10:00:00.000Z';

/**
 * The story's snapshot after its events up to and including the `nth` of `type`: the idea
 * submitted at SUBMITTED, the decision taken at DECIDED (with `followUpDates`, if given).
 */
function after(version: keyof typeof CASE_MACHINE_VERSIONS, type: CaseEventType, nth = 1, followUpDates?: string[]): Snap {
  const machine = CASE_MACHINE_VERSIONS[version] as unknown as CaseMachine;
  let [snapshot] = initialTransition(machine, INPUT);
  let seen = 0;
  // As the version lives it: from version 4 the initiator reports before each review.
  for (const step of storyOfVersion(version)) {
    const payload = step.type === 'RECORD_DECISION' && followUpDates ? { ...step.payload, followUpDates } : step.payload;
    const at = step.type === 'SUBMIT_IDEA_TEMPLATE' ? SUBMITTED : step.type === 'RECORD_DECISION' ? DECIDED : '2026-12-01T10:00:00.000Z';
    const [next] = transition(machine, snapshot, {
      type: step.type,
      payload,
      meta: { actorId: `u-${step.role}`, role: step.role, at },
    } as CaseEvent);
    if (next === snapshot) throw new Error(`${step.type} was not taken`);
    snapshot = next;
    if (step.type === type && ++seen === nth) return snapshot;
  }
  throw new Error(`the story has no ${nth}. ${type}`);
}

describe.each([1, 2] as const)('the deadlines of a case on machine version %i', (version) => {
  it('a submitted idea waits for the agenda: ten days later, at 08:00 Swedish time', () => {
    expect(desiredTimers(after(version, 'SUBMIT_IDEA_TEMPLATE'), DEADLINES)).toEqual([
      { key: `idea-unanswered:${SUBMITTED}`, kind: 'idea-unanswered', dueAt: '2026-01-25T07:00:00.000Z', data: { submittedAt: SUBMITTED } },
    ]);
    expect(desiredTimers(after(version, 'PLACE_ON_AGENDA'), DEADLINES)).toEqual([]);
  });

  it('each follow-up date not yet reported: a reminder before, then an escalation after, date by date', () => {
    // Unsorted and repeated dates count once, in order; the first was inside its reminder window when decided.
    const decided = after(version, 'RECORD_DECISION', 1, ['2027-06-01', '2026-12-01', '2026-12-01']);
    expect(desiredTimers(decided, DEADLINES)).toEqual([
      { key: 'follow-up-reminder:2026-12-01', kind: 'follow-up-reminder', dueAt: DECIDED, data: { followUpDate: '2026-12-01' } },
      {
        key: 'follow-up-overdue:2026-12-01',
        kind: 'follow-up-overdue',
        dueAt: '2026-12-02T07:00:00.000Z',
        data: { followUpDate: '2026-12-01' },
      },
      {
        key: 'follow-up-reminder:2027-06-01',
        kind: 'follow-up-reminder',
        dueAt: '2027-05-18T06:00:00.000Z',
        data: { followUpDate: '2027-06-01' },
      },
      {
        key: 'follow-up-overdue:2027-06-01',
        kind: 'follow-up-overdue',
        dueAt: '2027-06-02T06:00:00.000Z',
        data: { followUpDate: '2027-06-01' },
      },
    ]);
    const reported = after(version, 'RECORD_FOLLOW_UP', 1, ['2027-06-01', '2026-12-01']);
    expect(desiredTimers(reported, DEADLINES).map((t) => t.key)).toEqual(['follow-up-reminder:2027-06-01', 'follow-up-overdue:2027-06-01']);
    // The programme's settings give the lengths.
    expect(desiredTimers(reported, { ideaResponseDays: 1, followUpReminderDays: 0, followUpGraceDays: 0 }).map((t) => t.dueAt)).toEqual([
      '2027-06-01T06:00:00.000Z',
      '2027-06-01T06:00:00.000Z',
    ]);
  });

  it('none once the state they belong to is left', () => {
    expect(desiredTimers(after(version, 'END_INITIATIVE'), DEADLINES)).toEqual([]);
    expect(desiredTimers(after(version, 'RECORD_SCALE_UP_DECISION'), DEADLINES)).toEqual([]);
  });
});
