import crypto from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import { createActor, getNextTransitions, type AnyActorScope, type AnyStateMachine, type Snapshot, initialTransition, type SnapshotFrom, type StateValue } from 'xstate';
import type { CaseContext, CaseInput } from '../../machines/case/context.js';
import type { CaseMachine } from '../../machines/case/machine.js';
import { requirementsFor, unmet } from '../../machines/case/requirements.js';
import { eventPayloads, type CaseEvent, type CaseEventType, type PayloadOf } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import { CURRENT_CASE_MACHINE_VERSION, caseMachineFor } from '../../machines/versions.js';
import { canSeeCase, roleFor } from '../cases/access.js';
import { param, type Db } from '../db/client.js';
import { caseEvents, caseMembers, cases, caseSteps, diaryCounters, idempotencyKeys, meta, timers, users } from '../db/schema.js';
import { Problem, fieldErrors } from '../http/problem.js';
import type { Actor } from '../people/service.js';
import { ideaAnswersSchema } from '../programmes/config.js';
import type { ProgrammeService } from '../programmes/service.js';
import type { Money } from '../money/service.js';
import type { Notifications, StepInfo } from '../notifications/service.js';
import type { TimerKind } from '../notifications/rules.js';
import { desiredTimers, TIMER_RULES_VERSION, type DesiredTimer, type TimerStore } from '../scheduler/timers.js';

export type CaseRow = typeof cases.$inferSelect;
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
  return Object.entries(value).flatMap(([key, child]) =>
    child === undefined ? [] : statePaths(child, prefix ? `${prefix}.${key}` : key),
  );
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

