import { caseMachine } from './case/machine.js';
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
 * Every released version of the case machine. A case is pinned to the version it was
 * created on (`cases.machine_version`); moving cases to a newer version is an explicit
 * migration, never a side effect of a deploy. Add a new entry — do not edit a released one.
 */
export const CASE_MACHINE_VERSIONS = {
  1: caseMachine,
  2: caseMachineV2,
} as const;

export type CaseMachineVersion = keyof typeof CASE_MACHINE_VERSIONS;
export const CURRENT_CASE_MACHINE_VERSION: CaseMachineVersion = 2;

export function caseMachineFor(version: number) {
  const machine = CASE_MACHINE_VERSIONS[version as CaseMachineVersion];
  if (!machine) throw new Error(`unknown case machine version ${version}`);
  return machine;
}
