import { z } from 'zod';
import { DOCUMENT_TYPES, type DocumentType } from '../../documents/files.js';
import { DOCUMENT_STATUSES } from '../../documents/service.js';
import { STEP_COUNT } from '../../../machines/case/catalogue.js';
import type { Outcome } from '../../../machines/case/context.js';
import { REQUIREMENT_IDS } from '../../../machines/case/requirements.js';
import { CASE_EVENT_TYPES, eventPayloads, type CaseEventType } from '../../../machines/case/schemas.js';
import { FORUM_ROLES, ORGANISATION_KINDS, ROLES } from '../../../machines/roles.js';
import { LANGUAGES } from '../../i18n/index.js';
import { AUDIT_ACTIONS } from '../../people/audit.js';
import { ACCOUNT_MESSAGE_KINDS } from '../../notifications/account-messages.js';
import { PLAN_COMMON_VARIABLES, PLAN_MESSAGE_KINDS } from '../../notifications/plan-messages.js';
import { ASSIGNMENT_TIMER_KINDS } from '../../plans/deadlines.js';
import { RETENTION_RULES } from '../../retention/service.js';
import { WAITING_KINDS } from '../../work/waiting.js';
import { COMMON_VARIABLES, NOTIFICATION_KINDS, TIMER_KINDS, type NotificationKind, type TimerKind } from '../../notifications/rules.js';

/*
 * The successful answer of every operation under /api, as zod schemas: what the services
 * really produce (src/cases/service.ts, src/money/service.ts, src/reports/programme-year.ts,
 * src/process/describe.ts, …), so the OpenAPI document can show each answer's shape. The
 * routes declare them; they document and are tested (test/answers-check.ts checks every
 * answer the test suite gets), and are not parsed at run time.
 *
 * Conventions:
 * - A field the code leaves undefined is absent from the JSON: `.optional()`. A field the
 *   code sets to null is present as null: `.nullable()`. Nothing is both.
 * - Objects are plain `z.object`s listing every key the code produces. Converted for output
 *   they say `additionalProperties: false`, so an answer with a key the schema does not list
 *   fails the tests. The event payload schemas are strict (a command with an unknown field
 *   is refused), so they are reused here through `plain()`.
 * - No transforms, defaults or custom types: everything converts with z.toJSONSchema.
 * - Ids with `.meta({ id })` become components of the OpenAPI document. The registry
 *   derives an input twin `<id>Input` of each, so no id here may end in `Input`.
 */

// ---------------------------------------------------------------------------------------
// Building blocks

/**
 * A copy of a schema whose strict objects (at any depth) are plain ones, keeping its
 * checks and description: the answers describe stored payloads with plain objects.
 */
function plain<T>(original: T): T {
  const schema = original as unknown as z.ZodType;
  const def = schema._zod.def as unknown as {
    type: string;
    shape?: Record<string, z.ZodType>;
    catchall?: z.ZodType;
    element?: z.ZodType;
    innerType?: z.ZodType;
    options?: z.ZodType[];
    valueType?: z.ZodType;
  };
  let changes: Record<string, unknown> | undefined;
  switch (def.type) {
    case 'object': {
      const shape = Object.fromEntries(Object.entries(def.shape!).map(([key, value]) => [key, plain(value)]));
      const same = Object.keys(shape).every((key) => shape[key] === def.shape![key]);
      if (!same || def.catchall) changes = { shape, catchall: undefined };
      break;
    }
    case 'array':
      if (plain(def.element!) !== def.element) changes = { element: plain(def.element!) };
      break;
    case 'optional':
    case 'nullable':
      if (plain(def.innerType!) !== def.innerType) changes = { innerType: plain(def.innerType!) };
      break;
    case 'union': {
      const options = def.options!.map(plain);
      if (options.some((o, i) => o !== def.options![i])) changes = { options };
      break;
    }
    case 'record':
      if (plain(def.valueType!) !== def.valueType) changes = { valueType: plain(def.valueType!) };
      break;
  }
  if (!changes) return original;
  const copy = schema.clone({ ...def, ...changes } as never);
  const meta: Record<string, unknown> = { ...z.globalRegistry.get(schema) };
  delete meta.id;
  return (Object.keys(meta).length > 0 ? copy.meta(meta) : copy) as T;
}

/** Every outcome a case can close with (exactly the `Outcome` type's members). */
const OUTCOMES = Object.keys({
  'not-eligible': true,
  withdrawn: true,
  rejected: true,
  stopped: true,
  implemented: true,
  'scaled-up': true,
  ended: true,
} satisfies Record<Outcome, true>) as [Outcome, ...Outcome[]];

const uuid = z.uuid();
const instant = z.iso.datetime().describe('an instant, ISO 8601 in UTC, e.g. 2026-01-15T09:00:00.000Z');
const isoDate = z.iso.date();
const role = z.enum(ROLES);
const language = z.enum(LANGUAGES);
const outcome = z.enum(OUTCOMES);
const caseEventType = z.enum(CASE_EVENT_TYPES as [CaseEventType, ...CaseEventType[]]);
const notificationKind = z.enum(NOTIFICATION_KINDS as [NotificationKind, ...NotificationKind[]]);
const step = z.number().int().min(1).max(STEP_COUNT);
const ore = z.number().int().describe('whole öre (1 SEK = 100 öre)');
const count = z.number().int().nonnegative();
const cursor = z.string().nullable().describe('pass as `cursor` for the next page; null on the last page');
const statePath = z.string().describe('the dotted path of an active state, e.g. open.preparation.proposal');
const diaryNumber = z.string().describe("the case's diary number, <prefix>-<year>-<number>, e.g. UPH-2026-0007");

export const bilingualTextSchema = z
  .object({ sv: z.string(), en: z.string() })
  .describe('the same text in Swedish and English')
  .meta({ id: 'BilingualText' });

// ---------------------------------------------------------------------------------------
// The case's data: the machine's context (machines/case/context.ts), field by field

/** When, by whom and in which role something was recorded (`Recorded`). */
const recorded = {
  by: uuid.describe('the user who recorded it'),
  role: role.describe('the role they acted in'),
  at: instant,
};

const payload = <K extends CaseEventType>(type: K) => plain<(typeof eventPayloads)[K]>(eventPayloads[type]);

const programmeRules = z
  .object({
    priorityAreaIds: z.array(z.string()),
    criterionIds: z.array(z.string()),
    forumRequiredRoles: z.array(z.enum(FORUM_ROLES)),
  })
  .describe("the part of the programme's configuration the case follows, fixed when it was raised");

/** Idea template answers as stored: text, date, e-mail and choice fields are strings, number fields numbers. */
const ideaAnswers = z
  .record(z.string(), z.union([z.string(), z.number()]))
  .describe("answers to the programme's idea template, keyed by field id");

export const caseDataSchema = z
  .object({
    caseId: uuid,
    programme: programmeRules,
    idea: z.object({ title: z.string(), summary: z.string(), initiatorId: uuid, createdAt: instant }),
    participants: z
      .array(z.object({ userId: uuid, ...recorded }))
      .describe('users who take part besides the initiator (they see the case and may co-write it)'),
    contact: payload('CONTACT_COORDINATORS').safeExtend(recorded).optional(),
    eligibility: z
      .discriminatedUnion('eligible', [
        z.object({
          eligible: z.literal(true),
          priorityAreaId: z.string(),
          text: z.string().describe('the justification'),
          ...recorded,
        }),
        z.object({ eligible: z.literal(false), text: z.string().describe('the reason'), ...recorded }),
      ])
      .optional(),
    ideaTemplate: payload('SUBMIT_IDEA_TEMPLATE')
      .safeExtend({ answers: ideaAnswers, ...recorded })
      .optional(),
    coordinationGroup: z.object({
      agenda: payload('PLACE_ON_AGENDA').safeExtend(recorded).optional(),
      review: payload('RECORD_COORDINATION_GROUP_REVIEW').safeExtend(recorded).optional(),
    }),
    dialogueForum: z.object({
      booking: payload('BOOK_DIALOGUE_FORUM').safeExtend(recorded).optional(),
      record: payload('RECORD_DIALOGUE_FORUM').safeExtend(recorded).optional(),
    }),
    targetGroupDialogue: z
      .discriminatedUnion('skipped', [
        payload('RECORD_TARGET_GROUP_DIALOGUE').safeExtend({ skipped: z.literal(false), ...recorded }),
        payload('SKIP_TARGET_GROUP_DIALOGUE').safeExtend({ skipped: z.literal(true), ...recorded }),
      ])
      .optional(),
    checkIns: z.array(payload('RECORD_CHECK_IN').safeExtend({ step: step.describe('the step the case stood at'), ...recorded })),
    proposal: payload('UPDATE_PROPOSAL').describe('the proposal as written so far (step 8); every field optional'),
    criteria: z
      .record(z.string(), payload('ASSESS_CRITERION').safeExtend(recorded))
      .describe('the latest assessment of each criterion, keyed by criterion id'),
    revisions: z
      .array(z.object({ source: z.enum(['recommendation', 'decision']), motivation: z.string(), at: instant }))
      .describe('each time LSVO or the director sent the proposal back for revision'),
    recommendation: payload('RECORD_RECOMMENDATION')
      .safeExtend(recorded)
      .optional()
      .describe("LSVO's recommendation of the current round; cleared when the proposal is sent back"),
    decision: payload('RECORD_DECISION')
      .safeExtend({
        ...recorded,
        decidedOn: z.iso.date().optional().describe('an imported decision: the day it was made (`at` is when it was recorded)'),
        decidedBy: z.string().optional().describe('an imported decision: the body that made it'),
      })
      .optional()
      .describe("the director's decision of the current round; followUpDates include the dates of followUpRhythm"),
    imported: z
      .object({
        source: plain<(typeof eventPayloads)['IMPORT_DECIDED']>(eventPayloads.IMPORT_DECIDED).shape.source,
        endDate: z.iso.date().optional(),
        ...recorded,
      })
      .optional()
      .describe('set when the case was imported as decided from a spreadsheet: the file, sheet and row it came from'),
    followUpReports: z
      .array(payload('SUBMIT_FOLLOW_UP_REPORT').safeExtend(recorded))
      .optional()
      .describe("the initiator's follow-up reports in the order submitted (machine version 4 on; absent before)"),
    followUps: z
      .array(payload('RECORD_FOLLOW_UP').safeExtend(recorded))
      .describe("the steering group's follow-ups; from machine version 4, each reviews the report at the same place in followUpReports"),
    seminars: z.array(payload('RECORD_SEMINAR').safeExtend(recorded)),
    execution: z.object({ ended: payload('END_INITIATIVE').safeExtend(recorded).optional() }),
    scaleUpPlan: payload('UPDATE_SCALE_UP_PLAN').safeExtend(recorded).optional(),
    scaleUpRecommendation: payload('RECORD_SCALE_UP_RECOMMENDATION').safeExtend(recorded).optional(),
    scaleUpDecision: payload('RECORD_SCALE_UP_DECISION').safeExtend(recorded).optional(),
    step: step.describe('the step the case stands at (the lowest while steps 10–12 run side by side)'),
    outcome: z
      .object({
        kind: outcome,
        reason: z.string(),
        step: step.describe('the step the case closed at'),
        ...recorded,
      })
      .optional()
      .describe('how the case closed; absent while it is open'),
  })
  .describe("everything recorded on the case so far (the case machine's context)")
  .meta({ id: 'CaseData' });

