import { sql } from 'drizzle-orm';
import { blob, check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
  /** The version of the configuration in force: the newest row of programme_versions. */
  version: integer('version').notNull().default(1),
  createdAt: createdAt(),
});

/**
 * Every version of a programme's configuration, append-only (see versioning.md): a file
 * loaded with `programme:add` or a change made in the browser adds one; none is edited. The
 * version in force at a moment is the newest created by then, so a case's answers are shown
 * against the version they were given under.
 */
export const programmeVersions = sqliteTable(
  'programme_versions',
  {
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    version: integer('version').notNull(),
    config: text('config', { mode: 'json' }).notNull(),
    /** Where the version came from: a file in templates/programmes, or a form in the browser. */
    source: text('source', { enum: ['file', 'browser'] }).notNull(),
    /** Why the change was made, as its author said. */
    note: text('note'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.programmeId, t.version] })],
);

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash'),
    language: text('language', { enum: ['sv', 'en'] })
      .notNull()
      .default('sv'),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    /** The person must choose a new password before anything else (a password someone else made). */
    passwordChangeRequired: integer('password_change_required', { mode: 'boolean' }).notNull().default(false),
    /** Informational notification kinds the user has turned off. */
    mutedNotifications: text('muted_notifications', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    /** May act on people's data across programmes (export, erasure), besides a programme's administrators within theirs. */
    systemAdministrator: integer('system_administrator', { mode: 'boolean' }).notNull().default(false),
    /** Set on the pseudonym account that takes an erased person's place (src/privacy): no one logs in to it. */
    erasedAt: text('erased_at'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_unique').on(t.email)],
);

/** A person's roles, per programme: one person may act in several programmes. */
export const memberships = sqliteTable(
  'memberships',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    role: text('role').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.programmeId, t.role] }), index('memberships_programme_role').on(t.programmeId, t.role)],
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
    /** The programme the person works in on the pages, as they last chose (see the switcher). */
    programmeId: text('programme_id').references(() => programmes.id),
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
    /** After this the token is refused. */
    expiresAt: text('expires_at'),
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
    /** The programme configuration's version when the case was created (its idea template's). */
    programmeVersion: integer('programme_version').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
    /** What the reports read of the snapshot, as a small JSON (src/reports/facts.ts). */
    reportFacts: text('report_facts'),
  },
  (t) => [
    uniqueIndex('cases_diary_number').on(t.diaryNumber),
    /**
     * Every column the reports read of a case, so a report of 100,000 cases reads this index
     * in diary-number order and never a case's row with its snapshot.
     */
    index('cases_report').on(
      t.programmeId,
      t.diaryNumber,
      t.id,
      t.title,
      t.priorityAreaId,
      t.steps,
      t.status,
      t.outcome,
      t.programmeVersion,
      t.createdAt,
      t.reportFacts,
    ),
    index('cases_programme_created').on(t.programmeId, t.createdAt, t.id),
    index('cases_programme_status_created').on(t.programmeId, t.status, t.createdAt, t.id),
    index('cases_initiator').on(t.initiatorId),
  ],
);

/**
 * The bulky parts of a case's snapshot (the proposal, the criteria, the idea template's answers
 * …), one row per part, kept apart from the case's row so that a command writes only the parts
 * it changed: the row keeps the machine's state and the small, busy part of its context
 * (src/engine/case-parts.ts names which parts live here). Written with the case, in its
 * transaction; the row and its parts together are the snapshot.
 */
export const caseParts = sqliteTable(
  'case_parts',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    part: text('part').notNull(),
    /** The part as JSON text. */
    data: text('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.part] })],
);

/**
 * The steps each case stands at, one row per step (three while steps 10–12 run side by side):
 * the case list's step filter reads this index newest first instead of scanning every case.
 * Written by the engine in the same transaction as the case.
 */
export const caseSteps = sqliteTable(
  'case_steps',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    programmeId: text('programme_id').notNull(),
    step: integer('step').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.step] }),
    index('case_steps_programme_step_created').on(t.programmeId, t.step, t.createdAt, t.caseId),
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
    relation: text('relation', { enum: ['owner', 'participant', 'guest'] }).notNull(),
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
    headers: text('headers', { mode: 'json' })
      .notNull()
      .default(sql`'{}'`),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index('idempotency_created').on(t.createdAt)],
);

