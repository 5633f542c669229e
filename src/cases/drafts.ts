import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { CaseContext } from '../../machines/case/context.js';
import type { CaseEventType } from '../../machines/case/schemas.js';
import type { Db } from '../db/client.js';
import { caseDrafts } from '../db/schema.js';
import { canSeeCase, roleFor } from '../engine/access.js';
import type { CaseRow, CaseStore } from '../engine/case-store.js';
import { acceptedEventTypes, restoreSnapshot } from '../engine/snapshot.js';
import { DomainError } from '../errors.js';
import type { Language } from '../i18n/index.js';
import type { Actor } from '../people/actor.js';
import type { CaseService } from './service.js';

/*
 * A person's own draft of a long form on a case (the proposal), written part by part and
 * finished another day. A draft is not an event: saving one never changes the case, its
 * version or anyone's form, and nobody but its writer ever reads it. It is kept in the
 * database, so it survives a log-out; it goes with the case and with the person.
 *
 * A draft remembers what the case held of the form when it started (`base`: the proposal
 * then). Before it is sent, that is compared with what the case holds now: if someone else
 * has changed the proposal meanwhile, the draft is not sent (`conflict`, naming the changed
 * fields), so a draft never overwrites a newer proposal. Other events on the case (a comment,
 * a criterion) leave the proposal as it was and so do not make the draft stale.
 */

/** The events a draft can be kept of, and what of the case each one's form holds. */
export const DRAFT_EVENTS = ['UPDATE_PROPOSAL'] as const satisfies readonly CaseEventType[];
export type DraftEvent = (typeof DRAFT_EVENTS)[number];

const heldBy: Record<DraftEvent, (context: CaseContext) => Record<string, unknown>> = {
  UPDATE_PROPOSAL: (context) => ({ ...context.proposal }),
};

/** The form's values, flat as a form posts them (`budget.0.year` → "2027"), bounded. */
export const draftValuesSchema = z
  .record(z.string().max(200), z.union([z.string().max(20_000), z.array(z.string().max(20_000)).max(400)]))
  .refine((v) => Object.keys(v).length <= 5_000, 'too many fields');
export type DraftValues = z.infer<typeof draftValuesSchema>;

export const draftPartsSchema = z.array(z.string().min(1).max(64)).max(50);

export interface Draft {
  caseId: string;
  eventType: DraftEvent;
  values: DraftValues;
  /** The parts of the form the writer has saved, in the order first saved. */
  parts: string[];
  /** What the case held of the form when the draft started. */
  base: Record<string, unknown>;
  /** The case version the draft started from. */
  caseVersion: number;
  createdAt: string;
  updatedAt: string;
}

export interface DraftsDeps {
  db: Db;
  store: Pick<CaseStore, 'load' | 'isMember' | 'takesPart'>;
  cases: Pick<CaseService, 'send'>;
  now: () => Date;
}

/** No answer: nothing, an empty text, an empty list or group. */
const absent = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && v !== null && Object.keys(v).length === 0);

/**
 * JSON with object keys sorted and unanswered fields left out, so that equal answers compare
 * equal whatever their key order, and an empty list saved over no list at all is no change.
 */
function canonical(value: unknown): string {
  if (absent(value)) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => !absent(v))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The top-level fields whose values differ between two states of a form (sorted). */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => canonical(before[k]) !== canonical(after[k])).sort();
}

