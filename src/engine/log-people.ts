import crypto from 'node:crypto';
import type { z } from 'zod';
import { CHOICES, eventPayloads } from '../../machines/case/schemas.js';
import type Database from 'better-sqlite3';

/*
 * People in a case's event log, kept where erasure can reach them without rewriting the log
 * (versioning.md, rule 5). The log never holds an account id: it names each person of a case
 * by a reference of that case (`case_people.ref`), looked up when the log is read. What a
 * person wrote on the case (the free text of an event's payload) is encrypted with a key of
 * their own on that case (AES-256-GCM); everything else of a payload (amounts, dates, choices,
 * ids) stays as it is, so decisions and money read the same whatever is erased.
 *
 * Erasing a person points their references at a pseudonym account and destroys their keys;
 * pseudonymising a closed case does the same for its references only. Replay then reads the
 * same log into a snapshot where the person is the pseudonym and their text is ERASED_TEXT.
 */

/** What a text reads once its writer's key is destroyed (shown as it is, in both languages). */
export const ERASED_TEXT = '[raderad · erased]';

const ENCRYPTED = 'enc:v1:';

/** The id Satsa acts under when no person does (the nil UUID: no account has it). */
const NO_PERSON = '00000000-0000-0000-0000-000000000000';

/** Where a payload names a person by account id (read back to the account id, or its pseudonym). */
const PERSON_PATHS: Record<string, readonly (readonly string[])[]> = {
  CASE_CREATED: [['idea', 'initiatorId']],
  ADD_PARTICIPANT: [['userId']],
};

/** The free text of a payload that is not checked by an event schema (a case's creation: the idea). */
const CREATION_TEXTS = [
  ['idea', 'title'],
  ['idea', 'summary'],
] as const;

type Json = unknown;
type Schema = z.core.$ZodType;

/**
 * Whether a string in a payload is something a person wrote: a string with no format (a name,
 * a motivation, a summary) or an e-mail address; dates, times, ids and choices are not.
 */
function isText(schema: Schema): boolean {
  const def = schema._zod.def as { type: string; format?: string };
  if (def.type !== 'string' || CHOICES.has(schema)) return false;
  const format = (schema as unknown as { format?: string | null }).format ?? def.format ?? null;
  return format === null || format === 'email';
}

/** Calls `text` on every free-text string of `value` as `schema` reads it; gives the value rebuilt. */
function mapTexts(schema: Schema | undefined, value: Json, text: (s: string) => string): Json {
  if (value === null || value === undefined) return value;
  if (!schema) {
    // Unknown shape (an idea template's answers): every string is text.
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map((v) => mapTexts(undefined, v, text));
    if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapTexts(undefined, v, text)]));
    return value;
  }
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'string':
      return typeof value === 'string' && isText(schema) ? text(value) : value;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      const shape = def.shape as Record<string, Schema>;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapTexts(shape[k], v, text)]));
    }
    case 'array':
      return Array.isArray(value) ? value.map((v) => mapTexts(def.element as Schema, v, text)) : value;
    case 'record':
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapTexts(def.valueType as Schema, v, text)]));
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return mapTexts(def.innerType as Schema, value, text);
    case 'pipe':
      return mapTexts(def.in as Schema, value, text);
    case 'union': {
      const option = (def.options as Schema[]).find((o) => (o as unknown as z.ZodType).safeParse(value).success);
      return mapTexts(option ?? (def.options as Schema[])[0], value, text);
    }
    case 'unknown':
    case 'any':
      return mapTexts(undefined, value, text);
    default:
      return value;
  }
}

function mapAt(value: Json, path: readonly string[], f: (v: Json) => Json): Json {
  if (path.length === 0) return f(value);
  if (typeof value !== 'object' || value === null || !(path[0]! in value)) return value;
  const record = value as Record<string, Json>;
  return { ...record, [path[0]!]: mapAt(record[path[0]!], path.slice(1), f) };
}

/** The free text of an event's payload, mapped by `text`; no text for events outside the chart but the creation. */
function mapPayloadTexts(type: string, payload: Json, text: (s: string) => string): Json {
  if (type === 'CASE_CREATED') {
    return CREATION_TEXTS.reduce((p, path) => mapAt(p, path, (v) => (typeof v === 'string' ? text(v) : v)), payload);
  }
  const schema = (eventPayloads as Record<string, Schema>)[type];
  return schema ? mapTexts(schema, payload, text) : payload;
}

