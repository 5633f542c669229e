import type Database from 'better-sqlite3';
import { initialTransition, transition } from 'xstate';
import { expect } from 'vitest';
import type { CaseEvent } from '../machines/case/schemas.js';
import { caseMachineFor } from '../machines/versions.js';
import { statePaths, stepsOf } from '../src/engine/snapshot.js';
import { OUTSIDE_THE_CHART } from '../src/engine/engine.js';
import { createLogPeople } from '../src/engine/log-people.js';

/*
 * The event log is the truth: replaying a case's log from the machine's initial state, with
 * nothing but the stored rows, must give exactly the snapshot the engine stored. Used by the
 * replay suite and by the crash test on a database a killed server left behind.
 */

export interface EventRow {
  id: number;
  case_id: string;
  version: number;
  type: string;
  actor_id: string;
  actor_role: string;
  at: string;
  payload: string;
  state_before: string | null;
  state_after: string;
  steps_before: string | null;
  steps_after: string;
}

export interface CaseRowRaw {
  id: string;
  snapshot: string;
  version: number;
  machine_version: number;
  steps: string;
  state_paths: string;
  status: string;
  outcome: string | null;
}

export function rowsOf(sqlite: Database.Database, caseId: string) {
  const row = sqlite.prepare('SELECT * FROM cases WHERE id = ?').get(caseId) as CaseRowRaw;
  const stored = sqlite.prepare('SELECT * FROM case_events WHERE case_id = ? ORDER BY version').all(caseId) as EventRow[];
  // The log names people by reference and keeps their text encrypted: read it as sent.
  const read = createLogPeople(sqlite).decoder(caseId);
  const events = stored.map((e) => {
    const decoded = read({ type: e.type, actorId: e.actor_id, payload: JSON.parse(e.payload) as unknown });
    return { ...e, actor_id: decoded.actorId, payload: JSON.stringify(decoded.payload) };
  });
  return { row, events };
}

/** Replays `events` from the initial state; checks each row on the way and returns the final snapshot. */
export function replay(row: CaseRowRaw, events: EventRow[]) {
  const machine = caseMachineFor(row.machine_version);
  const [first, ...rest] = events;
  expect(first!.type).toBe('CASE_CREATED');
  expect(first!.version).toBe(1);
  expect(first!.state_before).toBeNull();
  let [snapshot] = initialTransition(machine, JSON.parse(first!.payload));
  expect(JSON.parse(first!.state_after), 'state_after of CASE_CREATED').toEqual(snapshot.value);
  expect(first!.steps_after).toBe(stepsOf(snapshot).join(','));

  for (const e of rest) {
    // The engine's own events (deadlines computed anew, documents, comments) change no state.
    if (OUTSIDE_THE_CHART.includes(e.type)) {
      expect(e.state_after).toBe(e.state_before);
      continue;
    }
    const before = snapshot;
    expect(JSON.parse(e.state_before!), `state_before of v${e.version} ${e.type}`).toEqual(before.value);
    expect(e.steps_before).toBe(stepsOf(before).join(','));
    const event = {
      type: e.type,
      payload: JSON.parse(e.payload),
      meta: { actorId: e.actor_id, role: e.actor_role, at: e.at },
    } as CaseEvent;
    [snapshot] = transition(machine, snapshot, event);
    expect(snapshot, `v${e.version} ${e.type} changed nothing on replay`).not.toBe(before);
    expect(JSON.parse(e.state_after), `state_after of v${e.version} ${e.type}`).toEqual(snapshot.value);
    expect(e.steps_after).toBe(stepsOf(snapshot).join(','));
  }
  return { machine, snapshot };
}

export function expectReplayReproduces(sqlite: Database.Database, caseId: string) {
  const { row, events } = rowsOf(sqlite, caseId);
  expect(events.map((e) => e.version)).toEqual(Array.from({ length: row.version }, (_, i) => i + 1));
  const { machine, snapshot } = replay(row, events);
  expect(JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot)))).toEqual(JSON.parse(row.snapshot));
  // The list columns are a projection of the same snapshot.
  expect(row.steps).toBe(`,${stepsOf(snapshot).join(',')},`);
  expect(row.state_paths).toBe(statePaths(snapshot.value).join(','));
  expect(row.status).toBe(snapshot.status === 'done' ? 'done' : 'active');
  expect(row.outcome).toBe(snapshot.context.outcome?.kind ?? null);
  return { row, events, snapshot };
}