export function createDrafts({ db, store, cases, now }: DraftsDeps) {
  const isDraftEvent = (type: string): type is DraftEvent => (DRAFT_EVENTS as readonly string[]).includes(type);

  /** The case, if the actor may keep a draft of `type` on it: they could send the event now. */
  function writable(actor: Actor, caseId: string, type: string): { row: CaseRow; held: Record<string, unknown> } {
    const row = store.load(caseId);
    if (!row || !canSeeCase(actor, row.programmeId, store.isMember(row.id, actor.id))) {
      throw new DomainError('not-found', `no case ${caseId}`);
    }
    if (!isDraftEvent(type)) throw new DomainError('not-found', `no draft of ${type}`);
    const role = roleFor(actor, row.programmeId, type, store.takesPart(row.id, actor.id));
    if (!role.ok) throw new DomainError('forbidden', `only ${role.roles.join(', ')} of the case write this`);
    const snapshot = restoreSnapshot(row);
    if (!acceptedEventTypes(snapshot).has(type)) throw new DomainError('event-not-accepted', `the case does not take ${type} now`);
    return { row, held: heldBy[type](snapshot.context as CaseContext) };
  }

  function own(actor: Actor, caseId: string, type: DraftEvent): Draft | undefined {
    const found = db
      .select()
      .from(caseDrafts)
      .where(and(eq(caseDrafts.caseId, caseId), eq(caseDrafts.userId, actor.id), eq(caseDrafts.eventType, type)))
      .get();
    if (!found) return undefined;
    return {
      caseId: found.caseId,
      eventType: type,
      values: found.values as DraftValues,
      parts: found.parts as string[],
      base: found.base as Record<string, unknown>,
      caseVersion: found.caseVersion,
      createdAt: found.createdAt,
      updatedAt: found.updatedAt,
    };
  }

  function write(actor: Actor, caseId: string, type: DraftEvent, values: unknown, parts: unknown, restart: boolean): Draft {
    const v = draftValuesSchema.safeParse(values);
    const p = draftPartsSchema.safeParse(parts);
    if (!v.success || !p.success) {
      throw new DomainError('validation-failed', 'the draft is not valid', {
        errors: [
          ...(v.success ? [] : [{ path: 'body.values', message: 'too large' }]),
          ...(p.success ? [] : [{ path: 'body.parts', message: 'too many' }]),
        ],
      });
    }
    return db.transaction(
      () => {
        const { row, held } = writable(actor, caseId, type);
        const at = now().toISOString();
        const existing = own(actor, row.id, type);
        const uniqueParts = [...new Set(p.data)];
        if (existing && !restart) {
          db.update(caseDrafts)
            .set({ values: v.data, parts: uniqueParts, updatedAt: at })
            .where(and(eq(caseDrafts.caseId, row.id), eq(caseDrafts.userId, actor.id), eq(caseDrafts.eventType, type)))
            .run();
        } else {
          db.insert(caseDrafts)
            .values({
              caseId: row.id,
              userId: actor.id,
              eventType: type,
              values: v.data,
              parts: uniqueParts,
              base: held,
              caseVersion: row.version,
              createdAt: existing?.createdAt ?? at,
              updatedAt: at,
            })
            .onConflictDoUpdate({
              target: [caseDrafts.caseId, caseDrafts.userId, caseDrafts.eventType],
              set: { values: v.data, parts: uniqueParts, base: held, caseVersion: row.version, updatedAt: at },
            })
            .run();
        }
        return own(actor, row.id, type)!;
      },
      { behavior: 'immediate' },
    );
  }

  return {
    /** Whether the actor may keep a draft of `type` on the case now (not why not). */
    mayDraft(actor: Actor, caseId: string, type: string): boolean {
      try {
        writable(actor, caseId, type);
        return true;
      } catch (error) {
        if (error instanceof DomainError && error.code !== 'not-found') return false;
        throw error;
      }
    },

    /** The actor's own draft of `type` on the case, if any; nobody can read anyone else's. */
    read(actor: Actor, caseId: string, type: string): Draft | undefined {
      const row = store.load(caseId);
      if (!row || !canSeeCase(actor, row.programmeId, store.isMember(row.id, actor.id)) || !isDraftEvent(type)) return undefined;
      return own(actor, row.id, type);
    },

    /** What the case holds now of the form `type` fills in (the proposal), for a new draft's first values. */
    held(actor: Actor, caseId: string, type: string): Record<string, unknown> {
      return writable(actor, caseId, type).held;
    },

    /**
     * Saves the actor's draft: all its values and saved parts. A new draft starts from what the
     * case holds now; a kept one keeps where it started. Changes nothing of the case.
     */
    save(actor: Actor, caseId: string, type: string, input: { values: unknown; parts: unknown }): Draft {
      if (!isDraftEvent(type)) throw new DomainError('not-found', `no draft of ${type}`);
      return write(actor, caseId, type, input.values, input.parts, false);
    },

    /**
     * Starts the draft again from what the case holds now, with the values given (the newer
     * proposal with the writer's own answers where they differ): after a draft went stale.
     */
    restart(actor: Actor, caseId: string, type: string, input: { values: unknown; parts: unknown }): Draft {
      if (!isDraftEvent(type)) throw new DomainError('not-found', `no draft of ${type}`);
      return write(actor, caseId, type, input.values, input.parts, true);
    },

    /** Throws the actor's draft away (nothing if there is none). */
    discard(actor: Actor, caseId: string, type: string): boolean {
      if (!isDraftEvent(type)) return false;
      const result = db
        .delete(caseDrafts)
        .where(and(eq(caseDrafts.caseId, caseId), eq(caseDrafts.userId, actor.id), eq(caseDrafts.eventType, type)))
        .run();
      return result.changes > 0;
    },

    /**
     * What changed on the case in the form's fields since the draft started (top-level fields);
     * empty when the draft is not stale. Other events on the case do not count.
     */
    changesSince(actor: Actor, draft: Draft): { changed: string[]; held: Record<string, unknown> } {
      const { held } = writable(actor, draft.caseId, draft.eventType);
      return { changed: changedFields(draft.base, held), held };
    },

    /**
     * Sends the draft's event with `payload` (built from the draft's values) through the case
     * service, at the case's current version, and deletes the draft, in one transaction. Refused
     * with `conflict` (details `changed`: the fields) if the case's form changed since the draft
     * started: a draft never overwrites a newer proposal.
     */
    send(actor: Actor, caseId: string, type: string, payload: unknown, lang: Language) {
      return db.transaction(
        () => {
          const { row, held } = writable(actor, caseId, type);
          const draft = own(actor, row.id, type as DraftEvent);
          if (!draft) throw new DomainError('not-found', 'no draft to send');
          const changed = changedFields(draft.base, held);
          if (changed.length > 0) throw new DomainError('conflict', 'the case changed since the draft started', { changed });
          const sent = cases.send(actor, row.id, { type: type as DraftEvent, payload }, row.version, lang, { minimal: true });
          db.delete(caseDrafts)
            .where(and(eq(caseDrafts.caseId, row.id), eq(caseDrafts.userId, actor.id), eq(caseDrafts.eventType, draft.eventType)))
            .run();
          return { version: sent.version };
        },
        { behavior: 'immediate' },
      );
    },
  };
}

export type Drafts = ReturnType<typeof createDrafts>;
