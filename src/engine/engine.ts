import crypto from 'node:crypto';
import type { CaseContext, CaseInput, ProgrammeRules } from '../../machines/case/context.js';
import { requirementsFor, unmet } from '../../machines/case/requirements.js';
import type { CaseEvent, CaseEventType, PayloadOf } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import { migrateSnapshot, migrationPath, type MigrationOutcome, type PersistedCaseSnapshot } from '../../machines/migrations.js';
import {
  CURRENT_CASE_MACHINE_VERSION,
  IMPORT_CASE_MACHINE_VERSION,
  ideaSentOnCreate,
  type CaseMachineVersion,
} from '../../machines/versions.js';
import type { Db } from '../db/client.js';
import { DomainError } from '../errors.js';
import type { Money } from '../money/service.js';
import type { Notifications } from '../notifications/service.js';
import { belongsTo, holds, type Actor } from '../people/actor.js';
import type { ProgrammeConfig } from '../programmes/config.js';
import { subjectWords } from '../programmes/requirement-words.js';
import { canSeeCase, roleFor } from './access.js';
import { projection, type CaseRow, type CaseStore } from './case-store.js';
import type { EventRules } from './event-rules.js';
import {
  acceptedEventTypes,
  initialSnapshot,
  nextSnapshot,
  persistedJson,
  persistedSnapshot,
  restoreSnapshot,
  statePaths,
  stepsOf,
  whereItStands,
  type CaseSnapshot,
} from './snapshot.js';

/*
 * The only code that changes a case. Every change takes the same road, in one IMMEDIATE
 * transaction (a savepoint when the caller's group commit is open):
 *
 *   3. load       the case row
 *   4. check      access, version, role, state, payload, requirements, money
 *   5. transition xstate's pure transition() on the machine version the case is pinned to
 *   6. persist    the row WHERE version = expected (version + 1), the event log, the step index
 *   7. effects    outbox rows, timers and released money, written in the same transaction
 *
 * (Steps 1–2, the route and the group commit, come before; 8, commit then answer, after.)
 * Any error thrown rolls the whole command back: nothing is half-written.
 */

/**
 * Events the engine logs itself, outside the chart: they bump the case's version and say why.
 * DEADLINES_RECOMPUTED changes no state (replay skips it); CASE_MIGRATED moves the case to
 * another version of the process (`migrate`), its state mapped by the plan its payload names
 * (replay switches machines there and maps the state as the engine did).
 */
export const SYSTEM_EVENTS = {
  deadlinesRecomputed: 'DEADLINES_RECOMPUTED',
  caseMigrated: 'CASE_MIGRATED',
  /** A person's data was erased: the snapshot now reads as the log does without their key (src/privacy). */
  personErased: 'PERSON_ERASED',
  /** A closed case's people were replaced by pseudonyms under a retention rule (src/privacy). */
  casePseudonymised: 'CASE_PSEUDONYMISED',
} as const;

/** The events that rewrite a case's snapshot from its log as it now reads. */
export type RewriteEventType = typeof SYSTEM_EVENTS.personErased | typeof SYSTEM_EVENTS.casePseudonymised;

/**
 * Records kept on a case beside the process (documents, the conversation): each is an event
 * of the case outside the chart, like SYSTEM_EVENTS: it changes no state (replay skips it),
 * bumps the case's version, and names its record by id (the record's own table holds the
 * rest, where data-protection rules can reach it without rewriting the log).
 */
export const RECORD_EVENTS = ['DOCUMENT_ADDED', 'DOCUMENT_REPLACED', 'DOCUMENT_WITHDRAWN', 'COMMENT_ADDED', 'ARCHIVE_DELIVERED'] as const;
export type RecordEventType = (typeof RECORD_EVENTS)[number];
/** Every event type the engine writes outside the chart. */
export const OUTSIDE_THE_CHART: readonly string[] = [...Object.values(SYSTEM_EVENTS), ...RECORD_EVENTS];

/** What CASE_MIGRATED records: the versions, the states before and after, the data filled in, the plans. */
export interface CaseMigratedPayload {
  fromVersion: number;
  toVersion: number;
  /** The plans applied, in order (one per version stepped over). */
  planIds: string[];
  /** Dotted paths of the leaf states before and after. */
  stateBefore: string[];
  stateAfter: string[];
  /** The data a case had none of, filled in by the plans' defaults, by field. */
  defaults: Record<string, unknown>;
}