/**
 * One-time links sent by e-mail (an invitation, a confirmed registration, a password reset,
 * the first administrator's set-up): only a hash of the token is kept; a link is used once
 * and expires.
 */
export const oneTimeLinks = sqliteTable(
  'one_time_links',
  {
    /** SHA-256 of the token in the link. */
    id: text('id').primaryKey(),
    purpose: text('purpose', { enum: ['invitation', 'registration', 'password-reset', 'setup'] }).notNull(),
    email: text('email').notNull(),
    programmeId: text('programme_id').references(() => programmes.id),
    /** What an invitation gives: roles in the programme, and a case to take part in. */
    roles: text('roles', { mode: 'json' })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    caseId: text('case_id'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    expiresAt: text('expires_at').notNull(),
    usedAt: text('used_at'),
  },
  (t) => [index('one_time_links_email').on(t.email)],
);

/**
 * Failed log-ins per account and client address together (src/people/throttle.ts): after a
 * few, each further attempt from that address must wait longer, up to a bound.
 */
export const loginAttempts = sqliteTable(
  'login_attempts',
  {
    /** The e-mail address tried, lower case (whether or not an account has it). */
    account: text('account').notNull(),
    address: text('address').notNull(),
    failures: integer('failures').notNull(),
    lastFailureAt: text('last_failure_at').notNull(),
    lockedUntil: text('locked_until'),
  },
  (t) => [primaryKey({ columns: [t.account, t.address] })],
);

/**
 * Log-ins through an OpenID Connect provider under way: what the provider's answer must match
 * (state, nonce) and prove (the PKCE verifier). The browser holds a random key to its row in
 * a short-lived cookie; the row is taken (deleted) by the first answer, so it works once.
 */
export const ssoTransactions = sqliteTable(
  'sso_transactions',
  {
    /** SHA-256 of the cookie's value. */
    id: text('id').primaryKey(),
    providerId: text('provider_id').notNull(),
    state: text('state').notNull(),
    nonce: text('nonce').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    /** Our own path to go to once logged in. */
    next: text('next').notNull(),
    createdAt: createdAt(),
    expiresAt: text('expires_at').notNull(),
  },
  (t) => [index('sso_transactions_expires').on(t.expiresAt)],
);

/**
 * What administrators and people did to accounts: who, what, when, why. Append-only; read on
 * the audit page. `programmeId` is the programme the act was made in (none for an act of a
 * person on their own account).
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    at: text('at').notNull(),
    actorId: text('actor_id'),
    programmeId: text('programme_id'),
    action: text('action').notNull(),
    subjectUserId: text('subject_user_id'),
    reason: text('reason'),
    details: text('details', { mode: 'json' })
      .notNull()
      .default(sql`'{}'`),
  },
  (t) => [index('audit_programme_at').on(t.programmeId, t.at), index('audit_subject').on(t.subjectUserId)],
);

/**
 * The transactional outbox: one row per e-mail, written in the transaction of the change
 * that caused it, sent by the relay (src/mail/relay.ts) after commit.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    /** Deterministic, derived from what caused the message, so a resend is recognisable. */
    messageId: text('message_id').notNull(),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    caseId: text('case_id').references(() => cases.id),
    /** The case version or timer that caused the message. */
    source: text('source').notNull(),
    kind: text('kind').notNull(),
    language: text('language', { enum: ['sv', 'en'] }).notNull(),
    recipientUserId: text('recipient_user_id').references(() => users.id),
    toAddress: text('to_address').notNull(),
    /** Template variables, already in the recipient's language. */
    data: text('data', { mode: 'json' }).notNull(),
    status: text('status', { enum: ['pending', 'sent', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: createdAt(),
    sentAt: text('sent_at'),
  },
  (t) => [
    uniqueIndex('outbox_message_id').on(t.messageId),
    index('outbox_due').on(t.status, t.nextAttemptAt),
    index('outbox_case').on(t.caseId),
  ],
);

/**
 * Durable business deadlines with an absolute due time, of a case or of an assignment of a
 * programme's plan (exactly one of the two). A case's are set and cancelled by the engine
 * from the case's state (src/scheduler/deadlines.ts); an assignment's by the plans service
 * from the plan in force and the assignment's status (src/plans/deadlines.ts). Both are
 * fired by the scheduler (src/scheduler/firing.ts).
 */
export const timers = sqliteTable(
  'timers',
  {
    /** `<case id>:<key>`, or `plan-<programme id>:<assignment id>:<key>`: stable for the same deadline. */
    id: text('id').primaryKey(),
    caseId: text('case_id').references(() => cases.id),
    /** The plan assignment's stable id (within the programme), for an assignment's deadline. */
    assignmentId: text('assignment_id'),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    kind: text('kind').notNull(),
    dueAt: text('due_at').notNull(),
    data: text('data', { mode: 'json' }).notNull(),
    status: text('status', { enum: ['pending', 'fired', 'cancelled'] }).notNull(),
    createdAt: createdAt(),
    /** When it fired or was cancelled. */
    settledAt: text('settled_at'),
  },
  (t) => [
    index('timers_due').on(t.status, t.dueAt),
    index('timers_case').on(t.caseId),
    index('timers_assignment').on(t.programmeId, t.assignmentId),
    check('timers_one_subject', sql`(case_id IS NULL) <> (assignment_id IS NULL)`),
  ],
);

/** Small facts about the installation itself, e.g. which version of the timer rules has been applied. */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** A grant pool: the money a programme has to give for one year (the state grant, a joint county pool …). */
export const grantPools = sqliteTable(
  'grant_pools',
  {
    id: text('id').primaryKey(),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    year: integer('year').notNull(),
    kind: text('kind', { enum: ['state', 'joint'] }).notNull(),
    name: text('name').notNull(),
    /** Whole öre. */
    amountOre: integer('amount_ore').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('grant_pools_programme_year_kind').on(t.programmeId, t.year, t.kind)],
);

/** Part of a pool set aside for one priority area (a joint management group's distribution). */
export const poolEarmarks = sqliteTable(
  'pool_earmarks',
  {
    poolId: text('pool_id')
      .notNull()
      .references(() => grantPools.id),
    priorityAreaId: text('priority_area_id').notNull(),
    amountOre: integer('amount_ore').notNull(),
  },
  (t) => [primaryKey({ columns: [t.poolId, t.priorityAreaId] })],
);

/**
 * Money committed by decisions: an append-only ledger written by the engine in the
 * transaction of the director's decision. Remaining = pool − the sum of its commitments.
 */
export const commitments = sqliteTable(
  'commitments',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    poolId: text('pool_id')
      .notNull()
      .references(() => grantPools.id),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    year: integer('year').notNull(),
    priorityAreaId: text('priority_area_id'),
    amountOre: integer('amount_ore').notNull(),
    /** Set when the decision committed more than remained, with the director's reason. */
    overrideMotivation: text('override_motivation'),
    caseVersion: integer('case_version').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('commitments_pool').on(t.poolId),
    index('commitments_case').on(t.caseId),
    index('commitments_programme_year').on(t.programmeId, t.year),
  ],
);

/**
 * Changes of a pool's amount after it was set up, append-only: a correction with its
 * motivation, or one side of a carry-over (what leaves one year's pool arrives in the next
 * year's as an incoming line). The pool's amount in force = its first amount + these.
 */
export const poolAdjustments = sqliteTable(
  'pool_adjustments',
  {
    id: text('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => grantPools.id),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    kind: text('kind', { enum: ['correction', 'carry-over-out', 'carry-over-in'] }).notNull(),
    /** Whole öre, signed: negative lowers the pool. */
    amountOre: integer('amount_ore').notNull(),
    motivation: text('motivation').notNull(),
    /** The decision behind it (a carry-over's decision reference, a correction's source). */
    reference: text('reference'),
    /** The other pool of a carry-over. */
    counterpartPoolId: text('counterpart_pool_id').references(() => grantPools.id),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('pool_adjustments_pool').on(t.poolId)],
);

/**
 * What happens to committed money after the decision, append-only: payments to the
 * initiative, repayments of unused grant, and releases of commitments that will not be
 * used (stopped, or closed under budget). Per case and pool: unpaid = committed − paid −
 * released, never below zero; repaid money returns to the pool.
 */
export const grantMovements = sqliteTable(
  'grant_movements',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    poolId: text('pool_id')
      .notNull()
      .references(() => grantPools.id),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    year: integer('year').notNull(),
    kind: text('kind', { enum: ['payment', 'repayment', 'release'] }).notNull(),
    /** Whole öre, positive. */
    amountOre: integer('amount_ore').notNull(),
    /** The day the money moved (a payment's value date), YYYY-MM-DD. */
    date: text('date').notNull(),
    reference: text('reference'),
    motivation: text('motivation'),
    /** Set when the engine released the money itself (a stopped initiative, one closed under budget). */
    automatic: integer('automatic', { mode: 'boolean' }).notNull().default(false),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('grant_movements_case').on(t.caseId), index('grant_movements_programme_year').on(t.programmeId, t.year)],
);

/**
 * A prioritisation decision distributing a pool between county-wide, sub-regional and
 * local purposes (seed 002). Append-only: the newest decision for a pool is in force.
 */
export const poolDistributions = sqliteTable(
  'pool_distributions',
  {
    id: text('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => grantPools.id),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    /** The body that decided, as named in the decision. */
    decidedBy: text('decided_by').notNull(),
    decisionDate: text('decision_date').notNull(),
    reference: text('reference').notNull(),
    motivation: text('motivation'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('pool_distributions_pool').on(t.poolId, t.createdAt)],
);

/** One line of a distribution: a purpose's scope, who it goes to, and how much. */
export const poolDistributionLines = sqliteTable(
  'pool_distribution_lines',
  {
    distributionId: text('distribution_id')
      .notNull()
      .references(() => poolDistributions.id),
    line: integer('line').notNull(),
    scope: text('scope', { enum: ['county', 'sub-regional', 'local'] }).notNull(),
    /** A sub-region or municipality; empty for county-wide. */
    recipient: text('recipient').notNull(),
    /** The priority area it serves, if any. */
    priorityAreaId: text('priority_area_id'),
    amountOre: integer('amount_ore').notNull(),
  },
  (t) => [primaryKey({ columns: [t.distributionId, t.line] })],
);

/**
 * A programme's plan (src/plans): one row per revision. A draft is one row per programme,
 * replaced on each save (its `draftCounter` is the ETag an edit must name); adopting it sets
 * the decision's body, reference and dates and freezes the row for ever. The adopted revision
 * with the highest version is in force (versioning.md).
 */
export const planRevisions = sqliteTable(
  'plan_revisions',
  {
    id: text('id').primaryKey(),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    /** The version it has, or will have once adopted (the last adopted + 1). */
    version: integer('version').notNull(),
    status: text('status', { enum: ['draft', 'adopted'] }).notNull(),
    /** Goals, indicators, action-plan rows and assignments, validated by src/plans/document.ts. */
    document: text('document', { mode: 'json' }).notNull(),
    draftCounter: integer('draft_counter').notNull(),
    /** The body that adopted it, as named in the decision (Regionfullmäktige …). */
    adoptedByBody: text('adopted_by_body'),
    decisionReference: text('decision_reference'),
    /** YYYY-MM-DD. */
    decisionDate: text('decision_date'),
    /** When the next revision is due, YYYY-MM-DD. */
    nextRevisionDue: text('next_revision_due'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: text('updated_at').notNull(),
    adoptedBy: text('adopted_by'),
    adoptedAt: text('adopted_at'),
  },
  (t) => [
    uniqueIndex('plan_revisions_programme_version').on(t.programmeId, t.version),
    index('plan_revisions_programme_status').on(t.programmeId, t.status, t.version),
  ],
);

/**
 * Measured values of a plan's indicators, append-only: the newest per indicator and year
 * counts, the earlier ones stay as its history. `value` is `{ kind, value }` as typed by the
 * indicator in the revision in force when it was entered (`planVersion`).
 */
export const planIndicatorValues = sqliteTable(
  'plan_indicator_values',
  {
    id: text('id').primaryKey(),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    indicatorId: text('indicator_id').notNull(),
    year: integer('year').notNull(),
    value: text('value', { mode: 'json' }).notNull(),
    note: text('note'),
    planVersion: integer('plan_version').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    /** Orders rows entered in the same millisecond. */
    seq: integer('seq').notNull(),
  },
  (t) => [index('plan_indicator_values_indicator').on(t.programmeId, t.indicatorId, t.year, t.seq)],
);

/** Status changes of a plan's assignments, append-only: the newest is the assignment's status. */
export const planAssignmentEvents = sqliteTable(
  'plan_assignment_events',
  {
    id: text('id').primaryKey(),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    assignmentId: text('assignment_id').notNull(),
    status: text('status', { enum: ['open', 'in-progress', 'done', 'cancelled'] }).notNull(),
    note: text('note'),
    planVersion: integer('plan_version').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    seq: integer('seq').notNull(),
  },
  (t) => [index('plan_assignment_events_assignment').on(t.programmeId, t.assignmentId, t.seq)],
);

/**
 * Which goals and action-plan rows a case (an initiative) serves. Append-only, like the rest
 * of the plan: a link and an unlink are each a row, and the newest row per case and target
 * says whether it is linked now. So who linked what, and when it was undone, stays readable
 * without a second history table.
 */
export const casePlanLinks = sqliteTable(
  'case_plan_links',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    targetKind: text('target_kind', { enum: ['goal', 'row'] }).notNull(),
    targetId: text('target_id').notNull(),
    action: text('action', { enum: ['linked', 'unlinked'] }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    seq: integer('seq').notNull(),
  },
  (t) => [index('case_plan_links_case').on(t.caseId, t.seq), index('case_plan_links_target').on(t.programmeId, t.targetKind, t.targetId)],
);

/**
 * What imports from spreadsheets created (src/imports/): one row per imported thing, keyed
 * within its programme so that importing the same rows again creates nothing new. The key of
 * an imported initiative is its diary number when the file gives one, otherwise a hash of the
 * row's content. Append-only: it records where each case came from.
 */
export const caseImports = sqliteTable(
  'case_imports',
  {
    id: text('id').primaryKey(),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    fileName: text('file_name').notNull(),
    fileSha256: text('file_sha256').notNull(),
    sheet: text('sheet'),
    row: integer('row').notNull(),
    importedAt: text('imported_at').notNull(),
    importedBy: text('imported_by')
      .notNull()
      .references(() => users.id),
  },
  (t) => [uniqueIndex('case_imports_key').on(t.programmeId, t.kind, t.key), index('case_imports_case').on(t.caseId)],
);

/**
 * Documents on a case (src/documents/): each received file, its content stored once by its
 * SHA-256 under the data directory. A document is an official record once received: its row
 * is never deleted. It may be marked as replaced by a newer document or withdrawn with a
 * reason (those columns are set once); each of these acts is also an event of the case. The
 * name and description are kept here, not in the event log, so that data-protection rules can
 * reach them later without rewriting the log.
 */
export const caseDocuments = sqliteTable(
  'case_documents',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    mediaType: text('media_type').notNull(),
    fileName: text('file_name').notNull(),
    description: text('description'),
    addedBy: text('added_by')
      .notNull()
      .references(() => users.id),
    addedAt: text('added_at').notNull(),
    /** The case version the addition made. */
    caseVersion: integer('case_version').notNull(),
    /** The earlier document this one replaces, if any. */
    replacesId: text('replaces_id'),
    replacedById: text('replaced_by_id'),
    withdrawnBy: text('withdrawn_by').references(() => users.id),
    withdrawnAt: text('withdrawn_at'),
    withdrawnReason: text('withdrawn_reason'),
  },
  (t) => [index('case_documents_case').on(t.caseId, t.addedAt), index('case_documents_sha').on(t.sha256)],
);

/**
 * The conversation on a case: comments shared with the initiator and the participants, or
 * internal to the programme's staff. Append-only; the text is kept here, the event of the case
 * names the comment by id only (this is a mental-health programme: the text goes in no
 * e-mail and no log).
 */
export const caseComments = sqliteTable(
  'case_comments',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    visibility: text('visibility', { enum: ['shared', 'internal'] }).notNull(),
    body: text('body').notNull(),
    authorId: text('author_id')
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    /** The case version the comment made. */
    caseVersion: integer('case_version').notNull(),
  },
  (t) => [
    index('case_comments_case').on(t.caseId, t.createdAt),
    // What waits for a person: the cases they have commented on (src/work/waiting.ts).
    index('case_comments_author').on(t.authorId, t.caseId),
  ],
);

/**
 * Who chose to follow a case, or to stop: the last word of a person on a case. Those who
 * follow without choosing (participants, staff who have acted on it) are derived; a row here
 * overrides that either way.
 */
export const caseFollows = sqliteTable(
  'case_follows',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    following: integer('following', { mode: 'boolean' }).notNull(),
    changedAt: text('changed_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.userId] }),
    // The cases a person follows, for what waits for them.
    index('case_follows_user').on(t.userId),
  ],
);

/**
 * A person's own unsent draft of an event's form on a case (the proposal, written part by part
 * over several days). Not an event: it never changes the case or its version, and nobody else
 * sees it. `base` is what the case held of the form when the draft started (the proposal), so
 * that a draft is never sent over a newer one. Personal text: it goes with the case and the person.
 */
export const caseDrafts = sqliteTable(
  'case_drafts',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    eventType: text('event_type').notNull(),
    /** The form's values as the writer left them (flat, as the form posts them). */
    values: text('values', { mode: 'json' }).notNull(),
    /** The parts of the form the writer has saved. */
    parts: text('parts', { mode: 'json' }).notNull(),
    /** What the case held of the form when the draft started (the proposal then). */
    base: text('base', { mode: 'json' }).notNull(),
    /** The case version the draft started from. */
    caseVersion: integer('case_version').notNull(),
    createdAt: createdAt(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.userId, t.eventType] }), index('case_drafts_user').on(t.userId)],
);

