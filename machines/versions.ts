import { caseMachine, importableCaseMachine } from './case/machine.js';
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
 * Every released version of the case machine. A case is pinned to the version it was
 * created on (`cases.machine_version`); moving cases to a newer version is an explicit
 * migration, never a side effect of a deploy. Add a new entry — do not edit a released one.
 */
export const CASE_MACHINE_VERSIONS = {
  1: caseMachine,
  2: caseMachineV2,
  3: caseMachineV3,
} as const;

export type CaseMachineVersion = keyof typeof CASE_MACHINE_VERSIONS;
export const CURRENT_CASE_MACHINE_VERSION: CaseMachineVersion = 2;

/** The version an imported decided initiative is created on (the first that takes IMPORT_DECIDED). */
export const IMPORT_CASE_MACHINE_VERSION: CaseMachineVersion = 3;

export function caseMachineFor(version: number) {
  const machine = CASE_MACHINE_VERSIONS[version as CaseMachineVersion];
  if (!machine) throw new Error(`unknown case machine version ${version}`);
  return machine;
}