// ---------------------------------------------------------------------------------------
// Cases

export const caseSummarySchema = z
  .object({
    id: uuid,
    diaryNumber,
    programmeId: z.string(),
    title: z.string(),
    status: z.enum(['active', 'done']).describe('done once the case has closed with an outcome'),
    outcome: outcome.nullable(),
    outcomeLabel: z.string().nullable().describe("the outcome in the caller's language"),
    steps: z
      .array(step)
      .describe('the steps the case stands at (10, 11 and 12 at once while it runs); a closed case keeps the step it closed at'),
    stepCount: z.literal(STEP_COUNT),
    stepText: z.string().describe("where the case stands, in the caller's language"),
    state: z.array(statePath).describe('the active leaf states'),
    priorityAreaId: z.string().nullable().describe('set once the case is assessed eligible'),
    initiatorId: uuid,
    version: z.number().int().min(1).describe("the case's version, also its ETag"),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'CaseSummary' });

export const caseListSchema = z
  .object({ items: z.array(caseSummarySchema).describe('newest first'), nextCursor: cursor })
  .meta({ id: 'CaseList' });

const deadlineFields = {
  dueAt: instant,
  status: z.enum(['pending', 'fired', 'cancelled']),
  settledAt: instant.nullable().describe('when it fired or was cancelled; null while pending'),
  label: z.string(),
};

export const caseDeadlineSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('idea-unanswered' satisfies TimerKind), data: z.object({ submittedAt: instant }), ...deadlineFields }),
    z.object({
      kind: z.enum(['follow-up-reminder', 'follow-up-overdue'] satisfies TimerKind[]),
      data: z.object({ followUpDate: isoDate }),
      ...deadlineFields,
    }),
  ])
  .describe('a durable deadline of the case: a reminder or an escalation')
  .meta({ id: 'CaseDeadline' });

export const eventAvailabilitySchema = z
  .object({
    type: caseEventType,
    label: z.string(),
    allowed: z.boolean(),
    role: role.optional().describe('the role the caller would act in; absent when they hold none that may'),
    reasons: z
      .array(
        z.object({
          code: z.enum(['wrong-step', 'wrong-role', 'not-case-member', 'requirement-unmet']),
          message: z.string(),
          requirement: z.enum(REQUIREMENT_IDS).optional().describe('with requirement-unmet'),
          subject: z.string().optional().describe('which item the requirement is about, e.g. a criterion id'),
          roles: z.array(role).optional().describe('with wrong-role and not-case-member: the roles that may send it'),
        }),
      )
      .describe('why the caller may not send it now; empty when allowed'),
  })
  .meta({ id: 'EventAvailability' });

export const caseViewSchema = caseSummarySchema
  .extend({
    initiator: z.object({ id: uuid, displayName: z.string().nullable() }),
    machineVersion: z.number().int().min(1).describe('the version of the process the case follows'),
    programmeVersion: z
      .number()
      .int()
      .min(1)
      .describe("the version of the programme's settings the case was raised under: its areas and criteria are that version's"),
    data: caseDataSchema,
    deadlines: z.array(caseDeadlineSchema).describe('pending, fired and cancelled, by due time'),
    allowedEvents: z.array(eventAvailabilitySchema).describe('what the caller may do now'),
    blockedEvents: z.array(eventAvailabilitySchema).describe('every other event, each with its reasons'),
  })
  .meta({ id: 'CaseView' });

const historyFields = {
  version: z.number().int().min(1).describe("the case's version after the event"),
  label: z.string(),
  actor: z.object({ id: uuid, displayName: z.string().nullable() }),
  role,
  roleLabel: z.string(),
  at: instant,
  stateBefore: z.array(statePath).nullable().describe('null for CASE_CREATED'),
  stateAfter: z.array(statePath),
  stepsBefore: z.array(step).describe('empty for CASE_CREATED'),
  stepsAfter: z.array(step),
};

export const caseHistoryEventSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('CASE_CREATED'),
      payload: z.object({
        caseId: uuid,
        programme: programmeRules,
        idea: z.object({ title: z.string(), summary: z.string(), initiatorId: uuid }),
        at: instant,
      }),
      ...historyFields,
    }),
    z.object({
      type: z.literal('DEADLINES_RECOMPUTED').describe("the programme's deadlines changed: this case's were computed anew"),
      payload: z.object({
        programmeVersion: z.number().int().min(1).describe('the version of the programme settings they were computed from'),
        deadlines: z.array(z.object({ key: z.string(), dueAt: instant })),
      }),
      ...historyFields,
    }),
    z.object({
      type: z
        .literal('PERSON_ERASED')
        .describe("a person's data was erased: the case now names them by a pseudonym, and what they wrote is unreadable"),
      payload: z.object({}),
      ...historyFields,
    }),
    z.object({
      type: z
        .literal('CASE_PSEUDONYMISED')
        .describe("a retention rule replaced the closed case's people by a pseudonym and made what they wrote unreadable"),
      payload: z.object({ decision: z.string().describe('the reference of the decision (gallringsbeslut) the rule rests on') }),
      ...historyFields,
    }),
    z.object({
      type: z
        .literal('CASE_MIGRATED')
        .describe(
          'an administrator moved the case to a later version of the process (`machineVersion`), by the plans named; see POST /api/programmes/{programmeId}/process-migrations',
        ),
      payload: z.object({
        fromVersion: z.number().int().min(1).describe('the version of the process the case followed'),
        toVersion: z.number().int().min(2).describe('the version it follows from now on'),
        planIds: z.array(z.string()).min(1).describe('the migration plans applied, in order (one per version stepped over)'),
        stateBefore: z.array(statePath).describe('where the case stood on the old version'),
        stateAfter: z.array(statePath).describe('where it landed on the new one'),
        defaults: z.record(z.string(), z.unknown()).describe('data the new version needs that the case had none of, filled in, by field'),
      }),
      ...historyFields,
    }),
    z.object({
      type: z
        .literal('COMMENT_ADDED')
        .describe(
          "a comment in the case's conversation (its text is not in the log); an internal one is in the history of the programme's staff only",
        ),
      payload: z.object({ commentId: uuid, visibility: z.enum(['shared', 'internal']) }),
      ...historyFields,
      role: z.union([role, z.literal('guest')]).describe('guest: someone from outside invited to the case'),
    }),
    z.object({
      type: z.literal('DOCUMENT_ADDED').describe('a document was attached to the case (GET /api/cases/{id}/documents has it)'),
      payload: z.object({ documentId: uuid }),
      ...historyFields,
      role: z.union([role, z.literal('guest')]).describe('guest: someone from outside invited to the case'),
    }),
    z.object({
      type: z.literal('DOCUMENT_REPLACED').describe('a newer document replaced an earlier one; both stay on the case'),
      payload: z.object({ documentId: uuid.describe('the new document'), replacesId: uuid.describe('the one it replaces') }),
      ...historyFields,
      role: z.union([role, z.literal('guest')]).describe('guest: someone from outside invited to the case'),
    }),
    z.object({
      type: z.literal('DOCUMENT_WITHDRAWN').describe('a document was withdrawn with a reason; it stays on the case'),
      payload: z.object({ documentId: uuid }),
      ...historyFields,
      role: z.union([role, z.literal('guest')]).describe('guest: someone from outside invited to the case'),
    }),
    z.object({
      type: z
        .literal('ARCHIVE_DELIVERED')
        .describe(
          'the closed case was delivered to the e-archive as an E-ARK SIP (GET /api/programmes/{programmeId}/archive-deliveries has it)',
        ),
      payload: z.object({
        deliveryId: uuid,
        packageName: z.string().describe("the package's zip: its root folder's name (the package id) and .zip"),
        sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/)
          .describe("the zip's SHA-256"),
        size: z.number().int().min(1).describe("the zip's size in bytes"),
      }),
      ...historyFields,
    }),
    ...CASE_EVENT_TYPES.map((type) =>
      z.object({
        type: z.literal(type),
        payload: type === 'SUBMIT_IDEA_TEMPLATE' ? z.object({ answers: ideaAnswers }) : (payload(type) as z.ZodObject),
        ...historyFields,
      }),
    ),
  ])
  .describe('one accepted event: its payload as recorded, after validation')
  .meta({ id: 'CaseHistoryEvent' });

