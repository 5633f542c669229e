import { isDeepStrictEqual } from 'node:util';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, expect, it } from 'vitest';
import { EVENT_ROLES } from '../../machines/case/catalogue.js';
import type { CaseEventType } from '../../machines/case/schemas.js';
import { FULL_STORY } from '../../src/demo/story.js';
import { PROGRAMME, advance, auth, createCase, createTestApp, tableCounts } from '../helpers.js';

/*
 * Fuzzing from the served OpenAPI document (GET /docs/json). For every /api operation it lists,
 * requests are generated from the operation's own schemas: a valid-looking baseline, then
 * mutations of it — each field missing, of every wrong type, out of range, huge or deeply nested;
 * unicode and other odd text (emoji, RTL, NUL, lone surrogates, …); unknown fields; bodies that
 * are invalid JSON, randomly corrupted, not an object, 2 MB, or of the wrong content type; path
 * parameters with traversal and junk; query and header parameters with junk. Each goes out
 * without credentials and as an initiator, a county coordinator and an administrator (field
 * mutations of an event go as the role that may send it, so that they reach the engine).
 *
 * What it proves, over several thousand requests: no response is a 5xx; every error is
 * application/problem+json whose `status` is the response's; a body over the 1 MiB limit is a
 * 413; and no rejected request changed the database (the row count of every table, the cases'
 * versions and the users' preferences are compared around every 4xx).
 * Everything is generated from a seeded PRNG: FUZZ_SEED=<n> reproduces or varies a run.
 */

// ---------------------------------------------------------------- deterministic randomness

const SEED = Number(process.env.FUZZ_SEED ?? 20260115);
let rngState = SEED >>> 0;
/** mulberry32: small, fast, seeded. */
function rand(): number {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let x = rngState;
  x = Math.imul(x ^ (x >>> 15), x | 1);
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
}
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

// ---------------------------------------------------------------- the app, its document, fixtures

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  oneOf?: Schema[];
  allOf?: Schema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
}
interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
}

const t = await createTestApp();
afterAll(() => t.close());

const docResponse = await t.app.inject({ method: 'GET', url: '/docs/json' });
const doc = docResponse.json() as {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components: { schemas: Record<string, Schema> };
};
const operations: Operation[] = Object.entries(doc.paths)
  .filter(([path]) => path.startsWith('/api/'))
  .flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content['application/json']?.schema,
      })),
  );

const resolve = (s: Schema): Schema =>
  s.$ref ? resolve(doc.components.schemas[s.$ref.split('/').pop()!]!) : s.allOf?.length === 1 ? resolve(s.allOf[0]!) : s;

const CALLERS: Record<string, string | undefined> = {
  anonymous: undefined,
  initiator: t.tokens.initiator,
  'county-coordinator': t.tokens['county-coordinator'],
  administrator: t.tokens.administrator,
};
/** The case the read routes and the path mutations use: at step 2. */
const readCase = await createCase(t, 'Fuzz: läses');
advance(t, readCase, FULL_STORY.slice(0, 2));
const outboxId = (t.services.db.$client.prepare('SELECT id FROM outbox LIMIT 1').get() as { id: string } | undefined)?.id;

/** Event types the story does not send, and the story event they stand in for. */
const SAME_PLACE: Record<string, string> = {
  ASSESS_NOT_ELIGIBLE: 'ASSESS_ELIGIBLE',
  SKIP_TARGET_GROUP_DIALOGUE: 'RECORD_TARGET_GROUP_DIALOGUE',
};
const targets = new Map<string, string>();
/** A case where `type` is the next event. Events are sent in a transaction that is rolled back, so it stays there. */
async function caseFor(type: string): Promise<string> {
  let id = targets.get(type);
  if (!id) {
    id = await createCase(t, `Fuzz: ${type}`);
    advance(
      t,
      id,
      FULL_STORY.slice(
        0,
        Math.max(
          0,
          FULL_STORY.findIndex((s) => s.type === (SAME_PLACE[type] ?? type)),
        ),
      ),
    );
    targets.set(type, id);
    known = undefined;
  }
  return id;
}
const version = (id: string) =>
  (t.services.db.$client.prepare('SELECT version FROM cases WHERE id = ?').get(id) as { version: number } | undefined)?.version ?? 1;

