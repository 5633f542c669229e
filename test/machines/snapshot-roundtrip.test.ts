import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initialTransition, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { CaseEvent } from '../../machines/case/schemas.js';
import { CASE_MACHINE_VERSIONS, caseMachineFor } from '../../machines/versions.js';
import { storyOfVersion, type StoryStep } from '../../src/demo/story.js';

/** The story as version 1 takes it (no follow-up reports). */
const FULL_STORY = storyOfVersion(1);
import { machineInput } from '../expected.js';
import { acceptedEventTypes, restoreSnapshot, stepsOf } from '../../src/engine/snapshot.js';

/*
 * Stored snapshots outlive releases of our code and of xstate. These fixtures were written
 * by machine version 1 (at each point of the demo story); every release must still restore
 * them, accept the same events and carry them on. Regenerate only for a new machine version:
 * SATSA_WRITE_FIXTURES=1 npx vitest run test/machines/snapshot-roundtrip.test.ts
 */

const fixtureFile = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/snapshots-v1.json');
const machine = caseMachineFor(1);

function storySnapshots() {
  let [snapshot] = initialTransition(machine, machineInput('Fixture', '2026-01-01T08:00:00.000Z'));
  const out = [{ at: 0, next: FULL_STORY[0] ?? null, snapshot: JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot))) }];
  FULL_STORY.forEach((step, i) => {
    const event = {
      type: step.type,
      payload: step.payload,
      meta: { actorId: `u-${step.role}`, role: step.role, at: '2026-02-01T08:00:00.000Z' },
    } as CaseEvent;
    [snapshot] = transition(machine, snapshot, event);
    out.push({ at: i + 1, next: FULL_STORY[i + 1] ?? null, snapshot: JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot))) });
  });
  return out;
}

if (process.env.SATSA_WRITE_FIXTURES === '1') {
  fs.writeFileSync(fixtureFile, `${JSON.stringify(storySnapshots(), null, 1)}\n`);
}

/** Each stored snapshot with the story event that came next when it was written (null at the end). */
const fixtures = JSON.parse(fs.readFileSync(fixtureFile, 'utf8')) as { at: number; next: StoryStep | null; snapshot: object }[];

describe('stored snapshots of machine version 1', () => {
  it('version 1 is still released', () => {
    expect(Object.keys(CASE_MACHINE_VERSIONS)).toContain('1');
  });

  it('the fixtures cover the whole story', () => {
    expect(fixtures).toHaveLength(FULL_STORY.length + 1);
  });

  it.each(fixtures.map((f) => [f.at, f]))('restores the snapshot after story event %i and carries on', (_, fixture) => {
    const restored = restoreSnapshot({ snapshot: fixture.snapshot, machineVersion: 1 });
    expect(restored.status).not.toBe('error');
    // Round trip: what we persist again is what was stored.
    expect(JSON.parse(JSON.stringify(machine.getPersistedSnapshot(restored)))).toEqual(fixture.snapshot);
    expect(stepsOf(restored).length).toBeGreaterThan(0);
    // The event stored with the fixture, not today's demo story: the story may grow with
    // later machine versions, the version-1 record does not.
    const next = fixture.next;
    if (!next) {
      expect(restored.status).toBe('done');
      return;
    }
    expect(acceptedEventTypes(restored).has(next.type)).toBe(true);
    const [after] = transition(machine, restored, {
      type: next.type,
      payload: next.payload,
      meta: { actorId: `u-${next.role}`, role: next.role, at: '2026-02-01T08:00:00.000Z' },
    } as CaseEvent);
    expect(after).not.toBe(restored);
    const expected = fixtures[fixture.at + 1]!.snapshot;
    expect(JSON.parse(JSON.stringify(machine.getPersistedSnapshot(after)))).toEqual(expected);
  });
});
