import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { and, desc, eq, getTableColumns, gt, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { ROLES, type Role } from '../../machines/roles.js';
import type { Db } from '../db/client.js';
import { apiTokens, memberships, sessions, users } from '../db/schema.js';
import type { Language } from '../i18n/index.js';
import { DomainError, fieldErrors } from '../errors.js';
import type { Actor, Membership } from './actor.js';

export { isProgrammeRole, type Actor, type Membership } from './actor.js';

/** A user's row, as other rooms read it (no password hash). */
export type Person = Omit<typeof users.$inferSelect, 'passwordHash'>;

export const newUserSchema = z
  .object({
    programmeId: z.string().min(1),
    email: z
      .email()
      .max(254)
      .transform((e) => e.toLowerCase()),
    displayName: z.string().trim().min(1).max(200),
    password: z.string().min(12, 'at least 12 characters').max(1024).optional(),
    roles: z.array(z.enum(ROLES)).min(1),
    language: z.enum(['sv', 'en']).default('sv'),
    /** The password was made for them (the demo's, say): they choose their own at the first log-in. */
    passwordChangeRequired: z.boolean().default(false),
  })
  .strict();

export const passwordSchema = z.string().min(12, 'at least 12 characters').max(1024);

// Argon2id with OWASP's minimum (19 MiB, 2 passes): memory-hard, and still fast enough
// that a log-in answers in well under a second on a shared 2-core machine.
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');
const randomToken = (bytes = 32) => crypto.randomBytes(bytes).toString('base64url');

// A hash of a random password, verified when the e-mail is unknown, so a failed log-in
// takes as long whether or not the account exists.
let dummyHash: Promise<string> | undefined;

/**
 * `rolesOf` tells which roles a programme uses (undefined: no such programme), so a user
 * is only ever given roles their programme has.
 */
export function createPeopleService(db: Db, now: () => Date, rolesOf: (programmeId: string) => readonly Role[] | undefined = () => ROLES) {
  // Every request asks these: built and prepared once.
  const userQuery = db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();
  const membershipsQuery = db
    .select({ programmeId: memberships.programmeId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.userId, sql.placeholder('id')))
    .orderBy(memberships.programmeId)
    .prepare();
  const tokenQuery = db
    .select()
    .from(apiTokens)
    .where(
      and(
        eq(apiTokens.tokenHash, sql.placeholder('hash')),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql.placeholder('now'))),
      ),
    )
    .prepare();
  const sessionQuery = db
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, sql.placeholder('id')), gt(sessions.expiresAt, sql.placeholder('now'))))
    .prepare();
  const nameQuery = db
    .select({ name: users.displayName })
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();
  const { passwordHash: _hash, ...personColumns } = getTableColumns(users);
  const withRoleQuery = db
    .select(personColumns)
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .where(
      and(
        eq(memberships.programmeId, sql.placeholder('programmeId')),
        eq(memberships.role, sql.placeholder('role')),
        eq(users.disabled, false),
      ),
    )
    .prepare();
  const activeUserQuery = db
    .select(personColumns)
    .from(users)
    .where(and(eq(users.id, sql.placeholder('id')), eq(users.disabled, false)))
    .prepare();

  /** A person's roles, per programme, in a stable order. */
  function membershipsOf(userId: string): Membership[] {
    const byProgramme = new Map<string, Role[]>();
    for (const m of membershipsQuery.all({ id: userId }))
      byProgramme.set(m.programmeId, [...(byProgramme.get(m.programmeId) ?? []), m.role as Role]);
    return [...byProgramme].map(([programmeId, roles]) => ({
      programmeId,
      roles: roles.sort((a, b) => ROLES.indexOf(a) - ROLES.indexOf(b)),
    }));
  }

  /** A new user's data, checked against the programme's roles. */
  function checkNewUser(input: z.input<typeof newUserSchema>) {
    const parsed = newUserSchema.safeParse(input);
    if (!parsed.success) throw new DomainError('validation-failed', undefined, { errors: fieldErrors(parsed.error.issues) });
    const data = parsed.data;
    const allowed = rolesOf(data.programmeId);
    if (!allowed) {
      throw new DomainError('validation-failed', undefined, {
        errors: [{ path: 'programmeId', message: `no programme ${data.programmeId}` }],
      });
    }
    const foreign = data.roles.map((role, i) => ({ role, i })).filter(({ role }) => !allowed.includes(role));
    if (foreign.length > 0) {
      throw new DomainError('validation-failed', 'the programme does not use these roles', {
        errors: foreign.map(({ role, i }) => ({ path: `roles.${i}`, message: `${data.programmeId} has no role ${role}` })),
      });
    }
    return data;
  }

  function insertUser(data: z.output<typeof newUserSchema>, passwordHash: string | null): Actor {
    const id = crypto.randomUUID();
    db.transaction((tx) => {
      const taken = tx.select({ id: users.id }).from(users).where(eq(users.email, data.email)).get();
      if (taken) throw new DomainError('conflict', `a user with e-mail ${data.email} already exists`);
      tx.insert(users)
        .values({
          id,
          email: data.email,
          displayName: data.displayName,
          passwordHash,
          passwordChangeRequired: data.passwordChangeRequired,
          language: data.language,
          createdAt: now().toISOString(),
        })
        .run();
      for (const role of new Set(data.roles)) tx.insert(memberships).values({ userId: id, programmeId: data.programmeId, role }).run();
    });
    return actorById(id)!;
  }

  function actorById(userId: string): Actor | undefined {
    const user = userQuery.get({ id: userId });
    if (!user || user.disabled) return undefined;
    const held = membershipsOf(userId);
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      language: user.language,
      memberships: held,
      passwordChangeRequired: user.passwordChangeRequired,
    };
  }

  return {
    actorById,

    /** The user's language and the informational notifications they have turned off. */
    preferences(userId: string) {
      const row = db.select({ language: users.language, muted: users.mutedNotifications }).from(users).where(eq(users.id, userId)).get();
      return { language: row?.language ?? 'sv', mutedNotifications: row?.muted ?? [] };
    },

    updatePreferences(userId: string, change: { language?: Language; mutedNotifications?: string[] }) {
      const values = {
        ...(change.language ? { language: change.language } : {}),
        ...(change.mutedNotifications ? { mutedNotifications: [...new Set(change.mutedNotifications)].sort() } : {}),
      };
      // A change that names nothing changes nothing (and is no error).
      if (Object.keys(values).length === 0) return;
      db.update(users).set(values).where(eq(users.id, userId)).run();
    },

    async createUser(input: z.input<typeof newUserSchema>): Promise<Actor> {
      const data = checkNewUser(input);
      return insertUser(data, data.password ? await hash(data.password, ARGON2) : null);
    },

    /** A password's hash, made before a transaction that stores it (hashing is slow and asynchronous). */
    hashPassword: (password: string) => hash(password, ARGON2),

    /** Creates a user whose password is hashed already; synchronous, so it can join a transaction. */
    createUserHashed(input: z.input<typeof newUserSchema>, passwordHash: string | null): Actor {
      return insertUser(checkNewUser(input), passwordHash);
    },

    /**
     * A guest's account: someone from outside invited to one case, with no role in any
     * programme (they reach only the cases they are a guest of). Synchronous, like createUserHashed.
     */
    createGuestHashed(input: { email: string; displayName: string; language: Language }, passwordHash: string | null): Actor {
      const parsed = newUserSchema.omit({ programmeId: true, roles: true }).safeParse(input);
      if (!parsed.success) throw new DomainError('validation-failed', undefined, { errors: fieldErrors(parsed.error.issues) });
      return insertUser({ ...parsed.data, programmeId: '', roles: [] }, passwordHash);
    },

    async verifyPassword(email: string, password: string): Promise<Actor | undefined> {
      const user = db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).get();
      if (!user || !user.passwordHash || user.disabled) {
        dummyHash ??= hash(randomToken(), ARGON2);
        await verify(await dummyHash, password).catch(() => false);
        return undefined;
      }
      const ok = await verify(user.passwordHash, password).catch(() => false);
      return ok ? actorById(user.id) : undefined;
    },

    /** Starts a session; returns the cookie value (shown once) and the CSRF token for forms. */
    createSession(userId: string, hours: number) {
      const token = randomToken();
      const csrfToken = randomToken(24);
      const created = now();
      const expiresAt = new Date(created.getTime() + hours * 3_600_000);
      db.insert(sessions)
        .values({
          id: sha256(token),
          userId,
          csrfToken,
          createdAt: created.toISOString(),
          expiresAt: expiresAt.toISOString(),
        })
        .run();
      return { token, csrfToken, expiresAt };
    },

    /** The person of a live session, its CSRF token and the programme chosen in it (if any). */
    sessionActor(token: string): { actor: Actor; csrfToken: string; programmeId: string | null } | undefined {
      const row = sessionQuery.get({ id: sha256(token), now: now().toISOString() });
      if (!row) return undefined;
      const actor = actorById(row.userId);
      return actor ? { actor, csrfToken: row.csrfToken, programmeId: row.programmeId } : undefined;
    },

    /** The programme the pages of this session work in (one the person holds a role in). */
    chooseProgramme(token: string, programmeId: string) {
      db.update(sessions)
        .set({ programmeId })
        .where(eq(sessions.id, sha256(token)))
        .run();
    },

    endSession(token: string) {
      db.delete(sessions)
        .where(eq(sessions.id, sha256(token)))
        .run();
    },

    /** Creates a personal API token valid until `expiresAt`; the plain token is returned once and never stored. */
    createApiToken(userId: string, name: string, expiresAt: Date) {
      const token = `satsa_${randomToken()}`;
      const id = crypto.randomUUID();
      db.insert(apiTokens)
        .values({ id, userId, name, tokenHash: sha256(token), createdAt: now().toISOString(), expiresAt: expiresAt.toISOString() })
        .run();
      return { id, token, expiresAt: expiresAt.toISOString() };
    },

    /** A person's API tokens (never the tokens themselves), newest first. */
    tokensOf(userId: string) {
      return db
        .select({
          id: apiTokens.id,
          name: apiTokens.name,
          createdAt: apiTokens.createdAt,
          lastUsedAt: apiTokens.lastUsedAt,
          expiresAt: apiTokens.expiresAt,
          revokedAt: apiTokens.revokedAt,
        })
        .from(apiTokens)
        .where(eq(apiTokens.userId, userId))
        .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id))
        .all();
    },

    /** Revokes one of a person's tokens; false when they have no such token still valid. */
    revokeToken(userId: string, id: string): boolean {
      return (
        db
          .update(apiTokens)
          .set({ revokedAt: now().toISOString() })
          .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
          .run().changes === 1
      );
    },

    /** A person's live sessions, newest first; `current` marks the one of `token`. */
    sessionsOf(userId: string, token?: string) {
      const mine = token ? sha256(token) : undefined;
      return db
        .select({ id: sessions.id, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt })
        .from(sessions)
        .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now().toISOString())))
        .orderBy(desc(sessions.createdAt), desc(sessions.id))
        .all()
        .map((s) => ({ ...s, current: s.id === mine }));
    },

    /** Ends one of a person's sessions by its id; false when there is none. */
    endSessionById(userId: string, id: string): boolean {
      return (
        db
          .delete(sessions)
          .where(and(eq(sessions.id, id), eq(sessions.userId, userId)))
          .run().changes === 1
      );
    },

    /** Ends every session of a person but the one of `keep` (if given); returns how many ended. */
    endSessions(userId: string, keep?: string): number {
      const where = keep ? and(eq(sessions.userId, userId), ne(sessions.id, sha256(keep))) : eq(sessions.userId, userId);
      return db.delete(sessions).where(where).run().changes;
    },

    /** Checks a person's password (for a change of it); the same time whether or not it is right. */
    async passwordMatches(userId: string, password: string): Promise<boolean> {
      const hashed = userQuery.get({ id: userId })?.passwordHash;
      if (!hashed) {
        dummyHash ??= hash(randomToken(), ARGON2);
        await verify(await dummyHash, password).catch(() => false);
        return false;
      }
      return verify(hashed, password).catch(() => false);
    },

    /** Sets a person's password; `changeRequired` when someone else chose it for them. */
    async setPassword(userId: string, password: string, changeRequired = false) {
      this.setPasswordHash(userId, await hash(password, ARGON2), changeRequired);
    },

    /** Sets a person's password from its hash (see hashPassword); synchronous, for a transaction. */
    setPasswordHash(userId: string, passwordHash: string, changeRequired = false) {
      db.update(users).set({ passwordHash, passwordChangeRequired: changeRequired }).where(eq(users.id, userId)).run();
    },

    /** Disables or enables an account; disabling ends its sessions and revokes its tokens at once. */
    setDisabled(userId: string, disabled: boolean) {
      db.transaction(() => {
        db.update(users).set({ disabled }).where(eq(users.id, userId)).run();
        if (!disabled) return;
        db.delete(sessions).where(eq(sessions.userId, userId)).run();
        db.update(apiTokens)
          .set({ revokedAt: now().toISOString() })
          .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
          .run();
      });
    },

    /** A person's roles in one programme become exactly `roles` (none: they leave it). */
    setRoles(userId: string, programmeId: string, roles: Role[]) {
      const allowed = rolesOf(programmeId) ?? [];
      const foreign = roles.filter((role) => !allowed.includes(role));
      if (foreign.length > 0) {
        throw new DomainError('validation-failed', 'the programme does not use these roles', {
          errors: foreign.map((role) => ({ path: 'body.roles', message: `${programmeId} has no role ${role}` })),
        });
      }
      db.transaction(() => {
        db.delete(memberships)
          .where(and(eq(memberships.userId, userId), eq(memberships.programmeId, programmeId)))
          .run();
        for (const role of new Set(roles)) db.insert(memberships).values({ userId, programmeId, role }).run();
      });
    },

    /** How many active people hold `role` in the programme. */
    countWithRole(programmeId: string, role: Role): number {
      return withRoleQuery.all({ programmeId, role }).length;
    },

    /** A person's account as an administrator sees it (no password hash), with every membership. */
    person(userId: string) {
      const user = userQuery.get({ id: userId });
      if (!user) return undefined;
      const { passwordHash: _h, ...rest } = user;
      return { ...rest, memberships: membershipsOf(userId) };
    },

    /**
     * People who hold a role in any of `programmeIds`, by name; `q` finds a part of the name
     * or e-mail address. Each with their roles in those programmes only.
     */
    people(programmeIds: string[], filter: { q?: string; limit: number }) {
      if (programmeIds.length === 0) return [];
      const q = filter.q?.trim().toLowerCase();
      const rows = db
        .selectDistinct({ id: users.id, email: users.email, displayName: users.displayName, disabled: users.disabled })
        .from(users)
        .innerJoin(memberships, eq(memberships.userId, users.id))
        .where(
          and(
            inArray(memberships.programmeId, programmeIds),
            q ? or(sql`instr(lower(${users.displayName}), ${q}) > 0`, sql`instr(${users.email}, ${q}) > 0`) : undefined,
          ),
        )
        .orderBy(users.displayName, users.id)
        .limit(filter.limit)
        .all();
      return rows.map((r) => ({ ...r, memberships: membershipsOf(r.id).filter((m) => programmeIds.includes(m.programmeId)) }));
    },

    tokenActor(token: string): Actor | undefined {
      const row = tokenQuery.get({ hash: sha256(token), now: now().toISOString() });
      if (!row) return undefined;
      // "Last used" to the minute: a read must not cost a durable write on every request.
      const at = now();
      if (!row.lastUsedAt || at.getTime() - Date.parse(row.lastUsedAt) >= 60_000) {
        db.update(apiTokens).set({ lastUsedAt: at.toISOString() }).where(eq(apiTokens.id, row.id)).run();
      }
      return actorById(row.userId);
    },

    /** Whether anyone at all has an account (the first start's set-up is for an install without). */
    anyone(): boolean {
      return db.select({ id: users.id }).from(users).limit(1).get() !== undefined;
    },

    /** Whether the user holds any role in the programme. */
    belongsTo(userId: string, programmeId: string): boolean {
      return (
        db
          .select({ one: sql`1` })
          .from(memberships)
          .where(and(eq(memberships.userId, userId), eq(memberships.programmeId, programmeId)))
          .get() !== undefined
      );
    },

    /**
     * Makes the user a system administrator, who may see and erase people's data across
     * programmes (src/privacy), or no longer one. Only the command line does this.
     */
    setSystemAdministrator(userId: string, on: boolean) {
      db.update(users).set({ systemAdministrator: on }).where(eq(users.id, userId)).run();
    },

    /** Gives the user roles in a programme (added to those they hold). */
    grantRoles(userId: string, programmeId: string, roles: Role[]) {
      const allowed = rolesOf(programmeId);
      if (!allowed)
        throw new DomainError('validation-failed', undefined, {
          errors: [{ path: 'programmeId', message: `no programme ${programmeId}` }],
        });
      const foreign = roles.filter((role) => !allowed.includes(role));
      if (foreign.length > 0) {
        throw new DomainError('validation-failed', 'the programme does not use these roles', {
          errors: foreign.map((role) => ({ path: 'roles', message: `${programmeId} has no role ${role}` })),
        });
      }
      db.transaction(() => {
        for (const role of new Set(roles)) db.insert(memberships).values({ userId, programmeId, role }).onConflictDoNothing().run();
      });
      return actorById(userId);
    },

    userByEmail(email: string) {
      return db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).get();
    },

    /** The active users of a programme, by name. */
    usersOf(programmeId: string) {
      return db
        .selectDistinct({ id: users.id, displayName: users.displayName })
        .from(users)
        .innerJoin(memberships, eq(memberships.userId, users.id))
        .where(and(eq(memberships.programmeId, programmeId), eq(users.disabled, false)))
        .orderBy(users.displayName)
        .all();
    },

    /** The active users of a programme who hold a role. */
    withRole: (programmeId: string, role: Role): Person[] => withRoleQuery.all({ programmeId, role }),

    /** A user who is not disabled. */
    activeUser: (id: string): Person | undefined => activeUserQuery.get({ id }),

    displayName: (id: string): string | undefined => nameQuery.get({ id })?.name,

    displayNames(ids: string[]): Map<string, string> {
      const out = new Map<string, string>();
      for (const id of new Set(ids)) {
        const row = nameQuery.get({ id });
        if (row) out.set(id, row.name);
      }
      return out;
    },
  };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