/** What a rejected request must leave alone: every table's row count, cases' versions, users' settings. */
const dbState = () => ({
  counts: tableCounts(t),
  cases: t.services.db.$client.prepare("SELECT group_concat(id || ':' || version) AS v FROM cases").get(),
  users: t.services.db.$client.prepare('SELECT group_concat(language || muted_notifications) AS v FROM users').get(),
});
type DbState = ReturnType<typeof dbState>;
/** The database state as of the last request, when known: the next request's "before". */
let known: DbState | undefined;

/** What differs between two states, e.g. "grant_pools 9→10". */
function changes(before: DbState, after: DbState): string {
  return [
    ...Object.keys(after.counts)
      .filter((k) => before.counts[k] !== after.counts[k])
      .map((k) => `${k} ${before.counts[k]}→${after.counts[k]}`),
    ...(isDeepStrictEqual(before.cases, after.cases) ? [] : ['a case version']),
    ...(isDeepStrictEqual(before.users, after.users) ? [] : ["a user's preferences"]),
  ].join(', ');
}

// ---------------------------------------------------------------- valid-looking values

const HINTS: Record<string, unknown> = {
  programmeId: PROGRAMME,
  priorityAreaId: 'barn-och-unga',
  email: 'initiator@test.satsa.se',
  userId: t.actors['county-coordinator'].id,
  year: 2026,
  kind: 'joint',
};

function sample(schema: Schema, name?: string): unknown {
  const s = resolve(schema);
  if (name && name in HINTS) return HINTS[name];
  if (s.enum) return pick(s.enum);
  if (s.oneOf) return sample(pick(s.oneOf));
  switch (s.type) {
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(v, k)]));
    case 'array':
      return s.items ? [sample(s.items)] : [];
    case 'boolean':
      return rand() < 0.5;
    case 'integer':
    case 'number': {
      const min = (s.minimum ?? 0) + (s.exclusiveMinimum ? 1 : 0);
      return min + int(Math.min((s.maximum ?? min + 1000) - min, 1000));
    }
    case 'string': {
      const length = Math.min(Math.max(s.minLength ?? 1, 6), s.maxLength ?? 64);
      const word = Array.from({ length }, () => pick([...'abcdefghijklmnopqrstuvwxyz'])).join('');
      const fits = (v: string) => (!s.pattern || new RegExp(s.pattern).test(v)) && v.length <= (s.maxLength ?? Infinity);
      return [word, '2026-03-10', '10:00', readCase].find(fits) ?? word;
    }
    default:
      return 'fuzz';
  }
}

// ---------------------------------------------------------------- junk

const MiB = 1024 * 1024;
const DEEP = '"@deep@"'; // becomes 50 000 nested arrays when serialised
const TYPE_EXAMPLES: [string, unknown][] = [
  ['string', 'fuzz'],
  ['integer', 7],
  ['number', 1.5],
  ['boolean', true],
  ['null', null],
  ['object', { a: 1 }],
  ['array', ['x']],
];
/** Odd text: the first three are invalid almost everywhere, the rest often valid. */
const STRING_JUNK: [string, string][] = [
  ['empty', ''],
  ['blank', ' \t\n '],
  ['100 kB', 'x'.repeat(100 * 1024)],
  ['emoji', '😀👨‍👩‍👧‍👦🇸🇪'],
  ['RTL', 'مرحبا \u202Eevil\u202C שלום'],
  ['NUL', 'a\u0000b'],
  ['lone high surrogate', '\ud800'],
  ['lone low surrogate', 'x\udfffy'],
  ['zero-width and BOM', '\u200b\ufeff\u200d'],
  ['combining marks', 'e\u0301'.repeat(500)],
  ['noncharacters', '\uffff\ufffe'],
  ['control characters', '\u0001\u001b[31m\r\n'],
  ['SQL', "' OR 1=1 --"],
  ['markup and templates', '<script>alert(1)</script>{{constructor}}${7*7}%s%n'],
  ['traversal', '../../etc/passwd'],
];
const NUMBER_JUNK = [-1, 0, 1.5, 2 ** 53 + 1, 1e308, -1e308, 1e-300];
/** Path segments, as URL text. */
const PATH_JUNK = [
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '../../etc/passwd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%252e%252e%252f',
  '..%00',
  '%00',
  '..',
  '%2e%2e',
  '..%5C..%5Cwindows%5Cwin.ini',
  '%C0%AE%C0%AE%C0%AF',
  "'%20OR%201=1%20--",
  '1%3BDROP%20TABLE%20cases',
  '%22%3E%3Cscript%3E',
  'x'.repeat(100),
  'x'.repeat(101),
  '9'.repeat(5000),
  '%F0%9F%98%80',
  '%E2%80%AE%D9%85%D8%B1',
  '%ED%A0%80',
  '%ZZ',
  '%',
  '%20',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '3f0c5b1e-8d3a-4e2b-9c1d-2a4b6c8d0e1f',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'null',
  '-1',
  '1e3',
  '2026.5',
  '0x7EA',
  '99999999999999999999',
  'uph-other',
];
/** Query values, as URL text. */
const QUERY_JUNK = [
  '',
  '%20',
  'abc',
  '-1',
  '0',
  '1.5',
  '1e309',
  '99999999999999999999',
  'NaN',
  '0x10',
  'null',
  '%00',
  '%ED%A0%80',
  '%ZZ',
  '%F0%9F%98%80',
  "'%20OR%201=1%20--",
  '..%2F..%2Fetc%2Fpasswd',
  'x'.repeat(100 * 1024),
];
const HEADER_JUNK = [
  ...['', ' ', 'short', 'x'.repeat(201), 'x'.repeat(64 * 1024), 'nyckel-åäö-123', "' OR 1=1 --"],
  ...['"1"', '*', 'W/"1"', '"9999999999999"', '"-1"', '"1", "2"'],
];
const NOT_OBJECTS = ['[]', 'null', '"x"', '42', 'true', '[{}]'];
const BAD_JSON = [
  '',
  ' ',
  '{',
  '{"a":',
  "{'a':1}",
  '{"a":1,}',
  '{a:1}',
  'NaN',
  '[1,2',
  '\ufeff{}',
  '{"a":"\\x"}',
  '{"a":1}{"b":2}',
  'undefined',
];
const CONTENT_TYPES: (string | undefined)[] = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/xml',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/json-patch+json',
  'APPLICATION/JSON',
  '*/*',
  undefined,
];

