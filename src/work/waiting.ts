import type { AnyStateNode } from 'xstate';
import { EVENT_ROLES } from '../../machines/case/catalogue.js';
import { CASE_DEADLINES } from '../../machines/case/deadlines.js';
import type { CaseEventType } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import { CASE_MACHINE_VERSIONS } from '../../machines/versions.js';
import type { Db } from '../db/client.js';
import { has, t, type Language } from '../i18n/index.js';
import { localDate } from '../mail/calendar.js';
import { isProgrammeRole, type Actor } from '../people/actor.js';
import type { PlanDocument } from '../plans/document.js';
import { PLAN_RECORDERS } from '../plans/service.js';

/*
 * What waits for a person: the things they are the next to do, in every programme they hold a
 * role in. Three kinds:
 *
 *   case        a case stands where one of their roles has a move of its own: the programme's
 *               roles on every case of their programme, an initiator on the cases they own or
 *               take part in. Which states those are comes from the machines themselves (every
 *               released version, each case read against its own) and EVENT_ROLES, so a new
 *               version's events are picked up as they are. Events open all along (bringing in
 *               a participant, withdrawing, a check-in) and the import are no one's next move.
 *               Its due date is the earliest pending deadline of the case (the timers table)
 *               that belongs to the state where the move is.
 *   comment     the newest comment the person may read, on a case they take part in (owner,
 *               participant, guest), follow by their own choice or have commented on
 *               themselves, is someone else's: they have not answered it. Not counted when they
 *               stopped following the case. (Staff who only acted on a case, and never wrote on
 *               it, are not counted: that would need the event log on every page.)
 *   assignment  an assignment of the plan in force that is neither done nor cancelled, for
 *               those who record the plan's statuses (PLAN_RECORDERS): the plan names who is
 *               responsible in free text, not as a person of the system, so it is shown, not
 *               matched. Its due date is the end of its due range.
 *
 * Sorted by due date (none last), then oldest first. Every page's header counts them, so all
 * of it is a few indexed queries; the labels and due dates are only worked out for the list.
 */

export const WAITING_KINDS = ['case', 'comment', 'assignment'] as const;
export type WaitingKind = (typeof WAITING_KINDS)[number];

export interface WaitingItem {
  kind: WaitingKind;
  /** What to do, in plain words. */
  what: string;
  programmeId: string;
  caseId: string | null;
  assignmentId: string | null;
  /** The case's or the assignment's title, as people wrote it. */
  title: string;
  diaryNumber: string | null;
  /** YYYY-MM-DD: the day it should be done by, if there is one. */
  due: string | null;
  /** The due date as the plan wrote it ("hösten 2027"), for an assignment. */
  dueLabel: string | null;
  /** The due date has passed (in Swedish time). */
  overdue: boolean;
  /** When it began to wait: the case's last change, the comment, the plan's adoption. */
  since: string;
  /** Who the plan names as responsible, for an assignment; who wrote the comment, for a comment. */
  who: string | null;
}

/** Events that stand open all along a stretch of the process: nobody's next move. */
const NOT_A_MOVE = new Set<string>(['ADD_PARTICIPANT', 'WITHDRAW', 'RECORD_CHECK_IN', 'IMPORT_DECIDED']);

export interface Move {
  event: CaseEventType;
  /** The event leaves the state (a step forward), rather than recording something in it. */
  advances: boolean;
}

/** For each machine version, each role, each state path: the moves the role has there. */
export type RoleStates = Map<number, Map<Role, Map<string, Move[]>>>;

/**
 * Where each role has a move, read from the machines (every released version by default) and
 * who may send which event (EVENT_ROLES by default): a new version's events count as they are.
 */