/**
 * The people of one case's event log (src/privacy/log-people.ts). The log names a person by
 * `ref`, never by their account id, and what they wrote on the case is encrypted with `key`
 * (AES-256-GCM). Erasing a person points their refs at a pseudonym account and destroys their
 * keys; pseudonymising a closed case does the same for its refs only. The log itself is never
 * rewritten, and replay reads it through this table.
 */
export const casePeople = sqliteTable(
  'case_people',
  {
    ref: text('ref').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    /** 32 random bytes; null once destroyed (what the person wrote on the case is then unreadable). */
    key: blob('key', { mode: 'buffer' }),
    createdAt: createdAt(),
    /** When the key was destroyed, by an erasure or a retention rule. */
    shreddedAt: text('shredded_at'),
  },
  // One row per person and case, except for pseudonym accounts, which stand for several. Every
  // event a command logs looks its person up here: the index holds the reference and key too.
  (t) => [index('case_people_case_user').on(t.caseId, t.userId, t.ref, t.key), index('case_people_user').on(t.userId)],
);

/**
 * Cases delivered to the e-archive as E-ARK SIP packages (src/archive): one row per case per
 * delivery, with the package's checksum. Append-only.
 */
export const archiveDeliveries = sqliteTable(
  'archive_deliveries',
  {
    id: text('id').primaryKey(),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id),
    /** The case version the package holds. */
    caseVersion: integer('case_version').notNull(),
    packageName: text('package_name').notNull(),
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    deliveredAt: text('delivered_at').notNull(),
    deliveredBy: text('delivered_by')
      .notNull()
      .references(() => users.id),
  },
  (t) => [
    index('archive_deliveries_case').on(t.caseId, t.deliveredAt),
    index('archive_deliveries_programme').on(t.programmeId, t.deliveredAt),
  ],
);

/**
 * What the retention rules removed (src/retention): one row per rule per run that removed
 * anything, with the decision (gallringsbeslut) the rule rests on. Append-only.
 */
export const retentionRuns = sqliteTable(
  'retention_runs',
  {
    id: text('id').primaryKey(),
    programmeId: text('programme_id')
      .notNull()
      .references(() => programmes.id),
    rule: text('rule').notNull(),
    decision: text('decision').notNull(),
    ranAt: text('ran_at').notNull(),
    removed: integer('removed').notNull(),
    details: text('details', { mode: 'json' })
      .notNull()
      .default(sql`'{}'`),
  },
  (t) => [index('retention_runs_programme').on(t.programmeId, t.ranAt)],
);
