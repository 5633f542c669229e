import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { languageFrom, t, type Language } from '../i18n/index.js';
import { Problem, type ProblemCode } from './problem.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** The cookie the pages' language switch sets for visitors who are not logged in. */
export const LANGUAGE_COOKIE = 'satsa_lang';

export function requestLanguage(request: FastifyRequest): Language {
  if (request.actor) return request.actor.language;
  const chosen = (request.cookies as Record<string, string | undefined> | undefined)?.[LANGUAGE_COOKIE];
  return chosen === 'sv' || chosen === 'en' ? chosen : languageFrom(request.headers['accept-language']);
}

/** Renders a problem as a page; set by the pages, used for browsers outside /api. */
let htmlRenderer: ((request: FastifyRequest, reply: FastifyReply, problem: Problem, title: string) => unknown) | undefined;
export const setHtmlProblemRenderer = (renderer: typeof htmlRenderer) => {
  htmlRenderer = renderer;
};

/** A browser asking for a page (not the API, not the API docs) gets the error as a page. */
const wantsHtml = (request: FastifyRequest) =>
  !request.url.startsWith('/api') && !request.url.startsWith('/docs') && /text\/html/.test(request.headers.accept ?? '');

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem) {
  const lang = requestLanguage(request);
  if (htmlRenderer && wantsHtml(request)) return htmlRenderer(request, reply, problem, t(lang, `problems.${problem.code}`));
  const unmet = problem.extra.unmet?.map((r) => ({
    ...r,
    label: r.label || t(lang, `requirements.${r.id}`, { subject: r.subject ?? '' }),
  }));
  return reply
    .code(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({
      type: `https://satsa.se/problems/${problem.code}`,
      title: t(lang, `problems.${problem.code}`),
      status: problem.status,
      code: problem.code,
      detail: problem.detail,
      instance: request.url.split('?')[0],
      ...problem.extra,
      ...(unmet ? { unmet } : {}),
    });
}

/** Maps Fastify's own errors onto our problem codes. */
function fromFastifyError(error: FastifyError): Problem | undefined {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    return new Problem('validation-failed', `the request ${where} is not valid`, {
      errors: error.validation.map((v) => ({
        path: [where, ...String(v.instancePath ?? '').split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      })),
    });
  }
  const byCode: Partial<Record<string, ProblemCode>> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed-request',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-request',
    FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-request',
    FST_ERR_INVALID_URL: 'malformed-request',
    FST_ERR_BAD_URL: 'malformed-request',
    FST_ERR_ASYNC_CONSTRAINT: 'malformed-request',
  };
  const mapped = error.code ? byCode[error.code] : undefined;
  if (mapped) return new Problem(mapped, error.message);
  if (error instanceof SyntaxError || (error.statusCode === 400 && !error.code?.startsWith('FST_ERR_VALIDATION'))) {
    return new Problem('malformed-request', error.message);
  }
  if (error.statusCode === 415) return new Problem('unsupported-media-type', error.message);
  if (error.statusCode === 413) return new Problem('payload-too-large', error.message);
  return undefined;
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof Problem) return sendProblem(request, reply, error);
    const mapped = fromFastifyError(error);
    if (mapped) return sendProblem(request, reply, mapped);
    request.log.error({ err: { message: error.message, stack: error.stack, code: error.code } }, 'unhandled error');
    return sendProblem(request, reply, new Problem('internal', `request ${request.id} failed; the error is logged`));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new Problem('not-found', `${request.method} ${request.url.split('?')[0]} does not exist`)),
  );
}
