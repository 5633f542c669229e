import type { FastifyInstance, FastifyReply } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createCaseSchema, listQuerySchema, type CaseService } from '../../cases/service.js';
import type { GroupCommit } from '../../db/group-commit.js';
import type { Response } from '../../engine/engine.js';
import { requireActor } from '../../http/auth.js';
import { requestLanguage } from '../../http/errors.js';
import { Problem, fieldErrors } from '../../http/problem.js';
import { caseIdParams, errorResponses, eventBodyDocumented, eventBodyOuter, idempotencyHeader } from './schemas.js';

const send = (reply: FastifyReply, response: Response) => reply.code(response.status).headers(response.headers).send(response.body);

/** `If-Match: "7"` (or W/"7" or 7) → 7. */
function parseIfMatch(value: string | undefined): number {
  if (value === undefined) throw new Problem('if-match-required', 'send If-Match with the ETag of the case you looked at');
  const match = /^\s*(?:W\/)?"?(\d{1,12})"?\s*$/.exec(value);
  if (!match) {
    throw new Problem('validation-failed', 'If-Match must be the ETag of the case, e.g. "3"', {
      errors: [{ path: 'headers.if-match', message: 'not an ETag this API returned' }],
    });
  }
  return Number(match[1]);
}

export function caseRoutes(app: FastifyInstance, service: CaseService, commits: GroupCommit) {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const idempotencyHeaders = z.object({ 'idempotency-key': idempotencyHeader }).passthrough();

  api.get(
    '/api/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'List the cases the caller may see, newest first, with filters and cursor paging',
        querystring: listQuerySchema,
        response: errorResponses(401, 422),
      },
      preValidation: requireActor,
    },
    async (request) => service.list(request.actor!, request.query, requestLanguage(request)),
  );

  api.post(
    '/api/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Raise an idea (step 1) as an initiator',
        body: createCaseSchema,
        headers: idempotencyHeaders,
        response: errorResponses(401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) =>
      send(
        reply,
        await commits.run(() => service.create(request.actor!, request.body, requestLanguage(request), request.headers['idempotency-key'])),
      ),
  );

  api.get(
    '/api/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'One case: where it stands, its data, its version as ETag, and what the caller may do now',
        params: caseIdParams,
        response: errorResponses(401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => send(reply, service.get(request.actor!, request.params.id, requestLanguage(request))),
  );

  api.get(
    '/api/cases/:id/history',
    {
      schema: {
        tags: ['cases'],
        summary: "The case's complete event log: who did what, as which role, when, and the state before and after",
        params: caseIdParams,
        response: errorResponses(401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => send(reply, service.history(request.actor!, request.params.id, requestLanguage(request))),
  );

  api.post(
    '/api/cases/:id/events',
    {
      schema: {
        tags: ['cases'],
        summary: 'Send an event to a case (If-Match required)',
        description:
          '409 when the current step does not accept the event, 422 when the payload or a requirement fails ' +
          '(every failing field or requirement is listed), 403 when the role may not send it, 412 when If-Match is stale. ' +
          'With Prefer: return=minimal the answer is 204 with the new ETag, without the case.',
        params: caseIdParams,
        headers: z
          .object({
            'if-match': z.string().max(40).optional().describe('the ETag of the case, e.g. "3" (required)'),
            'idempotency-key': idempotencyHeader,
            prefer: z
              .string()
              .max(200)
              .optional()
              .describe('return=minimal: answer 204 with the new ETag only, without the case (RFC 7240)'),
          })
          .passthrough(),
        body: eventBodyDocumented,
        response: errorResponses(401, 403, 404, 409, 412, 422, 428),
      },
      // The documented union gives poor messages; the outer shape is checked here and the
      // payload by the engine, which reports each failing field under `payload.`. So the union
      // documents the body and is not run: parsing 25 alternatives for every command was waste.
      validatorCompiler: (route) => (route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0])),
      attachValidation: true,
      preValidation: requireActor,
    },
    async (request, reply) => {
      // Fastify validates params first and stops at the first failure, so a failure outside the
      // body is reported as it is; the idempotency key is checked here as the body may have failed first.
      if (request.validationError && request.validationError.validationContext !== 'body') throw request.validationError;
      const key = idempotencyHeader.safeParse(request.headers['idempotency-key']);
      if (!key.success) {
        throw new Problem('validation-failed', 'the Idempotency-Key is not valid', {
          errors: fieldErrors(key.error.issues, 'headers.idempotency-key'),
        });
      }
      const expectedVersion = parseIfMatch(request.headers['if-match']);
      const body = eventBodyOuter.safeParse(request.body);
      if (!body.success) {
        throw new Problem('validation-failed', 'the event is not valid', { errors: fieldErrors(body.error.issues) });
      }
      const lang = requestLanguage(request);
      const minimal = /(^|[\s,;])return=minimal(\s*($|[,;]))/i.test(String(request.headers.prefer ?? ''));
      const response = await commits.run(() =>
        service.send(request.actor!, request.params.id, body.data, expectedVersion, lang, request.headers['idempotency-key'], minimal),
      );
      return send(reply, response);
    },
  );
}