export const caseHistorySchema = z
  .object({
    caseId: uuid,
    diaryNumber,
    version: z.number().int().min(1),
    nextCursor: z
      .string()
      .nullable()
      .describe(
        'the `cursor` of the next page; null on the last. A page may hold fewer events than `limit` (internal comments are left out for those who may not read them)',
      ),
    events: z.array(caseHistoryEventSchema).describe('oldest first, from CASE_CREATED on; one page of them'),
  })
  .meta({ id: 'CaseHistory' });

// ---------------------------------------------------------------------------------------
// Documents on a case

const documentPerson = z.object({ id: uuid, displayName: z.string().nullable() });

export const documentSchema = z
  .object({
    id: uuid,
    caseId: uuid,
    fileName: z.string().describe('the name it was sent with'),
    mediaType: z.enum(Object.keys(DOCUMENT_TYPES) as [DocumentType, ...DocumentType[]]).describe('read from the content, not the name'),
    size: z.number().int().min(1).describe('bytes'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    description: z.string().nullable().describe('why it was added'),
    addedBy: documentPerson,
    addedAt: instant,
    caseVersion: z.number().int().min(1).describe('the case version its addition made'),
    status: z.enum(DOCUMENT_STATUSES).describe('current; replaced (by replacedById); withdrawn (with a reason)'),
    statusLabel: z.string(),
    replacesId: uuid.nullable(),
    replacedById: uuid.nullable(),
    withdrawn: z.object({ by: documentPerson, at: instant, reason: z.string() }).nullable(),
  })
  .meta({ id: 'CaseDocument' });

export const documentListSchema = z
  .object({
    caseId: uuid,
    version: z.number().int().min(1).describe("the case's version (also the ETag)"),
    items: z.array(documentSchema).describe('every document ever added, oldest first: none is ever deleted'),
  })
  .meta({ id: 'CaseDocumentList' });

// ---------------------------------------------------------------------------------------
// Session and preferences

export const meSchema = z
  .object({
    id: uuid,
    email: z.email(),
    displayName: z.string(),
    language: language,
    passwordChangeRequired: z.boolean().describe('until the person has chosen their own password, nothing else is allowed'),
    programmes: z
      .array(z.object({ programmeId: z.string(), roles: z.array(role) }))
      .describe('every programme the person holds a role in, with the roles; access is decided per programme'),
  })
  .meta({ id: 'Me' });

export const sessionSchema = z
  .object({
    user: meSchema,
    csrfToken: z.string().describe('send as X-CSRF-Token with every change made under the session cookie'),
    expiresAt: instant,
  })
  .meta({ id: 'Session' });

export const preferencesSchema = z
  .object({
    language,
    mutedNotifications: z.array(notificationKind).describe('informational kinds turned off, sorted'),
    optionalNotifications: z.array(notificationKind).describe('the kinds that can be turned off'),
  })
  .meta({ id: 'Preferences' });

// ---------------------------------------------------------------------------------------
// Notifications and the outbox

const trigger = z.union([
  z.object({
    event: caseEventType,
    where: z.record(z.string(), z.array(z.string())).optional().describe('only for these payload values'),
  }),
  z.object({ timer: z.enum(TIMER_KINDS) }),
  z.object({ stepChange: z.literal(true) }),
  z.object({ comment: z.literal(true) }).describe("a new comment in the case's conversation"),
  z
    .object({ assignmentTimer: z.enum(ASSIGNMENT_TIMER_KINDS) })
    .describe("an assignment of the programme's plan draws near its date, or is past it"),
]);

const audience = z.union([
  z.object({ role }),
  z.object({ case: z.enum(['initiator', 'participants', 'followers']) }),
  z.object({ programme: z.literal('mailbox') }),
]);

export const notificationRulesSchema = z
  .object({
    commonVariables: z.array(z.enum(COMMON_VARIABLES)).describe('template variables every message about a case has'),
    planCommonVariables: z.array(z.enum(PLAN_COMMON_VARIABLES)).describe("template variables every message about the programme's plan has"),
    rules: z.array(
      z.object({
        kind: z.enum([...NOTIFICATION_KINDS, ...PLAN_MESSAGE_KINDS] as [string, ...string[]]),
        about: z.enum(['case', 'plan']).describe("a case, or the programme's plan"),
        label: z.string(),
        on: z.array(trigger),
        to: z.array(audience),
        mandatory: z.boolean(),
        canBeTurnedOff: z.boolean(),
        calendar: z.boolean().optional().describe('true when the message carries a calendar invitation'),
        variables: z.array(z.string()).describe('template variables besides the common ones'),
      }),
    ),
  })
  .meta({ id: 'NotificationRules' });

export const outboxMessageSchema = z
  .object({
    id: uuid,
    messageId: z.string().describe('the Message-ID; the same for a resend'),
    caseId: uuid.nullable(),
    source: z.string().describe('the case version, the timer or the account link that caused the message'),
    kind: z
      .enum([...NOTIFICATION_KINDS, ...ACCOUNT_MESSAGE_KINDS, ...PLAN_MESSAGE_KINDS] as [string, ...string[]])
      .describe("a case's notification, an account's message, or a plan assignment's reminder or escalation"),
    language,
    recipientUserId: uuid.nullable().describe('null for the programme mailbox'),
    toAddress: z.string(),
    status: z.enum(['pending', 'sent', 'failed']),
    attempts: count,
    nextAttemptAt: instant,
    lastError: z.string().nullable(),
    createdAt: instant,
    sentAt: instant.nullable(),
  })
  .meta({ id: 'OutboxMessage' });

export const outboxPageSchema = z
  .object({ items: z.array(outboxMessageSchema).describe('newest first'), nextCursor: cursor })
  .meta({ id: 'OutboxPage' });

export const outboxRequeuedSchema = z
  .object({ requeued: count.describe('failed messages put back in line') })
  .meta({ id: 'OutboxRequeued' });

// ---------------------------------------------------------------------------------------
// The process and the programme

const labelled = <T extends z.ZodType>(id: T) => z.object({ id, label: bilingualTextSchema });

export const processSchema = z
  .object({
    machineVersion: z.number().int().min(1).describe('the version new cases follow'),
    stepCount: z.literal(STEP_COUNT),
    steps: z.array(z.object({ step, label: bilingualTextSchema, optional: z.boolean(), states: z.array(statePath) })),
    states: z.array(
      z.object({
        path: statePath,
        parent: statePath.nullable(),
        type: z.enum(['atomic', 'compound', 'parallel', 'final', 'history']),
        steps: z.array(step),
        description: z.string().nullable(),
        final: z.boolean(),
        events: z.array(caseEventType).describe('the events the state handles itself'),
      }),
    ),
    events: z.array(
      z.object({
        type: caseEventType,
        label: bilingualTextSchema,
        roles: z.array(role),
        acceptedIn: z.array(statePath),
        payloadSchema: z.record(z.string(), z.unknown()).describe("a JSON Schema of the event's payload"),
      }),
    ),
    roles: z.array(labelled(role)),
    organisationKinds: z.array(labelled(z.enum(ORGANISATION_KINDS))),
    forumRoles: z.array(labelled(z.enum(FORUM_ROLES))),
    requirements: z.array(labelled(z.enum(REQUIREMENT_IDS))),
    outcomes: z.array(labelled(outcome)),
  })
  .meta({ id: 'Process' });

const area = {
  id: z.string(),
  label: bilingualTextSchema,
  description: bilingualTextSchema.optional(),
  guidingQuestions: z.array(bilingualTextSchema).optional(),
};

const bodyName = z.object({ name: z.string(), genitive: z.string() });
const bodyNames = z.object({ sv: bodyName, en: bodyName });
const templateField = z.object({
  id: z.string(),
  type: z.enum(['text', 'textarea', 'select', 'number', 'date', 'email']),
  required: z.boolean(),
  label: bilingualTextSchema,
  help: bilingualTextSchema.optional(),
  maxLength: z.number().int().positive().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  options: z.union([z.literal('priorityAreas'), z.array(z.object({ value: z.string(), label: bilingualTextSchema }))]).optional(),
});

export const programmeSchema = z
  .object({
    id: z.string(),
    diaryPrefix: z.string(),
    name: bilingualTextSchema,
    organisation: bilingualTextSchema,
    mailbox: z.email(),
    ideaTemplate: z.string().describe('the id of its idea template file'),
    ideaTemplateContent: z
      .object({ id: z.string(), title: bilingualTextSchema, intro: bilingualTextSchema, fields: z.array(templateField) })
      .optional()
      .describe('the idea template as changed in the browser; without it, the file named by ideaTemplate'),
    taxonomy: bilingualTextSchema.describe('what the programme calls its priority areas'),
    priorityAreas: z.array(z.object({ ...area, subAreas: z.array(z.object(area)).optional() })),
    years: z.object({ first: z.number().int(), last: z.number().int() }),
    registrationDomains: z.array(z.string()).describe('e-mail domains from which initiators may register themselves'),
    municipalities: z.array(z.string()),
    roles: z.array(role),
    bodies: z
      .object({
        coordinators: bodyNames,
        coordinationGroup: bodyNames,
        recommender: bodyNames,
        decider: bodyNames,
        steeringGroup: bodyNames,
      })
      .describe("the programme's names for the bodies of the process, as they stand inside a sentence"),
    roleLabels: z.partialRecord(role, bilingualTextSchema).describe("the programme's own names for roles, where they differ"),
    criteria: z.array(z.object({ id: z.string(), label: bilingualTextSchema })),
    forumRequiredRoles: z.array(z.enum(FORUM_ROLES)),
    deadlines: z
      .object({
        ideaResponseDays: count,
        followUpReminderDays: count,
        followUpGraceDays: count,
        assignmentReminderDays: count,
        assignmentGraceDays: count,
      })
      .describe('in whole days'),
    archive: z
      .object({
        recordsCreator: z.object({ name: z.string(), organisationNumber: z.string().optional() }).describe('the arkivbildare'),
        classificationCode: z.string().describe("the process's code in the records creator's classification structure"),
        keepUntilDelivered: z.boolean().describe('no erasure touches a case before it is delivered to the e-archive'),
      })
      .optional()
      .describe('delivery to the e-archive; without it, no case can be delivered'),
    retention: z
      .object({
        sentMail: z.object({ days: count, decision: z.string() }).optional(),
        closedCases: z.object({ years: count, decision: z.string(), afterDelivery: z.boolean() }).optional(),
        logins: z.object({ months: count, decision: z.string() }).optional(),
      })
      .describe('retention rules, each with the reference of the decision (gallringsbeslut) it rests on; a rule left out removes nothing'),
  })
  .meta({ id: 'Programme' });

export const programmeVersionSchema = z
  .object({
    programmeId: z.string(),
    version: z.number().int().min(1),
    source: z.enum(['file', 'browser']).describe('loaded from a file with the command line, or changed in the browser'),
    note: z.string().nullable().describe('why the change was made'),
    createdBy: z.object({ id: uuid, displayName: z.string().nullable() }).nullable().describe('null for a version loaded from a file'),
    createdAt: instant,
    inForce: z.boolean(),
    settings: programmeSchema,
  })
  .meta({ id: 'ProgrammeVersion' });

export const programmeChangeSchema = programmeVersionSchema
  .extend({
    changed: z.boolean().describe('false when the settings sent were those in force: no version was made'),
    casesRecomputed: count.describe('running cases whose deadlines were computed anew'),
  })
  .meta({ id: 'ProgrammeChange' });

export const programmeVersionListSchema = z
  .object({
    items: z.array(
      z.object({
        version: z.number().int().min(1),
        source: z.enum(['file', 'browser']),
        note: z.string().nullable(),
        createdBy: z.object({ id: uuid, displayName: z.string().nullable() }).nullable(),
        createdAt: instant,
        changed: z.array(z.string()).describe('the settings that differ from the version before'),
      }),
    ),
  })
  .meta({ id: 'ProgrammeVersionList' });

export const programmeListSchema = z
  .object({ items: z.array(programmeSchema).describe("the caller's programme") })
  .meta({ id: 'ProgrammeList' });

export const ideaTemplateSchema = z
  .object({
    id: z.string(),
    title: bilingualTextSchema,
    intro: bilingualTextSchema,
    language: language.describe("the caller's language"),
    fields: z.array(
      z.object({
        id: z.string(),
        type: z.enum(['text', 'textarea', 'select', 'number', 'date', 'email']),
        required: z.boolean(),
        label: bilingualTextSchema,
        help: bilingualTextSchema.optional(),
        maxLength: z.number().int().positive().optional(),
        min: z.number().optional(),
        max: z.number().optional(),
        options: z
          .array(
            z.object({
              value: z.string(),
              label: bilingualTextSchema,
              parent: z.string().optional().describe('for a priority sub-area: the area it belongs to'),
              guidingQuestions: z
                .array(bilingualTextSchema)
                .optional()
                .describe('for a priority area: the questions the programme asks initiators to think about'),
            }),
          )
          .optional()
          .describe("with select: the choices; for the priority area, the programme's areas and sub-areas"),
      }),
    ),
  })
  .meta({ id: 'IdeaTemplate' });

// ---------------------------------------------------------------------------------------
// Money and reports

export const grantPoolSchema = z
  .object({
    id: uuid,
    year: z.number().int(),
    kind: z.enum(['state', 'joint']),
    name: z.string(),
    initialAmountOre: ore.describe('the amount the pool was set up with'),
    correctionsOre: ore.describe('the sum of its corrections, signed'),
    carriedInOre: ore.describe('carried over into this pool from the year before'),
    carriedOutOre: ore.describe('carried over from this pool to the next year'),
    amountOre: ore.describe('what the pool has: initial + corrections + carried in − carried out'),
    committedOre: ore.describe('granted by decisions'),
    releasedOre: ore.describe('committed money released (a stopped initiative, one closed under budget)'),
    paidOre: ore.describe('paid out to initiatives'),
    repaidOre: ore.describe('unused grant paid back; it returns to the pool'),
    unpaidOre: ore.describe('committed − paid − released'),
    remainingOre: ore.describe(
      'amount − (committed − released − repaid); negative when a decision was granted over the pool with an override',
    ),
    overdrawn: z.boolean().describe('remaining is below zero'),
    overrides: z
      .array(z.object({ caseId: uuid, amountOre: ore, motivation: z.string() }))
      .describe('decision lines granted over the pool, each with its motivation'),
    earmarks: z.array(z.object({ priorityAreaId: z.string(), amountOre: ore, committedOre: ore, remainingOre: ore })),
  })
  .meta({ id: 'GrantPool' });

export const grantPoolListSchema = z
  .object({ items: z.array(grantPoolSchema).describe('by year, then kind') })
  .meta({ id: 'GrantPoolList' });

/** What was granted for the year and what became of it, whole öre: the same figures per area, scope and initiative. */
const moneyFigures = {
  grantedOre: ore.describe('committed for the year'),
  paidOre: ore.describe('paid out'),
  unpaidOre: ore.describe('granted − paid − released'),
  releasedOre: ore.describe('released: will not be used'),
  repaidOre: ore.describe('paid back; it returns to the pool'),
  spentOre: ore.describe('reported spent during the year'),
};
const scopeLevel = z.enum(['county', 'sub-regional', 'local']);

export const yearReportSchema = z
  .object({
    programme: z
      .object({
        id: z.string(),
        name: z.string(),
        organisation: z.string(),
        taxonomy: z.string(),
        bodies: z
          .object({
            coordinators: bodyName,
            coordinationGroup: bodyName,
            recommender: bodyName,
            decider: bodyName,
            steeringGroup: bodyName,
          })
          .describe("the programme's own names of the bodies of the process, as the report's texts name them"),
      })
      .describe("in the report's language, from the configuration in force at the year's end"),
    year: z.number().int(),
    language,
    totals: z
      .object({
        initialOre: ore.describe('the pools as set up'),
        correctionsOre: ore,
        carriedInOre: ore,
        carriedOutOre: ore,
        poolOre: ore.describe('what the pools have: initial + corrections + carried in − carried out'),
        committedOre: ore.describe('granted for the year'),
        releasedOre: ore,
        paidOre: ore,
        repaidOre: ore,
        unpaidOre: ore,
        remainingOre: ore.describe('negative when a decision was granted over a pool'),
        spentOre: ore,
        initiatives: count,
        overdrawn: z.boolean().describe('a pool has granted more than it has'),
      })
      .describe("the sums of the year's pools; the areas, the scopes and the initiatives add up to them exactly"),
    pools: z.array(grantPoolSchema),
    overrides: z
      .array(
        z.object({
          poolId: uuid,
          poolKind: z.enum(['state', 'joint']),
          poolName: z.string(),
          caseId: uuid,
          diaryNumber,
          title: z.string(),
          amountOre: ore,
          motivation: z.string(),
        }),
      )
      .describe('every decision line granted over a pool, with the motivation'),
    byState: z.array(z.object({ label: z.string(), count })),
    byPriorityArea: z
      .array(
        z.object({
          priorityAreaId: z.string().nullable().describe('null: the initiatives without an area (a row only when there are any)'),
          label: z.string(),
          initiatives: count,
          ...moneyFigures,
          subAreas: z
            .array(z.object({ priorityAreaId: z.string(), label: z.string(), initiatives: count, ...moneyFigures }))
            .describe("every sub-area, zeros included; its figures are also in its area's"),
        }),
      )
      .describe("every top-level area of the programme's configuration in its order, zeros included"),
    byScope: z
      .array(
        z.object({
          scope: scopeLevel.nullable().describe('null: initiatives that state no scope (a row only when there are any)'),
          label: z.string(),
          initiatives: count,
          grantedOre: ore,
          distributedOre: ore.describe("what the pools' newest distribution decisions give to this scope"),
        }),
      )
      .describe('county-wide, sub-regional and local, zeros included'),
    distributions: z
      .array(
        z.object({
          poolId: uuid,
          poolKind: z.enum(['state', 'joint']),
          poolName: z.string(),
          decidedBy: z.string(),
          decisionDate: isoDate,
          reference: z.string(),
          motivation: z.string().nullable(),
          lines: z.array(
            z.object({
              scope: scopeLevel,
              scopeLabel: z.string(),
              recipient: z.string().describe('a sub-region or municipality; empty for county-wide'),
              priorityAreaId: z.string().nullable(),
              priorityArea: z.string().describe('its label; an empty string without an area'),
              amountOre: ore,
            }),
          ),
          byScope: z.array(
            z.object({ scope: scopeLevel, label: z.string(), distributedOre: ore, grantedOre: ore.describe('from this pool') }),
          ),
        }),
      )
      .describe('the newest distribution decision of each pool that has one'),
    initiatives: z
      .array(
        z.object({
          caseId: uuid,
          diaryNumber,
          title: z.string(),
          priorityAreaId: z.string().nullable().describe('the area or sub-area it was assessed into'),
          priorityArea: z.string().describe('its label; an empty string without an area'),
          topAreaId: z.string().nullable().describe('the top-level area it counts under'),
          topArea: z.string(),
          subAreaId: z.string().nullable(),
          subArea: z.string(),
          scopeLevel: scopeLevel.nullable(),
          municipalities: z.array(z.string()),
          scope: z.string().describe('e.g. "Sub-regional: Karlshamn, Olofström"; an empty string when not stated'),
          status: z.enum(['active', 'done']),
          state: z.string().describe('the outcome or the steps, as text'),
          ...moneyFigures,
          override: z.string().nullable().describe('the motivation, when a line of its decision was granted over the pool'),
          indicators: z.array(
            z.object({
              id: z.string(),
              name: z.string(),
              unit: z.string(),
              baseline: z.number().nullable(),
              target: z.number(),
              value: z.number().nullable().describe('the latest reported by the end of the year'),
              reached: z.boolean().nullable().describe('null without a reported value'),
            }),
          ),
          recommendation: z.enum(['implement', 'scale-up']).nullable(),
        }),
      )
      .describe('one page of the initiatives, in diary-number order (every figure of the report counts them all: totals.initiatives)'),
    initiativesPage: z
      .object({
        page: z.number().int().min(1),
        pageSize: z.number().int().min(0),
        pages: z.number().int().min(1).describe('how many pages the initiatives fill; ask for another with ?page='),
      })
      .describe('which page of the initiatives `initiatives` is'),
    recommendedForImplementationOrScaleUp: z.array(
      z.object({ caseId: uuid, diaryNumber, title: z.string(), recommendation: z.enum(['implement', 'scale-up']) }),
    ),
  })
  .meta({ id: 'YearReport' });

export const publicInitiativesSchema = z
  .object({
    programme: z.object({ id: z.string(), name: bilingualTextSchema, organisation: bilingualTextSchema }),
    initiatives: z.array(
      z.object({
        diaryNumber,
        title: z.string(),
        purpose: z.string().describe('an empty string when the proposal states none'),
        parties: z.array(z.object({ name: z.string(), kind: z.enum(ORGANISATION_KINDS) })),
        grantedOre: ore,
        grantedByYear: z.array(z.object({ year: z.number().int(), amountOre: ore })),
        decisionDate: isoDate,
        decisionReference: z.string().describe("the decision's reference, or the diary number"),
        outcome: outcome.nullable().describe('null while the initiative runs'),
      }),
    ),
  })
  .describe('decided (approved) initiatives, without personal data')
  .meta({ id: 'PublicInitiatives' });

// ---------------------------------------------------------------------------------------
// Every operation

// ---------------------------------------------------------------------------------------
// One's own account

export const passwordChangedSchema = z
  .object({ sessionsEnded: count.describe('how many other sessions of the person were ended') })
  .meta({ id: 'PasswordChanged' });

export const sessionListSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string().describe('to end this session with DELETE /api/me/sessions/{id}'),
        createdAt: instant,
        expiresAt: instant,
        current: z.boolean().describe('the session this request was made with'),
      }),
    ),
  })
  .meta({ id: 'SessionList' });

