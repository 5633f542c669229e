import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_PROPOSAL, storyUntilStep } from '../../src/demo/story.js';
import { DomainError } from '../../src/errors.js';
import { advance, createCase, createTestApp, type TestApp } from '../helpers.js';

/*
 * A person's own draft of the proposal (src/cases/drafts.ts): saved, read and thrown away by
 * its writer only; never an event, never a new case version; refused to anyone who could not
 * send the proposal; and never sent over a proposal someone else changed since it started,
 * while other events on the case (a criterion) do not make it stale.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const EVENT = 'UPDATE_PROPOSAL';
const caseRow = (id: string) =>
  t.services.db.$client
    .prepare('SELECT version, (SELECT count(*) FROM case_events WHERE case_id = ?) AS events FROM cases WHERE id = ?')
    .get(id, id) as {
    version: number;
    events: number;
  };

async function atProposal() {
  const id = await createCase(t, 'Utkast till underlaget');
  advance(t, id, storyUntilStep(8));
  return id;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

describe('a draft of the proposal', () => {
  it('is saved, read and thrown away by its writer, and is no event of the case', async () => {
    const id = await atProposal();
    const { drafts } = t.services;
    const me = t.actors.initiator;
    const before = caseRow(id);
    expect(drafts.read(me, id, EVENT)).toBeUndefined();

    const saved = drafts.save(me, id, EVENT, { values: { background: 'Bakgrunden i utkastet.' }, parts: ['purpose'] });
    expect(saved.values).toEqual({ background: 'Bakgrunden i utkastet.' });
    expect(saved.caseVersion).toBe(before.version);
    expect(saved.base).toEqual({});
    expect(caseRow(id)).toEqual(before);

    t.clock.advance(60_000);
    const again = drafts.save(me, id, EVENT, {
      values: { background: 'Andra gången.', targetGroup: 'Unga vuxna.' },
      parts: ['purpose', 'target-group', 'purpose'],
    });
    expect(again.parts).toEqual(['purpose', 'target-group']);
    expect(again.createdAt).toBe(saved.createdAt);
    expect(again.updatedAt > saved.updatedAt).toBe(true);
    expect(drafts.read(me, id, EVENT)?.values.targetGroup).toBe('Unga vuxna.');
    expect(caseRow(id)).toEqual(before);

    expect(drafts.discard(me, id, EVENT)).toBe(true);
    expect(drafts.read(me, id, EVENT)).toBeUndefined();
    expect(drafts.discard(me, id, EVENT)).toBe(false);
    expect(caseRow(id)).toEqual(before);
  });

  it('is nobody else’s: another writer has their own, and others cannot keep one at all', async () => {
    const id = await atProposal();
    const { drafts } = t.services;
    drafts.save(t.actors.initiator, id, EVENT, { values: { purpose: 'Initiativtagarens syfte.' }, parts: [] });
    // A county coordinator may write the proposal too, but reads only their own draft.
    expect(drafts.read(t.actors['county-coordinator'], id, EVENT)).toBeUndefined();
    drafts.save(t.actors['county-coordinator'], id, EVENT, { values: { purpose: 'Samordnarens syfte.' }, parts: [] });
    expect(drafts.read(t.actors.initiator, id, EVENT)?.values.purpose).toBe('Initiativtagarens syfte.');
    expect(drafts.read(t.actors['county-coordinator'], id, EVENT)?.values.purpose).toBe('Samordnarens syfte.');
    // Those who cannot send the proposal cannot keep a draft of it; a case one cannot see does not exist.
    expect(codeOf(() => drafts.save(t.actors['lsvo-secretary'], id, EVENT, { values: {}, parts: [] }))).toBe('forbidden');
    expect(codeOf(() => drafts.save(t.otherInitiator.actor, id, EVENT, { values: {}, parts: [] }))).toBe('not-found');
    expect(codeOf(() => drafts.save(t.foreignCoordinator.actor, id, EVENT, { values: {}, parts: [] }))).toBe('not-found');
    expect(drafts.read(t.otherInitiator.actor, id, EVENT)).toBeUndefined();
    expect(drafts.mayDraft(t.actors['lsvo-secretary'], id, EVENT)).toBe(false);
    expect(drafts.mayDraft(t.actors.initiator, id, EVENT)).toBe(true);
    // Only at the step where the proposal is written.
    const early = await createCase(t, 'Tidigt ärende');
    expect(codeOf(() => drafts.save(t.actors.initiator, early, EVENT, { values: {}, parts: [] }))).toBe('event-not-accepted');
    // Only of the events that have drafts; and a draft is bounded.
    expect(codeOf(() => drafts.save(t.actors.initiator, id, 'WITHDRAW', { values: {}, parts: [] }))).toBe('not-found');
    expect(codeOf(() => drafts.save(t.actors.initiator, id, EVENT, { values: { x: 'y'.repeat(20_001) }, parts: [] }))).toBe(
      'validation-failed',
    );
  });

  it('is stale when the proposal changed since it started, not when anything else happened on the case', async () => {
    const id = await atProposal();
    const { drafts } = t.services;
    const me = t.actors.initiator;
    const draft = drafts.save(me, id, EVENT, { values: { purpose: 'Mitt syfte.' }, parts: ['purpose'] });
    // A criterion assessed: a new case version, the same proposal.
    advance(t, id, [
      {
        type: 'ASSESS_CRITERION',
        role: 'county-coordinator',
        payload: { criterionId: 'c1', fulfilled: true, justification: 'Satsningen motverkar utanförskap.' },
      } as never,
    ]);
    expect(caseRow(id).version).toBeGreaterThan(draft.caseVersion);
    expect(drafts.changesSince(me, draft).changed).toEqual([]);

    // Someone else saves the proposal: the draft is stale on exactly the fields they changed.
    advance(t, id, [
      { type: 'UPDATE_PROPOSAL', role: 'county-coordinator', payload: { purpose: 'Samordnarens syfte.', targetGroup: 'Unga.' } } as never,
    ]);
    expect(drafts.changesSince(me, draft).changed).toEqual(['purpose', 'targetGroup']);

    // Sending the stale draft is refused and changes nothing.
    const before = caseRow(id);
    let refused: DomainError | undefined;
    try {
      drafts.send(me, id, EVENT, { purpose: 'Mitt syfte.' }, 'sv');
    } catch (error) {
      refused = error as DomainError;
    }
    expect(refused?.code).toBe('conflict');
    expect(refused?.details.changed).toEqual(['purpose', 'targetGroup']);
    expect(caseRow(id)).toEqual(before);
    expect(drafts.read(me, id, EVENT)).toBeDefined();

    // Started again from the newer proposal, it is sent, and is gone.
    const restarted = drafts.restart(me, id, EVENT, { values: { purpose: 'Mitt syfte.' }, parts: [] });
    expect(restarted.base).toEqual({ purpose: 'Samordnarens syfte.', targetGroup: 'Unga.' });
    expect(drafts.changesSince(me, restarted).changed).toEqual([]);
    const sent = drafts.send(me, id, EVENT, { purpose: 'Mitt syfte.' }, 'sv');
    expect(sent.version).toBe(before.version + 1);
    expect(drafts.read(me, id, EVENT)).toBeUndefined();
    const proposal = (t.services.cases.get(me, id, 'sv').data as { proposal: Record<string, unknown> }).proposal;
    expect(proposal).toEqual({ purpose: 'Mitt syfte.', targetGroup: 'Unga.' });
  });

  it('an empty list saved over no list at all is no change', async () => {
    const id = await atProposal();
    const { drafts } = t.services;
    const draft = drafts.save(t.actors.initiator, id, EVENT, { values: {}, parts: [] });
    advance(t, id, [{ type: 'UPDATE_PROPOSAL', role: 'county-coordinator', payload: { goals: [], budget: [] } } as never]);
    expect(drafts.changesSince(t.actors.initiator, draft).changed).toEqual([]);
    advance(t, id, [{ type: 'UPDATE_PROPOSAL', role: 'county-coordinator', payload: { budget: FULL_PROPOSAL.budget } } as never]);
    expect(drafts.changesSince(t.actors.initiator, draft).changed).toEqual(['budget']);
  });

  it('goes with the case’s and the person’s rows (deleted with them)', async () => {
    const id = await atProposal();
    t.services.drafts.save(t.actors.initiator, id, EVENT, { values: { purpose: 'x' }, parts: [] });
    const fks = t.services.db.$client.prepare('SELECT "table", on_delete FROM pragma_foreign_key_list(\'case_drafts\')').all();
    expect(fks).toEqual(
      expect.arrayContaining([
        { table: 'cases', on_delete: 'CASCADE' },
        { table: 'users', on_delete: 'CASCADE' },
      ]),
    );
  });
});
