import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { ROLES, type Role } from '../machines/roles.js';
import { checkAnswersOf } from './answers-check.js';
import { buildApp } from '../src/app.js';
import type { Outbound, Services } from '../src/services.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { playStory } from '../src/demo/seed.js';
import { DEMO_IDEA, type StoryStep } from '../src/demo/story.js';
import type { Actor } from '../src/people/service.js';
import { loadProgrammeDefinition } from '../src/programmes/config.js';

/** An expiry no test reaches: tests move the clock by months, not by years. */
export const FAR_FUTURE = new Date('2099-01-01T00:00:00.000Z');

export const PROGRAMME = 'uph-blekinge';
export const OTHER_PROGRAMME = 'uph-other';

/** A clock tests can move; every service reads time from it. */
export function testClock(start = '2026-01-15T09:00:00.000Z') {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance: (ms: number) => {
      current += ms;
    },
    set: (iso: string) => {
      current = new Date(iso).getTime();
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  dir: string;
  file: string;
  clock: ReturnType<typeof testClock>;
  /** One user per role in the main programme, with an API token each. */
  actors: Record<Role, Actor>;
  tokens: Record<Role, string>;
  /** A second initiator in the same programme, who owns none of the cases. */
  otherInitiator: { actor: Actor; token: string };
  /** A county coordinator of another programme. */
  foreignCoordinator: { actor: Actor; token: string };
  close: () => Promise<void>;
}

export interface TestAppOptions {
  /** More environment (SMTP settings, …) on top of a fresh data directory. */
  env?: Record<string, string>;
  /** Start the relay and scheduler on ready; off by default so tests drive them step by step. */
  background?: boolean;
  /** How the app reaches other servers (the OpenID Connect tests: trusting their own CA). */
  outbound?: Outbound;
}

/**
 * Builds the real app on a fresh SQLite file in a temporary folder, with all migrations
 * applied, the Blekinge programme, a second programme, and a user + API token per role.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-test-'));
  const config = loadConfig({ SATSA_DATA_DIR: dir, SATSA_LOG_LEVEL: 'silent', SATSA_DEMO_DATA: 'false', ...options.env });
  const clock = testClock();
  const db = openDatabase(config.databaseFile);
  const { app, services } = await buildApp({
    config,
    db,
    now: clock.now,
    background: options.background ?? false,
    outbound: options.outbound,
  });
  const blekinge = loadProgrammeDefinition(PROGRAMME);
  services.programmes.upsert(blekinge);
  services.programmes.upsert({ ...blekinge, id: OTHER_PROGRAMME, diaryPrefix: 'OTH' });

  const actors = {} as Record<Role, Actor>;
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    actors[role] = await services.people.createUser({
      programmeId: PROGRAMME,
      email: `${role}@test.satsa.se`,
      displayName: `Test ${role}`,
      roles: [role],
    });
    tokens[role] = services.people.createApiToken(actors[role].id, 'test', FAR_FUTURE).token;
  }
  const other = await services.people.createUser({
    programmeId: PROGRAMME,
    email: 'other-initiator@test.satsa.se',
    displayName: 'Other initiator',
    roles: ['initiator'],
  });
  const foreign = await services.people.createUser({
    programmeId: OTHER_PROGRAMME,
    email: 'foreign-coordinator@test.satsa.se',
    displayName: 'Foreign coordinator',
    roles: ['county-coordinator', 'initiator', 'lsvo-secretary', 'regional-director'],
  });
  // Generous state-grant pools, so that decisions in tests are about the process, not money.
  for (const programmeId of [PROGRAMME, OTHER_PROGRAMME]) {
    for (const year of [2025, 2026, 2027, 2028]) {
      services.money.createPool(programmeId, actors.administrator.id, {
        year,
        kind: 'state',
        name: `Statsbidrag ${year}`,
        amountOre: 10_000_000_000,
      });
    }
  }
  await app.ready();
  await checkAnswersOf(app);
  return {
    app,
    services,
    dir,
    file: config.databaseFile,
    clock,
    actors,
    tokens,
    otherInitiator: { actor: other, token: services.people.createApiToken(other.id, 'test', FAR_FUTURE).token },
    foreignCoordinator: { actor: foreign, token: services.people.createApiToken(foreign.id, 'test', FAR_FUTURE).token },
    close: async () => {
      await app.close();
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

export const json = <T = Record<string, unknown>>(res: LightMyRequestResponse) => res.json() as T;

/** Creates a case as the test initiator over HTTP and returns its id. */
export async function createCase(t: TestApp, title = DEMO_IDEA.title): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/cases',
    headers: auth(t.tokens.initiator),
    payload: { title, summary: DEMO_IDEA.summary },
  });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  return json<{ id: string }>(res).id;
}

