import crypto from 'node:crypto';
import { ROLES, type Role } from '../../machines/roles.js';
import { createServices, type Services } from '../../src/services.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { playStory } from '../../src/demo/seed.js';
import { DEMO_IDEA, FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import type { Actor } from '../../src/people/service.js';
import { loadProgrammeDefinition } from '../../src/programmes/config.js';

/*
 * A benchmark database: a few cases played through the real engine (one per kind), then
 * copied in SQL as many times as asked, each copy with its own id, diary number (and the
 * search text the engine would write for it) and
 * creation time. Copies keep their snapshot’s parts, log, members and pending timers, so reads, commands and
 * timers meet the same rows they would in use.
 */

export const PROGRAMME = 'uph-blekinge';

export interface Fixture {
  services: Services;
  actors: Record<Role, Actor>;
  /** An API token per role. */
  tokens: Record<Role, string>;
  close: () => void;
}

export async function openFixture(dataDir: string, now = () => new Date()): Promise<Fixture> {
  const config = loadConfig({ SATSA_DATA_DIR: dataDir, SATSA_LOG_LEVEL: 'silent', SATSA_DEMO_DATA: 'false' });
  const db = openDatabase(config.databaseFile);
  const services = createServices(db, now, config);
  services.programmes.upsert(loadProgrammeDefinition(PROGRAMME));
  const actors = {} as Record<Role, Actor>;
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    actors[role] = await services.people.createUser({
      programmeId: PROGRAMME,
      email: `${role}@bench.satsa.se`,
      displayName: `Bench ${role}`,
      roles: [role],
    });
    tokens[role] = services.people.createApiToken(actors[role].id, 'bench', new Date(Date.now() + 365 * 86_400_000)).token;
  }
  for (let y = 2025; y <= 2028; y++) {
    services.money.createPool(PROGRAMME, actors.administrator.id, { year: y, kind: 'state', name: `Statsbidrag ${y}`, amountOre: 1e13 });
  }
  // The database is made by this version: no backfill of timer rules is due at the server's start.
  services.firing.backfill();
  return { services, actors, tokens, close: () => db.$client.close() };
}

/** A case played through the engine up to `step` (or the whole way to running, with 10). */
export function templateCase(f: Fixture, step: number): string {
  const created = f.services.cases.create(f.actors.initiator, { title: DEMO_IDEA.title, summary: DEMO_IDEA.summary }, 'sv');
  const steps = step >= 10 ? FULL_STORY.slice(0, FULL_STORY.findIndex((s) => s.type === 'RECORD_DECISION') + 1) : storyUntilStep(step);
  playStory(f.services, created.id, steps, f.actors);
  return created.id;
}