export const tokenListSchema = z
  .object({
    items: z.array(
      z.object({
        id: uuid,
        name: z.string(),
        createdAt: instant,
        lastUsedAt: instant.nullable(),
        expiresAt: instant.nullable().describe('null only for tokens made before tokens expired'),
        revokedAt: instant.nullable(),
      }),
    ),
  })
  .meta({ id: 'TokenList' });

export const tokenCreatedSchema = z
  .object({
    id: uuid,
    token: z.string().describe('send as Authorization: Bearer …; shown only now, never again'),
    expiresAt: instant,
  })
  .meta({ id: 'TokenCreated' });

// ---------------------------------------------------------------------------------------
// The people of a programme, for its administrators

const membership = z.object({ programmeId: z.string(), roles: z.array(role) });

export const personSchema = z
  .object({
    id: uuid,
    email: z.email(),
    displayName: z.string(),
    language: language,
    disabled: z.boolean(),
    locked: z.boolean().describe('must wait before logging in again from some address (too many failed log-ins)'),
    createdAt: instant,
    programmes: z.array(membership).describe('their roles in the programmes the caller administers'),
  })
  .meta({ id: 'Person' });

export const personListSchema = z.object({ items: z.array(personSchema) }).meta({ id: 'PersonList' });

export const auditPageSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string().describe('sorts as the entries were written'),
        at: instant,
        actorId: uuid.nullable(),
        programmeId: z.string().nullable(),
        action: z.enum(AUDIT_ACTIONS),
        subjectUserId: uuid.nullable(),
        reason: z.string().nullable(),
        details: z.record(z.string(), z.unknown()),
      }),
    ),
    nextCursor: cursor,
  })
  .meta({ id: 'AuditPage' });