export function restoreSnapshot(row: Pick<CaseRow, 'snapshot' | 'machineVersion'>): CaseSnapshot {
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

/** Where a snapshot stands, for messages: its lowest step, or the outcome it closed with. */
function stepInfo(snapshot: CaseSnapshot): StepInfo & { steps: string } {
  const steps = stepsOf(snapshot);
  return { step: steps[0] ?? 1, outcome: snapshot.context.outcome?.kind, steps: steps.join(',') };
}

/** The side effects every change of a case brings, written in its own transaction. */
export interface EngineEffects {
  notifications: Notifications;
  timers: TimerStore;
  money: Money;
  /** Called after every committed command (wakes the mail relay). */
  afterCommit?: () => void;
}

/** The snapshot as stored, persisted by the machine version the case is pinned to. */
const persistJson = (snapshot: CaseSnapshot, machineVersion: number) => JSON.stringify(caseMachineFor(machineVersion).getPersistedSnapshot(snapshot));
const persist = (snapshot: CaseSnapshot, machineVersion: number) => JSON.parse(persistJson(snapshot, machineVersion)) as object;

function projection(snapshot: CaseSnapshot, diaryNumber: string, steps = stepsOf(snapshot).join(',')) {
  const ctx = snapshot.context;
  return {
    steps: `,${steps},`,
    statePaths: statePaths(snapshot.value).join(','),
    status: snapshot.status === 'done' ? ('done' as const) : ('active' as const),
    outcome: ctx.outcome?.kind ?? null,
    priorityAreaId: ctx.eligibility?.priorityAreaId ?? null,
    searchText: `${diaryNumber} ${ctx.idea.title} ${ctx.idea.summary}`.toLowerCase(),
  };
}

export interface SendCommand {
  caseId: string;
  type: CaseEventType;
  payload: unknown;
  actor: Actor;
  role?: Role;
  expectedVersion: number;
}

export interface Idempotency {
  key: string;
  requestHash: string;
}

export interface Response {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export const hashRequest = (value: unknown) =>
  crypto.createHash('sha256').update(JSON.stringify(value ?? null)).digest('hex');

/**
 * The only code that changes a case. Each command is one IMMEDIATE transaction: load,
 * check access, restore, pure transition(), update WHERE version = ?, append to the log,
 * store the idempotent response. Any Problem thrown rolls the whole command back.
 */
export type TimerOutcome = 'fired' | 'cancelled' | 'skipped';

export function createEngine(db: Db, programmes: ProgrammeService, now: () => Date, effects: EngineEffects) {
  const desiredOf = (row: CaseRow, snapshot: CaseSnapshot) => desiredTimers(snapshot, programmes.get(row.programmeId)!.deadlines);
  const reconcileTimers = (row: CaseRow, snapshot: CaseSnapshot) => effects.timers.reconcile(row.id, row.programmeId, desiredOf(row, snapshot));

  // The hot path's queries, built and prepared once (drizzle otherwise builds each query anew).
  const memberQuery = db
    .select({ userId: caseMembers.userId })
    .from(caseMembers)
    .where(and(eq(caseMembers.caseId, sql.placeholder('caseId')), eq(caseMembers.userId, sql.placeholder('userId'))))
    .prepare();
  const caseQuery = db.select().from(cases).where(eq(cases.id, sql.placeholder('id'))).prepare();
  const timerQuery = db.select().from(timers).where(eq(timers.id, sql.placeholder('id'))).prepare();
  const timerStateQuery = db.select({ status: timers.status, dueAt: timers.dueAt }).from(timers).where(eq(timers.id, sql.placeholder('id'))).prepare();
  const updateCase = db
    .update(cases)
    .set({
      snapshot: param('snapshot'),
      version: param('version'),
      updatedAt: param('updatedAt'),
      steps: param('steps'),
      statePaths: param('statePaths'),
      status: param('status'),
      outcome: param('outcome'),
      priorityAreaId: param('priorityAreaId'),
      searchText: param('searchText'),
    })
    .where(and(eq(cases.id, sql.placeholder('id')), eq(cases.version, sql.placeholder('expectedVersion'))))
    .prepare();
  const insertEvent = db
    .insert(caseEvents)
    .values({
      caseId: sql.placeholder('caseId'),
      version: sql.placeholder('version'),
      type: sql.placeholder('type'),
      actorId: sql.placeholder('actorId'),
      actorRole: sql.placeholder('actorRole'),
      at: sql.placeholder('at'),
      payload: param('payload'),
      stateBefore: param('stateBefore'),
      stateAfter: param('stateAfter'),
      stepsBefore: sql.placeholder('stepsBefore'),
      stepsAfter: sql.placeholder('stepsAfter'),
    })
    .prepare();

  const isMember = (caseId: string, userId: string) => memberQuery.get({ caseId, userId }) !== undefined;
  const loadCase = (id: string): CaseRow | undefined => caseQuery.get({ id });

  function nextDiaryNumber(programmeId: string, prefix: string, year: number): string {
    const row = db
      .insert(diaryCounters)
      .values({ programmeId, year, last: 1 })
      .onConflictDoUpdate({
        target: [diaryCounters.programmeId, diaryCounters.year],
        set: { last: sql`${diaryCounters.last} + 1` },
      })
      .returning({ last: diaryCounters.last })
      .get();
    return `${prefix}-${year}-${String(row.last).padStart(4, '0')}`;
  }

  /**
   * Runs `work` in one immediate transaction, replaying a stored response for a repeated
   * Idempotency-Key and storing the new one with the change it describes.
   */
  function idempotent(actor: Actor, idem: Idempotency | undefined, work: () => Response): Response {
    const response = db.transaction(
      () => {
        if (idem) {
          const stored = db
            .select()
            .from(idempotencyKeys)
            .where(and(eq(idempotencyKeys.userId, actor.id), eq(idempotencyKeys.key, idem.key)))
            .get();
          if (stored) {
            if (stored.requestHash !== idem.requestHash) {
              throw new Problem('idempotency-key-reused', `Idempotency-Key ${idem.key} was used for a different request`);
            }
            return {
              status: stored.status,
              body: JSON.parse(stored.body),
              headers: { ...(stored.headers as Record<string, string>), 'idempotent-replay': 'true' },
            };
          }
        }
        const response = work();
        if (idem) {
          db.insert(idempotencyKeys)
            .values({
              userId: actor.id,
              key: idem.key,
              requestHash: idem.requestHash,
              status: response.status,
              body: JSON.stringify(response.body),
              headers: response.headers,
              createdAt: now().toISOString(),
            })
            .run();
        }
        return response;
      },
      { behavior: 'immediate' },
    );
    // Inside a group commit (src/db/group-commit.ts) the commit is still to come; the group tells.
    if (!db.$client.inTransaction) effects.afterCommit?.();
    return response;
  }

  /** Fires one timer inside the caller's transaction (see fireTimers). */
  function fireInTransaction(id: string): TimerOutcome {
    const timer = timerQuery.get({ id });
    const at = now().toISOString();
    if (!timer || timer.status !== 'pending' || timer.dueAt > at) return 'skipped' as const;
    const row = loadCase(timer.caseId)!;
    const snapshot = restoreSnapshot(row);
    // The case's state (or the programme's deadlines) may have moved on since the
    // timer was set: bring the timers in line first, then fire only if still due.
    reconcileTimers(row, snapshot);
    const now_ = timerStateQuery.get({ id })!;
    if (now_.status === 'cancelled') return 'cancelled' as const;
    if (now_.dueAt > at) return 'skipped' as const;
    effects.notifications.forTimer({
      row,
      timerId: id,
      kind: timer.kind as TimerKind,
      data: timer.data as Record<string, string>,
      at: stepInfo(snapshot),
      context: snapshot.context as CaseContext,
    });
    db.update(timers).set({ status: 'fired', settledAt: at }).where(eq(timers.id, id)).run();
    return 'fired' as const;
  }

  /** The case list's step index: one row per step the case stands at. */
  function writeSteps(row: Pick<CaseRow, 'id' | 'programmeId' | 'createdAt'>, steps: number[]) {
    if (steps.length === 0) return;
    db.insert(caseSteps)
      .values(steps.map((step) => ({ caseId: row.id, programmeId: row.programmeId, step, createdAt: row.createdAt })))
      .run();
  }

  function appendEvent(
    caseId: string,
    version: number,
    event: { type: string; payload: unknown; actorId: string; role: string; at: string },
    before: CaseSnapshot | undefined,
    after: CaseSnapshot,
    /** The snapshots' steps as "10,11,12", computed once by the caller. */
    steps: { before: string | null; after: string },
  ) {
    insertEvent.run({
      caseId,
      version,
      type: event.type,
      actorId: event.actorId,
      actorRole: event.role,
      at: event.at,
      payload: JSON.stringify(event.payload ?? {}),
      stateBefore: before ? JSON.stringify(before.value) : null,
      stateAfter: JSON.stringify(after.value),
      stepsBefore: steps.before,
      stepsAfter: steps.after,
    });
  }

  return {
    idempotent,
    isMember,
    loadCase,

    /** Forgets stored Idempotency-Key responses after `hours` (kept for at least 24 h). */
    purgeIdempotencyKeys(hours = 48): number {
      const cutoff = new Date(now().getTime() - Math.max(hours, 24) * 3_600_000).toISOString();
      return db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, cutoff)).run().changes;
    },

    /** Step 1: an initiator raises an idea. Call inside `idempotent`. */
    create(actor: Actor, programmeId: string, idea: { title: string; summary: string }): CaseRow {
      const programme = programmes.get(programmeId);
      if (!programme || programme.id !== actor.programmeId) throw new Problem('not-found', `no programme ${programmeId}`);
      if (!actor.roles.includes('initiator')) {
        throw new Problem('forbidden', 'only an initiator can raise an idea', { roles: ['initiator'] });
      }
      const at = now();
      const id = crypto.randomUUID();
      const input: CaseInput = {
        caseId: id,
        programme: programmes.rules(programmeId)!,
        idea: { ...idea, initiatorId: actor.id },
        at: at.toISOString(),
      };
      const machine = caseMachineFor(CURRENT_CASE_MACHINE_VERSION);
      const [snapshot] = initialTransition(machine, input);
      const diaryNumber = nextDiaryNumber(programmeId, programme.diaryPrefix, at.getUTCFullYear());
      const row: CaseRow = {
        id,
        programmeId,
        diaryNumber,
        title: idea.title,
        initiatorId: actor.id,
        snapshot: persist(snapshot, CURRENT_CASE_MACHINE_VERSION),
        version: 1,
        machineVersion: CURRENT_CASE_MACHINE_VERSION,
        createdAt: at.toISOString(),
        updatedAt: at.toISOString(),
        ...projection(snapshot, diaryNumber),
      };
      db.insert(cases).values(row).run();
      writeSteps(row, stepsOf(snapshot));
      db.insert(caseMembers).values({ caseId: id, userId: actor.id, relation: 'owner' }).run();
      appendEvent(id, 1, { type: 'CASE_CREATED', payload: input, actorId: actor.id, role: 'initiator', at: input.at }, undefined, snapshot, {
        before: null,
        after: stepsOf(snapshot).join(','),
      });
      reconcileTimers(row, snapshot);
      return row;
    },

    /** Sends one event to a case. Call inside `idempotent`. */
    send(cmd: SendCommand): { row: CaseRow; snapshot: CaseSnapshot } {
      const row = loadCase(cmd.caseId);
      const member = row ? isMember(row.id, cmd.actor.id) : false;
      if (!row || !canSeeCase(cmd.actor, row.programmeId, member)) {
        throw new Problem('not-found', `no case ${cmd.caseId}`);
      }
      if (row.version !== cmd.expectedVersion) {
        throw new Problem('version-mismatch', `the case is at version ${row.version}, not ${cmd.expectedVersion}`, {
          currentVersion: row.version,
        });
      }
      const role = roleFor(cmd.actor, cmd.type, member, cmd.role);
      if (!role.ok) {
        throw new Problem('forbidden', `${cmd.type} may be sent by: ${role.roles.join(', ')}`, {
          reason: role.reason,
          roles: role.roles,
        });
      }
      const before = restoreSnapshot(row);
      if (cmd.type === 'RECORD_FOLLOW_UP' && !before.matches('running')) {
        throw new Problem('case-not-running', 'a follow-up report needs a case that is running (steps 10–12)', {
          errors: [{ path: 'type', message: `the case stands at step ${stepsOf(before).join(', ')}` }],
        });
      }
      if (!acceptedEventTypes(before).has(cmd.type)) {
        throw new Problem('event-not-accepted', `${cmd.type} is not possible at step ${stepsOf(before).join(', ')}`, {
          steps: stepsOf(before),
          state: statePaths(before.value),
        });
      }
      const payload = validatePayload(cmd.type, cmd.payload, row.programmeId);
      const at = now().toISOString();
      const event = { type: cmd.type, payload, meta: { actorId: cmd.actor.id, role: role.role, at } } as CaseEvent;
      const failing = unmet(requirementsFor(cmd.type, before.context as CaseContext, event, row.machineVersion));
      if (failing.length > 0) {
        throw new Problem('requirements-not-met', failing.map((r) => r.id + (r.subject ? `:${r.subject}` : '')).join(', '), {
          unmet: failing.map((r) => ({ id: r.id, subject: r.subject, label: '' })),
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
      const after = nextSnapshot(row.machineVersion, before, event);
      if (after === before) {
        throw new Problem('event-not-accepted', `${cmd.type} changed nothing in the current state`);
      }
      const version = row.version + 1;
      const [beforeAt, afterAt] = [stepInfo(before), stepInfo(after)];
      const snapshotJson = persistJson(after, row.machineVersion);
      const changes = { version, updatedAt: at, ...projection(after, row.diaryNumber, afterAt.steps) };
      const updated: CaseRow = { ...row, ...changes, snapshot: JSON.parse(snapshotJson) as object };
      const result = updateCase.run({ ...changes, snapshot: snapshotJson, id: row.id, expectedVersion: row.version });
      if (result.changes !== 1) {
        throw new Problem('version-mismatch', 'the case changed while this command ran');
      }
      appendEvent(row.id, version, { type: cmd.type, payload, actorId: cmd.actor.id, role: role.role, at }, before, after, {
        before: beforeAt.steps,
        after: afterAt.steps,
      });
      if (afterAt.steps !== beforeAt.steps) {
        db.delete(caseSteps).where(eq(caseSteps.caseId, row.id)).run();
        writeSteps(row, stepsOf(after));
      }
      if (cmd.type === 'ADD_PARTICIPANT') {
        const { userId } = payload as { userId: string };
        db.insert(caseMembers).values({ caseId: row.id, userId, relation: 'participant' }).onConflictDoNothing().run();
      }
      // The timers table holds what the snapshot before wanted (every change, deadline change
      // and rules version reconciles it), so it is read only when the wish has changed.
      const desired = desiredOf(updated, after);
      if (!sameTimers(desiredOf(row, before), desired)) effects.timers.reconcile(row.id, row.programmeId, desired);
      effects.notifications.forEvent({
        row: updated,
        version,
        type: cmd.type,
        payload,
        actorId: cmd.actor.id,
        context: after.context as CaseContext,
        before: beforeAt,
        after: afterAt,
      });
      return { row: updated, snapshot: after };
    },

    /**
     * Brings the timers of every active case (of one programme, or all) in line with its
     * state and the programme's deadlines: after a programme's deadlines change, and once
     * when the timer rules themselves change (see backfillTimers).
     */
    reconcileAllTimers(programmeId?: string): number {
      return db.transaction(
        () => {
          const where = programmeId ? and(eq(cases.status, 'active'), eq(cases.programmeId, programmeId)) : eq(cases.status, 'active');
          const rows = db.select().from(cases).where(where).all();
          for (const row of rows) reconcileTimers(row, restoreSnapshot(row));
          return rows.length;
        },
        { behavior: 'immediate' },
      );
    },

    /** At start: reconciles all active cases once per version of the timer rules. */
    backfillTimers(): number | undefined {
      const key = 'timer-rules-version';
      const stored = db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)).get();
      if (stored?.value === String(TIMER_RULES_VERSION)) return undefined;
      const count = this.reconcileAllTimers();
      db.insert(meta)
        .values({ key, value: String(TIMER_RULES_VERSION) })
        .onConflictDoUpdate({ target: meta.key, set: { value: String(TIMER_RULES_VERSION) } })
        .run();
      return count;
    },

    /**
     * Fires one due timer: one IMMEDIATE transaction, like a person's command. The timer's
     * own row is the command id: only a pending timer fires, and firing settles it, so a
     * timer fired twice (two pollers, a restart) is applied once. A timer whose state the
     * case has left is cancelled instead.
     */
    /** Fires one timer (see fireTimers); its error, if any, is thrown. */
    fireTimer(id: string): TimerOutcome {
      const result = this.fireTimers([id]).get(id)!;
      if (result instanceof Error) throw result;
      return result;
    },

    /**
     * Fires several timers in one transaction (one durable commit for the lot), each in a
     * savepoint of its own: a timer that fails is rolled back alone and reported as its error.
     */
    fireTimers(ids: readonly string[]): Map<string, TimerOutcome | Error> {
      const results = new Map<string, TimerOutcome | Error>();
      const sqlite = db.$client;
      db.transaction(
        () => {
          for (const id of ids) {
            sqlite.exec('SAVEPOINT fire_timer');
            try {
              results.set(id, fireInTransaction(id));
              sqlite.exec('RELEASE fire_timer');
            } catch (error) {
              sqlite.exec('ROLLBACK TO fire_timer');
              sqlite.exec('RELEASE fire_timer');
              results.set(id, error instanceof Error ? error : new Error(String(error)));
            }
          }
        },
        { behavior: 'immediate' },
      );
      if ([...results.values()].includes('fired')) effects.afterCommit?.();
      return results;
    },
  };

  function validatePayload(type: CaseEventType, payload: unknown, programmeId: string): unknown {
    const parsed = eventPayloads[type].safeParse(payload ?? {});
    if (!parsed.success) {
      throw new Problem('validation-failed', `the payload of ${type} is not valid`, {
        errors: fieldErrors(parsed.error.issues, 'payload'),
      });
    }
    if (type === 'SUBMIT_IDEA_TEMPLATE') {
      const template = programmes.ideaTemplate(programmeId)!;
      const answers = ideaAnswersSchema(template, programmes.get(programmeId)!).safeParse(
        (parsed.data as { answers: unknown }).answers,
      );
      if (!answers.success) {
        throw new Problem('validation-failed', 'the idea template is not filled in correctly', {
          errors: fieldErrors(answers.error.issues, 'payload.answers'),
        });
      }
      return { answers: answers.data };
    }
    if (type === 'UPDATE_PROPOSAL') {
      const proposal = parsed.data as PayloadOf<'UPDATE_PROPOSAL'>;
      const config = programmes.get(programmeId)!;
      const errors = (proposal.budget ?? [])
        .map((line, i) => effects.money.yearsError(config, line.year, `payload.budget.${i}.year`))
        .filter((e) => e !== undefined);
      (proposal.scope?.municipalities ?? []).forEach((m, i) => {
        // A programme that lists its municipalities accepts only those.
        if (config.municipalities.length > 0 && !config.municipalities.includes(m)) {
          errors.push({ path: `payload.scope.municipalities.${i}`, message: `${m} is not a municipality of the programme` });
        }
      });
      if (errors.length > 0) throw new Problem('validation-failed', 'the proposal is not valid for this programme', { errors });
    }
    if (type === 'RECORD_DECISION') {
      const decision = parsed.data as PayloadOf<'RECORD_DECISION'>;
      if (decision.followUpRhythm) {
        const dates = [...new Set([...(decision.followUpDates ?? []), ...rhythmDates(decision.followUpRhythm)])].sort();
        if (dates.length > 100) {
          throw new Problem('validation-failed', 'too many follow-up dates', {
            errors: [{ path: 'payload.followUpRhythm', message: `gives ${dates.length} dates; at most 100` }],
          });
        }
        return { ...decision, followUpDates: dates };
      }
    }
    if (type === 'ADD_PARTICIPANT') {
      const { userId } = parsed.data as { userId: string };
      const user = db.select({ programmeId: users.programmeId }).from(users).where(eq(users.id, userId)).get();
      if (!user || user.programmeId !== programmeId) {
        throw new Problem('validation-failed', 'the participant must be a user of the same programme', {
          errors: [{ path: 'payload.userId', message: 'no user with this id in the programme' }],
        });
      }
    }
    return parsed.data;
  }
}

export type Engine = ReturnType<typeof createEngine>;

function sameTimers(a: DesiredTimer[], b: DesiredTimer[]): boolean {
  return a.length === b.length && a.every((x, i) => x.key === b[i]!.key && x.dueAt === b[i]!.dueAt);
}

const RHYTHM_MONTHS = { quarter: 3, 'half-year': 6, year: 12 } as const;

/** Follow-up dates every quarter, half-year or year from `from` up to and including `until`. */
export function rhythmDates(rhythm: { every: keyof typeof RHYTHM_MONTHS; from: string; until: string }): string[] {
  const [y, m, d] = rhythm.from.split('-').map(Number) as [number, number, number];
  const out: string[] = [];
  for (let i = 0; out.length <= 100; i += 1) {
    // Day-of-month is clamped so 31 January + 3 months is 30 April, not 1 May.
    const month = m - 1 + i * RHYTHM_MONTHS[rhythm.every];
    const last = new Date(Date.UTC(y, month + 1, 0)).getUTCDate();
    const date = new Date(Date.UTC(y, month, Math.min(d, last))).toISOString().slice(0, 10);
    if (date > rhythm.until) break;
    out.push(date);
  }
  return out;
}
