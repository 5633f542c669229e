import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/*
 * One schema module for the whole database. Times are ISO-8601 UTC strings; money (from
 * the money issue on) is integer öre. Case state is only ever written by src/engine.
 */

const createdAt = () => text('created_at').notNull();

export const programmes = sqliteTable('programmes', {
  id: text('id').primaryKey(),
  /** Prefix of the case diary numbers, e.g. UPH → UPH-2026-0007. */
  diaryPrefix: text('diary_prefix').notNull(),
  /** The programme's configuration, validated by src/programmes/config.ts when loaded. */
  config: text('config', { mode: 'json' }).notNull(),
  createdAt: createdAt(),
});

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash'),
    language: text('language', { enum: ['sv', 'en'] }).notNull().default('sv'),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_unique').on(t.email)],
);

export const userRoles = sqliteTable(
  'user_roles',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] })],
);

export const sessions = sqliteTable(
  'sessions',
  {
    /** SHA-256 of the cookie value; the value itself is never stored. */
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** SHA-256 of the token; the token is shown once, when created. */
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: text('last_used_at'),
    revokedAt: text('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash)],
);

export const diaryCounters = sqliteTable(
  'diary_counters',
  {
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    year: integer('year').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.programmeId, t.year] })],
);

export const cases = sqliteTable(
  'cases',
  {
    id: text('id').primaryKey(),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    diaryNumber: text('diary_number').notNull(),
    title: text('title').notNull(),
    initiatorId: text('initiator_id')
      .notNull()
      .references(() => users.id),
    priorityAreaId: text('priority_area_id'),
    /** Current steps as ",10,11,12," so a step filter is one instr(). */
    steps: text('steps').notNull(),
    /** Dotted paths of the active leaf states, comma-separated, e.g. "open.preparation.proposal". */
    statePaths: text('state_paths').notNull(),
    status: text('status', { enum: ['active', 'done'] }).notNull(),
    outcome: text('outcome'),
    /** Lower-cased title, summary and diary number for free-text search. */
    searchText: text('search_text').notNull(),
    snapshot: text('snapshot', { mode: 'json' }).notNull(),
    version: integer('version').notNull(),
    machineVersion: integer('machine_version').notNull(),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('cases_diary_number').on(t.diaryNumber),
    index('cases_programme_created').on(t.programmeId, t.createdAt, t.id),
    index('cases_initiator').on(t.initiatorId),
  ],
);

export const caseMembers = sqliteTable(
  'case_members',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    relation: text('relation', { enum: ['owner', 'participant'] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.userId] }), index('case_members_user').on(t.userId)],
);

/** Append-only: one row per accepted event, written in the transaction that changed the case. */
export const caseEvents = sqliteTable(
  'case_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    /** The case's version after this event; 1 for the creation. */
    version: integer('version').notNull(),
    type: text('type').notNull(),
    actorId: text('actor_id').notNull(),
    actorRole: text('actor_role').notNull(),
    at: text('at').notNull(),
    payload: text('payload', { mode: 'json' }).notNull(),
    stateBefore: text('state_before', { mode: 'json' }),
    stateAfter: text('state_after', { mode: 'json' }).notNull(),
    stepsBefore: text('steps_before'),
    stepsAfter: text('steps_after').notNull(),
  },
  (t) => [uniqueIndex('case_events_case_version').on(t.caseId, t.version)],
);

/** Responses stored for `Idempotency-Key`, written in the same transaction as the change. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    userId: text('user_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status').notNull(),
    body: text('body').notNull(),
    headers: text('headers', { mode: 'json' }).notNull().default(sql`'{}'`),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index('idempotency_created').on(t.createdAt)],
);
