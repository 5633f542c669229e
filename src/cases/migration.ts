import { STEP_COUNT } from '../../machines/case/catalogue.js';
import { migrationPath } from '../../machines/migrations.js';
import { CURRENT_CASE_MACHINE_VERSION, caseMachineVersions } from '../../machines/versions.js';
import type { CaseRow, CaseStore } from '../engine/case-store.js';
import { checkMigration, type Engine, type RefusedMigration } from '../engine/engine.js';
import { stepsOf } from '../engine/snapshot.js';
import { DomainError } from '../errors.js';
import { has, inProgrammeWords, t, type Language, type ProgrammeWords } from '../i18n/index.js';
import { belongsTo, holds, type Actor } from '../people/actor.js';
import type { AuditEntry } from '../people/audit.js';

/*
 * Moving a programme's running cases to a later version of the process (issue 18): the dry
 * run lists every running case, where it stands, where it would land or why it cannot move;
 * the migration moves the chosen cases, all or nothing, through the engine (`engine.migrate`),
 * each case with an event of its own, and the run is audited. Only the programme's
 * administrators. The plans are in machines/migrations.ts; the dry run and the migration check
 * each case with the same function (`checkMigration`), so what the dry run says is what happens.
 */

export interface ProcessMigrationDeps {
  engine: Pick<Engine, 'migrate'>;
  store: Pick<CaseStore, 'activeCases'>;
  audit: { record(entry: AuditEntry): void };
  wordsOf: (programmeId: string) => ProgrammeWords | undefined;
  programmeExists: (programmeId: string) => boolean;
}

/** One running case in a dry run. */
export interface DryRunCase {
  caseId: string;
  diaryNumber: string;
  title: string;
  /** The case's version (a migration can be told to expect it). */
  version: number;
  machineVersion: number;
  steps: number[];
  stepText: string;
  movable: boolean;
  /** Where it would land: its steps after the migration; null when it cannot move. */
  stepsAfter: number[] | null;
  stepTextAfter: string | null;
  /** Why it cannot move; null when it can. */
  reason: { code: string; message: string } | null;
  /** The data the new version needs that the case would get filled in, in words. */
  filledIn: string[];
}