/** Random IVs drawn from a pool filled 256 at a time (one call into the random source, not one per text). */
const ivPool = Buffer.alloc(12 * 256);
let ivNext = ivPool.length;
function freshIv(): Buffer {
  if (ivNext === ivPool.length) {
    crypto.randomFillSync(ivPool);
    ivNext = 0;
  }
  // A copy: the pool is refilled in place.
  const iv = Buffer.from(ivPool.subarray(ivNext, ivNext + 12));
  ivNext += 12;
  return iv;
}

function encrypt(key: Buffer, plain: string): string {
  const iv = freshIv();
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ENCRYPTED + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function decrypt(key: Buffer | null | undefined, stored: string): string {
  if (!stored.startsWith(ENCRYPTED)) return stored;
  if (!key) return ERASED_TEXT;
  const raw = Buffer.from(stored.slice(ENCRYPTED.length), 'base64');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** A person of a case's log as stored. */
interface LogPerson {
  ref: string;
  userId: string;
  key: Buffer | null;
}

/** An event as read from the log, before decoding. */
export interface StoredEvent {
  type: string;
  actorId: string;
  payload: unknown;
}

export function createLogPeople(sqlite: Database.Database) {
  const find = sqlite.prepare<[string, string], { ref: string; key: Buffer | null }>(
    'SELECT ref, key FROM case_people WHERE case_id = ? AND user_id = ?',
  );
  const insert = sqlite.prepare('INSERT INTO case_people (ref, case_id, user_id, key, created_at) VALUES (?, ?, ?, ?, ?)');
  const ofCase = sqlite.prepare<[string], LogPerson>('SELECT ref, user_id AS userId, key FROM case_people WHERE case_id = ?');

  /** The person's reference and key on the case, made at their first event on it. */
  function personOn(caseId: string, userId: string, at: string): { ref: string; key: Buffer | null } {
    const found = find.get(caseId, userId);
    if (found) return found;
    const made = { ref: crypto.randomUUID(), key: crypto.randomBytes(32) };
    insert.run(made.ref, caseId, userId, made.key, at);
    return made;
  }

  /** Reads a case's log back: references → account ids, text → clear (or ERASED_TEXT once shredded). */
  function decoder(caseId: string) {
    const people = new Map(ofCase.all(caseId).map((p) => [p.ref, p]));
    const userOf = (ref: unknown) => (typeof ref === 'string' ? (people.get(ref)?.userId ?? ref) : ref);
    return <E extends StoredEvent>(event: E): E => {
      const actor = people.get(event.actorId);
      let payload = event.payload;
      for (const path of PERSON_PATHS[event.type] ?? []) payload = mapAt(payload, path, userOf);
      payload = mapPayloadTexts(event.type, payload, (s) => decrypt(actor?.key, s));
      return { ...event, actorId: actor?.userId ?? event.actorId, payload };
    };
  }

  return {
    /**
     * An event as the log stores it: the actor and the people it names as references of the
     * case, the actor's text encrypted with their key on the case.
     */
    encode(caseId: string, type: string, actorId: string, payload: unknown, at: string): { actorRef: string; payload: unknown } {
      // Satsa itself (a programme loaded from a file) is no person and writes no text.
      if (actorId === NO_PERSON) return { actorRef: actorId, payload };
      const actor = personOn(caseId, actorId, at);
      let stored = payload;
      for (const path of PERSON_PATHS[type] ?? []) {
        stored = mapAt(stored, path, (userId) => (typeof userId === 'string' ? personOn(caseId, userId, at).ref : userId));
      }
      const key = actor.key;
      if (key) stored = mapPayloadTexts(type, stored, (s) => encrypt(key, s));
      else stored = mapPayloadTexts(type, stored, () => ERASED_TEXT);
      return { actorRef: actor.ref, payload: stored };
    },

    decoder,

    /** The free-text strings of an event's payload (as decoded), for an erasure to know what a person wrote. */
    textsOf(type: string, payload: unknown): string[] {
      const texts: string[] = [];
      mapPayloadTexts(type, payload, (s) => (texts.push(s), s));
      return texts;
    },
  };
}

export type LogPeople = ReturnType<typeof createLogPeople>;