/**
 * Creates a case as the test initiator on an earlier machine version (through the engine, as
 * the API did before that version was replaced), for tests of what such cases still do: on
 * versions 1–3 a new case stands at step 1 until the initiator contacts the coordinators.
 */
export function createCaseOnVersion(t: TestApp, machineVersion: 1 | 2 | 3, title = DEMO_IDEA.title): string {
  return t.services.engine.create(t.actors.initiator, PROGRAMME, { title, summary: DEMO_IDEA.summary }, machineVersion).id;
}

/** Sends one event over HTTP with the case's current version. */
export async function sendEvent(
  t: TestApp,
  caseId: string,
  token: string,
  body: { type: string; payload?: unknown; role?: string },
  headers: Record<string, string> = {},
) {
  const current = await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: auth(token) });
  const etag = current.headers.etag as string | undefined;
  return t.app.inject({
    method: 'POST',
    url: `/api/cases/${caseId}/events`,
    headers: { ...auth(token), ...(etag ? { 'if-match': etag } : {}), ...headers },
    payload: body,
  });
}

/** A logged-in person on the pages: GET and form POSTs with their session cookie and CSRF token. */
export function pageSession(t: TestApp, actor: Actor) {
  const session = t.services.people.createSession(actor.id, 1);
  const cookies = { satsa_session: session.token };
  return {
    get: (url: string) => t.app.inject({ method: 'GET', url, cookies, headers: { accept: 'text/html' } }),
    post: (url: string, fields: Record<string, string | string[] | undefined>, csrf = true) => {
      const body = new URLSearchParams();
      if (csrf) body.append('_csrf', session.csrfToken);
      for (const [k, v] of Object.entries(fields)) for (const x of ([] as string[]).concat(v ?? [])) body.append(k, x);
      return t.app.inject({
        method: 'POST',
        url,
        cookies,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        payload: body.toString(),
      });
    },
  };
}

/** Plays story steps directly through the services (fast set-up for tests that start mid-process). */
export function advance(t: TestApp, caseId: string, steps: StoryStep[]) {
  playStory(t.services, caseId, steps, t.actors);
}

/**
 * Tables in which a refused request leaves its own record, and nothing else: a failed log-in
 * counts towards the throttle, and the audit says who was refused what.
 */
export const RECORDS_OF_REFUSALS = ['login_attempts', 'audit_log'];

/** Rows in every table but RECORDS_OF_REFUSALS, to show that a rejected request wrote nothing. */
export function tableCounts(t: TestApp): Record<string, number> {
  const sqlite = t.services.db.$client;
  const tables = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'")
    .all() as { name: string }[];
  return Object.fromEntries(
    tables
      .filter(({ name }) => !RECORDS_OF_REFUSALS.includes(name))
      .map(({ name }) => [name, (sqlite.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]),
  );
}

/** Rows in the tables of RECORDS_OF_REFUSALS. */
export const refusalRecords = (t: TestApp) =>
  Object.fromEntries(
    RECORDS_OF_REFUSALS.map((name) => [
      name,
      (t.services.db.$client.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n,
    ]),
  );

/** The case row and its log, to compare before and after a rejected request. */
export function caseState(t: TestApp, caseId: string) {
  const sqlite = t.services.db.$client;
  return {
    row: sqlite.prepare('SELECT * FROM cases WHERE id = ?').get(caseId),
    events: sqlite.prepare('SELECT count(*) AS n FROM case_events WHERE case_id = ?').get(caseId),
  };
}

/** What a person reads on a page: the text of <main>, without tags. */
export const mainText = (body: string) =>
  /<main[^>]*>([\s\S]*)<\/main>/
    .exec(body)![1]!
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

/** Sends a request that must be refused, and checks that it wrote nothing but the records refusals keep. */
export async function nothingWritten<T extends { statusCode: number; body: string }>(t: TestApp, send: () => Promise<T>): Promise<T> {
  const before = [tableCounts(t), refusalRecords(t)];
  const res = await send();
  expect([tableCounts(t), refusalRecords(t)]).toEqual(before);
  return res;
}
