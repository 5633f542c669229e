import type { CaseContext } from './case/context.js';

/*
 * Migration plans: how a running case moves from one version of the process (./versions.ts)
 * to the next, written next to the machines. Pure data and functions; nothing of src/.
 *
 * A plan says, for the step from version `from` to `to`:
 *  - where each state of the old version lands in the new one (`states`: an old dotted state
 *    path, or the path of a state that contains it, → the new path; a state not named keeps
 *    its name);
 *  - what data a case must have under the new version, and the value a case without it gets
 *    (`defaults`, each with why, as a key under `processMigration.defaults` in src/i18n);
 *  - which cases cannot move and stay on their version (`cannotMove`: a reason code, in words
 *    under `processMigration.reasons` in src/i18n).
 *
 * Plans chain: a case of version 1 reaches version 4 by 1→2, 2→3 and 3→4, each step's rules
 * checked on the case as the step before left it. Released plans are never edited; a new
 * version of the process comes with the plan from the version before it.
 */

/** A case's snapshot as stored (xstate's persisted snapshot, as JSON). */
export interface PersistedCaseSnapshot {
  status: string;
  value: unknown;
  context: CaseContext;
  [key: string]: unknown;
}

export interface ContextDefault {
  /** The top-level field of the case's data. */
  key: string;
  /** The value a case that has none gets (computed from its data). */
  value: (context: CaseContext) => unknown;
  /** Why the new version needs it: a key under `processMigration.defaults`. */
  reason: string;
}

export interface MigrationPlan {
  /** Stable: it is recorded in each migrated case's event. */
  id: string;
  from: number;
  to: number;
  /** Old state path (a leaf, or a state containing leaves) → new path. Identity for any state not named. */
  states: Readonly<Record<string, string>>;
  defaults: readonly ContextDefault[];
  /** Why a case cannot move (a key under `processMigration.reasons`), or undefined when it can. */
  cannotMove: (snapshot: { value: unknown; context: CaseContext }) => string | undefined;
  /** Why this plan is as it is, for the reader of the code and the README. */
  description: string;
}

/** Dotted paths of the active leaf states of a state value, e.g. ["running.execution.ongoing", …]. */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
    child === undefined ? [] : leafPaths(child, prefix ? `${prefix}.${key}` : key),
  );
}

/** The state value of a set of leaf paths (the inverse of `leafPaths`). */
export function valueOfPaths(paths: readonly string[]): unknown {
  if (paths.length === 1 && !paths[0]!.includes('.')) return paths[0];
  const tree: Record<string, unknown> = {};
  for (const path of paths) {
    const parts = path.split('.');
    let node = tree;
    for (const part of parts.slice(0, -2)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts.at(-2)!] = parts.at(-1);
  }
  return tree;
}

/** Where a leaf path lands under a plan: the longest state of `states` that is it or contains it, renamed. */
export function mappedPath(plan: Pick<MigrationPlan, 'states'>, path: string): string {
  let best: string | undefined;
  for (const from of Object.keys(plan.states)) {
    if ((path === from || path.startsWith(`${from}.`)) && (best === undefined || from.length > best.length)) best = from;
  }
  return best === undefined ? path : plan.states[best]! + path.slice(best.length);
}

// ---------------------------------------------------------------------------------------
// The released plans

/**
 * 1 → 2: the same states, events and data; version 2 asks more of a proposal before it goes
 * to LSVO (its scope, a complete action plan). A case that has gone to LSVO already is past
 * that point; a case still writing its proposal meets the new rules when it submits it, as a
 * case of version 2 does. Nothing is filled in for anyone and every running case can move.
 */
const V1_TO_V2: MigrationPlan = {
  id: 'v1-to-v2',
  from: 1,
  to: 2,
  states: {},
  defaults: [],
  cannotMove: () => undefined,
  description: 'Identity: version 2 only adds rules to the proposal, checked when it is submitted.',
};

/**
 * 2 → 3: version 3 is version 2 with one event more, IMPORT_DECIDED, taken only as a case's
 * very first event. A running case cannot take it anyway; it moves as it stands.
 */
const V2_TO_V3: MigrationPlan = {
  id: 'v2-to-v3',
  from: 2,
  to: 3,
  states: {},
  defaults: [],
  cannotMove: () => undefined,
  description: 'Identity: version 3 only adds the import of a decided initiative, which a running case cannot take.',
};

