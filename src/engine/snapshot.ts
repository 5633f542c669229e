import {
  createActor,
  getNextTransitions,
  initialTransition,
  type AnyActorScope,
  type AnyStateMachine,
  type Snapshot,
  type SnapshotFrom,
  type StateValue,
} from 'xstate';
import type { CaseInput } from '../../machines/case/context.js';
import type { CaseMachine } from '../../machines/case/machine.js';
import type { CaseEvent } from '../../machines/case/schemas.js';
import { caseMachineFor } from '../../machines/versions.js';

/*
 * A case's snapshot, handled as pure data: restored from its stored JSON, moved on by
 * xstate's pure `transition()` on the machine version the case is pinned to, persisted
 * again. Nothing here reads the clock or the database, and no action of a machine runs.
 */

export type CaseSnapshot = SnapshotFrom<CaseMachine>;

/** Steps the snapshot stands at, from its `step:N` tags; a final state keeps its last step. */
export function stepsOf(snapshot: CaseSnapshot): number[] {
  const steps = [...snapshot.tags]
    .map((tag) => /^step:(\d+)$/.exec(tag)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number);
  if (steps.length === 0 && snapshot.context.outcome) return [snapshot.context.outcome.step];
  return [...new Set(steps)].sort((a, b) => a - b);
}

/** Dotted paths of the active leaf states, e.g. ["running.execution.ongoing", …]. */
export function statePaths(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  return Object.entries(value).flatMap(([key, child]) => (child === undefined ? [] : statePaths(child, prefix ? `${prefix}.${key}` : key)));
}

/** Where a snapshot stands, for messages: its lowest step, or the outcome it closed with. */
export function whereItStands(snapshot: CaseSnapshot) {
  const steps = stepsOf(snapshot);
  return { step: steps[0] ?? 1, outcome: snapshot.context.outcome?.kind, steps: steps.join(',') };
}

/**
 * One inert actor scope per machine version, made once. xstate's `transition()` builds a new
 * actor for every call, and that actor computes the machine's initial snapshot each time:
 * a third of a transition's cost. The case machine has no child actors, so nothing a
 * transition does is kept in the scope, and the scope runs no actions: the engine stores
 * snapshots and never executes a machine's actions.
 */
const scopes = new WeakMap<AnyStateMachine, AnyActorScope>();
function inertScope(machine: AnyStateMachine): AnyActorScope {
  let scope = scopes.get(machine);
  if (!scope) {
    const self = createActor(machine);
    scope = {
      self,
      system: self.system,
      id: '',
      sessionId: '',
      logger: () => {},
      defer: () => {},
      emit: () => {},
      stopChild: () => {},
      actionExecutor: () => {},
    } as unknown as AnyActorScope;
    scopes.set(machine, scope);
  }
  return scope;
}

/** The snapshot of a new case on a machine version. */
export function initialSnapshot(machineVersion: number, input: CaseInput): CaseSnapshot {
  const [snapshot] = initialTransition(caseMachineFor(machineVersion), input);
  return snapshot;
}

export function restoreSnapshot(row: { snapshot: unknown; machineVersion: number }): CaseSnapshot {
  const machine = caseMachineFor(row.machineVersion) as AnyStateMachine;
  // Restoring runs no entry actions; machine.resolveState breaks on history states after
  // a JSON round-trip (see shared/docs/engine.md).
  return machine.restoreSnapshot!(row.snapshot as Snapshot<unknown>, inertScope(machine)) as CaseSnapshot;
}

/** The machine's next snapshot for `event`: xstate's pure `transition()`, in the machine's cached scope. */
export function nextSnapshot(machineVersion: number, snapshot: CaseSnapshot, event: CaseEvent): CaseSnapshot {
  const machine = caseMachineFor(machineVersion) as AnyStateMachine;
  return machine.transition(snapshot, event, inertScope(machine)) as CaseSnapshot;
}

/** Event types the current state handles at all (guards not evaluated). */
export function acceptedEventTypes(snapshot: CaseSnapshot): Set<string> {
  if (snapshot.status !== 'active') return new Set();
  return new Set(getNextTransitions(snapshot).map((t) => t.eventType));
}

/** The snapshot as persisted by the machine version the case is pinned to (an object to store, not to keep). */
export const persistedSnapshot = (snapshot: CaseSnapshot, machineVersion: number) =>
  caseMachineFor(machineVersion).getPersistedSnapshot(snapshot) as object;

/** The snapshot as stored (JSON text), persisted by the machine version the case is pinned to. */
export const persistedJson = (snapshot: CaseSnapshot, machineVersion: number) =>
  JSON.stringify(caseMachineFor(machineVersion).getPersistedSnapshot(snapshot));