// ---------------------------------------------------------------------------------------
// Getting in: invitations, registrations, password resets

export const invitationSentSchema = z
  .object({ invited: z.email(), expiresAt: instant.describe('until when the link can be used') })
  .meta({ id: 'InvitationSent' });

export const invitationListSchema = z
  .object({
    items: z.array(
      z.object({
        email: z.email(),
        programmeId: z.string().nullable(),
        roles: z.array(z.string()),
        caseId: z.string().nullable(),
        createdBy: z.string().nullable(),
        createdAt: instant,
        expiresAt: instant,
      }),
    ),
  })
  .meta({ id: 'InvitationList' });

export const mailSentSchema = z
  .object({ sentTo: z.email().describe('the address written to, whether or not it has an account') })
  .meta({ id: 'MailSent' });

export const accountMadeSchema = z
  .object({ newAccount: z.boolean().describe('false: the address had an account, which got what the link gave') })
  .meta({ id: 'AccountMade' });

// ---------------------------------------------------------------------------------------
// Money over its life: pool corrections, carry-overs and distributions; payments,
// repayments and releases of granted money (src/money/pool-changes.ts, src/money/ledger.ts)

const poolKind = z.enum(['state', 'joint']);
const distributionScope = z.enum(['county', 'sub-regional', 'local']);

export const poolAdjustmentSchema = z
  .object({
    id: uuid,
    poolId: uuid,
    kind: z.enum(['correction', 'carry-over-out', 'carry-over-in']),
    amountOre: ore.describe('signed: negative lowered the pool'),
    motivation: z.string(),
    reference: z.string().nullable(),
    counterpartPoolId: uuid.nullable().describe('the other pool of a carry-over; null for a correction'),
    counterpartYear: z.number().int().nullable().describe("the other pool's year; null for a correction"),
    createdBy: uuid,
    createdAt: instant,
  })
  .meta({ id: 'PoolAdjustment' });

export const poolDistributionSchema = z
  .object({
    id: uuid,
    poolId: uuid,
    decidedBy: z.string().describe('the body that decided'),
    decisionDate: isoDate,
    reference: z.string(),
    motivation: z.string().nullable(),
    totalOre: ore,
    byScope: z.array(z.object({ scope: distributionScope, amountOre: ore })).describe('always county, sub-regional, local, in that order'),
    lines: z.array(
      z.object({
        scope: distributionScope,
        recipient: z.string().describe("a sub-region or one of the programme's municipalities; empty for county-wide"),
        priorityAreaId: z.string().nullable(),
        amountOre: ore,
      }),
    ),
    createdBy: uuid,
    createdAt: instant,
  })
  .meta({ id: 'PoolDistribution' });