/**
 * 3 → 4: version 4 keeps the initiator's follow-up reports (`followUpReports`) and settles a
 * follow-up date by its report; the steering group's follow-up is the review of the report of
 * the same place. A case gets an empty list of reports. Two kinds of case cannot move:
 *  - a running initiative whose steering group has recorded follow-ups already: under version 4
 *    those follow-ups would stand as reviews of reports nobody submitted, their dates would be
 *    open again (reminders for dates already followed up) and the next report would never be
 *    reviewed. Reports cannot be made up for them: they stay on version 3 until they end;
 *  - an imported initiative: it is owned by the administrator who imported it, so under
 *    version 4 no initiator could submit its reports (see IMPORT_CASE_MACHINE_VERSION).
 */
const V3_TO_V4: MigrationPlan = {
  id: 'v3-to-v4',
  from: 3,
  to: 4,
  states: {},
  defaults: [{ key: 'followUpReports', value: () => [], reason: 'followUpReports' }],
  cannotMove: ({ value, context }) => {
    if (context.imported) return 'imported';
    const running = leafPaths(value).includes('running.execution.ongoing');
    return running && context.followUps.length > 0 ? 'follow-ups-recorded' : undefined;
  },
  description:
    'Adds the empty list of follow-up reports; a running initiative with follow-ups recorded, or an imported one, stays on version 3.',
};

/** Every released plan, one per version after the first. Add one with each new version; never edit one. */
export const MIGRATION_PLANS: readonly MigrationPlan[] = [V1_TO_V2, V2_TO_V3, V3_TO_V4];

/** Plans beyond the released ones, for tests only (the plan to the version current + 1 a test builds). */
const extraPlans: MigrationPlan[] = [];

/** For tests: adds a plan until the returned function is called. */
export function addMigrationPlan(plan: MigrationPlan): () => void {
  if (MIGRATION_PLANS.some((p) => p.from === plan.from) || extraPlans.some((p) => p.from === plan.from || p.id === plan.id)) {
    throw new Error(`a plan from version ${plan.from} exists`);
  }
  extraPlans.push(plan);
  return () => {
    extraPlans.splice(extraPlans.indexOf(plan), 1);
  };
}

/** The plan from `from` to the next version, if there is one. */
export const migrationPlanFrom = (from: number): MigrationPlan | undefined =>
  MIGRATION_PLANS.find((p) => p.from === from) ?? extraPlans.find((p) => p.from === from);

/** A plan by its id (replay finds the plans a migration event names). */
export const migrationPlanById = (id: string): MigrationPlan | undefined =>
  MIGRATION_PLANS.find((p) => p.id === id) ?? extraPlans.find((p) => p.id === id);

/** The plans that take a case from `from` to `to`, one version at a time; undefined when there is no such chain. */
export function migrationPath(from: number, to: number): MigrationPlan[] | undefined {
  const path: MigrationPlan[] = [];
  for (let version = from; version < to;) {
    const plan = migrationPlanFrom(version);
    if (!plan || plan.to <= version || plan.to > to) return undefined;
    path.push(plan);
    version = plan.to;
  }
  return path.length > 0 ? path : undefined;
}

export type MigrationOutcome =
  | {
      ok: true;
      snapshot: PersistedCaseSnapshot;
      stateBefore: string[];
      stateAfter: string[];
      /** The data filled in, by field: what a case had none of. */
      defaults: Record<string, unknown>;
      planIds: string[];
    }
  | { ok: false; reason: string; planId?: string };

/**
 * A stored snapshot moved along `plans` (a chain from `migrationPath`): each plan's rules are
 * checked on the case as the plan before left it, its states mapped and its data filled in.
 * Pure: the caller restores the result into the new version's machine.
 */
export function migrateSnapshot(snapshot: PersistedCaseSnapshot, plans: readonly MigrationPlan[]): MigrationOutcome {
  const stateBefore = leafPaths(snapshot.value);
  let value = snapshot.value;
  let context = snapshot.context;
  const defaults: Record<string, unknown> = {};
  for (const plan of plans) {
    const reason = plan.cannotMove({ value, context });
    if (reason !== undefined) return { ok: false, reason, planId: plan.id };
    value = valueOfPaths(leafPaths(value).map((path) => mappedPath(plan, path)));
    for (const d of plan.defaults) {
      if ((context as unknown as Record<string, unknown>)[d.key] !== undefined) continue;
      const filled = d.value(context);
      defaults[d.key] = filled;
      context = { ...context, [d.key]: filled };
    }
  }
  return {
    ok: true,
    snapshot: { ...snapshot, value, context },
    stateBefore,
    stateAfter: leafPaths(value),
    defaults,
    planIds: plans.map((p) => p.id),
  };
}
