import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, type ErrorCode } from '../errors.js';
import { t } from '../i18n/index.js';
import { requestLanguage } from './language.js';

/*
 * The one place where an error becomes an HTTP answer: each error code's status, Fastify's
 * own errors turned into ours, and the RFC 9457 problem+json body. The API sends that body;
 * the pages (src/routes/pages/) show the same status as a page.
 */

/** Every error code's HTTP status. A new code without a status does not compile. */
export const STATUS_OF: Record<ErrorCode, number> = {
  'malformed-request': 400,
  unauthenticated: 401,
  'invalid-credentials': 401,
  forbidden: 403,
  'csrf-token-invalid': 403,
  'not-found': 404,
  'event-not-accepted': 409,
  conflict: 409,
  'version-mismatch': 412,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'validation-failed': 422,
  'requirements-not-met': 422,
  'budget-exceeds-pool': 422,
  'case-not-running': 422,
  'idempotency-key-reused': 422,
  'if-match-required': 428,
  'too-many-attempts': 429,
  'password-change-required': 403,
  'link-invalid': 410,
  'sso-failed': 400,
  'sso-unavailable': 502,
  'sso-no-account': 403,
  'sso-email-refused': 403,
  'must-be-kept': 409,
  internal: 500,
  'service-unavailable': 503,
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Maps Fastify's own errors (validation, body parsing, routing) onto our codes. */
function fromFastifyError(error: FastifyError): DomainError | undefined {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    return new DomainError('validation-failed', `the request ${where} is not valid`, {
      errors: error.validation.map((v) => ({
        path: [
          where,
          ...String(v.instancePath ?? '')
            .split('/')
            .filter(Boolean),
        ].join('.'),
        message: v.message ?? 'invalid',
      })),
    });
  }
  const byCode: Partial<Record<string, ErrorCode>> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed-request',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-request',
    FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-request',
    FST_ERR_INVALID_URL: 'malformed-request',
    FST_ERR_BAD_URL: 'malformed-request',
    FST_ERR_ASYNC_CONSTRAINT: 'malformed-request',
  };
  // @fastify/static (which serves the API reference's files under /docs/static) refuses a path
  // that climbs out of its folder (`..`, also as %2e%2e) with a 403 of its own; to a caller
  // such a file simply does not exist.
  if (error.code === 'FST_STATIC_FORBIDDEN_PATH') return new DomainError('not-found', 'no such file');
  const mapped = error.code ? byCode[error.code] : undefined;
  if (mapped) return new DomainError(mapped, error.message);
  if (error instanceof SyntaxError || (error.statusCode === 400 && !error.code?.startsWith('FST_ERR_VALIDATION'))) {
    return new DomainError('malformed-request', error.message);
  }
  if (error.statusCode === 415) return new DomainError('unsupported-media-type', error.message);
  if (error.statusCode === 413) return new DomainError('payload-too-large', error.message);
  return undefined;
}

/**
 * Any error as one of ours: a DomainError as it is, Fastify's errors mapped, anything else
 * logged (without personal data) and answered as `internal` with no details.
 */
export function asDomainError(error: unknown, request: FastifyRequest): DomainError {
  if (error instanceof DomainError) return error;
  const mapped = fromFastifyError(error as FastifyError);
  if (mapped) return mapped;
  const e = error as FastifyError;
  request.log.error({ err: { message: e?.message, stack: e?.stack, code: e?.code } }, 'unhandled error');
  return new DomainError('internal', `request ${request.id} failed; the error is logged`);
}

/** The RFC 9457 body of an error, its title and requirement labels in the caller's language. */
export function problemBody(request: FastifyRequest, error: DomainError) {
  const lang = requestLanguage(request);
  const unmet = error.details.unmet?.map(({ subjectWords, ...r }) => ({
    ...r,
    label:
      r.label ||
      t(lang, `requirements.${r.id}`, { subject: subjectWords?.[lang] ?? r.subject ?? '' })
        .replace(/\s+([.,:])/g, '$1')
        .replace(/\s{2,}/g, ' '),
  }));
  return {
    type: `https://satsa.se/problems/${error.code}`,
    title: t(lang, `problems.${error.code}`),
    status: STATUS_OF[error.code],
    code: error.code,
    detail: error.detail,
    instance: request.url.split('?')[0],
    ...error.details,
    ...(unmet ? { unmet } : {}),
  };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: DomainError) {
  const retryAfter = error.details.retryAfterSeconds;
  if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  return reply.code(STATUS_OF[error.code]).type(PROBLEM_CONTENT_TYPE).send(problemBody(request, error));
}

/** The API's error handler: every error as problem+json. */
export function problemErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(request, reply, asDomainError(error, request));
}

/** The API's answer to a path it does not have. */
export function problemNotFound(request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(request, reply, new DomainError('not-found', `${request.method} ${request.url.split('?')[0]} does not exist`));
}