export const grantPoolDetailSchema = z
  .object({
    pool: grantPoolSchema,
    adjustments: z.array(poolAdjustmentSchema).describe('corrections and carry-overs, in the order recorded'),
    distribution: poolDistributionSchema.nullable().describe('the prioritisation decision in force (the newest); null without one'),
    undistributedOre: ore.describe("the pool's amount beyond the distribution in force (all of it without one)"),
    earlierDistributions: z.array(poolDistributionSchema).describe('decisions the newest replaced, newest first'),
  })
  .meta({ id: 'GrantPoolDetail' });

export const carryOverAnswerSchema = z
  .object({
    from: grantPoolSchema.describe('the pool the money left'),
    to: grantPoolSchema.describe("the next year's pool it arrived in"),
    adjustments: z.array(poolAdjustmentSchema).describe('the outgoing and the incoming line'),
  })
  .meta({ id: 'CarryOver' });

export const grantMovementSchema = z
  .object({
    id: uuid,
    caseId: uuid,
    poolId: uuid,
    year: z.number().int(),
    pool: poolKind,
    kind: z.enum(['payment', 'repayment', 'release']),
    amountOre: ore.describe('positive'),
    date: isoDate.describe('the day the money moved'),
    reference: z.string().nullable(),
    motivation: z.string().nullable(),
    automatic: z.boolean().describe('released by Satsa itself when the initiative was stopped or ended under budget'),
    createdBy: uuid.describe('who recorded it (for an automatic release: who stopped or ended the initiative)'),
    createdAt: instant,
  })
  .meta({ id: 'GrantMovement' });

const caseMoneyFigures = {
  committedOre: ore.describe('granted by the decision'),
  paidOre: ore,
  repaidOre: ore.describe('paid back; it returned to the pool'),
  releasedOre: ore.describe('committed but not to be paid; it returned to the pool'),
  unpaidOre: ore.describe('committed − paid − released'),
};

export const caseMoneySchema = z
  .object({
    caseId: uuid,
    programmeId: z.string(),
    ...caseMoneyFigures,
    pools: z
      .array(
        z.object({
          poolId: uuid,
          year: z.number().int(),
          pool: poolKind,
          poolName: z.string(),
          priorityAreaId: z.string().nullable(),
          ...caseMoneyFigures,
        }),
      )
      .describe('per pool the case was granted money from, by year then kind'),
    movements: z.array(grantMovementSchema).describe('payments, repayments and releases, in the order recorded'),
  })
  .meta({ id: 'CaseMoney' });

// ---------------------------------------------------------------------------------------
// A programme's plan (src/plans)

const personRef = z.object({ id: uuid, displayName: z.string().nullable() });
const planItemId = z.string().describe('stable across revisions; for links and values, never shown to people');
const dateRange = z
  .object({ from: isoDate, to: isoDate, label: z.string().optional().describe('as the plan wrote it, e.g. "våren 2023"') })
  .describe('a range of days, both ends included');
const indicatorKind = z.enum(['number', 'percentage', 'yes-no', 'document']);
const assignmentStatus = z.enum(['open', 'in-progress', 'done', 'cancelled']);

const planGoal = {
  id: planItemId,
  title: z.string(),
  description: z.string().optional(),
  horizonYears: z.number().int(),
  targetYear: z.number().int(),
  areaIds: z.array(z.string()),
};
const planIndicator = {
  id: planItemId,
  label: z.string(),
  kind: indicatorKind,
  unit: z.string().optional(),
  source: z.string().optional(),
  direction: z
    .enum(['increase', 'decrease'])
    .optional()
    .describe(
      'for a number or percentage: met at or above the target (increase) or at or below it (decrease); without it, inferred from the baseline',
    ),
  goalIds: z.array(z.string()),
  baseline: z.object({ year: z.number().int(), value: z.union([z.number(), z.boolean()]) }).optional(),
  targets: z.array(
    z.object({ year: z.number().int(), value: z.union([z.number(), z.literal(true)]).describe('true: to be delivered / yes') }),
  ),
};
const planRow = {
  id: planItemId,
  activity: z.string(),
  targetGroup: z.string().optional(),
  responsible: z.string().optional(),
  timeFrame: dateRange.optional(),
  indicatorIds: z.array(z.string()),
  goalIds: z.array(z.string()),
  costOre: ore.optional(),
  staffHours: z.number().optional(),
};
const planAssignment = {
  id: planItemId,
  title: z.string(),
  description: z.string().optional(),
  responsible: z.string(),
  due: dateRange,
  goalIds: z.array(z.string()),
  rowIds: z.array(z.string()),
};
const planDocumentFields = { title: z.string(), summary: z.string().optional() };

export const planDocumentSchema = z
  .object({
    ...planDocumentFields,
    goals: z.array(z.object(planGoal)),
    indicators: z.array(z.object(planIndicator)),
    rows: z.array(z.object(planRow)),
    assignments: z.array(z.object(planAssignment)),
  })
  .meta({ id: 'PlanDocument' });

const indicatorValue = z
  .union([
    z.object({ kind: z.enum(['number', 'percentage']), value: z.number() }),
    z.object({ kind: z.literal('yes-no'), value: z.boolean() }),
    z.object({ kind: z.literal('document'), value: z.object({ title: z.string(), reference: z.string().optional() }) }),
  ])
  .describe('typed by the indicator: a number, a percentage, yes/no, or a delivered document');
const valueEntry = { value: indicatorValue, note: z.string().nullable(), enteredBy: personRef, enteredAt: instant };
const yearValue = z.object({
  year: z.number().int(),
  ...valueEntry,
  earlier: z.array(z.object(valueEntry)).describe('values entered before for the same year, newest first'),
});
const statusEntry = z.object({ status: assignmentStatus, note: z.string().nullable(), changedBy: personRef, changedAt: instant });
const statusFields = {
  status: assignmentStatus.describe('open until someone records otherwise'),
  statusHistory: z.array(statusEntry).describe('oldest first'),
};

const revisionFields = {
  programmeId: z.string(),
  version: z.number().int().min(1),
  inForce: z.boolean(),
  adoptedByBody: z.string().describe('the body that adopted it, as the decision names it'),
  decisionReference: z.string(),
  decisionDate: isoDate,
  nextRevisionDue: isoDate,
  adoptedBy: personRef.nullable().describe('who recorded the decision in Satsa'),
  adoptedAt: instant,
};

export const planRevisionSchema = z.object({ ...revisionFields, document: planDocumentSchema }).meta({ id: 'PlanRevision' });

export const planInForceSchema = z
  .object({
    ...revisionFields,
    document: z.object({
      ...planDocumentFields,
      goals: z.array(z.object({ ...planGoal, caseIds: z.array(uuid).describe('cases linked to the goal now') })),
      indicators: z.array(z.object({ ...planIndicator, values: z.array(yearValue).describe('per year, the newest value counts') })),
      rows: z.array(z.object({ ...planRow, caseIds: z.array(uuid) })),
      assignments: z.array(z.object({ ...planAssignment, ...statusFields })),
    }),
  })
  .meta({ id: 'PlanInForce' });

export const planVersionListSchema = z
  .object({
    items: z.array(z.object({ ...revisionFields, title: z.string() })).describe('adopted revisions, oldest first'),
    nextRevisionDue: isoDate.nullable().describe('from the revision in force; null before any is adopted'),
    draft: z.boolean().describe('whether a draft of the next revision is under way'),
  })
  .meta({ id: 'PlanVersionList' });

export const planDraftSchema = z
  .object({
    programmeId: z.string(),
    version: z.number().int().min(1).describe('the version it will have when adopted'),
    draftCounter: z.number().int().min(1).describe('its ETag: each save adds one'),
    createdBy: personRef,
    createdAt: instant,
    updatedBy: personRef,
    updatedAt: instant,
    document: planDocumentSchema,
  })
  .meta({ id: 'PlanDraft' });

const itemBrief = { id: planItemId, label: z.string() };
const fieldChange = z.object({ field: z.string(), from: z.unknown(), to: z.unknown() });
const listDiff = z.object({
  added: z.array(z.object(itemBrief)),
  removed: z.array(z.object(itemBrief)),
  changed: z.array(z.object({ ...itemBrief, fields: z.array(fieldChange) })),
});
export const planDiffSchema = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    plan: z.array(fieldChange).describe("the plan's title and summary, when they changed"),
    goals: listDiff,
    indicators: listDiff,
    rows: listDiff,
    assignments: listDiff,
  })
  .meta({ id: 'PlanDiff' });

export const planIndicatorValuesSchema = z
  .object({ indicatorId: planItemId, values: z.array(yearValue) })
  .meta({ id: 'PlanIndicatorValues' });

export const planAssignmentStatusSchema = z.object({ assignmentId: planItemId, ...statusFields }).meta({ id: 'PlanAssignmentStatus' });

export const casePlanLinksSchema = z
  .object({ caseId: uuid, goalIds: z.array(z.string()), rowIds: z.array(z.string()) })
  .describe('the goals and action-plan rows the case is linked to now')
  .meta({ id: 'CasePlanLinks' });

// ---------------------------------------------------------------------------------------
// The multi-year report (src/reports/multi-year.ts)

