import crypto from 'node:crypto';
import { and, asc, desc, eq, max } from 'drizzle-orm';
import { z } from 'zod';
import type { Role } from '../../machines/roles.js';
import type { Db } from '../db/client.js';
import { casePlanLinks, cases, planAssignmentEvents, planIndicatorValues, planRevisions } from '../db/schema.js';
import { DomainError, fieldErrors, type FieldError } from '../errors.js';
import { belongsTo, rolesIn, type Actor } from '../people/actor.js';
import type { Audit } from '../people/audit.js';
import { allAreas } from '../programmes/config.js';
import type { ProgrammeService } from '../programmes/service.js';
import { isDay } from './dates.js';
import { ACTIVE_STATUSES, assignmentTimers, type AssignmentTimer } from './deadlines.js';
import {
  ASSIGNMENT_STATUSES,
  indicatorValueInputSchema,
  itemLabel,
  normalisePlanDocument,
  PLAN_LISTS,
  typedValue,
  type AssignmentStatus,
  type IndicatorValue,
  type PlanAssignment,
  type PlanDocument,
} from './document.js';

/*
 * A programme's plan (versioning.md): revisions are drafted, then adopted by a body with a
 * decision, and never changed after; the newest adopted one is in force. What happens under
 * the plan — measured values, the status of assignments, the cases that serve its goals and
 * rows — is recorded append-only against the stable ids of the plan's items.
 *
 * Who may: the programme's administrator drafts and adopts; the administrator, the county
 * coordinators and the steering group record values, statuses and the links of cases; every
 * role of the programme but the initiator reads the plan (an initiator is refused: the plan
 * is the programme's own steering, not part of an initiative's case). A person with no role
 * in the programme is told it does not exist.
 */

const EDITORS: Role[] = ['administrator'];
/** Who records under the plan in force: values, statuses, the links of cases. */
export const PLAN_RECORDERS: Role[] = ['administrator', 'county-coordinator', 'steering-group'];
const RECORDERS = PLAN_RECORDERS;

export const adoptionSchema = z
  .object({
    adoptedBy: z.string().trim().min(1).max(200).describe('the body that adopted the revision, e.g. Regionfullmäktige'),
    reference: z.string().trim().min(1).max(200).describe('the decision reference, e.g. "2022-06-21—22 § 79"'),
    decisionDate: z.string().refine(isDay, 'a day as YYYY-MM-DD'),
    nextRevisionDue: z.string().refine(isDay, 'a day as YYYY-MM-DD').describe('when the next revision is due'),
  })
  .strict();

export const assignmentStatusSchema = z
  .object({ status: z.enum(ASSIGNMENT_STATUSES), note: z.string().trim().min(1).max(2000).optional() })
  .strict();

export const casePlanLinkSchema = z
  .object({
    goalIds: z.array(z.string().max(64)).max(100).prefault([]),
    rowIds: z.array(z.string().max(64)).max(100).prefault([]),
  })
  .strict()
  .refine((l) => l.goalIds.length + l.rowIds.length > 0, { message: 'name at least one goal or action-plan row', path: ['goalIds'] });

export interface PlanDeps {
  db: Db;
  now: () => Date;
  programmes: Pick<ProgrammeService, 'get'>;
  audit: Audit;
  displayNames: (ids: string[]) => Map<string, string>;
  /** The durable timers (src/scheduler/timers.ts): the assignments' reminders and escalations. */
  timers?: PlanTimers;
}

/** An assignment's wanted timer, with the assignment it belongs to. */
export type WantedAssignmentTimer = AssignmentTimer & { assignmentId: string };

/** What the plan asks of the timer store. */
export interface PlanTimers {
  /** Brings the programme's assignment timers (of one assignment, if named) in line with `desired`. */
  reconcileAssignments(programmeId: string, desired: WantedAssignmentTimer[], assignmentId?: string): unknown;
}

type RevisionRow = typeof planRevisions.$inferSelect;