// ---------------------------------------------------------------- requests and their mutations

type Body = { json: unknown } | { raw: string; type?: string };
interface Draft {
  what: string;
  path: Record<string, string>; // URL text per path parameter
  query: string[]; // URL text, 'k=v'
  headers: Record<string, string>;
  body?: Body;
}
type Path = (string | number)[];
const REMOVE = Symbol('remove');

function setAt(value: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  const child = setAt(copy[head!], rest, next);
  if (child === REMOVE) delete copy[head!];
  else copy[head!] = child;
  return copy;
}
const at = (value: unknown, path: Path) => path.reduce<unknown>((o, k) => (o as Record<string | number, unknown> | undefined)?.[k], value);
const freeText = (s: Schema) => s.type === 'string' && !s.enum && !s.pattern && !s.format;

/** Every field of `value` by its schema (and every key of a free-form object), depth first. */
function* fields(schema: Schema, value: unknown, path: Path = []): Generator<{ path: Path; schema: Schema }> {
  const s = resolve(schema);
  if (s.type === 'object' && value && typeof value === 'object') {
    const props = { ...Object.fromEntries(Object.keys(value).map((k) => [k, {}])), ...s.properties };
    for (const [k, sub] of Object.entries(props)) {
      yield { path: [...path, k], schema: resolve(sub) };
      const child = (value as Record<string, unknown>)[k];
      if (child !== undefined) yield* fields(sub, child, [...path, k]);
    }
  }
  if (s.type === 'array' && s.items && Array.isArray(value) && value.length > 0) {
    yield { path: [...path, 0], schema: resolve(s.items) };
    yield* fields(s.items, value[0], [...path, 0]);
  }
}

/** Values that break `s`: every other type, then junk of its own type. */
function* wrongValues(s: Schema, current: unknown): Generator<[string, unknown]> {
  const numeric = s.type === 'integer' || s.type === 'number';
  for (const [type, v] of TYPE_EXAMPLES) {
    // 7 is wrong for a string and 1.5 for an integer; 1.5 adds nothing for a string, 7 nothing for a number.
    if (type !== s.type && !(type === 'integer' && s.type === 'number') && !(type === 'number' && !numeric)) yield [type, v];
  }
  if (s.type === undefined || s.type === 'object' || s.type === 'array') yield ['50 000 levels deep', DEEP];
  if (s.enum)
    yield* [
      ['not an option', 'NOT-AN-OPTION'],
      ['upper-cased option', String(s.enum[0]).toUpperCase()],
    ] as [string, unknown][];
  // Free text gets the rest of the odd text all at once (fieldMutations); a pattern, format or enum a sample of it.
  if (s.type === 'string') {
    yield* STRING_JUNK.filter(([label], i) => i < 3 || (!freeText(s) && ['emoji', 'NUL', 'lone high surrogate', 'SQL'].includes(label)));
  }
  if (numeric) for (const n of NUMBER_JUNK) yield [String(n), n];
  if (s.type === 'array')
    yield* [
      ['empty array', []],
      ['5 000 items', Array(5_000).fill((current as unknown[])[0] ?? 'x')],
    ] as [string, unknown][];
  if (s.type === 'object') yield ['unknown field inside', { ...(current as object), zzUnknown: 1 }];
}

