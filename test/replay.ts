import type Database from 'better-sqlite3';
import { createActor, initialTransition, transition, type AnyStateMachine, type Snapshot } from 'xstate';
import { expect } from 'vitest';
import type { CaseEvent } from '../machines/case/schemas.js';
import { migrateSnapshot, migrationPath, migrationPlanById, type PersistedCaseSnapshot } from '../machines/migrations.js';
import { caseMachineFor } from '../machines/versions.js';
import { joinSnapshot } from '../src/engine/case-parts.js';
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
  // The snapshot is the row's and its parts' (src/engine/case-parts.ts).
  const parts = sqlite.prepare('SELECT part, data FROM case_parts WHERE case_id = ?').all(caseId) as { part: string; data: string }[];
  row.snapshot = JSON.stringify(joinSnapshot(JSON.parse(row.snapshot) as object, parts));
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
  // A case that was moved to another version of the process starts on the version it moved from.
  const firstMigration = events.find((e) => e.type === 'CASE_MIGRATED');
  let machine = caseMachineFor(
    firstMigration ? (JSON.parse(firstMigration.payload) as { fromVersion: number }).fromVersion : row.machine_version,
  );
  const [first, ...rest] = events;
  expect(first!.type).toBe('CASE_CREATED');
  expect(first!.version).toBe(1);
  expect(first!.state_before).toBeNull();
  let [snapshot] = initialTransition(machine, JSON.parse(first!.payload));
  expect(JSON.parse(first!.state_after), 'state_after of CASE_CREATED').toEqual(snapshot.value);
  expect(first!.steps_after).toBe(stepsOf(snapshot).join(','));

  for (const e of rest) {
    // A migration: the case goes on on the new version's machine, its state mapped as the engine did.
    if (e.type === 'CASE_MIGRATED') {
      [machine, snapshot] = replayMigration(machine, snapshot, e);
      continue;
    }
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
  expect(machine, 'the machine replay ends on is the version the case is on').toBe(caseMachineFor(row.machine_version));
  return { machine, snapshot };
}

/**
 * CASE_MIGRATED on replay: the snapshot replayed so far, persisted by its version's machine,
 * moved along the plans the event names (the chain between its versions) and restored into the
 * new version's machine; the states and the data filled in must be the event's.
 */
function replayMigration<S extends { value: unknown }>(machine: AnyStateMachine, snapshot: S, e: EventRow): [never, never] {
  const payload = JSON.parse(e.payload) as {
    fromVersion: number;
    toVersion: number;
    planIds: string[];
    stateBefore: string[];
    stateAfter: string[];
    defaults: Record<string, unknown>;
  };
  expect(machine, `v${e.version} CASE_MIGRATED from the version replayed`).toBe(caseMachineFor(payload.fromVersion));
  expect(JSON.parse(e.state_before!), `state_before of v${e.version} CASE_MIGRATED`).toEqual(snapshot.value);
  expect(payload.planIds).toEqual(migrationPath(payload.fromVersion, payload.toVersion)!.map((p) => p.id));
  const persisted = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot as never))) as PersistedCaseSnapshot;
  const outcome = migrateSnapshot(
    persisted,
    payload.planIds.map((id) => migrationPlanById(id)!),
  );
  if (!outcome.ok) throw new Error(`v${e.version} CASE_MIGRATED: the plan refuses the replayed case (${outcome.reason})`);
  expect(outcome.defaults).toEqual(payload.defaults);
  expect(outcome.stateAfter).toEqual(payload.stateAfter);
  const next = caseMachineFor(payload.toVersion) as AnyStateMachine;
  const moved = createActor(next, { snapshot: outcome.snapshot as unknown as Snapshot<unknown> }).getSnapshot() as {
    value: unknown;
    tags: Set<string>;
  };
  expect(JSON.parse(e.state_after), `state_after of v${e.version} CASE_MIGRATED`).toEqual(moved.value);
  expect(e.steps_after).toBe(stepsOf(moved as never).join(','));
  return [next as never, moved as never];
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
