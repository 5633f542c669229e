import type { FastifyReply } from 'fastify';
import { validatorCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createCaseSchema, historyQuerySchema, listQuerySchema, type CaseService } from '../../cases/service.js';

/**
 * The largest event a case takes, as JSON: every payload is stored in the event log for good
 * and comes back in each history page, so its size is bounded where it enters.
 */
export const EVENT_BODY_MAX_BYTES = 256 * 1024;
import type { GroupCommit } from '../../db/group-commit.js';
import { DomainError, fieldErrors } from '../../errors.js';
import { requireActor } from '../../http/auth.js';
import { etagOf, parseIfMatch, prefersMinimal } from '../../http/conditional.js';
import { keyOf, type Answer, type Idempotency } from '../../http/idempotency.js';
import { requestLanguage } from '../../http/language.js';
import { caseHistorySchema, caseListSchema, caseViewSchema } from './answers.js';
import { answers, caseIdParams, eventBodyDocumented, eventBodyOuter, idempotencyHeader, noContent } from './schemas.js';

export interface CaseRouteDeps {
  cases: CaseService;
  commits: GroupCommit;
  idempotency: Idempotency;
}

const eventHeaders = z
  .object({
    'if-match': z.string().max(40).describe('the ETag of the case you looked at, e.g. "3"; without it the answer is 428'),
    'idempotency-key': idempotencyHeader,
    prefer: z.string().max(200).optional().describe('return=minimal: answer 204 with the new ETag only, without the case (RFC 7240)'),
  })
  .passthrough();
const eventHeadersChecked = eventHeaders.partial({ 'if-match': true });

const send = (reply: FastifyReply, answer: Answer) => reply.code(answer.status).headers(answer.headers).send(answer.body);

/** Cases: the list, one case, its history, a new idea and events (the commands). */
export const caseRoutes: FastifyPluginAsyncZod<CaseRouteDeps> = async (app, { cases, commits, idempotency }) => {
  const idempotencyHeaders = z.object({ 'idempotency-key': idempotencyHeader }).passthrough();

  app.get(
    '/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'List the cases the caller may see, newest first, with filters and cursor paging',
        querystring: listQuerySchema,
        response: answers({ 200: caseListSchema }, 401, 422),
      },
      preValidation: requireActor,
    },
    async (request) => cases.list(request.actor!, request.query, requestLanguage(request)),
  );

  app.post(
    '/cases',
    {
      schema: {
        tags: ['cases'],
        summary: 'Raise an idea (step 1) as an initiator',
        body: createCaseSchema,
        headers: idempotencyHeaders,
        response: answers({ 201: caseViewSchema }, 401, 403, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const actor = request.actor!;
      const lang = requestLanguage(request);
      const idem = keyOf(request.headers['idempotency-key'], ['create', request.body]);
      const answer = await commits.run(() =>
        idempotency.run(actor.id, idem, () => {
          const view = cases.create(actor, request.body, lang);
          return { status: 201, body: view, headers: { etag: etagOf(view.version), location: `/api/cases/${view.id}` } };
        }),
      );
      return send(reply, answer);
    },
  );

  app.get(
    '/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'One case: where it stands, its data, its version as ETag, and what the caller may do now',
        params: caseIdParams,
        response: answers({ 200: caseViewSchema }, 401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const view = cases.get(request.actor!, request.params.id, requestLanguage(request));
      return reply.header('etag', etagOf(view.version)).send(view);
    },
  );

  app.get(
    '/cases/:id/history',
    {
      schema: {
        tags: ['cases'],
        summary: "The case's event log, a page at a time: who did what, as which role, when, and the state before and after",
        description:
          'Oldest first. The first page unless `cursor` is given (the `nextCursor` of the page before); 100 events a page unless `limit` says (at most 500). ' +
          `Each event's payload is at most ${EVENT_BODY_MAX_BYTES} bytes of JSON (see POST /api/cases/{id}/events).`,
        params: caseIdParams,
        querystring: historyQuerySchema,
        response: answers({ 200: caseHistorySchema }, 401, 404, 422),
      },
      preValidation: requireActor,
    },
    async (request, reply) => {
      const history = cases.history(request.actor!, request.params.id, requestLanguage(request), request.query);
      return reply.header('etag', etagOf(history.version)).send(history);
    },
  );

  app.post(
    '/cases/:id/events',
    {
      schema: {
        tags: ['cases'],
        summary: 'Send an event to a case (If-Match required)',
        description:
          `The body (the event with its payload) is at most ${EVENT_BODY_MAX_BYTES} bytes of JSON; a larger one is 413 and nothing is written. ` +
          '409 when the current step does not accept the event, 422 when the payload or a requirement fails ' +
          '(every failing field or requirement is listed), 403 when the role may not send it, 412 when If-Match is stale. ' +
          'With Prefer: return=minimal the answer is 204 with the new ETag, without the case.',
        params: caseIdParams,
        headers: eventHeaders,
        body: eventBodyDocumented,
        response: answers(
          { 200: caseViewSchema, 204: noContent('With Prefer: return=minimal: the new ETag and Preference-Applied, without the case') },
          401,
          403,
          404,
          409,
          412,
          413,
          422,
          428,
        ),
      },
      // The documented union gives poor messages; the outer shape is checked here and the
      // payload by the engine, which reports each failing field under `payload.`. So the union
      // documents the body and is not run: parsing 25 alternatives for every command was waste.
      // If-Match is documented as required; its absence is answered 428 by the handler, not 422.
      validatorCompiler: (route) =>
        route.httpPart === 'body'
          ? (data: unknown) => ({ value: data })
          : validatorCompiler({
              ...route,
              schema: route.httpPart === 'headers' ? eventHeadersChecked : route.schema,
            } as unknown as Parameters<typeof validatorCompiler>[0]),
      attachValidation: true,
      bodyLimit: EVENT_BODY_MAX_BYTES,
      preValidation: requireActor,
    },
    async (request, reply) => {
      // Fastify validates params first and stops at the first failure, so a failure outside the
      // body is reported as it is; the idempotency key is checked here as the body may have failed first.
      if (request.validationError && request.validationError.validationContext !== 'body') throw request.validationError;
      const key = idempotencyHeader.safeParse(request.headers['idempotency-key']);
      if (!key.success) {
        throw new DomainError('validation-failed', 'the Idempotency-Key is not valid', {
          errors: fieldErrors(key.error.issues, 'headers.idempotency-key'),
        });
      }
      const expectedVersion = parseIfMatch(request.headers['if-match']);
      const body = eventBodyOuter.safeParse(request.body);
      if (!body.success) throw new DomainError('validation-failed', 'the event is not valid', { errors: fieldErrors(body.error.issues) });
      const actor = request.actor!;
      const caseId = request.params.id;
      const lang = requestLanguage(request);
      const minimal = prefersMinimal(request.headers.prefer);
      const idem = keyOf(key.data, [caseId, expectedVersion, body.data, minimal]);
      const answer = await commits.run(() =>
        idempotency.run(actor.id, idem, (): Answer => {
          const result = cases.send(actor, caseId, body.data, expectedVersion, lang, { minimal });
          return minimal
            ? { status: 204, body: null, headers: { etag: etagOf(result.version), 'preference-applied': 'return=minimal' } }
            : { status: 200, body: result.view, headers: { etag: etagOf(result.version) } };
        }),
      );
      return send(reply, answer);
    },
  );
};
