import { z } from 'zod';
import { has, t, type Language } from '../i18n/index.js';
import { html, raw, type SafeHtml } from './html.js';

/*
 * Forms generated from the same zod schemas the API validates with, so a page can never
 * ask for something the engine would refuse or miss something it needs. A schema becomes
 * JSON Schema (z.toJSONSchema), and from that:
 *
 *   renderFields  the inputs, labelled, with the error next to each field;
 *   parseForm     the posted application/x-www-form-urlencoded body back into a payload;
 *   formErrors    zod issues as one translated message per field.
 *
 * A field's name is its path in the payload (`attendance.0.role`), the same path the API
 * reports errors under, so errors land next to the right input.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  maxLength?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
}

export interface Option {
  value: string;
  label: string;
}

/** Per field (path without row numbers, e.g. `budget.year`): what the schema cannot say. */
export interface FieldHints {
  options?: Option[];
  /** Shown and typed in kronor, stored in öre. */
  money?: boolean;
  hidden?: boolean;
  /**
   * A row's short id that no person types: made from another field of the same row (its name or
   * title) when the row has none yet, unique within its list. Kept once made, so what refers to
   * the row (a follow-up's indicator values) still finds it when the name is edited.
   */
  slugFrom?: string;
  label?: string;
  help?: string;
  /** A text area even for a short text. */
  multiline?: boolean;
  /** Empty rows offered after the filled ones (arrays of objects). */
  extraRows?: number;
  /** Rows shown when nothing is filled in yet (flat values, e.g. hidden roles). */
  defaultRows?: Record<string, string>[];
  /** Label of each row instead of "label, row n". */
  rowLabel?: (row: number, values: FormValues) => string;
  /** More to read right after a choice's control (the guiding questions of each priority area). */
  details?: SafeHtml;
}

export type FormValues = Record<string, string | string[] | undefined>;
export type FormErrors = Map<string, string>;

export interface FormContext {
  lang: Language;
  /** The event the form sends, for labels of the form `fieldsAt.<EVENT>.<name>`. */
  event?: string;
  hints?: Record<string, FieldHints>;
  values: FormValues;
  errors: FormErrors;
  /** Makes ids unique when one page holds several forms. */
  idPrefix: string;
  /** Do not mark optional fields (a form where everything may be filled in bit by bit). */
  noOptionalMarks?: boolean;
  /** Filled in while rendering: the ids of the fields and groups on the page. */
  rendered?: Set<string>;
}

const cache = new WeakMap<z.ZodType, JsonSchema>();

export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let json = cache.get(schema);
  if (!json) {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    cache.set(schema, json);
  }
  return json;
}

const resolve = (s: JsonSchema): JsonSchema => (s.anyOf ? (s.anyOf.find((a) => a.type !== 'null') ?? s) : s);
const typeOf = (s: JsonSchema) => (Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type);
const isObject = (s: JsonSchema) => typeOf(s) === 'object' && s.properties !== undefined;
const isArray = (s: JsonSchema) => typeOf(s) === 'array' && s.items !== undefined;
const isScalarArray = (s: JsonSchema) => isArray(s) && !isObject(resolve(s.items!));
/** The clock-time pattern of the event schemas (`13:00`); the other patterns are ids. */
const isTimePattern = (pattern: string | undefined) => pattern?.includes('[0-5]') === true;
const isTime = (s: JsonSchema) => isTimePattern(s.pattern);

/** A posted form's fields (not the form's own `_csrf`, `_version`, `_confirmed`); only text counts, whatever the body was. */
export const postedFields = (body: unknown): FormValues =>
  Object.fromEntries(
    Object.entries(body && typeof body === 'object' ? (body as Record<string, unknown>) : {})
      .filter(([k]) => !k.startsWith('_'))
      .map(
        ([k, v]) =>
          [k, typeof v === 'string' ? v : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined] as const,
      )
      .filter(([, v]) => v !== undefined),
  ) as FormValues;

/** `attendance.0.role` → `attendance.role`: the key of hints. */
export const genericPath = (path: string) =>
  path
    .split('.')
    .filter((p) => !/^\d+$/.test(p))
    .join('.');
const lastName = (path: string) => genericPath(path).split('.').pop() ?? '';