export function roleStatesOf(
  machines: Record<number, { root: unknown }> = CASE_MACHINE_VERSIONS,
  eventRoles: Partial<Record<string, readonly Role[]>> = EVENT_ROLES,
): RoleStates {
  const out: RoleStates = new Map();
  for (const [version, machine] of Object.entries(machines)) {
    const byRole = new Map<Role, Map<string, Move[]>>();
    const walk = (node: AnyStateNode) => {
      if (node.path.length > 0) {
        const path = node.path.join('.');
        for (const event of new Set(node.ownEvents)) {
          if (event.startsWith('xstate.') || NOT_A_MOVE.has(event)) continue;
          const roles = eventRoles[event] ?? [];
          const advances = (node.transitions.get(event) ?? []).some((tr) => (tr.target?.length ?? 0) > 0);
          for (const role of roles) {
            const states = byRole.get(role) ?? new Map<string, Move[]>();
            byRole.set(role, states);
            states.set(path, [...(states.get(path) ?? []), { event: event as CaseEventType, advances }]);
          }
        }
      }
      for (const child of Object.values(node.states)) walk(child as AnyStateNode);
    };
    walk(machine.root as AnyStateNode);
    out.set(Number(version), byRole);
  }
  return out;
}

/** A state value of the chart as a dotted path ({ open: { preparation: 'x' } } → open.preparation.x). */
function pathOf(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, inner] = Object.entries(value as Record<string, unknown>)[0]!;
  return `${key}.${pathOf(inner)}`;
}

/** Each kind of case deadline, with the state it belongs to. */
const DEADLINE_STATES = new Map(CASE_DEADLINES.map((d) => [d.kind as string, pathOf(d.state)]));

/** A leaf state and every state it is in: open.preparation.proposal → open, open.preparation, open.preparation.proposal. */
const withAncestors = (leaf: string) => leaf.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'));

export interface WaitingDeps {
  db: Db;
  now: () => Date;
  displayNames: (ids: string[]) => Map<string, string>;
}

interface CaseRowLite {
  id: string;
  programmeId: string;
  title: string;
  diaryNumber: string;
  statePaths: string;
  machineVersion: number;
  updatedAt: string;
  relation: string | null;
}

/** A raw thing waiting, before it is put in words. */
type Raw =
  | { kind: 'case'; row: CaseRowLite; moves: { path: string; move: Move }[] }
  | { kind: 'comment'; caseId: string; programmeId: string; title: string; diaryNumber: string; authorId: string; at: string }
  | {
      kind: 'assignment';
      programmeId: string;
      assignmentId: string;
      title: string;
      responsible: string;
      due: { to: string; label?: string };
      since: string;
    };

