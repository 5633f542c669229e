import crypto from 'node:crypto';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { auditLog, caseComments, caseEvents, caseFollows, casePeople } from '../db/schema.js';
import { canSeeCase } from '../engine/access.js';
import type { CaseRelation, CaseRow, CaseStore } from '../engine/case-store.js';
import type { Engine } from '../engine/engine.js';
import { DomainError } from '../errors.js';
import { t, type Language } from '../i18n/index.js';
import type { Notifications } from '../notifications/service.js';
import { holds, isProgrammeRole, rolesIn, seesAllCasesOf, type Actor } from '../people/actor.js';
import type { PeopleService } from '../people/service.js';

/*
 * The conversation on a case: comments, shared with the case's own people (its initiator,
 * participants and guests) or internal to the programme's staff; who follows the case and
 * so hears of a new comment; and the guests, people from outside invited to the one case.
 *
 * An internal comment is the staff's alone: it is never listed, counted, mailed or shown in
 * the history to anyone else. A comment's text stays in its own row: not in the event log,
 * not in an e-mail, not in a log line. Each change is one transaction: the comment's row, the
 * case's event (its version goes up) and the outbox rows of the e-mail.
 */

export const COMMENT_VISIBILITIES = ['shared', 'internal'] as const;
export type CommentVisibility = (typeof COMMENT_VISIBILITIES)[number];

export const newCommentSchema = z
  .object({
    body: z.string().trim().min(1).max(10_000).describe('the comment; never sent by e-mail'),
    visibility: z
      .enum(COMMENT_VISIBILITIES)
      .describe("shared: the case's own people and the programme's staff read it; internal: only the programme's staff"),
  })
  .strict();

export const followingChangeSchema = z.object({ following: z.boolean() }).strict();

export const guestInvitationSchema = z
  .object({
    email: z.email().max(254),
    name: z.string().trim().max(200).optional().describe('as the invitation names them'),
    organisation: z.string().trim().max(200).optional().describe('whom they come from, shown on the case'),
  })
  .strict();

/** Who may invite a guest to a case: the programme's county coordinators and administrators. */
export const GUEST_INVITERS = ['county-coordinator', 'administrator'] as const;

/** Why a person follows a case, or does not. */
export type FollowReason = 'chosen' | 'stopped' | 'owner' | 'participant' | 'guest' | 'acted' | 'none';

export interface ConversationDeps {
  db: Db;
  engine: Pick<Engine, 'recordOnCase'>;
  store: Pick<CaseStore, 'load' | 'relationOf' | 'members'>;
  people: Pick<PeopleService, 'displayNames' | 'actorById'>;
  notifications: Pick<Notifications, 'forComment'>;
  now: () => Date;
}

