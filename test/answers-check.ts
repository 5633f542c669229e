import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

/*
 * Every answer the test suite gets from the API is checked against the answer the app's own
 * OpenAPI document (/openapi.json) gives for that operation and status: a 2xx against its
 * documented schema (which lists every key: an undocumented field fails too), and an error
 * against the Problem schema. A 2xx the document does not describe fails as well. So the
 * schemas are proved by every test, at no cost to the server at run time.
 */

interface Operation {
  method: string;
  path: string;
  pattern: RegExp;
}

/** The operations (as "METHOD /path/{param} STATUS") whose answers have been checked. */
export const checkedAnswers = new Set<string>();

type Json = Record<string, unknown>;

function operationsOf(document: Json): Operation[] {
  return Object.entries(document.paths as Record<string, Json>)
    .flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({
        method: method.toUpperCase(),
        path,
        // Fixed segments before parameters, so /a/b is not taken for /a/{id}.
        pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)')}$`),
      })),
    )
    .sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
}

/** JSON Pointer of a path (RFC 6901). */
const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

export function answerChecker(document: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  // ajv-formats is CommonJS: its function is the default export's default.
  (formats as unknown as typeof formats.default)(ajv);
  ajv.addSchema(document, 'openapi');
  const operations = operationsOf(document);
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (ref: string) => {
    let validate = compiled.get(ref);
    if (!validate) compiled.set(ref, (validate = ajv.compile({ $ref: ref })));
    return validate;
  };

  /** What is wrong with the answer, or undefined when it is what the document says. */
  return function check(method: string, url: string, status: number, contentType: string, body: string): string | undefined {
    const path = url.split('?')[0]!;
    if (!path.startsWith('/api/')) return undefined;
    const operation = operations.find((o) => o.method === method && o.pattern.test(path));
    const name = operation ? `${method} ${operation.path}` : `${method} ${path}`;
    if (status >= 400) {
      if (!contentType.startsWith('application/problem+json')) return `${name} ${status}: an error that is not problem+json`;
      const validate = validatorFor('openapi#/components/schemas/Problem');
      return validate(JSON.parse(body)) ? undefined : `${name} ${status}: not a Problem: ${ajv.errorsText(validate.errors)}`;
    }
    if (status < 200 || status >= 300) return undefined;
    if (!operation) return `${name} ${status}: the document has no such operation`;
    const responses = ((document.paths as Json)[operation.path] as Record<string, { responses: Record<string, Json> }>)[
      method.toLowerCase()
    ]!.responses;
    const documented = responses[String(status)];
    if (!documented) return `${name} ${status}: the document does not describe this answer`;
    checkedAnswers.add(`${name} ${status}`);
    if (!documented.content) return body === '' ? undefined : `${name} ${status}: documented without a body, but has one`;
    // Other formats of the same answer (?format=csv|html) are documented in words.
    if (!contentType.startsWith('application/json')) return undefined;
    const validate = validatorFor(
      `openapi#${pointer('', 'paths', operation.path, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema')}`,
    );
    return validate(JSON.parse(body))
      ? undefined
      : `${name} ${status}: does not match its documented schema: ${ajv.errorsText(validate.errors, { separator: '\n  ' })}`;
  };
}

/** Makes `app.inject` check every answer it returns against the app's OpenAPI document; a mismatch fails the call. */
export async function checkAnswersOf(app: FastifyInstance) {
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<Json>();
  const check = answerChecker(document);
  const inject = app.inject.bind(app) as (options: InjectOptions | string) => Promise<LightMyRequestResponse>;
  app.inject = (async (options: InjectOptions | string) => {
    const res = await inject(options);
    const { method = 'GET', url = '' } = typeof options === 'string' ? { url: options } : { method: options.method, url: options.url };
    const wrong = check(String(method).toUpperCase(), String(url), res.statusCode, String(res.headers['content-type'] ?? ''), res.body);
    if (wrong) throw new Error(`The answer is not the documented one: ${wrong}\n  body: ${res.body.slice(0, 500)}`);
    return res;
  }) as unknown as FastifyInstance['inject'];
}
