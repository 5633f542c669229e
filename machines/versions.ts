import { caseMachine, importableCaseMachine, reportingCaseMachine } from './case/machine.js';
import { requirementGuards } from './case/requirements.js';

/**
 * Version 2: the same states, events and guards; the guards read the rules as version 2
 * has them: a proposal must also state the initiative's scope (county-wide, sub-regional
 * or local) and complete the action plan (long-term goal, short-term goals, follow-up plan)
 * before it goes to LSVO (`scope-stated`, `action-plan-complete` on SUBMIT_TO_LSVO).
 */
const caseMachineV2 = caseMachine.provide({
  guards: requirementGuards(2),
});

/**
 * Version 3: version 2's states, events and rules, and one event more: IMPORT_DECIDED, a
 * decided initiative recorded from a spreadsheet, taken only as the very first event of a
 * case and leading straight to step 10 with the decision as it was made (its date, body and
 * reference). Imported cases are created on it; new ideas still start on version 2.
 */
const caseMachineV3 = importableCaseMachine.provide({
  guards: requirementGuards(3),
});

/**
 * Version 4 (new ideas): version 2's rules and chart, and two changes where the process went
 * wrong for people. The idea is sent to the coordinators when the initiator raises it: the
 * case is created and CONTACT_COORDINATORS recorded in the same transaction (see
 * `ideaSentOnCreate`), so a new case stands at step 2. And the initiator submits a follow-up
 * report for each of the decision's follow-up dates (SUBMIT_FOLLOW_UP_REPORT, rule
 * `follow-up-date-open`); the steering group's RECORD_FOLLOW_UP becomes the review of a
 * submitted report (`follow-up-report-submitted`), with its conclusion continue, adjust or stop.
 */
const caseMachineV4 = reportingCaseMachine.provide({
  guards: requirementGuards(4),
});

/**
 * Every released version of the case machine. A case is pinned to the version it was
 * created on (`cases.machine_version`); moving cases to a newer version is an explicit
 * migration, never a side effect of a deploy. Add a new entry — do not edit a released one.
 */
export const CASE_MACHINE_VERSIONS = {
  1: caseMachine,
  2: caseMachineV2,
  3: caseMachineV3,
  4: caseMachineV4,
} as const;

export type CaseMachineVersion = keyof typeof CASE_MACHINE_VERSIONS;
export const CURRENT_CASE_MACHINE_VERSION: CaseMachineVersion = 4;

/**
 * Whether a case of this version records the initiator's CONTACT_COORDINATORS at its creation
 * (version 4 on): raising the idea is sending it to the coordinators.
 */
export const ideaSentOnCreate = (version: number) => version >= 4;

/**
 * The version an imported decided initiative is created on (the first that takes IMPORT_DECIDED).
 * It stays 3: an imported case is owned by the administrator who imported it, so under version 4
 * no initiator could submit its follow-up reports, and its steering group could not record a
 * follow-up until someone were added to it.
 */
export const IMPORT_CASE_MACHINE_VERSION: CaseMachineVersion = 3;

/** A machine of the case chart's shape: a released version, or one a test builds as "the next". */
export type CaseMachineOfAnyVersion = (typeof CASE_MACHINE_VERSIONS)[CaseMachineVersion];

/**
 * Versions beyond the released ones, for tests only (the version current + 1 a test builds
 * from the code to try a migration): empty in production, and looked at only when a version is
 * not a released one, so the lookup of a released version stays one property read.
 */
const extraVersions = new Map<number, CaseMachineOfAnyVersion>();

export function caseMachineFor(version: number): CaseMachineOfAnyVersion {
  const machine = CASE_MACHINE_VERSIONS[version as CaseMachineVersion] ?? extraVersions.get(version);
  if (!machine) throw new Error(`unknown case machine version ${version}`);
  return machine;
}

/** The highest released version. */
export const LATEST_RELEASED_CASE_MACHINE_VERSION = Math.max(...Object.keys(CASE_MACHINE_VERSIONS).map(Number));

/** Every version a case may be on or move to: the released ones, and any a test added. */
export function caseMachineVersions(): number[] {
  return [...Object.keys(CASE_MACHINE_VERSIONS).map(Number), ...extraVersions.keys()].sort((a, b) => a - b);
}

/**
 * For tests: adds `machine` as version `version` (after every released one) until the returned
 * function is called. A released version is never replaced.
 */
export function addCaseMachineVersion(version: number, machine: CaseMachineOfAnyVersion): () => void {
  if (!Number.isInteger(version) || version <= LATEST_RELEASED_CASE_MACHINE_VERSION || extraVersions.has(version)) {
    throw new Error(`version ${version} is released or taken: a test adds a version after ${LATEST_RELEASED_CASE_MACHINE_VERSION}`);
  }
  extraVersions.set(version, machine);
  return () => {
    extraVersions.delete(version);
  };
}

/** For tests: runs `work` with `machine` as version `version`, then takes the version away again. */
export async function withCaseMachineVersion<T>(version: number, machine: CaseMachineOfAnyVersion, work: () => T | Promise<T>): Promise<T> {
  const remove = addCaseMachineVersion(version, machine);
  try {
    return await work();
  } finally {
    remove();
  }
}