/** Whether a case can move to a version, and if so where it lands (what the dry run shows and the migration does). */
export type MigrationCheck =
  | {
      ok: true;
      before: CaseSnapshot;
      after: CaseSnapshot;
      outcome: Extract<MigrationOutcome, { ok: true }>;
    }
  | {
      ok: false;
      /**
       * Why not: a plan's reason code, or not-running (the case has ended), on-this-version (it is
       * on that version or a later one), no-plan (no chain of plans leads there) or state-unknown
       * (the plan maps its state to one the version does not have).
       */
      reason: string;
    };

/**
 * The dry run of one case's migration: pure (reads nothing, writes nothing). The engine's
 * `migrate` takes a case through exactly this, so its predictions are the outcome.
 */
export function checkMigration(row: Pick<CaseRow, 'status' | 'machineVersion' | 'snapshot'>, toVersion: number): MigrationCheck {
  if (row.status !== 'active') return { ok: false, reason: 'not-running' };
  if (row.machineVersion >= toVersion) return { ok: false, reason: 'on-this-version' };
  const plans = migrationPath(row.machineVersion, toVersion);
  if (!plans) return { ok: false, reason: 'no-plan' };
  const outcome = migrateSnapshot(row.snapshot as PersistedCaseSnapshot, plans);
  if (!outcome.ok) return { ok: false, reason: outcome.reason };
  let after: CaseSnapshot;
  try {
    after = restoreSnapshot({ snapshot: outcome.snapshot, machineVersion: toVersion });
  } catch {
    return { ok: false, reason: 'state-unknown' };
  }
  const landed = statePaths(after.value).sort().join();
  if (after.status !== 'active' || landed !== [...outcome.stateAfter].sort().join()) return { ok: false, reason: 'state-unknown' };
  return { ok: true, before: restoreSnapshot(row), after, outcome };
}

/** A case moved by `migrate`. */
export interface MigratedCase {
  row: CaseRow;
  payload: CaseMigratedPayload;
}

/** A case `migrate` refused, and why (a reason of MigrationCheck, or not-found, or changed: not the version the dry run saw). */
export interface RefusedMigration {
  caseId: string;
  diaryNumber?: string;
  reason: string;
}

/** A deadline a case wants, as the scheduler computes it from the chart's declarations. */
export interface WishedTimer {
  /** Stable within the case: the same deadline always has the same key. */
  key: string;
  dueAt: string;
}

/** The side effects every change of a case brings, written in its own transaction. */
export interface EngineEffects<W extends WishedTimer> {
  notifications: Pick<Notifications, 'forEvent'>;
  money: Pick<Money, 'commitDecision' | 'releaseOnEvent'>;
  deadlines: {
    /** The deadlines a case in this state wants. */
    wished(programmeId: string, snapshot: CaseSnapshot): W[];
    /** Sets and cancels the case's timers so that they are the wished ones; says how many moved. */
    reconcile(caseId: string, programmeId: string, wished: W[]): { set: number; cancelled: number };
  };
  /** Called after every committed command (wakes the mail relay). */
  afterCommit?: () => void;
}

export interface EngineDeps<W extends WishedTimer> {
  db: Db;
  store: CaseStore;
  rules: EventRules;
  programme: (id: string) => ProgrammeConfig | undefined;
  programmeRules: (id: string) => ProgrammeRules | undefined;
  /** The version of the programme's configuration in force now (a new case pins it). */
  programmeVersion: (id: string) => number;
  now: () => Date;
  effects: EngineEffects<W>;
}

/** A decided initiative recorded from elsewhere (a spreadsheet): see `importCase`. */
export interface ImportCaseInput {
  /** The diary number the initiative already has; without it, the next of its decision year. */
  diaryNumber?: string;
  /** The payload of IMPORT_DECIDED (checked as any payload is). */
  payload: unknown;
}

export interface SendCommand {
  caseId: string;
  type: CaseEventType;
  payload: unknown;
  actor: Actor;
  /** The role to act in, when the actor holds several that may send the event. */
  role?: Role;
  /** The version the sender saw (If-Match); the command fails if the case has moved on. */
  expectedVersion: number;
}

