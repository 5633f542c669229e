import { z } from 'zod';
import { FORUM_ROLES, ORGANISATION_KINDS } from '../roles.js';

/*
 * Payload schemas of every event the case machine accepts. They are pure data
 * (no I/O) so the machine, the engine, the API and the OpenAPI document share them.
 */

/** One line of a granted budget: a year's amount, from a grant pool. */
const grantedBudgetLine = z
  .object({
    year: z.number().int().min(2000).max(2100),
    amountOre: z.number().int().positive().max(1e13).describe('whole öre (1 SEK = 100 öre)'),
    pool: z.enum(['state', 'joint']).optional().describe('the grant pool it is taken from; the state grant unless said'),
  })
  .strict();

const shortText = z.string().trim().min(1).max(300);

/**
 * Strings that are choices from the programme's own lists (a municipality), not something a
 * person wrote: the log keeps them as they are (src/engine/log-people.ts encrypts free text).
 */
export const CHOICES = new WeakSet<z.core.$ZodType>();
const choice = z.string().trim().min(1).max(300);
CHOICES.add(choice);
const longText = z.string().trim().min(1).max(20_000);
const isoDate = z.iso.date();
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 13:00');
const id = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and hyphens');

export const protocolReference = z
  .object({
    meetingDate: isoDate,
    paragraph: shortText.describe('the paragraph of the minutes, e.g. § 42'),
    diaryNumber: shortText.describe("the body's own diary number"),
  })
  .strict();

export const participant = z
  .object({
    name: shortText,
    kind: z.enum(ORGANISATION_KINDS),
  })
  .strict();

export const indicator = z
  .object({
    id,
    name: shortText,
    unit: shortText,
    baseline: z.number().finite().optional(),
    target: z.number().finite(),
    description: longText.optional(),
  })
  .strict();

export const activity = z
  .object({
    id,
    title: shortText,
    description: longText.optional(),
    evidence: z
      .object({
        basis: z.enum(['evidence', 'proven-experience']),
        reference: longText,
      })
      .strict()
      .optional(),
  })
  .strict();

export const budgetLine = z
  .object({
    year: z.number().int().min(2000).max(2100),
    costType: shortText,
    amountOre: z.number().int().nonnegative().max(1e13).describe('whole öre (1 SEK = 100 öre)'),
  })
  .strict();

export const proposalFields = z
  .object({
    background: longText,
    purpose: longText,
    goals: z.array(shortText).max(50),
    logic: longText.describe('how the activities are expected to lead to the goals'),
    targetGroup: longText,
    participants: z.array(participant).max(100),
    userParticipation: longText,
    activities: z.array(activity).max(100),
    indicators: z.array(indicator).max(100),
    budget: z.array(budgetLine).max(200),
    economicEffects: longText,
    evaluationPlan: longText,
    implementationPlan: longText,
    // The action-plan structure used across Swedish regions (target group, goals,
    // activities and indicators are above; budget is the estimated cost).
    longTermGoal: longText,
    shortTermGoals: z.array(shortText).max(50),
    followUpPlan: longText.describe('how and when the initiative is followed up'),
    scope: z
      .object({
        level: z.enum(['county', 'sub-regional', 'local']).describe('county-wide, some municipalities, or one'),
        municipalities: z.array(choice).max(400),
      })
      .strict()
      .refine(
        (s) =>
          s.level === 'county'
            ? s.municipalities.length === 0
            : s.level === 'local'
              ? s.municipalities.length === 1
              : s.municipalities.length >= 2,
        {
          path: ['municipalities'],
          message: 'county-wide names no municipality, local names exactly one, sub-regional at least two',
        },
      )
      .refine((s) => new Set(s.municipalities).size === s.municipalities.length, {
        path: ['municipalities'],
        message: 'each municipality once',
      }),
  })
  .partial()
  .strict();
export type ProposalFields = z.infer<typeof proposalFields>;

export const forumAttendance = z
  .object({
    role: z.enum(FORUM_ROLES),
    present: z.boolean(),
    organisation: shortText.optional(),
    absenceReason: longText.optional(),
  })
  .strict();

const empty = z.object({}).strict();

