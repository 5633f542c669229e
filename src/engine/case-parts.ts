/*
 * A case's snapshot in two places (shared/docs/stack-notes.md: the bytes a command writes drive
 * its commit). The case's row keeps the machine's state and the small, busy part of the context
 * (where the initiative stands, its follow-ups, seminars, the decision); the bulky parts that
 * are written once and then read — the proposal, the criteria, the idea template's answers and
 * the like — are rows of `case_parts`, written only when a command changes them. A command that
 * records a seminar then writes about 1 KB of snapshot instead of 8.7 KB, on one page instead
 * of three, and no overflow page.
 *
 * Nothing else of the engine sees the split: the store joins the parts into the snapshot when
 * it loads a case and splits them off when it writes one.
 */

/** The context keys kept in `case_parts` (every other key stays in the case's row). */
export const CASE_PARTS = [
  'programme',
  'idea',
  'coordinationGroup',
  'dialogueForum',
  'checkIns',
  'proposal',
  'criteria',
  'contact',
  'ideaTemplate',
  'targetGroupDialogue',
  'recommendation',
] as const;

const PART_SET: ReadonlySet<string> = new Set(CASE_PARTS);

/** A persisted snapshot as stored: its context is a record of JSON values. */
interface Persisted {
  context?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The parts of a snapshot as JSON text, by key (absent: the context has no such key). */
export type PartTexts = Map<string, string>;

/**
 * Splits a persisted snapshot into the row's snapshot (JSON text, without the parts) and the
 * parts' JSON texts.
 */
export function splitSnapshot(snapshot: object): { inline: string; parts: PartTexts } {
  const persisted = snapshot as Persisted;
  const parts: PartTexts = new Map();
  const context = persisted.context;
  if (!context) return { inline: JSON.stringify(persisted), parts };
  const small: Record<string, unknown> = {};
  for (const key of Object.keys(context)) {
    const value = context[key];
    if (PART_SET.has(key)) {
      if (value !== undefined) parts.set(key, JSON.stringify(value));
    } else small[key] = value;
  }
  return { inline: JSON.stringify({ ...persisted, context: small }), parts };
}

/** Puts the parts back into a row's snapshot (the object is changed and returned). */
export function joinSnapshot<S>(snapshot: S, parts: { part: string; data: string }[]): S {
  const context = (snapshot as Persisted).context;
  if (context) for (const p of parts) context[p.part] = JSON.parse(p.data);
  return snapshot;
}

/** What a write must do to the parts table: the parts to write (new or changed) and to delete. */
export function partChanges(before: PartTexts | undefined, after: PartTexts) {
  const write: [string, string][] = [];
  for (const [key, text] of after) if (before?.get(key) !== text) write.push([key, text]);
  // Without what was read, every part the snapshot lacks is removed (nothing may linger).
  const remove = before ? [...before.keys()].filter((key) => !after.has(key)) : CASE_PARTS.filter((key) => !after.has(key));
  return { write, remove };
}