export function createEngine<W extends WishedTimer>(deps: EngineDeps<W>) {
  const { db, store, rules, effects, now } = deps;

  /** One immediate transaction; a commit of our own is announced (inside a group, the group does). */
  function inTransaction<T>(work: () => T): T {
    const result = db.transaction(work, { behavior: 'immediate' });
    if (!db.$client.inTransaction) effects.afterCommit?.();
    return result;
  }

  /** 3 and the first part of 4: the case, if the actor may see it at all. */
  function loadVisible(caseId: string, actor: Actor) {
    const row = store.load(caseId);
    const relation = row ? store.relationOf(row.id, actor.id) : undefined;
    if (!row || !canSeeCase(actor, row.programmeId, relation !== undefined)) throw new DomainError('not-found', `no case ${caseId}`);
    // A guest sees the case but does not act on it as its initiator.
    return { row, member: relation === 'owner' || relation === 'participant' };
  }

  /** The rest of 4, in order: version, role, state, payload, requirements, money. */
  function check(cmd: SendCommand, row: CaseRow, member: boolean, before: CaseSnapshot) {
    if (row.version !== cmd.expectedVersion) {
      throw new DomainError('version-mismatch', `the case is at version ${row.version}, not ${cmd.expectedVersion}`, {
        currentVersion: row.version,
      });
    }
    const role = roleFor(cmd.actor, row.programmeId, cmd.type, member, cmd.role);
    if (!role.ok) {
      throw new DomainError('forbidden', `${cmd.type} may be sent by: ${role.roles.join(', ')}`, {
        reason: role.reason,
        roles: role.roles,
      });
    }
    rules.checkState(cmd.type, before);
    if (!acceptedEventTypes(before).has(cmd.type)) {
      throw new DomainError('event-not-accepted', `${cmd.type} is not possible at step ${stepsOf(before).join(', ')}`, {
        steps: stepsOf(before),
        state: statePaths(before.value),
      });
    }
    const payload = rules.payloadOf(cmd.type, cmd.payload, row.programmeId);
    const event = { type: cmd.type, payload, meta: { actorId: cmd.actor.id, role: role.role, at: now().toISOString() } } as CaseEvent;
    const failing = unmet(requirementsFor(cmd.type, before.context as CaseContext, event, row.machineVersion));
    if (failing.length > 0) {
      throw new DomainError('requirements-not-met', failing.map((r) => r.id + (r.subject ? `:${r.subject}` : '')).join(', '), {
        unmet: failing.map((r) => {
          // What the rule is about, in words per language, for the answer's labels (no ids).
          const config = deps.programme(row.programmeId);
          const words = r.subject ? { sv: subjectWords('sv', r.subject, config), en: subjectWords('en', r.subject, config) } : undefined;
          return { id: r.id, subject: r.subject, label: '', ...(words ? { subjectWords: words } : {}) };
        }),
      });
    }
    // Money is checked once the case's own rules hold: the pools are the last word.
    if (cmd.type === 'RECORD_DECISION' && (payload as PayloadOf<'RECORD_DECISION'>).decision === 'approve') {
      effects.money.commitDecision({
        programmeId: row.programmeId,
        caseId: row.id,
        caseVersion: row.version + 1,
        priorityAreaId: row.priorityAreaId,
        decision: payload as PayloadOf<'RECORD_DECISION'>,
      });
    }
    return event;
  }

  /**
   * 5–7 for an event already checked: the transition on the case's machine version, the row
   * and the log, the step index, then timers, released money and outbox rows.
   */
  function apply(row: CaseRow, before: CaseSnapshot, event: CaseEvent): { row: CaseRow; snapshot: CaseSnapshot } {
    // 5. Transition
    const after = nextSnapshot(row.machineVersion, before, event);
    if (after === before) throw new DomainError('event-not-accepted', `${event.type} changed nothing in the current state`);

    // 6. Persist
    const version = row.version + 1;
    const [beforeAt, afterAt] = [whereItStands(before), whereItStands(after)];
    const changes = { version, updatedAt: event.meta.at, ...projection(after, row.diaryNumber, afterAt.steps) };
    const updated = store.update(row, persistedSnapshot(after, row.machineVersion), changes);
    if (!updated) throw new DomainError('version-mismatch', 'the case changed while this command ran');
    store.appendEvent({
      caseId: row.id,
      version,
      type: event.type,
      payload: event.payload,
      actorId: event.meta.actorId,
      role: event.meta.role,
      at: event.meta.at,
      stateBefore: before.value,
      stateAfter: after.value,
      stepsBefore: beforeAt.steps,
      stepsAfter: afterAt.steps,
    });
    if (afterAt.steps !== beforeAt.steps) store.replaceSteps(row, stepsOf(after));
    if (event.type === 'ADD_PARTICIPANT') store.addMember(row.id, event.payload.userId, 'participant');

    // 7. Effects: timers (the table holds what the snapshot before wanted, so it is read
    // only when the wish has changed) and outbox rows.
    const wished = effects.deadlines.wished(row.programmeId, after);
    if (!sameTimers(effects.deadlines.wished(row.programmeId, before), wished))
      effects.deadlines.reconcile(row.id, row.programmeId, wished);
    // Money a stopped or ended initiative will not use goes back to its pools.
    effects.money.releaseOnEvent({
      programmeId: row.programmeId,
      caseId: row.id,
      type: event.type,
      context: after.context as CaseContext,
      actorId: event.meta.actorId,
      at: event.meta.at,
    });
    effects.notifications.forEvent({
      row: updated,
      version,
      type: event.type,
      payload: event.payload,
      actorId: event.meta.actorId,
      context: after.context as CaseContext,
      before: beforeAt,
      after: afterAt,
    });
    return { row: updated, snapshot: after };
  }

  return {
    /**
     * Step 1: an initiator raises an idea; the case starts on the current machine version
     * (`machineVersion` only for tests and tools that need a case of an earlier one). From
     * version 4 raising the idea sends it: CONTACT_COORDINATORS, with the idea's summary as
     * its message, is recorded by the initiator in the same transaction, on the road of any
     * event, so the new case stands at step 2 and the coordinators are told.
     */
    create(
      actor: Actor,
      programmeId: string,
      idea: { title: string; summary: string },
      machineVersion: CaseMachineVersion = CURRENT_CASE_MACHINE_VERSION,
    ): CaseRow {
      return inTransaction(() => {
        const programme = deps.programme(programmeId);
        if (!programme || !belongsTo(actor, programmeId)) throw new DomainError('not-found', `no programme ${programmeId}`);
        if (!holds(actor, programmeId, 'initiator')) {
          throw new DomainError('forbidden', 'only an initiator can raise an idea', { roles: ['initiator'] });
        }
        const at = now().toISOString();
        const id = crypto.randomUUID();
        const input: CaseInput = { caseId: id, programme: deps.programmeRules(programmeId)!, idea: { ...idea, initiatorId: actor.id }, at };
        const snapshot = initialSnapshot(machineVersion, input);
        const diaryNumber = store.nextDiaryNumber(programmeId, programme.diaryPrefix, new Date(at).getUTCFullYear());
        const row: CaseRow = {
          id,
          programmeId,
          diaryNumber,
          title: idea.title,
          initiatorId: actor.id,
          snapshot: JSON.parse(persistedJson(snapshot, machineVersion)) as object,
          version: 1,
          machineVersion,
          programmeVersion: deps.programmeVersion(programmeId),
          createdAt: at,
          updatedAt: at,
          ...projection(snapshot, diaryNumber),
        };
        const steps = stepsOf(snapshot);
        store.insert(row, steps);
        store.addMember(id, actor.id, 'owner');
        store.appendEvent({
          caseId: id,
          version: 1,
          type: 'CASE_CREATED',
          payload: input,
          actorId: actor.id,
          role: 'initiator',
          at,
          stateBefore: null,
          stateAfter: snapshot.value,
          stepsBefore: null,
          stepsAfter: steps.join(','),
        });
        effects.deadlines.reconcile(id, programmeId, effects.deadlines.wished(programmeId, snapshot));
        if (!ideaSentOnCreate(machineVersion)) return row;
        const type = 'CONTACT_COORDINATORS' as const;
        const payload = rules.payloadOf(type, { message: idea.summary }, programmeId);
        const event = { type, payload, meta: { actorId: actor.id, role: 'initiator', at } } as CaseEvent;
        return apply(row, snapshot, event).row;
      });
    },

    /**
     * After a change of the programme's settings: every active case's deadlines are computed
     * anew from them. A case whose deadlines moved gets a new version and an event in its log
     * (DEADLINES_RECOMPUTED, by the person who changed the settings), so its ETag, a second
     * process and its history all see the change. Runs in the caller's transaction.
     */
    /**
     * Records something kept beside the process on a case (see RECORD_EVENTS), inside the
     * caller's transaction: the case's version goes up by one (if it is still `expected`, when
     * given) and the event is appended with the case's state unchanged. `write` runs first with
     * the new version, to write the record's own row. Access is the caller's to check.
     * Gives the new version.
     */
    recordOnCase(
      actor: Actor,
      caseId: string,
      o: {
        type: RecordEventType;
        payload: Record<string, unknown>;
        role: string;
        expectedVersion?: number;
        write?: (version: number) => void;
      },
    ): number {
      return inTransaction(() => {
        const row = store.load(caseId);
        if (!row) throw new DomainError('not-found', `no case ${caseId}`);
        if (o.expectedVersion !== undefined && o.expectedVersion !== row.version) {
          throw new DomainError('version-mismatch', `the case is at version ${row.version}`, { currentVersion: row.version });
        }
        const at = now().toISOString();
        const version = row.version + 1;
        if (!store.touch(row.id, row.version, version, at)) throw new DomainError('version-mismatch', 'the case changed meanwhile');
        o.write?.(version);
        const snapshot = restoreSnapshot(row);
        const { steps } = whereItStands(snapshot);
        store.appendEvent({
          caseId: row.id,
          version,
          type: o.type,
          payload: o.payload,
          actorId: actor.id,
          role: o.role,
          at,
          stateBefore: snapshot.value,
          stateAfter: snapshot.value,
          stepsBefore: steps,
          stepsAfter: steps,
        });
        return version;
      });
    },

    /**
     * After an erasure or a pseudonymisation changed how a case's log reads (people's
     * references now name pseudonyms, destroyed keys leave text unreadable): the case's
     * snapshot replayed from its log, written with the next version and an event saying why.
     * Runs in the caller's transaction; access is the caller's to check. Gives the new version.
     */
    rewriteFromLog(actor: Actor, caseId: string, o: { type: RewriteEventType; payload: Record<string, unknown>; role: string }): number {
      return inTransaction(() => {
        const row = store.load(caseId);
        if (!row) throw new DomainError('not-found', `no case ${caseId}`);
        const before = restoreSnapshot(row);
        const after = replayLog(row.machineVersion, store.log(caseId));
        const at = now().toISOString();
        const version = row.version + 1;
        const steps = whereItStands(after).steps;
        const changes = { version, updatedAt: at, ...projection(after, row.diaryNumber, steps) };
        if (!store.update(row, persistedSnapshot(after, row.machineVersion), changes)) {
          throw new DomainError('version-mismatch', 'the case changed meanwhile');
        }
        store.setTitle(row.id, after.context.idea.title);
        store.appendEvent({
          caseId: row.id,
          version,
          type: o.type,
          payload: o.payload,
          actorId: actor.id,
          role: o.role,
          at,
          stateBefore: before.value,
          stateAfter: after.value,
          stepsBefore: whereItStands(before).steps,
          stepsAfter: steps,
        });
        return version;
      });
    },

    recomputeDeadlines(actor: Actor, programmeId: string, programmeVersion: number): number {
      let moved = 0;
      for (const row of store.activeCases(programmeId)) {
        const snapshot = restoreSnapshot(row);
        const wished = effects.deadlines.wished(programmeId, snapshot);
        const result = effects.deadlines.reconcile(row.id, programmeId, wished);
        if (result.set + result.cancelled === 0) continue;
        const at = now().toISOString();
        const version = row.version + 1;
        if (!store.touch(row.id, row.version, version, at)) throw new DomainError('version-mismatch', 'the case changed meanwhile');
        const { steps } = whereItStands(snapshot);
        store.appendEvent({
          caseId: row.id,
          version,
          type: SYSTEM_EVENTS.deadlinesRecomputed,
          payload: { programmeVersion, deadlines: wished.map((w) => ({ key: w.key, dueAt: w.dueAt })) },
          actorId: actor.id,
          role: 'administrator',
          at,
          stateBefore: snapshot.value,
          stateAfter: snapshot.value,
          stepsBefore: steps,
          stepsAfter: steps,
        });
        moved += 1;
      }
      return moved;
    },

    /**
     * Moves running cases of a programme to a later version of the process, all or nothing, in
     * one IMMEDIATE transaction: each case is checked as the dry run checks it
     * (`checkMigration`), and when any cannot move (or has changed since the version
     * `expectedVersions` gives for it) nothing is written and the DomainError `conflict` names
     * every such case in `cases`. Each case moved gets its snapshot restored into the new
     * version's machine at the mapped state with the plans' defaults, its machine version and
     * list columns updated (WHERE version = expected, version + 1), the event CASE_MIGRATED by
     * the administrator who ran it, and its deadlines reconciled for the new version. `record`
     * runs last in the same transaction (the audit of the run). No e-mail: nothing happened to anyone.
     */
    migrate(
      actor: Actor,
      o: {
        programmeId: string;
        caseIds: readonly string[];
        toVersion: number;
        expectedVersions?: Readonly<Record<string, number>>;
        record?: (moved: MigratedCase[]) => void;
      },
    ): MigratedCase[] {
      return inTransaction(() => {
        if (!deps.programme(o.programmeId) || !belongsTo(actor, o.programmeId)) {
          throw new DomainError('not-found', `no programme ${o.programmeId}`);
        }
        if (!holds(actor, o.programmeId, 'administrator')) {
          throw new DomainError('forbidden', "only the programme's administrators move cases to another version of the process", {
            roles: ['administrator'],
          });
        }
        const at = now().toISOString();
        const refused: RefusedMigration[] = [];
        const checked: { row: CaseRow; check: Extract<MigrationCheck, { ok: true }> }[] = [];
        for (const caseId of o.caseIds) {
          const row = store.load(caseId);
          if (!row || row.programmeId !== o.programmeId) {
            refused.push({ caseId, reason: 'not-found' });
            continue;
          }
          const expected = o.expectedVersions?.[caseId];
          if (expected !== undefined && expected !== row.version) {
            refused.push({ caseId, diaryNumber: row.diaryNumber, reason: 'changed' });
            continue;
          }
          const check = checkMigration(row, o.toVersion);
          if (check.ok) checked.push({ row, check });
          else refused.push({ caseId, diaryNumber: row.diaryNumber, reason: check.reason });
        }
        if (refused.length > 0) {
          throw new DomainError(
            'conflict',
            `${refused.length} of the ${o.caseIds.length} cases cannot move to version ${o.toVersion}; no case was moved`,
            { cases: refused },
          );
        }
        const moved = checked.map(({ row, check }) => {
          const { before, after, outcome } = check;
          const version = row.version + 1;
          const [beforeAt, afterAt] = [whereItStands(before), whereItStands(after)];
          const snapshotJson = persistedJson(after, o.toVersion);
          const changes = { version, updatedAt: at, ...projection(after, row.diaryNumber, afterAt.steps) };
          if (!store.migrate(row.id, row.version, o.toVersion, snapshotJson, changes)) {
            throw new DomainError('version-mismatch', `case ${row.diaryNumber} changed while it was moved; no case was moved`);
          }
          const payload: CaseMigratedPayload = {
            fromVersion: row.machineVersion,
            toVersion: o.toVersion,
            planIds: outcome.planIds,
            stateBefore: outcome.stateBefore,
            stateAfter: outcome.stateAfter,
            defaults: outcome.defaults,
          };
          store.appendEvent({
            caseId: row.id,
            version,
            type: SYSTEM_EVENTS.caseMigrated,
            payload,
            actorId: actor.id,
            role: 'administrator',
            at,
            stateBefore: before.value,
            stateAfter: after.value,
            stepsBefore: beforeAt.steps,
            stepsAfter: afterAt.steps,
          });
          const updated: CaseRow = { ...row, ...changes, machineVersion: o.toVersion, snapshot: JSON.parse(snapshotJson) as object };
          if (afterAt.steps !== beforeAt.steps) store.replaceSteps(row, stepsOf(after));
          // The new version's deadlines (the timers table holds the old version's wishes).
          effects.deadlines.reconcile(row.id, row.programmeId, effects.deadlines.wished(row.programmeId, after));
          return { row: updated, payload };
        });
        o.record?.(moved);
        return moved;
      });
    },

    /**
     * A decided initiative recorded from elsewhere, in one transaction: a case created on
     * machine version 3 (CASE_CREATED at the import's time) whose first event is
     * IMPORT_DECIDED, taken through the same checks, transition, persistence and effects as
     * `send`: the decision's money is committed to the pool of its year, the deadlines of its
     * follow-up dates from today on are set. No e-mail goes out: nothing new happened to anyone.
     * The event's `at` is when it was recorded; its payload keeps the real decision date.
     * A diary number given must have the programme's form (PREFIX-YEAR-NNNN) and be free; it is
     * reserved, so that the counter of its year never hands it out again.
     */
    importCase(actor: Actor, programmeId: string, input: ImportCaseInput): { row: CaseRow; snapshot: CaseSnapshot } {
      return inTransaction(() => {
        const programme = deps.programme(programmeId);
        if (!programme || !belongsTo(actor, programmeId)) throw new DomainError('not-found', `no programme ${programmeId}`);
        const type = 'IMPORT_DECIDED' as const;
        const role = roleFor(actor, programmeId, type, false);
        if (!role.ok)
          throw new DomainError('forbidden', `${type} may be sent by: ${role.roles.join(', ')}`, {
            reason: role.reason,
            roles: role.roles,
          });
        const payload = rules.payloadOf(type, input.payload, programmeId) as PayloadOf<'IMPORT_DECIDED'>;
        const at = now().toISOString();

        // The diary number: the one given, kept, or the next of the decision's year.
        let diaryNumber: string;
        if (input.diaryNumber !== undefined) {
          const match = new RegExp(`^${programme.diaryPrefix}-(\\d{4})-(\\d{4,6})$`).exec(input.diaryNumber);
          if (!match) {
            throw new DomainError('validation-failed', 'the diary number does not have the programme’s form', {
              errors: [{ path: 'diaryNumber', message: `not ${programme.diaryPrefix}-YEAR-NNNN` }],
            });
          }
          if (store.diaryNumberTaken(input.diaryNumber)) {
            throw new DomainError('conflict', `${input.diaryNumber} is the diary number of another case`, {
              errors: [{ path: 'diaryNumber', message: 'taken by another case' }],
            });
          }
          store.reserveDiaryNumber(programmeId, Number(match[1]), Number(match[2]));
          diaryNumber = input.diaryNumber;
        } else {
          diaryNumber = store.nextDiaryNumber(programmeId, programme.diaryPrefix, Number(payload.decisionDate.slice(0, 4)));
        }

        // The case, created on the version that takes the import.
        const id = crypto.randomUUID();
        const caseInput: CaseInput = {
          caseId: id,
          programme: deps.programmeRules(programmeId)!,
          idea: { title: payload.title, summary: payload.summary, initiatorId: actor.id },
          at,
        };
        const machineVersion = IMPORT_CASE_MACHINE_VERSION;
        const before = initialSnapshot(machineVersion, caseInput);
        const created: CaseRow = {
          id,
          programmeId,
          diaryNumber,
          title: payload.title,
          initiatorId: actor.id,
          snapshot: JSON.parse(persistedJson(before, machineVersion)) as object,
          version: 1,
          machineVersion,
          programmeVersion: deps.programmeVersion(programmeId),
          createdAt: at,
          updatedAt: at,
          ...projection(before, diaryNumber),
        };
        const beforeAt = whereItStands(before);
        store.insert(created, stepsOf(before));
        store.addMember(id, actor.id, 'owner');
        store.appendEvent({
          caseId: id,
          version: 1,
          type: 'CASE_CREATED',
          payload: caseInput,
          actorId: actor.id,
          role: role.role,
          at,
          stateBefore: null,
          stateAfter: before.value,
          stepsBefore: null,
          stepsAfter: beforeAt.steps,
        });

        // The import event, on the same road as any other.
        const event = { type, payload, meta: { actorId: actor.id, role: role.role, at } } as CaseEvent;
        const after = nextSnapshot(machineVersion, before, event);
        if (after === before) throw new DomainError('event-not-accepted', `${type} is only taken by a new case`);
        const version = 2;
        const afterAt = whereItStands(after);
        const changes = { version, updatedAt: at, ...projection(after, diaryNumber, afterAt.steps) };
        const row = store.update(created, persistedSnapshot(after, machineVersion), changes);
        if (!row) throw new DomainError('version-mismatch', 'the case changed while it was imported');
        store.appendEvent({
          caseId: id,
          version,
          type,
          payload,
          actorId: actor.id,
          role: role.role,
          at,
          stateBefore: before.value,
          stateAfter: after.value,
          stepsBefore: beforeAt.steps,
          stepsAfter: afterAt.steps,
        });
        store.replaceSteps(row, stepsOf(after));
        // The decision's money counts in its year, as a decision made in Satsa does.
        effects.money.commitDecision({
          programmeId,
          caseId: id,
          caseVersion: version,
          priorityAreaId: row.priorityAreaId,
          decision: {
            decision: 'approve',
            motivation: (after.context as CaseContext).decision!.motivation,
            grantedBudget: payload.grantedBudget,
            reference: payload.reference,
            followUpDates: payload.followUpDates,
          },
        });
        effects.deadlines.reconcile(id, programmeId, effects.deadlines.wished(programmeId, after));
        return { row, snapshot: after };
      });
    },

    /**
     * Steps 3–5 of the road for a command not yet sent: throws what `send` would refuse it
     * with, and writes nothing (the money check's commitment is rolled back). A page shows an
     * act back to be checked only when it would be taken as it stands.
     */
    tryOut(cmd: SendCommand): void {
      const tried = new Error('tried');
      try {
        db.transaction(
          () => {
            const { row, member } = loadVisible(cmd.caseId, cmd.actor);
            const before = restoreSnapshot(row);
            const event = check(cmd, row, member, before);
            if (nextSnapshot(row.machineVersion, before, event) === before) {
              throw new DomainError('event-not-accepted', `${cmd.type} changed nothing in the current state`);
            }
            throw tried;
          },
          { behavior: 'immediate' },
        );
      } catch (error) {
        if (error !== tried) throw error;
      }
    },

    /** Sends one event to a case: the road above. */
    send(cmd: SendCommand): { row: CaseRow; snapshot: CaseSnapshot } {
      return inTransaction(() => {
        // 3. Load
        const { row, member } = loadVisible(cmd.caseId, cmd.actor);
        const before = restoreSnapshot(row);

        // 4. Check
        const event = check(cmd, row, member, before);

        // 5–7. Transition, persist, effects
        return apply(row, before, event);
      });
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;

function sameTimers(a: readonly WishedTimer[], b: readonly WishedTimer[]): boolean {
  return a.length === b.length && a.every((x, i) => x.key === b[i]!.key && x.dueAt === b[i]!.dueAt);
}

/**
 * The snapshot a case's log gives, replayed from its creation on `machineVersion`: the chart's
 * events through xstate's pure transition, with the meta the engine gave them; the events
 * outside the chart change no state.
 */
export function replayLog(
  machineVersion: number,
  log: readonly { type: string; actorId: string; role: string; at: string; payload: unknown }[],
): CaseSnapshot {
  const [first, ...rest] = log;
  if (first?.type !== 'CASE_CREATED') throw new Error("a case's log starts with its creation");
  // A case moved to another version of the process started on the version its first move left.
  const moved = log.find((e) => e.type === SYSTEM_EVENTS.caseMigrated)?.payload as { fromVersion: number } | undefined;
  let version = moved?.fromVersion ?? machineVersion;
  let snapshot = initialSnapshot(version, first.payload as CaseInput);
  for (const e of rest) {
    if (e.type === SYSTEM_EVENTS.caseMigrated) {
      // The move as the engine made it: the persisted snapshot through the plans, restored on the new version.
      const { toVersion } = e.payload as { toVersion: number };
      const persisted = JSON.parse(persistedJson(snapshot, version)) as PersistedCaseSnapshot;
      const outcome = migrateSnapshot(persisted, migrationPath(version, toVersion) ?? []);
      if (!outcome.ok) throw new Error(`the log moves the case to version ${toVersion}, which its plan refuses (${outcome.reason})`);
      snapshot = restoreSnapshot({ snapshot: outcome.snapshot, machineVersion: toVersion });
      version = toVersion;
      continue;
    }
    if (OUTSIDE_THE_CHART.includes(e.type)) continue;
    const event = { type: e.type, payload: e.payload, meta: { actorId: e.actorId, role: e.role, at: e.at } } as CaseEvent;
    snapshot = nextSnapshot(version, snapshot, event);
  }
  return snapshot;
}
