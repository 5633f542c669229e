import { transition } from 'xstate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirementsFor, unmet } from '../../machines/case/requirements.js';
import type { CaseEvent } from '../../machines/case/schemas.js';
import { CURRENT_CASE_MACHINE_VERSION, caseMachineFor } from '../../machines/versions.js';
import { FULL_PROPOSAL, FULL_STORY } from '../../src/demo/story.js';
import { restoreSnapshot } from '../../src/engine/snapshot.js';
import { advance, createCase, createTestApp, sendEvent, type TestApp } from '../helpers.js';
import { createCaseStore } from '../../src/engine/case-store.js';

/*
 * Machine version 2 asks more of a proposal (scope, action plan) than version 1; a case
 * keeps the version it started on.
 */

const submit = {
  type: 'SUBMIT_TO_LSVO',
  payload: {},
  meta: { actorId: 'u', role: 'county-coordinator', at: '2026-05-01T08:00:00.000Z' },
} as CaseEvent;
const { scope: _scope, longTermGoal: _goal, shortTermGoals: _short, followUpPlan: _plan, ...v1Proposal } = FULL_PROPOSAL;
const beforeSubmit = FULL_STORY.slice(
  0,
  FULL_STORY.findIndex((s) => s.type === 'SUBMIT_TO_LSVO'),
).map((s) => (s.type === 'UPDATE_PROPOSAL' ? { ...s, payload: v1Proposal } : s));

describe('machine versions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('new cases start on version 4', () => {
    expect(CURRENT_CASE_MACHINE_VERSION).toBe(4);
  });

  it('a proposal without scope or action plan may go to LSVO under version 1, not under version 2', async () => {
    const pinned = await createCase(t, 'Version 1');
    const current = await createCase(t, 'Version 2');
    t.services.db.$client.prepare('UPDATE cases SET machine_version = 1 WHERE id = ?').run(pinned);
    for (const id of [pinned, current]) advance(t, id, beforeSubmit);

    const refused = await sendEvent(t, current, t.tokens['county-coordinator'], { type: 'SUBMIT_TO_LSVO', payload: {} });
    expect(refused.statusCode).toBe(422);
    expect((refused.json() as { unmet: { id: string }[] }).unmet.map((u) => u.id)).toEqual(['scope-stated', 'action-plan-complete']);
    const accepted = await sendEvent(t, pinned, t.tokens['county-coordinator'], { type: 'SUBMIT_TO_LSVO', payload: {} });
    expect(accepted.statusCode, accepted.body).toBe(200);

    // The same snapshot, through each machine: the guard differs, nothing else.
    const stored = createCaseStore(t.services.db).load(current)!.snapshot;
    for (const version of [1, 2]) {
      const snapshot = restoreSnapshot({ snapshot: stored, machineVersion: version });
      const [after] = transition(caseMachineFor(version), snapshot, submit);
      expect(unmet(requirementsFor('SUBMIT_TO_LSVO', snapshot.context, submit, version)).length > 0).toBe(version === 2);
      expect(after.matches({ open: { preparation: 'decision' } })).toBe(version === 1);
    }

    // With the scope and the action plan written, version 2 lets it through too.
    const complete = await sendEvent(t, current, t.tokens.initiator, { type: 'UPDATE_PROPOSAL', payload: FULL_PROPOSAL });
    expect(complete.statusCode, complete.body).toBe(200);
    expect((await sendEvent(t, current, t.tokens['county-coordinator'], { type: 'SUBMIT_TO_LSVO', payload: {} })).statusCode).toBe(200);
  });
});