// ---------------------------------------------------------------------------------------
// Labels

const OPTION_KEYS: Record<string, string> = { kind: 'organisationKinds', role: 'forumRoles', level: 'scopes' };

export function fieldLabel(lang: Language, path: string, event?: string): string {
  const generic = genericPath(path).split('.');
  const name = generic[generic.length - 1] ?? '';
  const parent = generic[generic.length - 2];
  if (event && has(lang, `fieldsAt.${event}.${name}`)) return t(lang, `fieldsAt.${event}.${name}`);
  if (parent && has(lang, `fieldsAt.${parent}.${name}`)) return t(lang, `fieldsAt.${parent}.${name}`);
  return t(lang, `fields.${name}`);
}

export function optionLabel(lang: Language, name: string, value: string): string {
  const key = `${OPTION_KEYS[name] ?? `options.${name}`}.${value}`;
  return has(lang, key) ? t(lang, key) : value;
}

// ---------------------------------------------------------------------------------------
// Rendering

const idOf = (ctx: FormContext, path: string) => `${ctx.idPrefix}-${path.replace(/\./g, '-') || 'root'}`;
/** The first text of a posted value (a field may come once, several times, or not at all). */
export const firstText = (v: unknown): string => (Array.isArray(v) ? firstText(v[0]) : typeof v === 'string' ? v : '');

function errorText(ctx: FormContext, id: string, message: string | undefined): SafeHtml | '' {
  if (!message) return '';
  return html`<p class="field-error" id="${id}-error"><span class="visually-hidden">${t(ctx.lang, 'web.errorPrefix')}</span>${message}</p>`;
}

function describedBy(id: string, error: boolean, help: boolean): SafeHtml | '' {
  const ids = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids ? html` aria-describedby="${ids}"` : '';
}

function labelText(ctx: FormContext, path: string, required: boolean, hints?: FieldHints): SafeHtml {
  const text = hints?.label ?? fieldLabel(ctx.lang, path, ctx.event);
  const mark = !required && !ctx.noOptionalMarks ? html` <span class="optional">(${t(ctx.lang, 'web.optional')})</span>` : '';
  return html`${text}${mark}`;
}

/** The most rows a form offers or reads for one list, whatever the posted names say. */
const MAX_ROWS = 200;

/** The row numbers posted for an array field (`budget.3.year` → 3), bounded. */
function rowIndices(keys: Iterable<string>, path: string, maxItems: number | undefined): number[] {
  const prefix = `${path}.`;
  const limit = Math.min(maxItems ?? MAX_ROWS, MAX_ROWS);
  const found = new Set<number>();
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const n = /^(\d{1,3})(\.|$)/.exec(key.slice(prefix.length));
    if (n && Number(n[1]) < limit) found.add(Number(n[1]));
  }
  return [...found].sort((a, b) => a - b);
}

/** Rows shown for an array field: up to the last one with values, then a few empty ones. */
function rowsOf(ctx: FormContext, path: string, hints: FieldHints | undefined, maxItems: number | undefined): number {
  const filled = (rowIndices(Object.keys(ctx.values), path, maxItems).pop() ?? -1) + 1;
  if (filled === 0 && hints?.defaultRows) return hints.defaultRows.length;
  return Math.min(filled + (hints?.extraRows ?? 3), maxItems ?? MAX_ROWS, MAX_ROWS);
}

/**
 * `required`: the schema requires the field (no "optional" mark); `mustFill`: it must be filled
 * in for the form to go through, so not inside a row or an optional group, which may be left empty.
 */