/** Copies a case `count` times in one transaction; returns the new ids. */
export function cloneCase(f: Fixture, templateId: string, count: number, label: string, startMs: number): string[] {
  const sqlite = f.services.db.$client;
  const insertCase = sqlite.prepare(`
    INSERT INTO cases (id, programme_id, diary_number, title, initiator_id, priority_area_id, steps, state_paths, status, outcome,
                       search_text, snapshot, version, machine_version, created_at, updated_at)
    SELECT @id, programme_id, @diary, title || ' ' || @n, initiator_id, priority_area_id, steps, state_paths, status, outcome,
           lower(@diary) || substr(search_text, instr(search_text, ' ')), replace(snapshot, @template, @id), version, machine_version, @createdAt, @createdAt
    FROM cases WHERE id = @template`);
  const insertParts = sqlite.prepare(
    `INSERT INTO case_parts (case_id, part, data) SELECT @id, part, replace(data, @template, @id) FROM case_parts WHERE case_id = @template`,
  );
  // The log names people by their reference on the case (case_people): the copy gets its own
  // references (the template's, prefixed by the new case's id), with the same keys.
  const insertPeople = sqlite.prepare(`
    INSERT INTO case_people (ref, case_id, user_id, key, created_at)
    SELECT @id || '/' || ref, @id, user_id, key, created_at FROM case_people WHERE case_id = @template`);
  const insertEvents = sqlite.prepare(`
    INSERT INTO case_events (case_id, version, type, actor_id, actor_role, at, payload, state_before, state_after, steps_before, steps_after)
    SELECT @id, version, type, @id || '/' || actor_id, actor_role, at,
           CASE type
             WHEN 'CASE_CREATED' THEN json_set(replace(payload, @template, @id), '$.idea.initiatorId', @id || '/' || json_extract(payload, '$.idea.initiatorId'))
             WHEN 'ADD_PARTICIPANT' THEN json_set(payload, '$.userId', @id || '/' || json_extract(payload, '$.userId'))
             ELSE replace(payload, @template, @id)
           END,
           state_before, state_after, steps_before, steps_after
    FROM case_events WHERE case_id = @template`);
  const insertSteps = sqlite.prepare(
    `INSERT INTO case_steps (case_id, programme_id, step, created_at) SELECT @id, programme_id, step, @createdAt FROM case_steps WHERE case_id = @template`,
  );
  const insertMembers = sqlite.prepare(
    `INSERT INTO case_members (case_id, user_id, relation) SELECT @id, user_id, relation FROM case_members WHERE case_id = @template`,
  );
  const insertTimers = sqlite.prepare(`
    INSERT INTO timers (id, case_id, programme_id, kind, due_at, data, status, created_at, settled_at)
    SELECT replace(id, @template, @id), @id, programme_id, kind, due_at, replace(data, @template, @id), status, created_at, settled_at
    FROM timers WHERE case_id = @template AND status = 'pending'`);
  const ids: string[] = [];
  sqlite.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = crypto.randomUUID();
      const params = {
        id,
        template: templateId,
        diary: `UPH-B${label}-${String(i).padStart(6, '0')}`,
        n: `#${label}${i}`,
        createdAt: new Date(startMs + i).toISOString(),
      };
      insertCase.run(params);
      insertParts.run(params);
      insertPeople.run(params);
      insertEvents.run(params);
      insertSteps.run(params);
      insertMembers.run(params);
      insertTimers.run(params);
      ids.push(id);
    }
  })();
  return ids;
}

/**
 * The benchmark's database: `running` cases at steps 10–12 (the commands' targets) among
 * `total` cases, the rest spread over the steps before a decision.
 */
export async function buildDatabase(dataDir: string, total: number, running: number) {
  const f = await openFixture(dataDir);
  const start = Date.UTC(2025, 0, 1);
  const runningTemplate = templateCase(f, 10);
  const runningIds = cloneCase(f, runningTemplate, running - 1, 'R', start).concat(runningTemplate);
  const early = [1, 2, 3, 4, 5, 8].map((step) => templateCase(f, step));
  const rest = total - running - early.length;
  early.forEach((template, i) => {
    const share = Math.floor(rest / early.length) + (i < rest % early.length ? 1 : 0);
    cloneCase(f, template, share, String(i), start + running + i * share);
  });
  // One case through the whole story to its end: the e-archive package of a closed case is
  // among the things people wait for.
  const closed = f.services.cases.create(f.actors.initiator, { title: DEMO_IDEA.title, summary: DEMO_IDEA.summary }, 'sv');
  playStory(f.services, closed.id, FULL_STORY, f.actors);
  // The story's dates lie in the past: its reminders would all be overdue and fire while the
  // server is measured. Timers are measured on their own (run.ts), so these wait a year.
  f.services.db.$client
    .prepare("UPDATE timers SET due_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+1 year') WHERE status = 'pending'")
    .run();
  f.services.db.$client.pragma('wal_checkpoint(TRUNCATE)');
  f.services.db.$client.exec('ANALYZE');
  const tokens = f.tokens;
  f.close();
  return { runningIds, closedId: closed.id, tokens };
}
