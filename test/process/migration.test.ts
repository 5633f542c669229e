import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, createMachine, type AnyStateMachine } from 'xstate';
import { unreviewedReport, type CaseContext } from '../../machines/case/context.js';
import type { CaseEventType } from '../../machines/case/schemas.js';
import { addMigrationPlan, type MigrationPlan } from '../../machines/migrations.js';
import {
  addCaseMachineVersion,
  caseMachineFor,
  CURRENT_CASE_MACHINE_VERSION,
  type CaseMachineOfAnyVersion,
} from '../../machines/versions.js';
import { DEMO_IDEA, FULL_STORY, storyOfVersion, type StoryStep } from '../../src/demo/story.js';
import { expectReplayReproduces } from '../replay.js';
import { auth, createTestApp, json, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * Moving running cases to the next version of the process (issue 18): a version current + 1
 * built here from the code (step 7's state renamed, and one added requirement: START_PROPOSAL
 * needs a named contact person, a field the old version's cases do not have), its plan (the
 * rename mapped, the contact person filled in with the initiator, and a case whose follow-up
 * report waits for the steering group's review cannot move), and 1,000 running cases spread
 * over every state of the current version. The dry run's predictions are the outcome; a
 * failure on one case leaves every case as it was; replay holds for every case; the history
 * shows the move.
 */

const NEXT = CURRENT_CASE_MACHINE_VERSION + 1;
const CASES = 1000;

/** The current version's chart with step 7 renamed `consultations` and START_PROPOSAL asking for a contact person. */
function nextVersion(): AnyStateMachine {
  const current = caseMachineFor(CURRENT_CASE_MACHINE_VERSION) as AnyStateMachine;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the chart's config, rebuilt with one state renamed
  const config = current.config as any;
  const preparation = config.states.open.states.preparation;
  const { checkIns, ...others } = preparation.states;
  const renamed = (target: string) => (target === 'checkIns' ? 'consultations' : target);
  const tgd = others.targetGroupDialogue;
  const states = {
    ...others,
    targetGroupDialogue: {
      ...tgd,
      on: Object.fromEntries(
        Object.entries(tgd.on as Record<string, { target: string }>).map(([type, t]) => [type, { ...t, target: renamed(t.target) }]),
      ),
    },
    consultations: {
      ...checkIns,
      on: { START_PROPOSAL: { ...checkIns.on.START_PROPOSAL, guard: and(['check-in-recorded', 'contact-person-named']) } },
    },
  };
  const context = config.context as (args: { input: { idea: { initiatorId: string } } }) => CaseContext;
  return createMachine(
    {
      ...config,
      context: (args: { input: { idea: { initiatorId: string } } }) => ({ ...context(args), contactPerson: args.input.idea.initiatorId }),
      states: {
        ...config.states,
        open: { ...config.states.open, states: { ...config.states.open.states, preparation: { ...preparation, states } } },
      },
    },
    {
      ...current.implementations,
      guards: {
        ...current.implementations.guards,
        'contact-person-named': ({ context }: { context: { contactPerson?: string } }) => typeof context.contactPerson === 'string',
      },
    },
  ) as AnyStateMachine;
}

const PLAN: MigrationPlan = {
  id: `test-v${CURRENT_CASE_MACHINE_VERSION}-to-v${NEXT}`,
  from: CURRENT_CASE_MACHINE_VERSION,
  to: NEXT,
  states: { 'open.preparation.checkIns': 'open.preparation.consultations' },
  defaults: [{ key: 'contactPerson', value: (ctx) => ctx.idea.initiatorId, reason: 'contactPerson' }],
  cannotMove: ({ context }) => (unreviewedReport(context) ? 'report-awaits-review' : undefined),
  description: 'Test: the rename mapped; the contact person is the initiator; a report awaiting review stays.',
};

/** The story before the first `type`, without what a new case records itself. */
const before = (type: CaseEventType | undefined, story = FULL_STORY): StoryStep[] => {
  const stop = type ? story.findIndex((s) => s.type === type) : story.length;
  return story.slice(0, stop).filter((s) => s.type !== 'CONTACT_COORDINATORS');
};

/** Every state of the current version a running case can stand at, with the story that takes a case there. */
const KINDS: { name: string; story: StoryStep[]; movable: boolean; state: string[]; createdOn?: number }[] = [
  // On the current version a new case stands at step 2 already: a case at step 1 came from version 3.
  { name: 'idea (moved from version 3)', story: [], movable: true, state: ['open.idea'], createdOn: 3 },
  { name: 'coordinator contact', story: before('ASSESS_ELIGIBLE'), movable: true, state: ['open.coordinatorContact'] },
  { name: 'idea template', story: before('SUBMIT_IDEA_TEMPLATE'), movable: true, state: ['open.ideaTemplate'] },
  {
    name: 'coordination group',
    story: before('PLACE_ON_AGENDA'),
    movable: true,
    state: ['open.preparation.coordinationGroup'],
  },
  { name: 'dialogue forum', story: before('BOOK_DIALOGUE_FORUM'), movable: true, state: ['open.preparation.dialogueForum'] },
  {
    name: 'target-group dialogue',
    story: before('RECORD_TARGET_GROUP_DIALOGUE'),
    movable: true,
    state: ['open.preparation.targetGroupDialogue'],
  },
  { name: 'check-ins (renamed)', story: before('START_PROPOSAL'), movable: true, state: ['open.preparation.consultations'] },
  { name: 'proposal', story: before('SUBMIT_TO_LSVO'), movable: true, state: ['open.preparation.proposal'] },
  {
    name: 'awaiting recommendation',
    story: before('RECORD_RECOMMENDATION'),
    movable: true,
    state: ['open.preparation.decision.awaitingRecommendation'],
  },
  {
    name: 'awaiting decision',
    story: before('RECORD_DECISION'),
    movable: true,
    state: ['open.preparation.decision.awaitingDecision'],
  },
  {
    name: 'running',
    story: before('SUBMIT_FOLLOW_UP_REPORT'),
    movable: true,
    state: ['running.execution.ongoing', 'running.seminars.active', 'running.scaleUp.planning'],
  },
  {
    name: 'running, a report awaiting review (cannot move)',
    story: before('RECORD_FOLLOW_UP'),
    movable: false,
    state: ['running.execution.ongoing', 'running.seminars.active', 'running.scaleUp.planning'],
  },
  {
    name: 'running, report reviewed',
    story: before('RECORD_SEMINAR'),
    movable: true,
    state: ['running.execution.ongoing', 'running.seminars.active', 'running.scaleUp.planning'],
  },
  {
    name: 'ended, scale-up planned',
    story: before('RECORD_SCALE_UP_RECOMMENDATION'),
    movable: true,
    state: ['running.execution.finished', 'running.seminars.active', 'running.scaleUp.planning'],
  },
  {
    name: 'ended, awaiting the scale-up decision',
    story: before('RECORD_SCALE_UP_DECISION'),
    movable: true,
    state: ['running.execution.finished', 'running.seminars.active', 'running.scaleUp.awaitingDecision'],
  },
];

let t: TestApp;
const cleanups: (() => void)[] = [];
/** Each case made, with its kind. */
const made: { id: string; kind: (typeof KINDS)[number] }[] = [];

type DryRun = {
  toVersion: number;
  movable: number;
  notMovable: number;
  cases: {
    caseId: string;
    diaryNumber: string;
    version: number;
    machineVersion: number;
    steps: number[];
    stepText: string;
    movable: boolean;
    stepsAfter: number[] | null;
    stepTextAfter: string | null;
    reason: { code: string; message: string } | null;
    filledIn: string[];
  }[];
};

const dryRun = async (to = NEXT) => {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/programmes/${PROGRAMME}/process-migrations/${to}`,
    headers: auth(t.tokens.administrator),
  });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return json<DryRun>(res);
};

/** Every row of every table, to show that a refused migration wrote nothing. */
function everyRow(): Record<string, string[]> {
  const sqlite = t.services.db.$client;
  const tables = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'case_search%'")
    .all() as { name: string }[];
  return Object.fromEntries(
    tables.map(({ name }) => [name, (sqlite.prepare(`SELECT * FROM "${name}"`).all() as unknown[]).map((r) => JSON.stringify(r)).sort()]),
  );
}

/** Engine-made cases per kind; the rest of the thousand are copies of them (see `copyCase`). */
const MADE_BY_ENGINE = 2;

/**
 * A copy of an engine-made case under a new id and diary number: its row and its snapshot's parts, log, the people of
 * its log, step index, members and timers, with every mention of its id and diary number replaced (the log of a
 * copy is the original's, so replay holds for it as for the original). Reaching each state
 * through the engine takes a few milliseconds an event on a shared machine; copying the logs
 * keeps the thousand cases to seconds.
 */
function copyCase(from: string, n: number): string {
  const sqlite = t.services.db.$client;
  const id = crypto.randomUUID();
  const { diary_number: diary } = sqlite.prepare('SELECT diary_number FROM cases WHERE id = ?').get(from) as { diary_number: string };
  const copy = `${diary.slice(0, diary.lastIndexOf('-'))}-${String(50_000 + n)}`;
  // The log names people by their reference on the case: the copy's people get references of its own, with the same keys.
  const refs = new Map<string, string>();
  const people = sqlite.prepare('SELECT ref, user_id, key, created_at FROM case_people WHERE case_id = ?').all(from) as {
    ref: string;
    user_id: string;
    key: Buffer | null;
    created_at: string;
  }[];
  for (const p of people) refs.set(p.ref, crypto.randomUUID());
  const swap = (row: Record<string, unknown>) => {
    let text = JSON.stringify(row).replaceAll(from, id).replaceAll(diary, copy);
    for (const [ref, next] of refs) text = text.replaceAll(ref, next);
    return JSON.parse(text) as Record<string, unknown>;
  };
  for (const table of ['cases', 'case_parts', 'case_events', 'case_steps', 'case_members', 'timers']) {
    const rows = sqlite.prepare(`SELECT * FROM "${table}" WHERE ${table === 'cases' ? 'id' : 'case_id'} = ?`).all(from) as Record<
      string,
      unknown
    >[];
    for (const row of rows.map(swap)) {
      if (table === 'case_events') delete row.id;
      const columns = Object.keys(row);
      sqlite
        .prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
        .run(...columns.map((c) => row[c]));
    }
  }
  for (const p of people) {
    sqlite
      .prepare('INSERT INTO case_people (ref, case_id, user_id, key, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(refs.get(p.ref), id, p.user_id, p.key, p.created_at);
  }
  return id;
}

beforeAll(async () => {
  t = await createTestApp();
  cleanups.push(addCaseMachineVersion(NEXT, nextVersion() as unknown as CaseMachineOfAnyVersion), addMigrationPlan(PLAN));
  const { engine } = t.services;
  const decision = FULL_STORY.find((s) => s.type === 'RECORD_DECISION')!;
  // Small grants: the decisions fit in the test's pools.
  const small = { ...decision.payload, grantedBudget: [{ year: 2026, amountOre: 100 }] } as StoryStep['payload'];
  const started = performance.now();
  t.services.db.transaction(
    () => {
      const originals: { id: string; kind: (typeof KINDS)[number] }[] = [];
      for (let i = 0; i < KINDS.length * MADE_BY_ENGINE; i++) {
        const kind = KINDS[i % KINDS.length]!;
        const createdOn = (kind.createdOn ?? CURRENT_CASE_MACHINE_VERSION) as 3 | 4;
        let row = engine.create(t.actors.initiator, PROGRAMME, { title: `Insats ${i + 1}`, summary: DEMO_IDEA.summary }, createdOn);
        for (const step of kind.story) {
          row = engine.send({
            caseId: row.id,
            type: step.type,
            payload: step.type === 'RECORD_DECISION' ? small : step.payload,
            actor: t.actors[step.role],
            role: step.role,
            expectedVersion: row.version,
          }).row;
        }
        originals.push({ id: row.id, kind });
      }
      // The cases at step 1 come to the current version by the released plan 3 → 4.
      const fromV3 = originals.filter((m) => m.kind.createdOn === 3).map((m) => m.id);
      engine.migrate(t.actors.administrator, { programmeId: PROGRAMME, caseIds: fromV3, toVersion: CURRENT_CASE_MACHINE_VERSION });
      made.push(...originals);
      for (let n = made.length; n < CASES; n++) {
        const original = originals[n % originals.length]!;
        made.push({ id: copyCase(original.id, n), kind: original.kind });
      }
    },
    { behavior: 'immediate' },
  );
  console.log(`${CASES} cases in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) cleanup();
  await t?.close();
});