function renderNode(ctx: FormContext, schema: JsonSchema, path: string, required: boolean, mustFill = required): SafeHtml {
  const s = resolve(schema);
  const hints = ctx.hints?.[genericPath(path)];
  const id = idOf(ctx, path);
  if (!hints?.hidden) ctx.rendered?.add(id);
  const value = ctx.values[path];
  const error = ctx.errors.get(path);
  if (hints?.hidden) return html`<input type="hidden" name="${path}" value="${firstText(value)}">`;

  if (isObject(s)) {
    const children = Object.entries(s.properties!).map(([key, child]) => {
      const childRequired = (s.required ?? []).includes(key);
      return renderNode(ctx, child, path ? `${path}.${key}` : key, childRequired, childRequired && mustFill);
    });
    if (!path) return html`${children}`;
    return html`<fieldset id="${id}"${describedBy(id, !!error, false)}><legend>${labelText(ctx, path, required, hints)}</legend>${errorText(ctx, id, error)}${children}</fieldset>`;
  }

  if (isArray(s) && isObject(resolve(s.items!))) {
    const count = rowsOf(ctx, path, hints, s.maxItems);
    const defaults = hints?.defaultRows ?? [];
    const rows = Array.from({ length: count }, (_, i) => {
      // Default rows fill in values (e.g. a hidden role) the first time the form is shown.
      for (const [k, v] of Object.entries(defaults[i] ?? {})) ctx.values[`${path}.${i}.${k}`] ??= v;
      const rowLabel =
        hints?.rowLabel?.(i, ctx.values) ?? t(ctx.lang, 'web.row', { label: fieldLabel(ctx.lang, path, ctx.event), n: i + 1 });
      const item = resolve(s.items!);
      const cells = Object.entries(item.properties!).map(([key, child]) =>
        renderNode(ctx, child, `${path}.${i}.${key}`, (item.required ?? []).includes(key), false),
      );
      const rowId = idOf(ctx, `${path}.${i}`);
      ctx.rendered?.add(rowId);
      const rowError = ctx.errors.get(`${path}.${i}`);
      return html`<fieldset class="row" id="${rowId}"${describedBy(rowId, !!rowError, false)}><legend>${rowLabel}</legend>${errorText(ctx, rowId, rowError)}${cells}</fieldset>`;
    });
    return html`<fieldset id="${id}" class="rows"${describedBy(id, !!error, true)}><legend>${labelText(ctx, path, required, hints)}</legend>
<p class="help" id="${id}-help">${t(ctx.lang, 'web.rowsHint')}</p>${errorText(ctx, id, error)}${rows}</fieldset>`;
  }

  if (isScalarArray(s) && hints?.options) {
    const chosen = new Set(([] as string[]).concat(value ?? []));
    const boxes = hints.options.map(
      (o, i) =>
        html`<div class="choice"><input type="checkbox" id="${id}-${i}" name="${path}" value="${o.value}"${chosen.has(o.value) ? raw(' checked') : ''}><label for="${id}-${i}">${o.label}</label></div>`,
    );
    return html`<fieldset id="${id}" class="choices"${describedBy(id, !!error, false)}><legend>${labelText(ctx, path, required, hints)}</legend>${errorText(ctx, id, error)}${boxes}</fieldset>`;
  }

  // Free text says what not to write there: this is a mental-health programme.
  const freeText = typeOf(s) === 'string' && !s.enum && !hints?.options && ((s.maxLength ?? 0) > 300 || !!hints?.multiline);
  const help =
    [
      hints?.help ?? (hints?.money ? t(ctx.lang, 'web.kronorHint') : isScalarArray(s) ? t(ctx.lang, 'web.onePerLine') : undefined),
      freeText ? t(ctx.lang, 'web.sensitiveHint') : undefined,
    ]
      .filter(Boolean)
      .join(' ') || undefined;
  const label = html`<label for="${id}">${labelText(ctx, path, required, hints)}</label>${help ? html`<p class="help" id="${id}-help">${help}</p>` : ''}${errorText(ctx, id, error)}`;
  const common = html`id="${id}" name="${path}"${mustFill ? raw(' required aria-required="true"') : ''}${error ? raw(' aria-invalid="true"') : ''}${describedBy(id, !!error, !!help)}`;

  if (isScalarArray(s)) {
    return html`<div class="field">${label}<textarea ${common} rows="4">${firstText(value)}</textarea></div>`;
  }
  if (typeOf(s) === 'boolean') {
    const radios = (['true', 'false'] as const).map(
      (v) =>
        html`<div class="choice"><input type="radio" id="${id}-${v}" name="${path}" value="${v}"${firstText(value) === v ? raw(' checked') : ''}${mustFill ? raw(' required') : ''}><label for="${id}-${v}">${t(ctx.lang, `options.boolean.${v}`)}</label></div>`,
    );
    return html`<fieldset id="${id}" class="choices inline"${describedBy(id, !!error, false)}><legend>${labelText(ctx, path, required, hints)}</legend>${errorText(ctx, id, error)}${radios}</fieldset>`;
  }
  const options = hints?.options ?? s.enum?.map((v) => ({ value: String(v), label: optionLabel(ctx.lang, lastName(path), String(v)) }));
  if (options) {
    const current = firstText(value);
    const items = options.map((o) => html`<option value="${o.value}"${o.value === current ? raw(' selected') : ''}>${o.label}</option>`);
    return html`<div class="field">${label}<select ${common}><option value="">${t(ctx.lang, 'web.choose')}</option>${items}</select>${hints?.details ?? ''}</div>`;
  }
  if (typeOf(s) === 'number' || typeOf(s) === 'integer') {
    return html`<div class="field">${label}<input type="text" inputmode="decimal" ${common} value="${firstText(value)}" class="short"></div>`;
  }
  if ((s.maxLength ?? 0) > 300 || hints?.multiline) {
    return html`<div class="field">${label}<textarea ${common} rows="5">${firstText(value)}</textarea></div>`;
  }
  const type = s.format === 'date' ? 'date' : isTime(s) ? 'time' : s.format === 'email' ? 'email' : 'text';
  return html`<div class="field">${label}<input type="${type}" ${common} value="${firstText(value)}"${type !== 'text' ? raw(' class="short"') : ''}${s.maxLength ? html` maxlength="${s.maxLength}"` : ''}></div>`;
}