export function createProcessMigration({ engine, store, audit, wordsOf, programmeExists }: ProcessMigrationDeps) {
  function administrator(actor: Actor, programmeId: string) {
    if (!programmeExists(programmeId) || !belongsTo(actor, programmeId)) throw new DomainError('not-found', `no programme ${programmeId}`);
    if (!holds(actor, programmeId, 'administrator')) {
      throw new DomainError('forbidden', "only the programme's administrators move cases to another version of the process", {
        roles: ['administrator'],
      });
    }
  }

  function knownVersion(toVersion: number) {
    if (!caseMachineVersions().includes(toVersion)) throw new DomainError('not-found', `no version ${toVersion} of the process`);
  }

  const stepText = (lang: Language, steps: number[]) =>
    steps.map((step) => `${t(lang, 'app.stepOf', { step, total: STEP_COUNT })}: ${t(lang, `steps.${step}`)}`).join('; ');

  /** A reason code in words: the released ones have theirs; a plan's own code falls back to a general sentence. */
  const reasonWords = (lang: Language, code: string) =>
    has(lang, `processMigration.reasons.${code}`) ? t(lang, `processMigration.reasons.${code}`) : t(lang, 'processMigration.reasons.other');
  const defaultWords = (lang: Language, key: string) =>
    has(lang, `processMigration.defaults.${key}`)
      ? t(lang, `processMigration.defaults.${key}`)
      : t(lang, 'processMigration.defaults.other');

  function dryRunCase(row: CaseRow, toVersion: number, lang: Language): DryRunCase {
    const steps = row.steps.split(',').filter(Boolean).map(Number);
    const check = checkMigration(row, toVersion);
    const after = check.ok ? stepsOf(check.after) : null;
    return {
      caseId: row.id,
      diaryNumber: row.diaryNumber,
      title: row.title,
      version: row.version,
      machineVersion: row.machineVersion,
      steps,
      stepText: stepText(lang, steps),
      movable: check.ok,
      stepsAfter: after,
      stepTextAfter: after && stepText(lang, after),
      reason: check.ok ? null : { code: check.reason, message: reasonWords(lang, check.reason) },
      filledIn: check.ok ? Object.keys(check.outcome.defaults).map((key) => defaultWords(lang, key)) : [],
    };
  }

  /** The versions of the process, and how many running cases of the programme are on each. */
  function versionsOf(programmeId: string) {
    const running = store.activeCases(programmeId);
    const latest = Math.max(...caseMachineVersions());
    return caseMachineVersions().map((version) => ({
      version,
      current: version === CURRENT_CASE_MACHINE_VERSION,
      latest: version === latest,
      runningCases: running.filter((r) => r.machineVersion === version).length,
      /** Whether running cases of an earlier version have a chain of plans to it. */
      reachable: version === 1 || migrationPath(version - 1, version) !== undefined,
    }));
  }

  return {
    /** The versions of the process, with the running cases on each (the administrator's page). */
    versions(actor: Actor, programmeId: string) {
      administrator(actor, programmeId);
      return { programmeId, current: CURRENT_CASE_MACHINE_VERSION, versions: versionsOf(programmeId) };
    },

    /** Every running case of the programme: where it is, where it would land on `toVersion`, or why it cannot move. Writes nothing. */
    dryRun(actor: Actor, programmeId: string, toVersion: number, lang: Language) {
      administrator(actor, programmeId);
      knownVersion(toVersion);
      return inProgrammeWords(wordsOf(programmeId), () => {
        const cases = store
          .activeCases(programmeId)
          .sort((a, b) => a.diaryNumber.localeCompare(b.diaryNumber))
          .map((row) => dryRunCase(row, toVersion, lang));
        return {
          programmeId,
          toVersion,
          movable: cases.filter((c) => c.movable).length,
          notMovable: cases.filter((c) => !c.movable).length,
          cases,
        };
      });
    },

    /**
     * Moves the chosen cases to `toVersion`, all or nothing: a case that cannot move (or has
     * changed since the version given in `expectedVersions`) refuses the whole run with
     * `conflict`, naming every such case and why, in words. The run is audited.
     */
    migrate(
      actor: Actor,
      programmeId: string,
      body: { toVersion: number; caseIds: string[]; expectedVersions?: Record<string, number> },
      lang: Language,
    ) {
      administrator(actor, programmeId);
      knownVersion(body.toVersion);
      if (new Set(body.caseIds).size !== body.caseIds.length) {
        throw new DomainError('validation-failed', 'a case is named twice', { errors: [{ path: 'body.caseIds', message: 'named twice' }] });
      }
      try {
        const moved = engine.migrate(actor, {
          programmeId,
          caseIds: body.caseIds,
          toVersion: body.toVersion,
          expectedVersions: body.expectedVersions,
          record: (moved) =>
            audit.record({
              actorId: actor.id,
              programmeId,
              action: 'process.migrated',
              details: {
                toVersion: body.toVersion,
                cases: moved.length,
                caseIds: moved.map((m) => m.row.id),
                planIds: [...new Set(moved.flatMap((m) => m.payload.planIds))],
              },
            }),
        });
        return {
          toVersion: body.toVersion,
          moved: moved.map((m) => ({
            caseId: m.row.id,
            diaryNumber: m.row.diaryNumber,
            fromVersion: m.payload.fromVersion,
            version: m.row.version,
          })),
        };
      } catch (error) {
        const refused =
          error instanceof DomainError && error.code === 'conflict' ? (error.details.cases as RefusedMigration[] | undefined) : undefined;
        if (!refused) throw error;
        throw new DomainError('conflict', error instanceof Error ? error.message : undefined, {
          cases: refused.map((c) => ({ ...c, message: reasonWords(lang, c.reason) })),
        });
      }
    },
  };
}

export type ProcessMigration = ReturnType<typeof createProcessMigration>;