export function createConversation({ db, engine, store, people, notifications, now }: ConversationDeps) {
  /** The case, if the actor may see it; how they are a member of it; whether they are its programme's staff. */
  function visible(actor: Actor, caseId: string) {
    const row = store.load(caseId);
    const relation = row ? store.relationOf(row.id, actor.id) : undefined;
    if (!row || !canSeeCase(actor, row.programmeId, relation !== undefined)) throw new DomainError('not-found', `no case ${caseId}`);
    return { row, relation, staff: seesAllCasesOf(actor, row.programmeId) };
  }

  /** The role a comment is written in: a staff role of the programme, else initiator (owner, participant) or guest. */
  function roleOf(actor: Actor, row: CaseRow, relation: CaseRelation | undefined): string {
    const staffRole = rolesIn(actor, row.programmeId).find(isProgrammeRole);
    if (staffRole) return staffRole;
    return relation === 'guest' || relation === undefined ? 'guest' : 'initiator';
  }

  const roleWord = (lang: Language, role: string) => (role === 'guest' ? t(lang, 'guests.role') : t(lang, `roles.${role}`));

  /** The staff of the programme who have sent an event on the case (a comment included). */
  function actedOn(row: CaseRow): Set<string> {
    // The log names people by their reference on the case (src/engine/log-people.ts).
    const ids = db
      .selectDistinct({ userId: casePeople.userId })
      .from(caseEvents)
      .innerJoin(casePeople, eq(casePeople.ref, caseEvents.actorId))
      .where(eq(caseEvents.caseId, row.id))
      .all()
      .map((e) => e.userId);
    return new Set(
      ids.filter((id) => {
        const person = people.actorById(id);
        return person !== undefined && seesAllCasesOf(person, row.programmeId);
      }),
    );
  }

  function choices(caseId: string): Map<string, boolean> {
    return new Map(
      db
        .select({ userId: caseFollows.userId, following: caseFollows.following })
        .from(caseFollows)
        .where(eq(caseFollows.caseId, caseId))
        .all()
        .map((c) => [c.userId, c.following]),
    );
  }

  /** Whether a person follows the case, and why: their own choice first, else what they are to it. */
  function reasonFor(
    userId: string,
    row: CaseRow,
    facts: { members: Map<string, CaseRelation>; acted: Set<string>; chosen: Map<string, boolean> },
  ): { following: boolean; reason: FollowReason } {
    const chosen = facts.chosen.get(userId);
    if (chosen !== undefined) return { following: chosen, reason: chosen ? 'chosen' : 'stopped' };
    const relation = facts.members.get(userId);
    if (relation) return { following: true, reason: relation };
    if (facts.acted.has(userId)) return { following: true, reason: 'acted' };
    return { following: false, reason: 'none' };
  }

  function factsOf(row: CaseRow) {
    return {
      members: new Map(store.members(row.id).map((m) => [m.userId, m.relation])),
      acted: actedOn(row),
      chosen: choices(row.id),
    };
  }

  /**
   * Who follows the case now: its owner, participants and guests, the programme's staff who
   * have acted on it and anyone who chose to, but not those who stopped; only people who
   * still see the case. With `staffOnly`, only the programme's staff (for an internal comment).
   */
  function followersOf(row: CaseRow, staffOnly: boolean): string[] {
    const facts = factsOf(row);
    const candidates = new Set([...facts.members.keys(), ...facts.acted, ...facts.chosen.keys()]);
    return [...candidates].filter((id) => {
      if (!reasonFor(id, row, facts).following) return false;
      const person = people.actorById(id);
      if (!person || !canSeeCase(person, row.programmeId, facts.members.has(id))) return false;
      return !staffOnly || seesAllCasesOf(person, row.programmeId);
    });
  }

  function followingOf(actor: Actor, row: CaseRow, lang: Language) {
    const { following, reason } = reasonFor(actor.id, row, factsOf(row));
    return { caseId: row.id, following, reason, reasonText: t(lang, `conversation.follow.reasons.${reason}`) };
  }

  return {
    /** The comments the actor may read, oldest first; the staff's internal ones only for the programme's staff. */
    list(actor: Actor, caseId: string, lang: Language) {
      const { row, relation, staff } = visible(actor, caseId);
      const rows = db
        .select()
        .from(caseComments)
        .where(staff ? eq(caseComments.caseId, row.id) : and(eq(caseComments.caseId, row.id), eq(caseComments.visibility, 'shared')))
        .orderBy(asc(caseComments.createdAt), asc(caseComments.caseVersion))
        .all();
      const roles = new Map(
        rows.length === 0
          ? []
          : db
              .select({ version: caseEvents.version, role: caseEvents.actorRole })
              .from(caseEvents)
              .where(and(eq(caseEvents.caseId, row.id), eq(caseEvents.type, 'COMMENT_ADDED')))
              .all()
              .map((e) => [e.version, e.role]),
      );
      const names = people.displayNames([...new Set(rows.map((c) => c.authorId))]);
      return {
        caseId: row.id,
        canWriteInternal: staff,
        canComment: staff || relation !== undefined,
        items: rows.map((c) => {
          const role = roles.get(c.caseVersion) ?? 'guest';
          return {
            id: c.id,
            body: c.body,
            visibility: c.visibility,
            author: { id: c.authorId, displayName: names.get(c.authorId) ?? null },
            role,
            roleLabel: roleWord(lang, role),
            createdAt: c.createdAt,
            caseVersion: c.caseVersion,
          };
        }),
      };
    },

    /**
     * Adds a comment: shared, or internal for the programme's staff only. Its followers hear of
     * it by e-mail (for an internal one, only those of the staff), never its author. In the
     * caller's transaction if one is open. Gives the comment and the case's new version.
     */
    add(actor: Actor, caseId: string, input: z.infer<typeof newCommentSchema>) {
      const { row, relation, staff } = visible(actor, caseId);
      if (!staff && relation === undefined) throw new DomainError('not-found', `no case ${caseId}`);
      if (input.visibility === 'internal' && !staff) {
        throw new DomainError('forbidden', "only the programme's staff write internal comments", {
          errors: [{ path: 'body.visibility', message: 'shared is the only visibility open to you' }],
        });
      }
      const body = input.body.trim();
      if (body.length === 0) {
        throw new DomainError('validation-failed', 'the comment is empty', { errors: [{ path: 'body.body', message: 'write something' }] });
      }
      const id = crypto.randomUUID();
      const role = roleOf(actor, row, relation);
      const at = now().toISOString();
      const version = engine.recordOnCase(actor, row.id, {
        type: 'COMMENT_ADDED',
        payload: { commentId: id, visibility: input.visibility },
        role,
        write: (v) => {
          db.insert(caseComments)
            .values({
              id,
              caseId: row.id,
              programmeId: row.programmeId,
              visibility: input.visibility,
              body,
              authorId: actor.id,
              createdAt: at,
              caseVersion: v,
            })
            .run();
          notifications.forComment({
            row: { ...row, version: v, updatedAt: at },
            version: v,
            authorId: actor.id,
            authorRole: (lang) => roleWord(lang, role),
            recipients: followersOf(row, input.visibility === 'internal'),
          });
        },
      });
      return { id, visibility: input.visibility, caseVersion: version, createdAt: at };
    },

    /** Whether the actor follows the case, and why. */
    following(actor: Actor, caseId: string, lang: Language) {
      return followingOf(actor, visible(actor, caseId).row, lang);
    },

    /** The actor's own choice to follow the case or not, over what they are to it. */
    setFollowing(actor: Actor, caseId: string, following: boolean, lang: Language) {
      const { row } = visible(actor, caseId);
      const changedAt = now().toISOString();
      db.transaction(
        () => {
          db.insert(caseFollows)
            .values({ caseId: row.id, userId: actor.id, following, changedAt })
            .onConflictDoUpdate({ target: [caseFollows.caseId, caseFollows.userId], set: { following, changedAt } })
            .run();
        },
        { behavior: 'immediate' },
      );
      return followingOf(actor, row, lang);
    },

    /** The user ids who would hear of a new comment now (for the tests and the page). */
    followers(actor: Actor, caseId: string, visibility: CommentVisibility = 'shared') {
      const { row } = visible(actor, caseId);
      return followersOf(row, visibility === 'internal');
    },

    /** Whether the actor may invite guests to the case (a county coordinator or administrator of its programme). */
    mayInviteGuests(actor: Actor, caseId: string): boolean {
      const { row } = visible(actor, caseId);
      return GUEST_INVITERS.some((r) => holds(actor, row.programmeId, r));
    },

    /**
     * The guests of the case: those who accepted, by name and organisation, to anyone who sees
     * the case; the programme's staff see their addresses too, and the invitations not yet accepted.
     */
    guests(actor: Actor, caseId: string) {
      const { row, staff } = visible(actor, caseId);
      const invited = db
        .select({ at: auditLog.at, details: auditLog.details })
        .from(auditLog)
        .where(
          and(
            eq(auditLog.programmeId, row.programmeId),
            eq(auditLog.action, 'person.invited'),
            sql`json_extract(${auditLog.details}, '$.caseId') = ${row.id}`,
            sql`json_extract(${auditLog.details}, '$.guest') = 1`,
          ),
        )
        .orderBy(desc(auditLog.at))
        .all()
        .map((a) => ({ at: a.at, ...(a.details as { email: string; name?: string; organisation?: string }) }));
      const byEmail = new Map<string, (typeof invited)[number]>();
      for (const i of invited) if (!byEmail.has(i.email)) byEmail.set(i.email, i);
      const accepted = store
        .members(row.id)
        .filter((m) => m.relation === 'guest')
        .flatMap((m) => {
          const person = people.actorById(m.userId);
          return person ? [person] : [];
        });
      const acceptedEmails = new Set(accepted.map((p) => p.email));
      return {
        caseId: row.id,
        mayInvite: GUEST_INVITERS.some((r) => holds(actor, row.programmeId, r)),
        items: accepted.map((p) => ({
          id: p.id,
          displayName: p.displayName,
          organisation: byEmail.get(p.email)?.organisation ?? null,
          ...(staff ? { email: p.email } : {}),
        })),
        pending: staff
          ? [...byEmail.values()]
              .filter((i) => !acceptedEmails.has(i.email))
              .map((i) => ({ email: i.email, name: i.name ?? null, organisation: i.organisation ?? null, invitedAt: i.at }))
          : [],
      };
    },
  };
}

export type Conversation = ReturnType<typeof createConversation>;