/** The inputs of a form for `schema`, labelled, filled from `ctx.values`, with errors. */
export function renderFields(ctx: FormContext, schema: z.ZodType | JsonSchema, path = ''): SafeHtml {
  const json = schema instanceof z.ZodType ? jsonSchemaOf(schema) : schema;
  return renderNode(ctx, json, path, true);
}

/** A summary of every error at the top of a form, each linking to its field. */
export function errorSummary(ctx: FormContext, extra: string[] = []): SafeHtml | '' {
  const total = ctx.errors.size + extra.length;
  if (total === 0) return '';
  const items = [...ctx.errors].map(([path, message]) => {
    const text = `${path ? `${ctx.hints?.[genericPath(path)]?.label ?? fieldLabel(ctx.lang, path, ctx.event)}: ` : ''}${message}`;
    const id = idOf(ctx, path);
    // Render the fields first (with ctx.rendered) so that only fields on the page are linked.
    return ctx.rendered?.has(id) ? html`<li><a href="#${id}">${text}</a></li>` : html`<li>${text}</li>`;
  });
  return html`<div class="alert error-summary" role="alert" tabindex="-1" autofocus id="${ctx.idPrefix}-errors">
<p>${t(ctx.lang, 'web.errorSummary', { count: total })}</p><ul>${items}${extra.map((e) => html`<li>${e}</li>`)}</ul></div>`;
}

// ---------------------------------------------------------------------------------------
// Parsing

function numberFrom(text: string, money: boolean): number | string {
  const clean = text.replace(/[\s\u00a0]/g, '').replace(',', '.');
  const parts = /^(-?)(\d+)(?:\.(\d+))?$/.exec(clean);
  if (!parts) return text; // left as text: the schema reports "a number"
  if (!money) return Number(clean);
  const [, sign, whole, decimals = ''] = parts;
  // Kronor to öre from the digits, not through floating point. More than two decimals is not whole
  // öre: half an öre more than the first two say, exactly (12,345 kr must not round to 1235 öre).
  const ore = Number(whole) * 100 + Number(decimals.slice(0, 2).padEnd(2, '0')) + (decimals.length > 2 ? 0.5 : 0);
  return sign ? -ore : ore;
}

/** For each list of rows (by its form path): the form row of each payload row, empty rows dropped. */
export type RowMap = Map<string, number[]>;

