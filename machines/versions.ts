import { caseMachine } from './case/machine.js';

/**
 * Every released version of the case machine. A case is pinned to the version it was
 * created on (`cases.machine_version`); moving cases to a newer version is an explicit
 * migration, never a side effect of a deploy. Add a new entry — do not edit a released one.
 */
export const CASE_MACHINE_VERSIONS = {
  1: caseMachine,
} as const;

export type CaseMachineVersion = keyof typeof CASE_MACHINE_VERSIONS;
export const CURRENT_CASE_MACHINE_VERSION: CaseMachineVersion = 1;

export function caseMachineFor(version: number) {
  const machine = CASE_MACHINE_VERSIONS[version as CaseMachineVersion];
  if (!machine) throw new Error(`unknown case machine version ${version}`);
  return machine;
}