const json = (base: Draft, what: string, value: unknown): Draft => ({ ...base, what: `body ${what}`, body: { json: value } });
const raw = (base: Draft, what: string, text: string, type?: string): Draft => ({
  ...base,
  what: `body ${what}`,
  body: { raw: text, type },
});

/** Field by field: missing, wrong, junk; then odd text everywhere at once, and unknown fields. */
function* fieldMutations(base: Draft, schema: Schema): Generator<Draft> {
  const value = (base.body as { json: unknown }).json;
  for (const f of fields(schema, value)) {
    const name = f.path.join('.');
    if (at(value, f.path) !== undefined) yield json(base, `${name} missing`, setAt(value, f.path, REMOVE));
    for (const [label, v] of wrongValues(f.schema, at(value, f.path))) yield json(base, `${name} = ${label}`, setAt(value, f.path, v));
  }
  const texts = [...fields(schema, value)].filter((f) => freeText(f.schema) && at(value, f.path) !== undefined);
  for (const [label, text] of STRING_JUNK) {
    yield json(
      base,
      `every free-text field = ${label}`,
      texts.reduce((v, f) => setAt(v, f.path, text), value),
    );
  }
  yield json(base, 'with no fields at all', {});
  yield json(base, 'with an unknown field', { ...(value as object), zzUnknown: 'x' });
  yield json(base, 'with prototype-ish fields', { ...(value as object), toString: 1, hasOwnProperty: 'x' });
  yield raw(base, 'with __proto__', JSON.stringify(value).replace(/^\{/, '{"__proto__":{"admin":true},'), 'application/json');
  yield raw(base, 'with a duplicated key', JSON.stringify(value).replace(/^\{/, '{"zz":1,"zz":{},'), 'application/json');
}

/** Whole bodies: not an object, invalid, odd or corrupted JSON, other content types, 2 MB. */
function* wholeBodyMutations(base: Draft, valid: string): Generator<Draft> {
  for (const text of NOT_OBJECTS) yield raw(base, `not an object: ${text}`, text, 'application/json');
  for (const text of BAD_JSON) yield raw(base, `odd JSON ${JSON.stringify(text)}`, text, 'application/json');
  for (let i = 0; i < 12; i++) yield raw(base, `corrupted #${i}`, corrupt(valid), 'application/json');
  for (const type of CONTENT_TYPES) {
    const text = type?.startsWith('multipart')
      ? '--fuzz\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--fuzz--\r\n'
      : type?.includes('urlencoded')
        ? 'title=a&summary=b'
        : valid;
    yield raw(base, `as ${type ?? 'no content type'}`, text, type);
  }
  yield raw(base, '2 MB', JSON.stringify({ x: 'x'.repeat(2 * MiB) }), 'application/json');
}

/** 1–3 random edits of a JSON text: delete, insert or duplicate. */
function corrupt(text: string): string {
  let s = text;
  for (let n = 1 + int(3); n > 0; n--) {
    const i = int(s.length + 1);
    const edit = int(3);
    if (edit === 0) s = s.slice(0, i) + s.slice(i + 1);
    else if (edit === 1)
      s = s.slice(0, i) + pick(['{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', 'é', '😀', '-', '0', 'e']) + s.slice(i);
    else s = s.slice(0, i) + s.slice(i, i + 1 + int(8)).repeat(2) + s.slice(i + 8);
  }
  return s;
}

function* parameterMutations(op: Operation, base: Draft): Generator<Draft> {
  for (const p of op.parameters) {
    if (p.in === 'path') {
      const real = base.path[p.name]!.replace('@case@', readCase);
      for (const junk of [...PATH_JUNK, real.toUpperCase(), `${real}%20`, `${real}%00`, `${real}%2F..`, `${real}/..`]) {
        yield { ...base, what: `path ${p.name} = ${junk.slice(0, 40)}`, path: { ...base.path, [p.name]: junk } };
      }
    } else if (p.in === 'query') {
      const valid = `${p.name}=${encodeURIComponent(String(sample(p.schema)))}`;
      yield { ...base, what: `query ${valid}`, query: [...base.query, valid] };
      for (const junk of QUERY_JUNK)
        yield { ...base, what: `query ${p.name}=${junk.slice(0, 40)}`, query: [...base.query, `${p.name}=${junk}`] };
      for (const shape of [`${valid}&${valid}`, `${p.name}[]=1`, `${p.name}[a]=1`, p.name]) {
        yield { ...base, what: `query ${shape.slice(0, 40)}`, query: [...base.query, shape] };
      }
    } else if (p.in === 'header') {
      for (const junk of HEADER_JUNK)
        yield { ...base, what: `header ${p.name}: ${junk.slice(0, 40)}`, headers: { ...base.headers, [p.name]: junk } };
    }
  }
  const thousand = Array.from({ length: 1000 }, (_, i) => `k${i}=1`).join('&');
  for (const extra of ['zzUnknown=1', '__proto__=1', 'constructor=x', 'toString=1', '&&&', '=', '%', thousand]) {
    yield { ...base, what: `query ${extra.slice(0, 40)}`, query: [...base.query, extra] };
  }
  yield { ...base, what: 'header accept: text/html', headers: { ...base.headers, accept: 'text/html' } };
  yield { ...base, what: 'header accept-language: junk', headers: { ...base.headers, 'accept-language': 'xx;q=abc,,*;q=-1' } };
}

/** A valid-looking request: the story's payload for an event, generated values otherwise. */
function baseline(op: Operation, body: Schema | undefined, eventType: string | undefined): Draft {
  const path: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const p of op.parameters) {
    if (p.in === 'path' && p.name === 'id')
      path.id = op.path.startsWith('/api/cases') ? '@case@' : (outboxId ?? '3f0c5b1e-8d3a-4e2b-9c1d-2a4b6c8d0e1f');
    else if (p.in === 'path') path[p.name] = encodeURIComponent(p.name === 'year' ? '2026' : String(sample(p.schema, p.name)));
    else if (p.in === 'header' && p.name === 'if-match') headers[p.name] = '@etag@';
    else if (p.in === 'header' && p.required) headers[p.name] = String(sample(p.schema));
  }
  const story = FULL_STORY.find((s) => s.type === eventType);
  const value = story ? { type: story.type, payload: story.payload } : body && sample(body);
  return { what: 'baseline', path, query: [], headers, ...(body ? { body: { json: value } } : {}) };
}

// ---------------------------------------------------------------- sending and checking

interface Issue {
  request: string;
  payload?: string;
  status: number;
  response: string;
  why: string;
}
let sent = 0;
const statuses = new Map<number, number>();

/**
 * Sends one request and checks the response and the database. With `rollback` (events) it runs
 * inside a transaction that is rolled back afterwards — the app's own transactions nest in it as
 * savepoints — so a mutation that happens to be valid does not move the fixture case on.
 */
async function send(op: Operation, draft: Draft, caller: string, target: string, issues: Issue[], rollback = false): Promise<number> {
  const url =
    op.path.replace(/\{(\w+)\}/g, (_, name: string) => draft.path[name] ?? '').replaceAll('@case@', target) +
    (draft.query.length ? `?${draft.query.join('&')}` : '');
  const token = caller in CALLERS ? CALLERS[caller] : t.tokens[caller as keyof typeof t.tokens];
  const headers: Record<string, string> = { ...draft.headers, ...(token ? auth(token) : {}) };
  if (headers['if-match'] === '@etag@') headers['if-match'] = `"${version(target)}"`;
  let payload: string | undefined;
  if (draft.body && 'json' in draft.body) {
    payload = JSON.stringify(draft.body.json).replaceAll(DEEP, '['.repeat(50_000) + ']'.repeat(50_000));
    headers['content-type'] = 'application/json';
  } else if (draft.body) {
    payload = draft.body.raw;
    if (draft.body.type !== undefined) headers['content-type'] = draft.body.type;
  }
  const request = `${op.method} ${url.length > 200 ? `${url.slice(0, 200)}…(${url.length} chars)` : url} as ${caller}: ${draft.what}`;

  const check = (res: LightMyRequestResponse, before: DbState, after: DbState | undefined) => {
    sent++;
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    const issue = (why: string) =>
      issues.push({ request, payload: payload?.slice(0, 300), status: res.statusCode, response: res.body.slice(0, 500), why });
    if (res.statusCode >= 500) issue('5xx');
    if (res.statusCode >= 400) {
      const type = String(res.headers['content-type'] ?? '');
      if (!type.startsWith('application/problem+json')) issue(`error with content-type ${type}`);
      else if ((res.json() as { status?: number }).status !== res.statusCode) issue('problem status differs from the response status');
      if (!isDeepStrictEqual(after, before)) issue(`rejected, but the database changed: ${changes(before, after!)}`);
    }
    if (draft.what === 'body 2 MB' && res.statusCode !== 413) issue('a body over the limit is not a 413');
    return res.statusCode;
  };

  const sqlite = t.services.db.$client;
  if (rollback) sqlite.exec('BEGIN');
  try {
    const before = (known ??= dbState());
    const res = await t.app.inject({
      method: op.method as InjectOptions['method'],
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    const after = res.statusCode >= 400 ? dbState() : undefined;
    known = rollback ? before : after; // what the next request starts from, if known without asking
    return check(res, before, after);
  } finally {
    if (rollback) sqlite.exec('ROLLBACK');
  }
}

/** Sends every request generated for `op`; returns what went wrong. */
async function fuzz(op: Operation): Promise<Issue[]> {
  const issues: Issue[] = [];
  const root = op.body && resolve(op.body);
  const variants: (Schema | undefined)[] = root?.oneOf ?? [op.body]; // events: one body schema per event type
  for (const [i, variant] of variants.entries()) {
    const eventType = variant && (resolve(variant).properties?.type?.enum?.[0] as CaseEventType | undefined);
    const sender = eventType && EVENT_ROLES[eventType][0];
    const everyone = [...new Set([...Object.keys(CALLERS), ...(sender ? [sender] : [])])];
    const base = baseline(op, variant, eventType);
    const requests = function* (): Generator<[Draft, string[]]> {
      yield [base, everyone];
      if (variant) for (const draft of fieldMutations(base, variant)) yield [draft, sender ? [sender] : everyone];
      if (i > 0) return; // parameters and whole bodies once per operation, not per event type
      for (const draft of parameterMutations(op, base)) yield [draft, everyone];
      if (op.method === 'GET') return; // GET bodies are not read
      const valid = JSON.stringify(base.body ? (base.body as { json: unknown }).json : { x: 1 });
      for (const draft of wholeBodyMutations(base, valid)) yield [draft, everyone];
    };
    for (const [draft, callers] of requests()) {
      for (const caller of callers) await send(op, draft, caller, eventType ? await caseFor(eventType) : readCase, issues, !!eventType);
    }
  }
  return issues;
}

// ---------------------------------------------------------------- the tests

it('the served OpenAPI document lists the API', () => {
  expect(docResponse.statusCode).toBe(200);
  expect(operations.length).toBeGreaterThanOrEqual(20);
  expect(operations.map((o) => `${o.method} ${o.path}`)).toEqual(
    expect.arrayContaining(['POST /api/cases', 'POST /api/cases/{id}/events']),
  );
});

it.each(operations.map((op) => [`${op.method} ${op.path}`, op] as const))(
  '%s: no 5xx, errors are problem+json, rejections write nothing',
  async (_name, op) => {
    expect(await fuzz(op)).toEqual([]);
  },
  90_000,
);

it('methods the document does not list are 404 problems on every path', async () => {
  const issues: Issue[] = [];
  for (const path of new Set(operations.map((o) => o.path))) {
    const listed = operations.filter((o) => o.path === path);
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !listed.some((o) => o.method === m))) {
      for (const caller of Object.keys(CALLERS)) {
        const status = await send({ ...listed[0]!, method }, baseline(listed[0]!, undefined, undefined), caller, readCase, issues);
        if (status !== 404) issues.push({ request: `${method} ${path} as ${caller}`, status, response: '', why: 'not a 404' });
      }
    }
  }
  expect(issues).toEqual([]);
});

it(`sent several thousand requests, none answered with a 5xx (seed ${SEED})`, () => {
  console.log(
    `fuzz: ${sent} requests, seed ${SEED}, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
  );
  expect(sent).toBeGreaterThanOrEqual(3000);
  expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
});