function parseNode(
  schema: JsonSchema,
  body: FormValues,
  path: string,
  required: boolean,
  hints: Record<string, FieldHints>,
  rows: RowMap,
): unknown {
  const s = resolve(schema);
  const hint = hints[genericPath(path)];
  if (isObject(s)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(s.properties!)) {
      const v = parseNode(child, body, path ? `${path}.${key}` : key, (s.required ?? []).includes(key), hints, rows);
      if (v !== undefined) out[key] = v;
    }
    // An optional group left empty is left out; a required one stays, so each missing field is named.
    const filled = Object.entries(out).some(
      ([key, v]) => !hints[genericPath(path ? `${path}.${key}` : key)]?.hidden && !(Array.isArray(v) && v.length === 0),
    );
    return filled || required || !path ? out : undefined;
  }
  if (isArray(s) && isObject(resolve(s.items!))) {
    const kept: number[] = [];
    const out: unknown[] = [];
    for (const i of rowIndices(Object.keys(body), path, s.maxItems)) {
      const row = parseNode(s.items!, body, `${path}.${i}`, false, hints, rows);
      if (row === undefined) continue;
      kept.push(i);
      out.push(row);
    }
    rows.set(path, kept);
    madeIds(path, out, hints);
    return out;
  }
  const raw = body[path];
  if (isScalarArray(s)) {
    const items = hint?.options ? ([] as string[]).concat(raw ?? []) : firstText(raw).split(/\r?\n/);
    const item = resolve(s.items!);
    const isNumber = typeOf(item) === 'number' || typeOf(item) === 'integer';
    return items
      .map((x) => x.trim())
      .filter(Boolean)
      .map((x) => (isNumber ? numberFrom(x, false) : x));
  }
  const text = firstText(raw).trim();
  if (text === '') return undefined;
  if (typeOf(s) === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  if (typeOf(s) === 'number' || typeOf(s) === 'integer') return numberFrom(text, hint?.money === true);
  return text;
}

/** `Stödgrupper med peer support` → `stodgrupper-med-peer-support`: a short id from a name, as the schemas allow. */
export function slugOf(text: string): string {
  const slug = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56)
    .replace(/-+$/, '');
  return slug || 'rad';
}

/** Fills the ids of rows that have none from their `slugFrom` field, unique within the list. */
function madeIds(path: string, rows: unknown[], hints: Record<string, FieldHints>) {
  const prefix = `${genericPath(path)}.`;
  for (const [key, hint] of Object.entries(hints)) {
    if (!hint.slugFrom || !key.startsWith(prefix) || key.slice(prefix.length).includes('.')) continue;
    const name = key.slice(prefix.length);
    const records = rows.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null);
    const taken = new Set(records.map((r) => r[name]).filter((v): v is string => typeof v === 'string'));
    for (const record of records) {
      const source = record[hint.slugFrom];
      if (record[name] !== undefined || typeof source !== 'string') continue;
      const base = slugOf(source);
      let made = base;
      for (let n = 2; taken.has(made); n++) made = `${base}-${n}`;
      taken.add(made);
      record[name] = made;
    }
  }
}

/** The posted form as a payload for `schema` (fields starting with `_` are the form's own). */
export function parseForm(schema: z.ZodType, body: FormValues, hints: Record<string, FieldHints> = {}): { payload: unknown; rows: RowMap } {
  const rows: RowMap = new Map();
  return { payload: parseNode(jsonSchemaOf(schema), body, '', true, hints, rows), rows };
}