const multiYearMoney = {
  poolOre: ore.describe("what the year's pools have"),
  grantedOre: ore.describe('granted (decided) for the year'),
  paidOre: ore.describe('paid out'),
  releasedOre: ore.describe('released: will not be used'),
  repaidOre: ore.describe('paid back'),
  unpaidOre: ore.describe('granted − paid − released'),
  remainingOre: ore.describe('left to grant; negative when a decision was granted over a pool'),
  spentOre: ore.describe('reported spent (used) during the year'),
};

export const multiYearReportSchema = z
  .object({
    programme: z.object({ id: z.string(), name: z.string(), organisation: z.string() }).describe("in the report's language"),
    language,
    asOf: isoDate.describe('the day (Swedish time) the report was drawn up: overdue means overdue at this day'),
    fromYear: z.number().int(),
    toYear: z.number().int(),
    years: z.array(z.number().int()).describe('every year of the report, oldest first'),
    plan: z
      .object({
        version: z.number().int().min(1),
        title: z.string(),
        summary: z.string().nullable(),
        adoptedBy: z.string().describe('the body that adopted it'),
        reference: z.string().describe('the decision reference'),
        decisionDate: isoDate,
        nextRevisionDue: isoDate,
        revisionOverdue: z.boolean().describe('the next revision date has passed'),
        goals: z
          .array(
            z.object({
              id: planItemId,
              title: z.string(),
              horizonYears: z.number().int(),
              targetYear: z.number().int(),
              areas: z.array(z.object({ id: z.string(), label: z.string() })),
            }),
          )
          .describe('the longest horizon first'),
        indicators: z.array(
          z.object({
            id: planItemId,
            label: z.string(),
            kind: indicatorKind,
            unit: z.string().nullable(),
            direction: z.enum(['increase', 'decrease']).nullable(),
            baseline: z.object({ year: z.number().int(), value: z.union([z.number(), z.boolean()]) }).nullable(),
            goalIds: z.array(z.string()),
            targets: z
              .array(z.object({ year: z.number().int(), value: z.union([z.number(), z.boolean()]) }))
              .describe("every target of the plan, the report's years or not"),
            years: z
              .array(
                z.object({
                  year: z.number().int(),
                  target: z.union([z.number(), z.boolean()]).nullable().describe('true: to be delivered / yes; null: no target that year'),
                  value: z
                    .union([z.number(), z.boolean()])
                    .nullable()
                    .describe('the newest value recorded for the year; true for a delivered document; null: none'),
                  document: z.object({ title: z.string(), reference: z.string().nullable() }).nullable(),
                  outcome: z
                    .enum(['met', 'missed', 'not-measured', 'not-yet-due', 'no-target'])
                    .describe('not-measured: no value for a year that has passed; not-yet-due: none yet for this year or a later one'),
                }),
              )
              .describe('one per year of the report'),
          }),
        ),
        assignments: z.array(
          z.object({
            id: planItemId,
            title: z.string(),
            responsible: z.string(),
            due: z.object({ from: isoDate, to: isoDate, label: z.string().nullable() }),
            status: assignmentStatus,
            overdue: z.boolean().describe('open or in progress after its due range has ended'),
          }),
        ),
      })
      .nullable()
      .describe('the plan in force; null when none has been adopted'),
    money: z.object({
      years: z
        .array(z.object({ year: z.number().int(), pools: count.describe('grant pools of the year; 0: no figures'), ...multiYearMoney }))
        .describe("per year, the totals of that year's programme-year report"),
      totals: z.object(multiYearMoney).describe("the sums over the report's years"),
    }),
  })
  .meta({ id: 'MultiYearReport' });

// ---------------------------------------------------------------------------------------
// Imports from spreadsheets

const importPlace = {
  sheet: z.string().optional().describe("the workbook's sheet; absent for a CSV file"),
  row: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('the row as the spreadsheet shows it (the header is row 1); absent for the file as a whole'),
};

export const importPreviewSchema = z
  .object({
    kind: z.enum(['plan', 'initiatives']),
    creates: z
      .array(z.object({ ...importPlace, text: z.string().describe("what would be (or was) created, in the caller's language") }))
      .describe('what the import creates (a dry run: would create)'),
    existing: z
      .array(z.object({ ...importPlace, text: z.string() }))
      .describe('what an earlier import of the same rows created already: nothing new is made of it'),
    errors: z
      .array(z.object({ ...importPlace, column: z.string().optional().describe('the column as the header names it'), message: z.string() }))
      .describe('every error, by sheet, row and column; empty when the file can be imported'),
    imported: z.boolean().optional().describe('after an import (dryRun=false): whether anything was written'),
  })
  .meta({ id: 'ImportPreview' });

// ---------------------------------------------------------------------------------------
// The conversation on a case, who follows it, and its guests

const commentVisibility = z
  .enum(['shared', 'internal'])
  .describe("shared: the case's own people and the programme's staff; internal: the programme's staff only");

export const commentSchema = z
  .object({
    id: uuid,
    body: z.string(),
    visibility: commentVisibility,
    author: z.object({ id: uuid, displayName: z.string().nullable() }),
    role: z.union([role, z.literal('guest')]).describe('the role the author wrote in'),
    roleLabel: z.string(),
    createdAt: instant,
    caseVersion: z.number().int().min(1).describe('the case version the comment made'),
  })
  .meta({ id: 'Comment' });

export const commentListSchema = z
  .object({
    caseId: uuid,
    canWriteInternal: z.boolean().describe("whether the caller is the programme's staff, who read and write internal comments"),
    canComment: z.boolean(),
    items: z.array(commentSchema).describe("oldest first; internal ones only for the programme's staff"),
  })
  .meta({ id: 'CommentList' });

export const commentAddedSchema = z
  .object({
    id: uuid,
    visibility: commentVisibility,
    caseVersion: z.number().int().min(1).describe("the case's new version, also its ETag"),
    createdAt: instant,
  })
  .meta({ id: 'CommentAdded' });

export const followingSchema = z
  .object({
    caseId: uuid,
    following: z.boolean().describe('whether the caller hears by e-mail of new comments on the case'),
    reason: z
      .enum(['chosen', 'stopped', 'owner', 'participant', 'guest', 'acted', 'none'])
      .describe('their own choice (chosen, stopped), else what they are to the case; acted: staff who have acted on it'),
    reasonText: z.string(),
  })
  .meta({ id: 'Following' });

export const guestListSchema = z
  .object({
    caseId: uuid,
    mayInvite: z.boolean().describe('whether the caller may invite a guest to the case'),
    items: z
      .array(
        z.object({
          id: uuid,
          displayName: z.string(),
          organisation: z.string().nullable(),
          email: z.email().optional().describe("for the programme's staff only"),
        }),
      )
      .describe('guests who accepted their invitation'),
    pending: z
      .array(z.object({ email: z.email(), name: z.string().nullable(), organisation: z.string().nullable(), invitedAt: instant }))
      .describe("invitations not yet accepted, for the programme's staff only (empty for anyone else)"),
  })
  .meta({ id: 'GuestList' });

/** GET /api/me/waiting: what waits for the caller (src/work/waiting.ts), soonest due first. */
export const waitingItemSchema = z.object({
  kind: z
    .enum(WAITING_KINDS)
    .describe('case: one of your roles has the next move; comment: a comment to answer; assignment: an open assignment of the plan'),
  what: z.string().describe('what to do, in plain words, in the language asked for'),
  programmeId: z.string(),
  caseId: z.string().nullable(),
  assignmentId: z.string().nullable(),
  title: z.string().describe("the case's or the assignment's title"),
  diaryNumber: z.string().nullable(),
  href: z.string().describe('the page where it is done'),
  due: z.string().nullable().describe('YYYY-MM-DD: the day it should be done by, if there is one'),
  dueLabel: z.string().nullable().describe('the due date as the plan wrote it ("hösten 2027"), for an assignment'),
  overdue: z.boolean().describe('the due date has passed (Swedish time)'),
  since: z.string().describe('when it began to wait: the case’s last change, the comment, the adoption of the plan'),
  who: z.string().nullable().describe('for an assignment, who the plan names as responsible; for a comment, who wrote it'),
});
export const waitingListSchema = z.object({
  count: z.number().int().min(0).describe('how many; the same number the pages show in the menu'),
  items: z.array(waitingItemSchema),
});