export const eventPayloads = {
  ADD_PARTICIPANT: z
    .object({ userId: z.uuid() })
    .strict()
    .describe('a user of the programme who takes part in the case and may see it and co-write it'),
  CONTACT_COORDINATORS: z.object({ message: longText }).strict(),
  ASSESS_ELIGIBLE: z.object({ priorityAreaId: id, justification: longText }).strict(),
  ASSESS_NOT_ELIGIBLE: z.object({ reason: longText }).strict(),
  SUBMIT_IDEA_TEMPLATE: z
    .object({ answers: z.record(z.string().max(64), z.unknown()) })
    .strict()
    .describe("answers to the programme's idea template, keyed by field id"),
  PLACE_ON_AGENDA: z.object({ meetingDate: isoDate }).strict(),
  RECORD_COORDINATION_GROUP_REVIEW: z
    .object({
      meetingDate: isoDate,
      actorsToInvolve: z.array(participant).max(100),
      notes: longText.optional(),
    })
    .strict(),
  BOOK_DIALOGUE_FORUM: z
    .object({
      date: isoDate,
      startTime: clockTime.optional().describe('Swedish local time, e.g. 13:00; without it the invitation is all-day'),
      endTime: clockTime.optional(),
      place: shortText,
      format: shortText.optional(),
    })
    .strict()
    .refine((b) => !b.endTime || b.startTime !== undefined, {
      path: ['startTime'],
      message: 'an end time needs a start time',
    })
    .refine((b) => !b.endTime || !b.startTime || b.endTime > b.startTime, {
      path: ['endTime'],
      message: 'the end time must be after the start time',
    }),
  RECORD_DIALOGUE_FORUM: z
    .object({
      date: isoDate,
      attendance: z.array(forumAttendance).min(1).max(50),
      summary: longText,
    })
    .strict(),
  RECORD_TARGET_GROUP_DIALOGUE: z.object({ date: isoDate, targetGroups: z.array(shortText).min(1).max(50), summary: longText }).strict(),
  SKIP_TARGET_GROUP_DIALOGUE: z.object({ reason: longText }).strict(),
  RECORD_CHECK_IN: z
    .object({ date: isoDate, group: shortText, notes: longText })
    .strict()
    .describe('a check-in with a management or collaboration group (step 7)'),
  START_PROPOSAL: empty,
  UPDATE_PROPOSAL: proposalFields,
  ASSESS_CRITERION: z.object({ criterionId: id, fulfilled: z.boolean(), justification: longText }).strict(),
  SUBMIT_TO_LSVO: empty,
  RECORD_RECOMMENDATION: z
    .object({
      recommendation: z.enum(['approve', 'reject', 'revise']),
      motivation: longText,
      protocol: protocolReference,
    })
    .strict(),
  RECORD_DECISION: z
    .object({
      decision: z.enum(['approve', 'reject', 'revise']),
      motivation: longText,
      deviationMotivation: longText.optional(),
      grantedBudget: z.array(grantedBudgetLine).max(20).optional(),
      budgetOverride: z.object({ motivation: longText }).strict().optional().describe('grant more than remains in the pool, and say why'),
      reference: shortText.optional().describe("the decision's own reference, e.g. its diary number"),
      followUpDates: z.array(isoDate).max(100).optional(),
      followUpRhythm: z
        .object({ every: z.enum(['quarter', 'half-year', 'year']), from: isoDate, until: isoDate })
        .strict()
        .refine((r) => r.until >= r.from, { path: ['until'], message: 'until must not be before from' })
        .optional()
        .describe('follow-up dates by rhythm; added to followUpDates'),
    })
    .strict(),
  WITHDRAW: z.object({ reason: longText }).strict(),
  RECORD_FOLLOW_UP: z
    .object({
      date: isoDate,
      indicatorValues: z.array(z.object({ indicatorId: id, value: z.number().finite() }).strict()).max(100),
      spentToDateOre: z.number().int().nonnegative().max(1e13),
      narrative: longText,
      conclusion: z.enum(['continue', 'adjust', 'stop']),
      adjustment: longText.optional(),
    })
    .strict(),
  SUBMIT_FOLLOW_UP_REPORT: z
    .object({
      followUpDate: isoDate.describe("one of the decision's follow-up dates not yet reported"),
      indicatorValues: z.array(z.object({ indicatorId: id, value: z.number().finite() }).strict()).max(100),
      spentToDateOre: z.number().int().nonnegative().max(1e13).describe('whole öre (1 SEK = 100 öre) spent so far'),
      done: longText.describe('what was done since the last report'),
      results: longText.describe('what it has led to so far'),
      deviations: longText.optional().describe('what went otherwise than planned, and why'),
    })
    .strict()
    .describe("the initiator's follow-up report for one of the decision's follow-up dates (machine version 4)"),
  END_INITIATIVE: z.object({ endDate: isoDate, summary: longText }).strict(),
  RECORD_SEMINAR: z.object({ date: isoDate, title: shortText, audience: shortText, material: longText.optional() }).strict(),
  UPDATE_SCALE_UP_PLAN: z.object({ plan: longText }).strict(),
  RECORD_SCALE_UP_RECOMMENDATION: z
    .object({
      recommendation: z.enum(['implement', 'scale-up', 'end']),
      motivation: longText,
      protocol: protocolReference,
    })
    .strict(),
  RECORD_SCALE_UP_DECISION: z
    .object({
      decision: z.enum(['implement', 'scale-up', 'end']),
      motivation: longText,
      deviationMotivation: longText.optional(),
    })
    .strict(),
  IMPORT_DECIDED: z
    .object({
      title: shortText,
      summary: longText,
      priorityAreaId: id,
      decisionDate: isoDate.describe('the day the decision was made (not the day it was recorded)'),
      decidingBody: shortText.describe('who decided, e.g. Regiondirektören'),
      reference: shortText.describe("the decision's own reference, e.g. its diary number or paragraph"),
      motivation: longText.optional(),
      grantedBudget: z.array(grantedBudgetLine).min(1).max(20),
      followUpDates: z.array(isoDate).max(100).describe('dates before the import set no reminder'),
      endDate: isoDate.optional(),
      source: z
        .object({
          fileName: shortText,
          fileSha256: z.string().regex(/^[0-9a-f]{64}$/),
          sheet: shortText.optional().describe("the workbook's sheet; none for a CSV file"),
          row: z.number().int().min(2).describe('the row as the spreadsheet shows it (the header is row 1)'),
        })
        .strict(),
    })
    .strict()
    .describe('a decided initiative recorded from a spreadsheet (machine version 3): the first event of its case, which starts at step 10'),
} as const;

export type CaseEventType = keyof typeof eventPayloads;
export const CASE_EVENT_TYPES = Object.keys(eventPayloads) as CaseEventType[];
export type PayloadOf<T extends CaseEventType> = z.infer<(typeof eventPayloads)[T]>;

/** Who sent an event, as which role, and when. Travels in the event so guards stay pure. */
export interface EventMeta {
  actorId: string;
  role: string;
  at: string;
}

export type CaseEvent = {
  [K in CaseEventType]: { type: K; payload: PayloadOf<K>; meta: EventMeta };
}[CaseEventType];

export type CaseEventOf<K extends CaseEventType> = Extract<CaseEvent, { type: K }>;