export function createWaiting({ db, now, displayNames }: WaitingDeps) {
  const sqlite = db.$client;
  const roleStates = roleStatesOf();

  const versions = [...roleStates.keys()].sort((a, b) => a - b);

  // One prepared statement per shape (which roles, which columns), kept.
  type Query = { all: (...params: unknown[]) => unknown[] };
  const statements = new Map<string, Query>();
  const prepared = (text: string): Query => {
    let statement = statements.get(text);
    if (!statement) statements.set(text, (statement = sqlite.prepare(text) as Query));
    return statement;
  };

  /**
   * The condition that picks the cases where one of `roles` has a move, each case against its
   * own machine version: a path where every version gives the move needs no version (the
   * version column lies after the large snapshot in the row, so it is read only when needed).
   * Each path is given twice, as ",path," and ",path." (the state, or one inside it).
   */
  const movesWhere = (() => {
    const cache = new Map<string, { sql: string; params: string[] }>();
    return (roles: Role[]) => {
      const key = [...roles].sort().join(',');
      let where = cache.get(key);
      if (!where) {
        const versionsOf = new Map<string, Set<number>>();
        for (const [version, byRole] of roleStates) {
          for (const role of roles) {
            for (const path of byRole.get(role)?.keys() ?? []) versionsOf.set(path, (versionsOf.get(path) ?? new Set()).add(version));
          }
        }
        const groups = new Map<string, string[]>();
        for (const [path, set] of [...versionsOf].sort(([a], [b]) => a.localeCompare(b))) {
          const group = set.size === versions.length ? '' : [...set].sort((a, b) => a - b).join(',');
          groups.set(group, [...(groups.get(group) ?? []), path]);
        }
        const at = (paths: string[]) =>
          paths.map(() => `instr(',' || c.state_paths || ',', ?) > 0 OR instr(',' || c.state_paths || ',', ?) > 0`).join(' OR ');
        const parts = [...groups].map(([group, paths]) =>
          group === '' ? `(${at(paths)})` : `((${at(paths)}) AND c.machine_version IN (${group}))`,
        );
        where = {
          sql: parts.length === 0 ? '0' : parts.join(' OR '),
          params: [...groups.values()].flat().flatMap((p) => [`,${p},`, `,${p}.`]),
        };
        cache.set(key, where);
      }
      return where;
    };
  })();
  /** A list needs the case's words and age; a count only its id. */
  const columnsFor = (full: boolean) =>
    full
      ? `c.id, c.programme_id AS programmeId, c.title, c.diary_number AS diaryNumber, c.state_paths AS statePaths,
    c.machine_version AS machineVersion, c.updated_at AS updatedAt, cm.relation`
      : 'c.id';

  /** Active cases of a programme at a state where its staff roles have a move (the programme-status index). */
  function staffCases(actor: Actor, programmeId: string, roles: Role[], full: boolean, only?: string[]): CaseRowLite[] {
    const where = movesWhere(roles);
    if (where.params.length === 0) return [];
    return prepared(
      `SELECT ${columnsFor(full)} FROM cases c
       ${full ? 'LEFT JOIN case_members cm ON cm.case_id = c.id AND cm.user_id = ?' : ''}
       WHERE ${only ? 'c.id IN (SELECT value FROM json_each(?)) AND ' : ''}c.programme_id = ? AND c.status = 'active' AND (${where.sql})`,
    ).all(...(full ? [actor.id] : []), ...(only ? [JSON.stringify(only)] : []), programmeId, ...where.params) as CaseRowLite[];
  }

  /*
   * The count's staff cases, kept per (programme, roles) and brought up to date from the case
   * log: every change of a case (its state, status, version, process version) appends an event
   * in the same transaction, and the log's id only grows, so only the cases with events after
   * the last one seen are read again. A change made by another process on the same database is
   * found the same way. Inside a transaction (which may yet roll back) nothing is kept.
   */
  const lastEventQuery = sqlite.prepare('SELECT coalesce(max(id), 0) FROM case_events').pluck();
  const changedQuery = sqlite.prepare('SELECT DISTINCT case_id FROM case_events WHERE id > ?').pluck();
  /** Beyond this many changed cases, they are all read again at once. */
  const CATCH_UP_LIMIT = 500;
  const kept = new Map<string, { lastEvent: number; ids: Set<string> }>();
  const keptStats = { full: 0, caughtUp: 0, unchanged: 0 };

  function staffCaseIds(actor: Actor, programmeId: string, roles: Role[]): Set<string> {
    const fresh = () => new Set(staffCases(actor, programmeId, roles, false).map((r) => r.id));
    if (sqlite.inTransaction) return fresh();
    const key = `${programmeId}\u0000${[...roles].sort().join(',')}`;
    const last = lastEventQuery.get() as number;
    const entry = kept.get(key);
    if (entry && entry.lastEvent === last) {
      keptStats.unchanged++;
      return entry.ids;
    }
    const changed = entry && last > entry.lastEvent ? (changedQuery.all(entry.lastEvent) as string[]) : undefined;
    if (!entry || !changed || changed.length > CATCH_UP_LIMIT) {
      if (kept.size >= 100) kept.clear();
      const ids = fresh();
      kept.set(key, { lastEvent: last, ids });
      keptStats.full++;
      return ids;
    }
    for (const id of changed) entry.ids.delete(id);
    for (const row of staffCases(actor, programmeId, roles, false, changed)) entry.ids.add(row.id);
    entry.lastEvent = last;
    keptStats.caughtUp++;
    return entry.ids;
  }

  /** Active cases the person owns or takes part in, of the programmes they are an initiator in (the members' user index). */
  function ownCases(actor: Actor, programmes: string[], full: boolean): CaseRowLite[] {
    const where = movesWhere(['initiator']);
    if (where.params.length === 0 || programmes.length === 0) return [];
    return prepared(
      `SELECT ${columnsFor(full)} FROM case_members cm JOIN cases c ON c.id = cm.case_id
       WHERE cm.user_id = ? AND cm.relation IN ('owner', 'participant') AND c.status = 'active'
         AND c.programme_id IN (SELECT value FROM json_each(?)) AND (${where.sql})`,
    ).all(actor.id, JSON.stringify(programmes), ...where.params) as CaseRowLite[];
  }

  /** The moves the person has on a case: their roles there, against the case's own machine version. */
  function movesOn(actor: Actor, row: CaseRowLite): { path: string; move: Move }[] {
    const roles = (actor.memberships.find((m) => m.programmeId === row.programmeId)?.roles ?? []).filter(
      (r) => isProgrammeRole(r) || row.relation === 'owner' || row.relation === 'participant',
    );
    const byRole = roleStates.get(row.machineVersion);
    if (!byRole) return [];
    const out: { path: string; move: Move }[] = [];
    for (const leaf of row.statePaths.split(',')) {
      for (const path of withAncestors(leaf)) {
        for (const role of roles) {
          for (const move of byRole.get(role)?.get(path) ?? []) {
            if (!out.some((o) => o.move.event === move.event)) out.push({ path, move });
          }
        }
      }
    }
    return out;
  }

  // The newest comment the person may read on each case they take part in (the comments'
  // case-and-time index), then only those by someone else; the case row last, for its words.
  const commentQuery = sqlite.prepare(
    `WITH mine AS (
       SELECT case_id FROM case_members WHERE user_id = @me
       UNION SELECT case_id FROM case_follows WHERE user_id = @me AND following = 1
       UNION SELECT case_id FROM case_comments WHERE author_id = @me
     ),
     latest AS (
       SELECT mine.case_id AS caseId,
         (SELECT x.id FROM case_comments x
           WHERE x.case_id = mine.case_id AND (x.visibility = 'shared' OR x.programme_id IN (SELECT value FROM json_each(@staff)))
           ORDER BY x.created_at DESC, x.rowid DESC LIMIT 1) AS commentId
       FROM mine
     )
     SELECT c.id AS caseId, c.programme_id AS programmeId, c.title, c.diary_number AS diaryNumber, cc.author_id AS authorId, cc.created_at AS at
     FROM latest JOIN case_comments cc ON cc.id = latest.commentId JOIN cases c ON c.id = latest.caseId
     WHERE cc.author_id <> @me
       AND NOT EXISTS (SELECT 1 FROM case_follows f WHERE f.case_id = c.id AND f.user_id = @me AND f.following = 0)
       AND (c.programme_id IN (SELECT value FROM json_each(@staff))
         OR EXISTS (SELECT 1 FROM case_members m WHERE m.case_id = c.id AND m.user_id = @me))`,
  );

  function comments(actor: Actor): Raw[] {
    const staff = actor.memberships.filter((m) => m.roles.some(isProgrammeRole)).map((m) => m.programmeId);
    const rows = commentQuery.all({ me: actor.id, staff: JSON.stringify(staff) }) as Omit<Extract<Raw, { kind: 'comment' }>, 'kind'>[];
    return rows.map((r) => ({ kind: 'comment' as const, ...r }));
  }

  // The plan in force changes only by an adoption (a new revision row): its assignments are
  // read once per revision, not on every page.
  const inForceQuery = sqlite.prepare(
    `SELECT id, adopted_at AS adoptedAt FROM plan_revisions WHERE programme_id = ? AND status = 'adopted' ORDER BY version DESC LIMIT 1`,
  );
  const documentQuery = sqlite.prepare(`SELECT document FROM plan_revisions WHERE id = ?`);
  const assignmentsByRevision = new Map<string, PlanDocument['assignments']>();
  const assignmentsOf = (revisionId: string) => {
    let assignments = assignmentsByRevision.get(revisionId);
    if (!assignments) {
      if (assignmentsByRevision.size >= 100) assignmentsByRevision.clear();
      const { document } = documentQuery.get(revisionId) as { document: string };
      assignments = (JSON.parse(document) as PlanDocument).assignments;
      assignmentsByRevision.set(revisionId, assignments);
    }
    return assignments;
  };
  const closedQuery = sqlite.prepare(
    `SELECT e.assignment_id AS id FROM plan_assignment_events e
     WHERE e.programme_id = ? AND e.status IN ('done', 'cancelled')
       AND e.seq = (SELECT max(seq) FROM plan_assignment_events l WHERE l.programme_id = e.programme_id AND l.assignment_id = e.assignment_id)`,
  );

  function assignments(actor: Actor): Raw[] {
    const out: Raw[] = [];
    for (const m of actor.memberships) {
      if (!m.roles.some((r) => PLAN_RECORDERS.includes(r))) continue;
      const revision = inForceQuery.get(m.programmeId) as { id: string; adoptedAt: string } | undefined;
      if (!revision) continue;
      const list = assignmentsOf(revision.id);
      if (list.length === 0) continue;
      const closed = new Set((closedQuery.all(m.programmeId) as { id: string }[]).map((r) => r.id));
      for (const a of list) {
        if (closed.has(a.id)) continue;
        out.push({
          kind: 'assignment',
          programmeId: m.programmeId,
          assignmentId: a.id,
          title: a.title,
          responsible: a.responsible,
          due: a.due,
          since: revision.adoptedAt,
        });
      }
    }
    return out;
  }

  /**
   * The cases where the person has a move: with `full`, each with its row and moves; without,
   * only their ids (the conditions are exact: every case they pick has a move for the person).
   */
  function cases(actor: Actor, full: boolean): { ids: Set<string>; raws: Raw[] } {
    const rows = new Map<string, CaseRowLite>();
    const initiatorIn: string[] = [];
    for (const m of actor.memberships) {
      const staffRoles = m.roles.filter(isProgrammeRole);
      if (staffRoles.length > 0) for (const row of staffCases(actor, m.programmeId, staffRoles, full)) rows.set(row.id, row);
      if (m.roles.includes('initiator')) initiatorIn.push(m.programmeId);
    }
    for (const row of ownCases(actor, initiatorIn, full)) rows.set(row.id, row);
    if (!full) return { ids: new Set(rows.keys()), raws: [] };
    const raws: Raw[] = [];
    for (const row of rows.values()) {
      const moves = movesOn(actor, row);
      if (moves.length > 0) raws.push({ kind: 'case', row, moves });
    }
    return { ids: new Set(raws.map((r) => (r as { row: CaseRowLite }).row.id)), raws };
  }

  /** How many cases the person has a move on: `cases(actor, false).ids.size`, without a set of every id. */
  function caseCount(actor: Actor): number {
    const staffRoles = new Map<string, Role[]>();
    const initiatorIn: string[] = [];
    for (const m of actor.memberships) {
      const roles = m.roles.filter(isProgrammeRole);
      if (roles.length > 0) staffRoles.set(m.programmeId, [...new Set([...(staffRoles.get(m.programmeId) ?? []), ...roles])]);
      if (m.roles.includes('initiator')) initiatorIn.push(m.programmeId);
    }
    const staffSets = new Map([...staffRoles].map(([programmeId, roles]) => [programmeId, staffCaseIds(actor, programmeId, roles)]));
    let count = 0;
    for (const ids of staffSets.values()) count += ids.size;
    const own = new Set(ownCases(actor, initiatorIn, false).map((r) => r.id));
    for (const id of own) if (![...staffSets.values()].some((ids) => ids.has(id))) count++;
    return count;
  }

  /** Everything waiting, unworded: what both the count and the list are made of. */
  const collect = (actor: Actor): Raw[] => [...cases(actor, true).raws, ...comments(actor), ...assignments(actor)];

  const pendingTimers = sqlite.prepare(
    `SELECT case_id AS caseId, kind, due_at AS dueAt, data FROM timers WHERE status = 'pending' AND case_id IN (SELECT value FROM json_each(?))`,
  );

  /** The day a pending deadline stands for: the follow-up date or due date it counts towards, else its own day. */
  const dayOf = (timer: { dueAt: string; data: string }) => {
    const data = JSON.parse(timer.data) as Record<string, string>;
    return data.followUpDate ?? data.dueTo ?? localDate(timer.dueAt);
  };

  /** What a move is called on the list: the list's own words where it has them, else the event's. */
  const moveWords = (lang: Language, event: string) =>
    has(lang, `waiting.do.${event}`) ? t(lang, `waiting.do.${event}`) : t(lang, `events.${event}`);

  return {
    /** How many things wait for the person: the length of `list`, without putting them in words. */
    count(actor: Actor): number {
      if (actor.memberships.length === 0) return 0;
      return caseCount(actor) + comments(actor).length + assignments(actor).length;
    },

    /** How the count's staff cases were found so far: read in full, caught up from the log, or unchanged (for tests). */
    countStats: () => ({ ...keptStats }),

    /** The things waiting for the person, soonest due first (none last), then oldest first. */
    list(actor: Actor, lang: Language): WaitingItem[] {
      if (actor.memberships.length === 0) return [];
      const raws = collect(actor);
      const today = localDate(now().toISOString());
      const caseIds = raws.flatMap((r) => (r.kind === 'case' ? [r.row.id] : []));
      const timers = new Map<string, { path: string | undefined; day: string }[]>();
      if (caseIds.length > 0) {
        for (const timer of pendingTimers.all(JSON.stringify(caseIds)) as { caseId: string; kind: string; dueAt: string; data: string }[]) {
          timers.set(timer.caseId, [...(timers.get(timer.caseId) ?? []), { path: DEADLINE_STATES.get(timer.kind), day: dayOf(timer) }]);
        }
      }
      const names = displayNames(raws.flatMap((r) => (r.kind === 'comment' ? [r.authorId] : [])));
      const items = raws.map((raw): WaitingItem => {
        switch (raw.kind) {
          case 'case': {
            // A deadline belongs to the state where the move is (one of unknown state to any).
            const dueOf = (path: string) =>
              (timers.get(raw.row.id) ?? [])
                .filter((d) => d.path === undefined || d.path === path || d.path.startsWith(`${path}.`) || path.startsWith(`${d.path}.`))
                .map((d) => d.day)
                .sort()[0];
            const ranked = raw.moves
              .map((m) => ({ ...m, due: dueOf(m.path) }))
              .sort(
                (a, b) =>
                  (a.due ? 0 : 1) - (b.due ? 0 : 1) ||
                  (a.due ?? '').localeCompare(b.due ?? '') ||
                  Number(b.move.advances) - Number(a.move.advances),
              );
            const first = ranked[0]!;
            return {
              kind: 'case',
              what: moveWords(lang, first.move.event),
              programmeId: raw.row.programmeId,
              caseId: raw.row.id,
              assignmentId: null,
              title: raw.row.title,
              diaryNumber: raw.row.diaryNumber,
              due: first.due ?? null,
              dueLabel: null,
              overdue: first.due !== undefined && first.due < today,
              since: raw.row.updatedAt,
              who: null,
            };
          }
          case 'comment':
            return {
              kind: 'comment',
              what: t(lang, 'waiting.comment'),
              programmeId: raw.programmeId,
              caseId: raw.caseId,
              assignmentId: null,
              title: raw.title,
              diaryNumber: raw.diaryNumber,
              due: null,
              dueLabel: null,
              overdue: false,
              since: raw.at,
              who: names.get(raw.authorId) ?? null,
            };
          case 'assignment':
            return {
              kind: 'assignment',
              what: t(lang, 'waiting.assignment'),
              programmeId: raw.programmeId,
              caseId: null,
              assignmentId: raw.assignmentId,
              title: raw.title,
              diaryNumber: null,
              due: raw.due.to,
              dueLabel: raw.due.label ?? null,
              overdue: raw.due.to < today,
              since: raw.since,
              who: raw.responsible,
            };
        }
      });
      return items.sort(
        (a, b) =>
          (a.due ? 0 : 1) - (b.due ? 0 : 1) ||
          (a.due ?? '').localeCompare(b.due ?? '') ||
          a.since.localeCompare(b.since) ||
          a.title.localeCompare(b.title, 'sv'),
      );
    },
  };
}

export type Waiting = ReturnType<typeof createWaiting>;