const invalid = (errors: FieldError[], detail = 'the plan is not valid') => new DomainError('validation-failed', detail, { errors });

export function createPlans(deps: PlanDeps) {
  const { db, now, audit } = deps;
  const transaction = <T>(work: () => T): T => db.transaction(work, { behavior: 'immediate' });

  function access(actor: Actor, programmeId: string, need: 'read' | 'record' | 'edit') {
    const config = deps.programmes.get(programmeId);
    if (!config || !belongsTo(actor, programmeId)) throw new DomainError('not-found', `no programme ${programmeId}`);
    const roles = rolesIn(actor, programmeId);
    const allowed: Role[] | undefined = need === 'edit' ? EDITORS : need === 'record' ? RECORDERS : undefined;
    const ok = allowed ? roles.some((r) => allowed.includes(r)) : roles.some((r) => r !== 'initiator');
    if (!ok) throw new DomainError('forbidden', `the plan is for the programme's own roles (${need})`, { roles: allowed ?? [] });
    return config;
  }

  const person = (id: string | null, names: Map<string, string>) => (id ? { id, displayName: names.get(id) ?? null } : null);

  function inForceRow(programmeId: string): RevisionRow | undefined {
    return db
      .select()
      .from(planRevisions)
      .where(and(eq(planRevisions.programmeId, programmeId), eq(planRevisions.status, 'adopted')))
      .orderBy(desc(planRevisions.version))
      .limit(1)
      .get();
  }
  const draftRow = (programmeId: string) =>
    db
      .select()
      .from(planRevisions)
      .where(and(eq(planRevisions.programmeId, programmeId), eq(planRevisions.status, 'draft')))
      .get();
  const versionRow = (programmeId: string, version: number) =>
    db
      .select()
      .from(planRevisions)
      .where(and(eq(planRevisions.programmeId, programmeId), eq(planRevisions.version, version), eq(planRevisions.status, 'adopted')))
      .get();

  function requireInForce(programmeId: string) {
    const row = inForceRow(programmeId);
    if (!row) throw new DomainError('not-found', `programme ${programmeId} has no adopted plan`);
    return row;
  }

  function revisionView(row: RevisionRow) {
    const names = deps.displayNames([row.createdBy, row.adoptedBy].filter((x): x is string => !!x));
    return {
      programmeId: row.programmeId,
      version: row.version,
      inForce: inForceRow(row.programmeId)?.version === row.version,
      adoptedByBody: row.adoptedByBody!,
      decisionReference: row.decisionReference!,
      decisionDate: row.decisionDate!,
      nextRevisionDue: row.nextRevisionDue!,
      adoptedBy: person(row.adoptedBy, names),
      adoptedAt: row.adoptedAt!,
      document: row.document as PlanDocument,
    };
  }

  function draftView(row: RevisionRow) {
    const names = deps.displayNames([row.createdBy, row.updatedBy]);
    return {
      programmeId: row.programmeId,
      version: row.version,
      draftCounter: row.draftCounter,
      createdBy: person(row.createdBy, names)!,
      createdAt: row.createdAt,
      updatedBy: person(row.updatedBy, names)!,
      updatedAt: row.updatedAt,
      document: row.document as PlanDocument,
    };
  }

  const nextSeq = (column: typeof planIndicatorValues.seq | typeof planAssignmentEvents.seq | typeof casePlanLinks.seq) => {
    const table =
      column === planIndicatorValues.seq ? planIndicatorValues : column === planAssignmentEvents.seq ? planAssignmentEvents : casePlanLinks;
    return (
      (db
        .select({ n: max(column) })
        .from(table)
        .get()?.n ?? 0) + 1
    );
  };

  /** Every measured value of the programme, newest first per indicator and year. */
  function valuesOf(programmeId: string) {
    const rows = db
      .select()
      .from(planIndicatorValues)
      .where(eq(planIndicatorValues.programmeId, programmeId))
      .orderBy(asc(planIndicatorValues.indicatorId), asc(planIndicatorValues.year), desc(planIndicatorValues.seq))
      .all();
    const names = deps.displayNames([...new Set(rows.map((r) => r.createdBy))]);
    const byIndicator = new Map<string, Map<number, ReturnType<typeof entry>[]>>();
    const entry = (r: (typeof rows)[number]) => ({
      value: r.value as IndicatorValue,
      note: r.note,
      enteredBy: person(r.createdBy, names)!,
      enteredAt: r.createdAt,
    });
    for (const r of rows) {
      const years = byIndicator.get(r.indicatorId) ?? new Map();
      byIndicator.set(r.indicatorId, years);
      years.set(r.year, [...(years.get(r.year) ?? []), entry(r)]);
    }
    return (indicatorId: string) =>
      [...(byIndicator.get(indicatorId) ?? new Map<number, ReturnType<typeof entry>[]>())].map(([year, [latest, ...earlier]]) => ({
        year,
        ...latest!,
        earlier,
      }));
  }

  function statusesOf(programmeId: string) {
    const rows = db
      .select()
      .from(planAssignmentEvents)
      .where(eq(planAssignmentEvents.programmeId, programmeId))
      .orderBy(asc(planAssignmentEvents.seq))
      .all();
    const names = deps.displayNames([...new Set(rows.map((r) => r.createdBy))]);
    return (assignmentId: string) => {
      const history = rows
        .filter((r) => r.assignmentId === assignmentId)
        .map((r) => ({ status: r.status, note: r.note, changedBy: person(r.createdBy, names)!, changedAt: r.createdAt }));
      return { status: (history.at(-1)?.status ?? 'open') as AssignmentStatus, statusHistory: history };
    };
  }

  /** The cases linked now to each goal and row of the programme. */
  function linksOf(programmeId: string) {
    const current = new Map<string, string>();
    for (const l of db
      .select()
      .from(casePlanLinks)
      .where(eq(casePlanLinks.programmeId, programmeId))
      .orderBy(asc(casePlanLinks.seq))
      .all()) {
      current.set(`${l.targetKind}\u0000${l.targetId}\u0000${l.caseId}`, l.action);
    }
    return (kind: 'goal' | 'row', id: string) =>
      [...current]
        .filter(([key, action]) => action === 'linked' && key.startsWith(`${kind}\u0000${id}\u0000`))
        .map(([key]) => key.split('\u0000')[2]!)
        .sort();
  }

  /** A revision with the measured values, the assignments' statuses and the linked cases merged in. */
  function followedUp(row: RevisionRow) {
    const view = revisionView(row);
    const values = valuesOf(row.programmeId);
    const statuses = statusesOf(row.programmeId);
    const links = linksOf(row.programmeId);
    const d = view.document;
    return {
      ...view,
      document: {
        ...d,
        goals: d.goals.map((g) => ({ ...g, caseIds: links('goal', g.id) })),
        indicators: d.indicators.map((i) => ({ ...i, values: values(i.id) })),
        rows: d.rows.map((r) => ({ ...r, caseIds: links('row', r.id) })),
        assignments: d.assignments.map((a) => ({ ...a, ...statuses(a.id) })),
      },
    };
  }

  function caseLinks(caseId: string) {
    const current = new Map<string, string>();
    for (const l of db.select().from(casePlanLinks).where(eq(casePlanLinks.caseId, caseId)).orderBy(asc(casePlanLinks.seq)).all()) {
      current.set(`${l.targetKind}\u0000${l.targetId}`, l.action);
    }
    const linked = (kind: string) =>
      [...current]
        .filter(([key, action]) => action === 'linked' && key.startsWith(`${kind}\u0000`))
        .map(([key]) => key.split('\u0000')[1]!)
        .sort();
    return { caseId, goalIds: linked('goal'), rowIds: linked('row') };
  }

  function requireCase(actor: Actor, caseId: string) {
    const found = db.select({ programmeId: cases.programmeId }).from(cases).where(eq(cases.id, caseId)).get();
    if (!found || !belongsTo(actor, found.programmeId)) throw new DomainError('not-found', `no case ${caseId}`);
    access(actor, found.programmeId, 'record');
    return found.programmeId;
  }

  function changeLinks(actor: Actor, caseId: string, input: unknown, action: 'linked' | 'unlinked') {
    const programmeId = requireCase(actor, caseId);
    const parsed = casePlanLinkSchema.safeParse(input);
    if (!parsed.success) throw invalid(fieldErrors(parsed.error.issues, 'body'), 'the links are not valid');
    return transaction(() => {
      const plan = requireInForce(programmeId).document as PlanDocument;
      const before = caseLinks(caseId);
      const errors: FieldError[] = [];
      const targets = [
        ...parsed.data.goalIds.map((id, i) => ({
          kind: 'goal' as const,
          id,
          path: `body.goalIds.${i}`,
          known: plan.goals,
          now: before.goalIds,
        })),
        ...parsed.data.rowIds.map((id, i) => ({
          kind: 'row' as const,
          id,
          path: `body.rowIds.${i}`,
          known: plan.rows,
          now: before.rowIds,
        })),
      ];
      for (const t of targets) {
        if (action === 'linked' && !t.known.some((k) => k.id === t.id))
          errors.push({ path: t.path, message: `the plan in force has no ${t.kind} ${t.id}` });
        if (action === 'unlinked' && !t.now.includes(t.id))
          errors.push({ path: t.path, message: `the case is not linked to ${t.kind} ${t.id}` });
      }
      if (errors.length > 0) throw invalid(errors, 'the links are not valid');
      const at = now().toISOString();
      let seq = nextSeq(casePlanLinks.seq);
      const changed = targets.filter((t) => (action === 'linked') !== t.now.includes(t.id));
      for (const t of changed) {
        db.insert(casePlanLinks)
          .values({
            id: crypto.randomUUID(),
            caseId,
            programmeId,
            targetKind: t.kind,
            targetId: t.id,
            action,
            createdBy: actor.id,
            createdAt: at,
            seq: seq++,
          })
          .run();
      }
      if (changed.length > 0) {
        audit.record({
          actorId: actor.id,
          programmeId,
          action: action === 'linked' ? 'plan.case-linked' : 'plan.case-unlinked',
          details: {
            caseId,
            goalIds: changed.filter((t) => t.kind === 'goal').map((t) => t.id),
            rowIds: changed.filter((t) => t.kind === 'row').map((t) => t.id),
          },
        });
      }
      return caseLinks(caseId);
    });
  }

  /**
   * The timers every assignment of the plan in force wants (src/plans/deadlines.ts): counted
   * from the first adoption that carried the assignment with its present due date, under its
   * present status.
   */
  function wishedTimers(programmeId: string, only?: string): { assignments: PlanAssignment[]; wished: WantedAssignmentTimer[] } {
    const config = deps.programmes.get(programmeId);
    const inForce = inForceRow(programmeId);
    if (!config || !inForce) return { assignments: [], wished: [] };
    const assignments = (inForce.document as PlanDocument).assignments.filter((a) => only === undefined || a.id === only);
    if (assignments.length === 0) return { assignments, wished: [] };
    const firstAdopted = new Map<string, string>();
    for (const revision of db
      .select({ document: planRevisions.document, adoptedAt: planRevisions.adoptedAt })
      .from(planRevisions)
      .where(and(eq(planRevisions.programmeId, programmeId), eq(planRevisions.status, 'adopted')))
      .orderBy(asc(planRevisions.version))
      .all()) {
      for (const a of (revision.document as PlanDocument).assignments) {
        const key = `${a.id}\u0000${a.due.to}`;
        if (!firstAdopted.has(key)) firstAdopted.set(key, revision.adoptedAt!);
      }
    }
    const state = new Map<string, { status: string; reopenedAt?: string }>();
    for (const event of db
      .select({ assignmentId: planAssignmentEvents.assignmentId, status: planAssignmentEvents.status, at: planAssignmentEvents.createdAt })
      .from(planAssignmentEvents)
      .where(eq(planAssignmentEvents.programmeId, programmeId))
      .orderBy(asc(planAssignmentEvents.seq))
      .all()) {
      if (only !== undefined && event.assignmentId !== only) continue;
      const before = state.get(event.assignmentId) ?? { status: 'open' };
      const reopened = ACTIVE_STATUSES.includes(event.status) && !ACTIVE_STATUSES.includes(before.status);
      state.set(event.assignmentId, { status: event.status, reopenedAt: reopened ? event.at : before.reopenedAt });
    }
    const wished = assignments.flatMap((a) => {
      const { status, reopenedAt } = state.get(a.id) ?? { status: 'open' };
      const adoptedAt = firstAdopted.get(`${a.id}\u0000${a.due.to}`) ?? inForce.adoptedAt!;
      return assignmentTimers({ due: a.due, status, adoptedAt, reopenedAt }, config.deadlines).map((timer) => ({
        ...timer,
        assignmentId: a.id,
      }));
    });
    return { assignments, wished };
  }

  /** Brings the timers of the programme's assignments (of one, if named) in line with the plan. Inside a transaction. */
  function reconcileTimers(programmeId: string, only?: string) {
    deps.timers?.reconcileAssignments(programmeId, wishedTimers(programmeId, only).wished, only);
  }

  return {
    /** The plan in force, with the measured values, the assignments' statuses and the linked cases merged in. */
    inForce(actor: Actor, programmeId: string) {
      access(actor, programmeId, 'read');
      return followedUp(requireInForce(programmeId));
    },

    /**
     * The same for a report (src/reports/multi-year.ts), or undefined when no plan has been
     * adopted. No access check: the report's caller has made its own.
     */
    inForceForReport(programmeId: string) {
      const row = inForceRow(programmeId);
      return row ? followedUp(row) : undefined;
    },

    /** The document of the plan in force alone (no values, statuses or links): what a case page needs to name goals and rows. */
    inForceDocument(actor: Actor, programmeId: string): PlanDocument {
      access(actor, programmeId, 'read');
      return requireInForce(programmeId).document as PlanDocument;
    },

    /** Every adopted revision, oldest first, and whether a draft is under way. */
    versions(actor: Actor, programmeId: string) {
      access(actor, programmeId, 'read');
      const rows = db
        .select()
        .from(planRevisions)
        .where(and(eq(planRevisions.programmeId, programmeId), eq(planRevisions.status, 'adopted')))
        .orderBy(asc(planRevisions.version))
        .all();
      const items = rows.map((r) => {
        const { document, ...rest } = revisionView(r);
        return { ...rest, title: document.title };
      });
      const inForce = items.at(-1);
      return { items, nextRevisionDue: inForce?.nextRevisionDue ?? null, draft: draftRow(programmeId) !== undefined };
    },

    /** One adopted revision, as it was adopted. */
    version(actor: Actor, programmeId: string, version: number) {
      access(actor, programmeId, 'read');
      const row = versionRow(programmeId, version);
      if (!row) throw new DomainError('not-found', `programme ${programmeId} has no plan version ${version}`);
      return revisionView(row);
    },

    /** The draft under way (the administrator's). */
    draft(actor: Actor, programmeId: string) {
      access(actor, programmeId, 'edit');
      const row = draftRow(programmeId);
      if (!row) throw new DomainError('not-found', `programme ${programmeId} has no draft plan`);
      return draftView(row);
    },

    /**
     * Saves the draft, replacing what it held, if the caller saw its counter (`expected`; 0 when
     * there is no draft yet, which starts one).
     */
    saveDraft(actor: Actor, programmeId: string, expected: number, input: unknown) {
      const config = access(actor, programmeId, 'edit');
      const { document, errors } = normalisePlanDocument(input, new Set(allAreas(config).map((a) => a.id)));
      if (!document) throw invalid(errors);
      return transaction(() => {
        const draft = draftRow(programmeId);
        const counter = draft?.draftCounter ?? 0;
        if (counter !== expected) {
          throw new DomainError('version-mismatch', `the draft is at ${counter}, not ${expected}`, { currentVersion: counter });
        }
        const at = now().toISOString();
        if (draft) {
          db.update(planRevisions)
            .set({ document, draftCounter: counter + 1, updatedBy: actor.id, updatedAt: at })
            .where(and(eq(planRevisions.id, draft.id), eq(planRevisions.status, 'draft')))
            .run();
        } else {
          db.insert(planRevisions)
            .values({
              id: crypto.randomUUID(),
              programmeId,
              version: (inForceRow(programmeId)?.version ?? 0) + 1,
              status: 'draft',
              document,
              draftCounter: 1,
              createdBy: actor.id,
              createdAt: at,
              updatedBy: actor.id,
              updatedAt: at,
            })
            .run();
        }
        const saved = draftRow(programmeId)!;
        audit.record({
          actorId: actor.id,
          programmeId,
          action: 'plan.draft-saved',
          details: { version: saved.version, draftCounter: saved.draftCounter },
        });
        return draftView(saved);
      });
    },

    /** Adopts the draft the caller saw: it is frozen and in force from now. */
    adopt(actor: Actor, programmeId: string, expected: number, input: unknown) {
      access(actor, programmeId, 'edit');
      const parsed = adoptionSchema.safeParse(input);
      if (!parsed.success) throw invalid(fieldErrors(parsed.error.issues, 'body'), 'the decision is not valid');
      const decision = parsed.data;
      return transaction(() => {
        const draft = draftRow(programmeId);
        if (!draft) throw new DomainError('not-found', `programme ${programmeId} has no draft plan to adopt`);
        if (draft.draftCounter !== expected) {
          throw new DomainError('version-mismatch', `the draft is at ${draft.draftCounter}, not ${expected}`, {
            currentVersion: draft.draftCounter,
          });
        }
        const errors: FieldError[] = [];
        const previous = inForceRow(programmeId);
        if (previous && decision.decisionDate <= previous.decisionDate!) {
          errors.push({ path: 'body.decisionDate', message: `must be after the decision on the plan in force (${previous.decisionDate})` });
        }
        if (decision.nextRevisionDue <= decision.decisionDate) {
          errors.push({ path: 'body.nextRevisionDue', message: 'must be after the decision date' });
        }
        if (errors.length > 0) throw invalid(errors, 'the decision is not valid');
        const at = now().toISOString();
        db.update(planRevisions)
          .set({
            status: 'adopted',
            adoptedByBody: decision.adoptedBy,
            decisionReference: decision.reference,
            decisionDate: decision.decisionDate,
            nextRevisionDue: decision.nextRevisionDue,
            adoptedBy: actor.id,
            adoptedAt: at,
          })
          .where(and(eq(planRevisions.id, draft.id), eq(planRevisions.status, 'draft')))
          .run();
        audit.record({
          actorId: actor.id,
          programmeId,
          action: 'plan.adopted',
          reason: decision.reference,
          details: { version: draft.version, adoptedBy: decision.adoptedBy, decisionDate: decision.decisionDate },
        });
        reconcileTimers(programmeId);
        return revisionView(versionRow(programmeId, draft.version)!);
      });
    },

    /** What changed between two adopted revisions: items added, removed and changed (field by field), by id. */
    diff(actor: Actor, programmeId: string, from: number, to: number) {
      access(actor, programmeId, 'read');
      const load = (version: number, path: string) => {
        const row = versionRow(programmeId, version);
        if (!row) throw new DomainError('not-found', `programme ${programmeId} has no plan version ${version}`, { path });
        return row.document as PlanDocument;
      };
      const a = load(from, 'from');
      const b = load(to, 'to');
      const fields = (x: Record<string, unknown>, y: Record<string, unknown>) =>
        [...new Set([...Object.keys(x), ...Object.keys(y)])]
          .filter((k) => k !== 'id' && JSON.stringify(x[k]) !== JSON.stringify(y[k]))
          .map((field) => ({ field, from: x[field] ?? null, to: y[field] ?? null }));
      const lists = Object.fromEntries(
        PLAN_LISTS.map((list) => {
          const before = new Map<string, Record<string, unknown>>(a[list].map((i) => [i.id, i as unknown as Record<string, unknown>]));
          const after = new Map<string, Record<string, unknown>>(b[list].map((i) => [i.id, i as unknown as Record<string, unknown>]));
          const brief = (i: Record<string, unknown>) => ({ id: String(i.id), label: itemLabel(list, i) });
          return [
            list,
            {
              added: [...after.values()].filter((i) => !before.has(String(i.id))).map(brief),
              removed: [...before.values()].filter((i) => !after.has(String(i.id))).map(brief),
              changed: [...after.values()]
                .filter((i) => before.has(String(i.id)))
                .map((i) => ({ ...brief(i), fields: fields(before.get(String(i.id))!, i) }))
                .filter((c) => c.fields.length > 0),
            },
          ];
        }),
      ) as Record<
        (typeof PLAN_LISTS)[number],
        {
          added: { id: string; label: string }[];
          removed: { id: string; label: string }[];
          changed: { id: string; label: string; fields: { field: string; from: unknown; to: unknown }[] }[];
        }
      >;
      const top = fields({ title: a.title, summary: a.summary }, { title: b.title, summary: b.summary });
      return { from, to, plan: top, ...lists };
    },

    /** Records a measured value of an indicator of the plan in force, for a year of the programme. */
    recordValue(actor: Actor, programmeId: string, indicatorId: string, input: unknown) {
      const config = access(actor, programmeId, 'record');
      const parsed = indicatorValueInputSchema.safeParse(input);
      if (!parsed.success) throw invalid(fieldErrors(parsed.error.issues, 'body'), 'the value is not valid');
      return transaction(() => {
        const revision = requireInForce(programmeId);
        const indicator = (revision.document as PlanDocument).indicators.find((i) => i.id === indicatorId);
        if (!indicator) throw new DomainError('not-found', `the plan in force has no indicator ${indicatorId}`);
        const errors: FieldError[] = [];
        const { first, last } = config.years;
        if (parsed.data.year < first || parsed.data.year > last) {
          errors.push({ path: 'body.year', message: `the programme runs ${first}–${last}` });
        }
        const value = typedValue(indicator.kind, parsed.data.value);
        if ('path' in value) errors.push(value);
        if (errors.length > 0 || 'path' in value) throw invalid(errors, 'the value is not valid');
        db.insert(planIndicatorValues)
          .values({
            id: crypto.randomUUID(),
            programmeId,
            indicatorId,
            year: parsed.data.year,
            value,
            note: parsed.data.note ?? null,
            planVersion: revision.version,
            createdBy: actor.id,
            createdAt: now().toISOString(),
            seq: nextSeq(planIndicatorValues.seq),
          })
          .run();
        audit.record({
          actorId: actor.id,
          programmeId,
          action: 'plan.value-recorded',
          details: { indicatorId, year: parsed.data.year, value },
        });
        return { indicatorId, values: valuesOf(programmeId)(indicatorId) };
      });
    },

    /** Changes the status of an assignment of the plan in force, with a note. */
    changeAssignmentStatus(actor: Actor, programmeId: string, assignmentId: string, input: unknown) {
      access(actor, programmeId, 'record');
      const parsed = assignmentStatusSchema.safeParse(input);
      if (!parsed.success) throw invalid(fieldErrors(parsed.error.issues, 'body'), 'the status is not valid');
      return transaction(() => {
        const revision = requireInForce(programmeId);
        if (!(revision.document as PlanDocument).assignments.some((a) => a.id === assignmentId)) {
          throw new DomainError('not-found', `the plan in force has no assignment ${assignmentId}`);
        }
        db.insert(planAssignmentEvents)
          .values({
            id: crypto.randomUUID(),
            programmeId,
            assignmentId,
            status: parsed.data.status,
            note: parsed.data.note ?? null,
            planVersion: revision.version,
            createdBy: actor.id,
            createdAt: now().toISOString(),
            seq: nextSeq(planAssignmentEvents.seq),
          })
          .run();
        audit.record({
          actorId: actor.id,
          programmeId,
          action: 'plan.assignment-status-changed',
          reason: parsed.data.note ?? null,
          details: { assignmentId, status: parsed.data.status },
        });
        reconcileTimers(programmeId, assignmentId);
        return { assignmentId, ...statusesOf(programmeId)(assignmentId) };
      });
    },

    /**
     * For the scheduler, firing an assignment's timer: the assignment as the plan in force has
     * it (none if it has been removed) and the timers it wants now.
     */
    timersOf(programmeId: string, assignmentId: string): { assignment?: PlanAssignment; wished: WantedAssignmentTimer[] } {
      const { assignments, wished } = wishedTimers(programmeId, assignmentId);
      return { assignment: assignments[0], wished };
    },

    /** Brings every assignment's timers in line (after the programme's deadline settings changed). Inside a transaction. */
    reconcileTimers: (programmeId: string) => reconcileTimers(programmeId),

    /** Brings the assignment timers of every programme with an adopted plan in line; gives how many programmes. */
    reconcileEveryProgramme(): number {
      return transaction(() => {
        const ids = db
          .selectDistinct({ programmeId: planRevisions.programmeId })
          .from(planRevisions)
          .where(eq(planRevisions.status, 'adopted'))
          .all()
          .map((r) => r.programmeId);
        for (const id of ids) reconcileTimers(id);
        return ids.length;
      });
    },

    /** The goals and rows of its programme's plan a case is linked to now (for the programme's own roles). */
    caseLinksOf(actor: Actor, caseId: string) {
      const found = db.select({ programmeId: cases.programmeId }).from(cases).where(eq(cases.id, caseId)).get();
      if (!found || !belongsTo(actor, found.programmeId)) throw new DomainError('not-found', `no case ${caseId}`);
      access(actor, found.programmeId, 'read');
      return caseLinks(caseId);
    },

    /**
     * Makes a case's links exactly the goals and rows named (of the plan in force): what is no
     * longer named is unlinked, what is new is linked, in one transaction.
     */
    setCaseLinks(actor: Actor, caseId: string, wanted: { goalIds: string[]; rowIds: string[] }) {
      requireCase(actor, caseId);
      return transaction(() => {
        const current = caseLinks(caseId);
        const gone = {
          goalIds: current.goalIds.filter((id) => !wanted.goalIds.includes(id)),
          rowIds: current.rowIds.filter((id) => !wanted.rowIds.includes(id)),
        };
        const added = {
          goalIds: wanted.goalIds.filter((id) => !current.goalIds.includes(id)),
          rowIds: wanted.rowIds.filter((id) => !current.rowIds.includes(id)),
        };
        if (gone.goalIds.length + gone.rowIds.length > 0) changeLinks(actor, caseId, gone, 'unlinked');
        if (added.goalIds.length + added.rowIds.length > 0) changeLinks(actor, caseId, added, 'linked');
        return caseLinks(caseId);
      });
    },

    /** Links a case to goals and rows of its programme's plan in force (those already linked stay as they are). */
    linkCase: (actor: Actor, caseId: string, input: unknown) => changeLinks(actor, caseId, input, 'linked'),
    /** Undoes links of a case: each must be linked now. */
    unlinkCase: (actor: Actor, caseId: string, input: unknown) => changeLinks(actor, caseId, input, 'unlinked'),
  };
}

export type Plans = ReturnType<typeof createPlans>;