/** What Satsa holds about a person (src/privacy): GET /api/me/data, GET /api/people/{id}/data. */
const looseRecord = z.record(z.string(), z.unknown());
export const personDataSchema = z
  .object({
    exportedAt: instant,
    person: z.object({
      id: uuid,
      email: z.string(),
      displayName: z.string(),
      language: z.string(),
      disabled: z.boolean(),
      createdAt: instant,
    }),
    roles: z.array(z.object({ programmeId: z.string(), role: z.string() })),
    cases: z.array(
      z.object({
        id: uuid,
        programmeId: z.string(),
        diaryNumber: z.string(),
        title: z.string(),
        relation: z.string().nullable().describe('owner, participant or guest; null when the person only acted on the case'),
        closed: z.boolean(),
        events: z
          .array(z.object({ version: z.number().int(), type: z.string(), at: instant, role: z.string(), payload: z.unknown() }))
          .describe('what the person recorded on the case, as they sent it'),
      }),
    ),
    comments: z.array(z.object({ id: z.string(), caseId: uuid, visibility: z.string(), body: z.string(), createdAt: instant })),
    documents: z.array(
      z.object({
        id: z.string(),
        caseId: uuid,
        fileName: z.string(),
        description: z.string().nullable(),
        mediaType: z.string(),
        size: count,
        sha256: z.string(),
        addedAt: instant,
        download: z.string().describe('where the file itself is downloaded'),
      }),
    ),
    drafts: z.array(z.object({ caseId: uuid, eventType: z.string(), values: z.unknown(), updatedAt: instant })),
    emails: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        caseId: z.string().nullable(),
        to: z.string(),
        status: z.string(),
        createdAt: z.string(),
        sentAt: z.string().nullable(),
        data: z.unknown(),
        message: z.string().nullable().describe('the message as sent, when the embedded mail store kept it'),
      }),
    ),
    archivePackages: z
      .array(
        z.object({
          id: z.string(),
          programmeId: z.string(),
          caseId: uuid,
          packageName: z.string(),
          sha256: z.string(),
          size: count,
          deliveredAt: instant,
          download: z.string().describe("where Satsa's copy of the package is downloaded"),
        }),
      )
      .describe('the packages of their cases delivered to the e-archive, of which Satsa keeps a copy'),
    logins: z.object({
      sessions: z.array(z.object({ createdAt: z.string(), expiresAt: z.string() })),
      failedAttempts: z.array(
        z.object({ address: z.string(), failures: count, lastFailureAt: z.string(), lockedUntil: z.string().nullable() }),
      ),
      tokens: z.array(
        z.object({
          name: z.string(),
          createdAt: z.string(),
          lastUsedAt: z.string().nullable(),
          expiresAt: z.string().nullable(),
          revokedAt: z.string().nullable(),
        }),
      ),
    }),
    otherRecords: z
      .record(z.string(), z.array(looseRecord))
      .describe('every other row that names the person (their id, address or name), by table; secrets left out'),
  })
  .meta({ id: 'PersonData' });

const erasureCounts = z.object({
  cases: count,
  textsMadeUnreadable: count,
  comments: count,
  documents: count,
  drafts: count,
  emails: count,
  emailFiles: count,
  logins: count,
  otherRecords: count,
});

/** GET /api/people/{id}/erasure: what an erasure would change, and what keeps it from being done. */
export const erasurePreviewSchema = z
  .object({
    person: z.object({ id: uuid, displayName: z.string(), email: z.string() }),
    allowed: z.boolean().describe('false while the archive rules say a case of theirs must be kept as it is'),
    mustKeep: z.array(
      z.object({
        caseId: uuid,
        diaryNumber: z.string(),
        reason: z
          .enum(['running', 'not-delivered', 'no-archive'])
          .describe('the case is running; closed but not delivered to the e-archive; or its programme delivers to no archive'),
      }),
    ),
    changes: erasureCounts,
  })
  .meta({ id: 'ErasurePreview' });

/** POST /api/people/{id}/erasure */
export const erasureSchema = z
  .object({ pseudonymId: uuid.describe('the account that now stands where the person was'), changes: erasureCounts })
  .meta({ id: 'Erasure' });
// ---------------------------------------------------------------------------------------
// Deliveries to the e-archive (src/archive)

export const archiveDeliverySchema = z
  .object({
    id: uuid,
    caseId: uuid,
    diaryNumber,
    title: z.string(),
    caseVersion: z.number().int().min(1).describe('the version of the case the package holds'),
    packageName: z.string().describe("the zip's name: the package's root folder (its id, uuid_…) and .zip"),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe("the zip's SHA-256, as delivered"),
    size: z.number().int().min(1).describe("the zip's size in bytes"),
    deliveredAt: instant,
    deliveredBy: uuid.describe('the administrator who delivered it'),
  })
  .meta({ id: 'ArchiveDelivery' });

export const archiveDeliveryListSchema = z
  .object({
    programmeId: z.string(),
    items: z
      .array(archiveDeliverySchema)
      .describe('newest first; GET …/archive-deliveries/{deliveryId}/package gives each zip as it was delivered'),
  })
  .meta({ id: 'ArchiveDeliveryList' });
// ---------------------------------------------------------------------------------------
// Moving running cases to a later version of the process (src/cases/migration.ts)

export const processVersionsSchema = z
  .object({
    programmeId: z.string(),
    current: z.number().int().min(1).describe('the version new cases start on'),
    versions: z.array(
      z.object({
        version: z.number().int().min(1),
        current: z.boolean().describe('new cases start on it'),
        latest: z.boolean().describe('the highest version there is'),
        runningCases: z.number().int().min(0).describe("the programme's running cases on it"),
        reachable: z.boolean().describe('a migration plan leads to it from the version before'),
      }),
    ),
  })
  .meta({ id: 'ProcessVersions' });

export const processMigrationDryRunSchema = z
  .object({
    programmeId: z.string(),
    toVersion: z.number().int().min(1),
    movable: z.number().int().min(0).describe('how many running cases can move'),
    notMovable: z.number().int().min(0).describe('how many cannot (those already on the version among them)'),
    cases: z
      .array(
        z.object({
          caseId: uuid,
          diaryNumber,
          title: z.string(),
          version: z.number().int().min(1).describe("the case's version now: send it in `expectedVersions` to move it only as seen here"),
          machineVersion: z.number().int().min(1).describe('the version of the process it follows now'),
          steps: z.array(step).describe('where it is now'),
          stepText: z.string().describe('where it is now, in words'),
          movable: z.boolean(),
          stepsAfter: z.array(step).nullable().describe('where it would land; null when it cannot move'),
          stepTextAfter: z.string().nullable(),
          reason: z
            .object({
              code: z
                .string()
                .describe(
                  "why it cannot move: not-running, on-this-version, no-plan, state-unknown, or the plan's own reason (e.g. follow-ups-recorded, imported)",
                ),
              message: z.string().describe('the reason in words, in the language asked for'),
            })
            .nullable(),
          filledIn: z.array(z.string()).describe('data the new version needs that the case would get filled in, in words'),
        }),
      )
      .describe('every running case of the programme, by diary number'),
  })
  .meta({ id: 'ProcessMigrationDryRun' });

export const processMigrationDoneSchema = z
  .object({
    toVersion: z.number().int().min(1),
    moved: z.array(
      z.object({
        caseId: uuid,
        diaryNumber,
        fromVersion: z.number().int().min(1),
        version: z.number().int().min(2).describe("the case's new version (its ETag)"),
      }),
    ),
  })
  .meta({ id: 'ProcessMigrationDone' });
// ---------------------------------------------------------------------------------------
// Retention (src/retention)

/** One rule's removal in one pass (a row of retention_runs): no personal data. */
export const retentionRunSchema = z
  .object({
    id: z.string(),
    programmeId: z.string(),
    rule: z.enum(RETENTION_RULES).describe('sentMail: sent e-mail; closedCases: closed cases pseudonymised; logins: records of log-ins'),
    decision: z.string().describe('the reference of the decision (gallringsbeslut) the rule rests on'),
    ranAt: instant,
    removed: count.describe('how many records the rule removed (cases pseudonymised) in the pass'),
    details: z.object({
      before: instant.describe('what was older than this was removed'),
      period: z.object({ unit: z.enum(['days', 'months', 'years']), count }).describe("the rule's period"),
      counts: z.record(z.string(), count).describe('how many of each kind: messages; sessions, failedLogins, logInEntries; cases'),
      diaryNumbers: z.array(z.string()).optional().describe('closedCases: the diary numbers of the cases pseudonymised'),
    }),
  })
  .meta({ id: 'RetentionRun' });

/** GET /api/programmes/{programmeId}/retention */
export const retentionSchema = z
  .object({
    sentMail: z.object({ days: count, decision: z.string() }).nullable().describe('sent e-mail removed this many days after sending'),
    closedCases: z
      .object({ years: count, decision: z.string(), afterDelivery: z.boolean() })
      .nullable()
      .describe(
        "closed cases' personal data pseudonymised this many years after closing (after delivery to the e-archive, when afterDelivery)",
      ),
    logins: z
      .object({ months: count, decision: z.string() })
      .nullable()
      .describe('sessions, failed log-in attempts and log-in entries of the audit removed this many months after they ended'),
    archive: z
      .object({
        recordsCreator: z.object({ name: z.string(), organisationNumber: z.string().optional() }),
        classificationCode: z.string(),
        keepUntilDelivered: z.boolean(),
      })
      .nullable()
      .describe('the archive settings; keepUntilDelivered keeps closed cases until delivered whatever the rule says'),
    runs: z.array(retentionRunSchema).describe('the most recent runs that removed anything, newest first (at most 50)'),
  })
  .describe('the retention rules in force (null: no rule, nothing is removed), each with its decision, and the recent runs')
  .meta({ id: 'Retention' });

/** POST /api/programmes/{programmeId}/retention/run */
export const retentionRunResultSchema = z
  .object({ runs: z.array(retentionRunSchema).describe('one per rule that removed anything; empty when nothing was due') })
  .meta({ id: 'RetentionRunResult' });
