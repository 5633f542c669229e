import { z } from 'zod';
import { ERROR_CODES } from '../../errors.js';
import { CASE_EVENT_TYPES, eventPayloads, type CaseEventType } from '../../../machines/case/schemas.js';
import { ROLES } from '../../../machines/roles.js';

/** problem+json, as every error response is documented. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(ERROR_CODES).describe('stable and machine-readable; src/errors.ts says when each is given'),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    unmet: z.array(z.object({ id: z.string(), subject: z.string().optional(), label: z.string() })).optional(),
    retryAfterSeconds: z.number().int().optional().describe('with too-many-attempts: how long to wait (also in Retry-After)'),
  })
  .passthrough()
  .meta({ id: 'Problem' });

/**
 * An operation's documented answers: its successful ones (schemas from ./answers.ts), then
 * the problems it can answer with. They document and are tested (every answer the test suite
 * gets is checked against them); they are not parsed at run time.
 */
export const answers = (ok: Partial<Record<200 | 201 | 202 | 204, z.ZodType>>, ...problems: number[]) => ({
  ...ok,
  ...Object.fromEntries(problems.map((status) => [status, problemSchema.describe('application/problem+json')])),
});

/** A successful answer without a body. */
export const noContent = (description: string) => z.null().describe(description);

export const caseIdParams = z.object({ id: z.uuid() }).strict();

export const programmeParams = z.object({ programmeId: z.string().max(64) }).strict();

export const idempotencyHeader = z
  .string()
  .min(8)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII')
  .optional()
  .describe('Repeat a request safely: the first response is stored for 24 hours and replayed.');

/**
 * The documented body of POST /api/cases/{id}/events: one variant per event type. The
 * engine validates the payload itself (the idea template's answers depend on the
 * programme), so the route only checks the outer shape.
 */
export const eventBodyDocumented = z
  .discriminatedUnion(
    'type',
    CASE_EVENT_TYPES.map((type) =>
      z
        .object({
          type: z.literal(type),
          payload: eventPayloads[type as CaseEventType],
          role: z.enum(ROLES).optional().describe('act in this role, when the caller holds several'),
        })
        .strict(),
    ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  )
  .meta({ id: 'CaseEvent' });

export const eventBodyOuter = z
  .object({
    type: z.enum(CASE_EVENT_TYPES as [CaseEventType, ...CaseEventType[]]),
    payload: z.unknown().optional(),
    role: z.enum(ROLES).optional(),
  })
  .strict();

/**
 * The If-Match header of a change to a versioned resource, documented as required: its absence
 * is answered 428 by the handler (`parseIfMatch`), not 422 by validation.
 */
export const ifMatchHeaders = (what: string) =>
  z
    .object({
      'if-match': z.string().max(40).optional().describe(`required: ${what}; without it the answer is 428`),
    })
    .passthrough();