/** A payload (e.g. the current proposal) as the flat values a form is filled with. */
export function formValues(schema: z.ZodType, data: unknown, hints: Record<string, FieldHints> = {}): FormValues {
  const out: FormValues = {};
  const walk = (s0: JsonSchema, value: unknown, path: string) => {
    const s = resolve(s0);
    if (value === undefined || value === null) return;
    if (isObject(s) && typeof value === 'object') {
      for (const [key, child] of Object.entries(s.properties!))
        walk(child, (value as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
    } else if (isArray(s) && isObject(resolve(s.items!)) && Array.isArray(value)) {
      value.forEach((row, i) => walk(s.items!, row, `${path}.${i}`));
    } else if (isScalarArray(s) && Array.isArray(value)) {
      out[path] = hints[genericPath(path)]?.options ? value.map(String) : value.join('\n');
    } else if (typeof value === 'number' && hints[genericPath(path)]?.money) {
      out[path] = (value / 100).toFixed(2).replace(/\.00$/, '');
    } else {
      out[path] = String(value);
    }
  };
  walk(jsonSchemaOf(schema), data, '');
  return out;
}

// ---------------------------------------------------------------------------------------
// Errors

type Issue = z.core.$ZodIssue;

/**
 * The form path an error of the payload is shown at: rows renumbered back to the form's own
 * (empty rows were dropped), and a list typed one per line is one field.
 */
export function shownAt(schema: JsonSchema, segments: readonly PropertyKey[], rows: RowMap = new Map()): string {
  const out: string[] = [];
  let s: JsonSchema | undefined = schema;
  for (const seg of segments) {
    if (!s) break;
    s = resolve(s);
    if (isScalarArray(s)) break;
    if (isArray(s)) {
      const formRow = rows.get(out.join('.'))?.[Number(seg)];
      out.push(String(formRow ?? seg));
      s = s.items;
      continue;
    }
    out.push(String(seg));
    s = isObject(s) ? s.properties![String(seg)] : undefined;
  }
  return out.join('.');
}

const CUSTOM: [RegExp, string][] = [
  [/county-wide/, 'scopeCount'],
  [/each municipality once/, 'unique'],
  [/end time needs a start time/, 'startTimeNeeded'],
  [/end time must be after/, 'endTime'],
  [/until must not/, 'until'],
];

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const seg of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
}

export function issueMessage(lang: Language, issue: Issue, data: unknown, hints: Record<string, FieldHints> = {}): string {
  const v = (key: string, params?: Record<string, string | number>) => t(lang, `validation.${key}`, params);
  const money = hints[genericPath(issue.path.map(String).join('.'))]?.money === true;
  const i = issue as Issue & {
    expected?: string;
    origin?: string;
    minimum?: number | bigint;
    maximum?: number | bigint;
    format?: string;
    pattern?: string;
  };
  const n = (x: number | bigint | undefined) => Number(x ?? 0) / (money ? 100 : 1);
  switch (issue.code) {
    case 'invalid_type':
      if (valueAt(data, issue.path) === undefined) return v('required');
      if (i.expected === 'int') return money ? v('kronor') : v('integer');
      if (i.expected === 'number') return v('number');
      if (i.expected === 'boolean') return v('choose');
      return v('invalid');
    case 'too_small':
      if (i.origin === 'string') return n(i.minimum) <= 1 ? v('required') : v('minLength', { min: n(i.minimum) });
      if (i.origin === 'array' || i.origin === 'set') return v('minItems', { min: n(i.minimum) });
      return (i as { inclusive?: boolean }).inclusive === false ? v('greaterThan', { min: n(i.minimum) }) : v('min', { min: n(i.minimum) });
    case 'too_big':
      if (i.origin === 'string') return v('maxLength', { max: n(i.maximum) });
      if (i.origin === 'array' || i.origin === 'set') return v('maxItems', { max: n(i.maximum) });
      return v('max', { max: n(i.maximum) });
    case 'invalid_format':
      if (i.format === 'date') return v('date');
      if (i.format === 'email') return v('email');
      if (i.format === 'uuid') return v('choose');
      if (i.format === 'regex') return isTimePattern(i.pattern) ? v('time') : v('id');
      return v('invalid');
    case 'invalid_value':
      return v('choose');
    case 'unrecognized_keys':
      return v('unknown');
    case 'custom': {
      const known = CUSTOM.find(([re]) => re.test(issue.message));
      return known ? v(known[1]) : v('invalid');
    }
    default:
      return v('invalid');
  }
}

/** zod issues as one translated message per shown field. */
export function formErrors(
  lang: Language,
  schema: z.ZodType | JsonSchema,
  issues: readonly Issue[],
  data: unknown,
  hints: Record<string, FieldHints> = {},
  rows: RowMap = new Map(),
): FormErrors {
  const json = schema instanceof z.ZodType ? jsonSchemaOf(schema) : schema;
  const out: FormErrors = new Map();
  for (const issue of issues) {
    const paths =
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((k) => shownAt(json, [...issue.path, k], rows))
        : [shownAt(json, issue.path, rows)];
    const message = issueMessage(lang, issue, data, hints);
    for (const p of paths) if (!out.has(p)) out.set(p, message);
  }
  return out;
}