const rowOf = (id: string) =>
  t.services.db.$client.prepare('SELECT version, machine_version, state_paths, steps FROM cases WHERE id = ?').get(id) as {
    version: number;
    machine_version: number;
    state_paths: string;
    steps: string;
  };

describe(`migration of ${CASES} running cases to version current + 1`, () => {
  let first: DryRun;

  it('the cases stand at every state of the current version', () => {
    const seen = new Set(made.map((m) => rowOf(m.id).state_paths));
    for (const kind of KINDS) {
      const state = kind.state.map((p) => p.replace('consultations', 'checkIns')).join(',');
      expect(seen, kind.name).toContain(state);
    }
    expect(made.every((m) => rowOf(m.id).machine_version === CURRENT_CASE_MACHINE_VERSION)).toBe(true);
  });

  it('the dry run lists every running case: where it is, where it would land, or why it cannot move', async () => {
    first = await dryRun();
    expect(first.cases).toHaveLength(CASES);
    const byId = new Map(first.cases.map((c) => [c.caseId, c]));
    for (const m of made) {
      const c = byId.get(m.id)!;
      expect(c.movable, m.kind.name).toBe(m.kind.movable);
      if (m.kind.movable) {
        expect(c.stepsAfter).toEqual(c.steps);
        expect(c.reason).toBeNull();
        expect(c.filledIn).toHaveLength(1);
      } else {
        expect(c.stepsAfter).toBeNull();
        expect(c.reason!.code).toBe('report-awaits-review');
        expect(c.reason!.message.length).toBeGreaterThan(10);
      }
      expect(c.stepText).toMatch(/^steg \d+ av 12: /);
    }
    expect(first.movable + first.notMovable).toBe(CASES);
    // The dry run wrote nothing.
    expect(made.every((m) => rowOf(m.id).machine_version === CURRENT_CASE_MACHINE_VERSION)).toBe(true);
  }, 60_000);

  it('a case that cannot move refuses the whole run, naming it: nothing is written', async () => {
    const stuck = first.cases.find((c) => !c.movable)!;
    const caseIds = [...first.cases.filter((c) => c.movable).map((c) => c.caseId), stuck.caseId];
    const rows = everyRow();
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/programmes/${PROGRAMME}/process-migrations`,
      headers: auth(t.tokens.administrator),
      payload: { toVersion: NEXT, caseIds },
    });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = json<{ cases: { caseId: string; diaryNumber: string; reason: string; message: string }[] }>(res);
    expect(problem.cases).toEqual([
      { caseId: stuck.caseId, diaryNumber: stuck.diaryNumber, reason: 'report-awaits-review', message: stuck.reason!.message },
    ]);
    expect(everyRow()).toEqual(rows);
  }, 60_000);

  it('a failure while the cases are written, on one case near the end, leaves every case unmigrated', async () => {
    const movable = first.cases.filter((c) => c.movable);
    const planted = movable[movable.length - 2]!;
    const sqlite = t.services.db.$client;
    sqlite.exec(
      `CREATE TRIGGER planted_failure BEFORE UPDATE OF machine_version ON cases WHEN NEW.id = '${planted.caseId}' BEGIN SELECT RAISE(ABORT, 'planted failure'); END`,
    );
    try {
      const rows = everyRow();
      expect(() =>
        t.services.processMigration.migrate(
          t.actors.administrator,
          PROGRAMME,
          {
            toVersion: NEXT,
            caseIds: movable.map((c) => c.caseId),
            expectedVersions: Object.fromEntries(movable.map((c) => [c.caseId, c.version])),
          },
          'sv',
        ),
      ).toThrow('planted failure');
      expect(everyRow()).toEqual(rows);
    } finally {
      sqlite.exec('DROP TRIGGER planted_failure');
    }
  }, 60_000);

  it('a case changed since the dry run refuses the whole run, naming it: nothing is written', async () => {
    const movable = first.cases.filter((c) => c.movable);
    // A seminar recorded on a running case after the dry run.
    const changed = made.find((m) => m.kind.name === 'running')!;
    const seminar = FULL_STORY.find((s) => s.type === 'RECORD_SEMINAR')!;
    t.services.engine.send({
      caseId: changed.id,
      type: 'RECORD_SEMINAR',
      payload: seminar.payload,
      actor: t.actors['county-coordinator'],
      role: 'county-coordinator',
      expectedVersion: rowOf(changed.id).version,
    });
    const rows = everyRow();
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/programmes/${PROGRAMME}/process-migrations`,
      headers: auth(t.tokens.administrator),
      payload: {
        toVersion: NEXT,
        caseIds: movable.map((c) => c.caseId),
        expectedVersions: Object.fromEntries(movable.map((c) => [c.caseId, c.version])),
      },
    });
    expect(res.statusCode).toBe(409);
    expect(json<{ cases: { caseId: string; reason: string }[] }>(res).cases).toEqual([
      expect.objectContaining({ caseId: changed.id, reason: 'changed' }),
    ]);
    expect(everyRow()).toEqual(rows);
  }, 60_000);

  it('the migration moves every chosen case as the dry run said, each with its event; replay holds for every case', async () => {
    const second = await dryRun();
    const movable = second.cases.filter((c) => c.movable);
    const timersBefore = t.services.db.$client.prepare('SELECT id, due_at, status FROM timers ORDER BY id').all();
    const started = performance.now();
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/programmes/${PROGRAMME}/process-migrations`,
      headers: auth(t.tokens.administrator),
      payload: {
        toVersion: NEXT,
        caseIds: movable.map((c) => c.caseId),
        expectedVersions: Object.fromEntries(movable.map((c) => [c.caseId, c.version])),
      },
    });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
    console.log(`${movable.length} cases moved in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const answer = json<{ toVersion: number; moved: { caseId: string; version: number; fromVersion: number }[] }>(res);
    expect(answer.moved.map((m) => m.caseId)).toEqual(movable.map((c) => c.caseId));

    // The predictions are the outcome, case by case.
    const kindOf = new Map(made.map((m) => [m.id, m.kind]));
    for (const c of second.cases) {
      const row = rowOf(c.caseId);
      if (c.movable) {
        expect(row.machine_version).toBe(NEXT);
        expect(row.version).toBe(c.version + 1);
        expect(row.steps).toBe(`,${c.stepsAfter!.join(',')},`);
        expect(row.state_paths.split(',').sort()).toEqual([...kindOf.get(c.caseId)!.state].sort());
      } else {
        expect(row.machine_version).toBe(CURRENT_CASE_MACHINE_VERSION);
        expect(row.version).toBe(c.version);
      }
    }
    // The deadlines mean the same on the new version: the timers are as they were.
    expect(t.services.db.$client.prepare('SELECT id, due_at, status FROM timers ORDER BY id').all()).toEqual(timersBefore);
    // Replay of every case's log gives its stored snapshot, across the move.
    for (const m of made) expectReplayReproduces(t.services.db.$client, m.id);
    // The run is audited once, by its administrator.
    const audit = t.services.db.$client.prepare("SELECT actor_id, details FROM audit_log WHERE action = 'process.migrated'").all() as {
      actor_id: string;
      details: string;
    }[];
    expect(audit.at(-1)!.actor_id).toBe(t.actors.administrator.id);
    expect(JSON.parse(audit.at(-1)!.details)).toMatchObject({ toVersion: NEXT, cases: movable.length });
  }, 120_000);

  it('the history shows the migration, in words, by the administrator who ran it', async () => {
    const moved = made.find((m) => m.kind.name === 'check-ins (renamed)')!;
    const res = await t.app.inject({ method: 'GET', url: `/api/cases/${moved.id}/history`, headers: auth(t.tokens.initiator) });
    expect(res.statusCode).toBe(200);
    const events = json<{ events: { type: string; label: string; actor: { id: string }; payload: Record<string, unknown> }[] }>(res).events;
    const last = events.at(-1)!;
    expect(last).toMatchObject({
      type: 'CASE_MIGRATED',
      label: `Ärendet flyttades från processens version ${CURRENT_CASE_MACHINE_VERSION} till version ${NEXT}`,
      actor: { id: t.actors.administrator.id },
      payload: {
        fromVersion: CURRENT_CASE_MACHINE_VERSION,
        toVersion: NEXT,
        planIds: [PLAN.id],
        stateBefore: ['open.preparation.checkIns'],
        stateAfter: ['open.preparation.consultations'],
        defaults: { contactPerson: t.actors.initiator.id },
      },
    });
    // The step-1 case shows both moves.
    const fromV3 = made.find((m) => m.kind.createdOn === 3)!;
    const history = json<{ events: { type: string; payload: { fromVersion?: number; planIds?: string[] } }[] }>(
      await t.app.inject({ method: 'GET', url: `/api/cases/${fromV3.id}/history`, headers: auth(t.tokens.administrator) }),
    );
    expect(history.events.filter((e) => e.type === 'CASE_MIGRATED').map((e) => e.payload.planIds)).toEqual([['v3-to-v4'], [PLAN.id]]);
  });

  it('a moved case goes on under the new version: the renamed step, the added requirement met by the default', async () => {
    const moved = made.find((m) => m.kind.name === 'check-ins (renamed)')!;
    const { row } = t.services.engine.send({
      caseId: moved.id,
      type: 'START_PROPOSAL',
      payload: {},
      actor: t.actors['county-coordinator'],
      role: 'county-coordinator',
      expectedVersion: rowOf(moved.id).version,
    });
    expect(row.statePaths).toBe('open.preparation.proposal');
    expectReplayReproduces(t.services.db.$client, moved.id);
  });
});

describe('the released plans', () => {
  const send = (caseId: string, steps: StoryStep[]) => {
    for (const step of steps) {
      t.services.engine.send({
        caseId,
        type: step.type,
        payload: step.type === 'RECORD_DECISION' ? { ...step.payload, grantedBudget: [{ year: 2026, amountOre: 100 }] } : step.payload,
        actor: t.actors[step.role],
        role: step.role,
        expectedVersion: rowOf(caseId).version,
      });
    }
  };

  it('a case of version 3 with follow-ups recorded stays; one without moves to version 4 with an empty list of reports', async () => {
    const story3 = storyOfVersion(3);
    const followedUp = t.services.engine.create(t.actors.initiator, PROGRAMME, { title: 'Uppföljd', summary: 'S' }, 3).id;
    send(
      followedUp,
      story3.slice(
        0,
        story3.findIndex((s) => s.type === 'RECORD_SEMINAR'),
      ),
    );
    const running = t.services.engine.create(t.actors.initiator, PROGRAMME, { title: 'Pågår', summary: 'S' }, 3).id;
    send(
      running,
      story3.slice(
        0,
        story3.findIndex((s) => s.type === 'RECORD_FOLLOW_UP'),
      ),
    );
    const early = t.services.engine.create(t.actors.initiator, PROGRAMME, { title: 'Tidig', summary: 'S' }, 1).id;
    send(
      early,
      story3.slice(
        0,
        story3.findIndex((s) => s.type === 'SUBMIT_TO_LSVO'),
      ),
    );

    const run = await dryRun(4);
    const of = (id: string) => run.cases.find((c) => c.caseId === id)!;
    expect(of(followedUp)).toMatchObject({ movable: false, reason: { code: 'follow-ups-recorded' } });
    expect(of(running)).toMatchObject({ movable: true, stepsAfter: [10, 11, 12], filledIn: ['en tom lista med uppföljningsrapporter'] });
    // Version 1 reaches version 4 by the chain of plans.
    expect(of(early)).toMatchObject({ movable: true, machineVersion: 1, stepsAfter: [8] });

    const moved = t.services.processMigration.migrate(t.actors.administrator, PROGRAMME, { toVersion: 4, caseIds: [running, early] }, 'sv');
    expect(moved.moved.map((m) => m.fromVersion)).toEqual([3, 1]);
    for (const id of [running, early]) expectReplayReproduces(t.services.db.$client, id);
    const view = t.services.cases.get(t.actors.initiator, running, 'sv');
    expect(view.data.followUpReports).toEqual([]);
    // Under version 4 the initiator reports on the running initiative.
    expect(view.allowedEvents.map((e) => e.type)).toContain('SUBMIT_FOLLOW_UP_REPORT');
  });

  it('only the programme’s administrators run a dry run or a migration', async () => {
    for (const role of ['initiator', 'county-coordinator', 'finance'] as const) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/programmes/${PROGRAMME}/process-migrations/${NEXT}`,
        headers: auth(t.tokens[role]),
      });
      expect(res.statusCode, role).toBe(403);
    }
    const unknown = await t.app.inject({
      method: 'GET',
      url: `/api/programmes/${PROGRAMME}/process-migrations/99`,
      headers: auth(t.tokens.administrator),
    });
    expect(unknown.statusCode).toBe(404);
  });
});
