import { DomainError } from '../errors.js';
import type { Actor } from './actor.js';
import type { Audit } from './audit.js';
import { passwordSchema, type PeopleService } from './service.js';
import type { LoginThrottle } from './throttle.js';

/*
 * What everyone does with their own account: log in (throttled per account and address),
 * change their password, see and end their sessions, make and revoke their API tokens.
 * Changes are written to the audit, as acts of the person on their own account.
 */

export interface AccountDeps {
  people: Pick<
    PeopleService,
    | 'verifyPassword'
    | 'passwordMatches'
    | 'setPassword'
    | 'endSessions'
    | 'sessionsOf'
    | 'endSessionById'
    | 'tokensOf'
    | 'createApiToken'
    | 'revokeToken'
  >;
  audit: Audit;
  throttle: LoginThrottle;
  now: () => Date;
  /** Runs `work` in one transaction. */
  transaction: <T>(work: () => T) => T;
}

/** How long a personal API token lives when nothing else is said, and at most. */
export const TOKEN_DAYS = { default: 90, max: 730 } as const;

export function createAccount({ people, audit, throttle, now, transaction }: AccountDeps) {
  return {
    /**
     * Logs in: refused at once while this account must wait from this address (429), else the
     * password is checked, a failure counted and a success clearing the count.
     */
    async logIn(email: string, password: string, address: string): Promise<Actor> {
      throttle.check(email, address);
      const actor = await people.verifyPassword(email, password);
      if (!actor) {
        throttle.failed(email, address);
        throw new DomainError('invalid-credentials');
      }
      throttle.succeeded(email, address);
      return actor;
    },

    /**
     * Changes the person's password: the current one must be given. Every other session of
     * theirs ends (the one of `keepToken`, if given, stays).
     */
    async changePassword(actor: Actor, current: string, next: string, keepToken?: string) {
      const errors = [];
      if (!(await people.passwordMatches(actor.id, current)))
        errors.push({ path: 'body.currentPassword', message: 'not your current password' });
      const checked = passwordSchema.safeParse(next);
      if (!checked.success) errors.push({ path: 'body.newPassword', message: checked.error.issues[0]!.message });
      else if (next === current) errors.push({ path: 'body.newPassword', message: 'the same as the current password' });
      if (errors.length > 0) throw new DomainError('validation-failed', 'the password was not changed', { errors });
      await people.setPassword(actor.id, next);
      return transaction(() => {
        const ended = people.endSessions(actor.id, keepToken);
        audit.record({ actorId: actor.id, action: 'password.changed', subjectUserId: actor.id, details: { sessionsEnded: ended } });
        return { sessionsEnded: ended };
      });
    },

    sessions: (actor: Actor, token?: string) => ({ items: people.sessionsOf(actor.id, token) }),

    endSession(actor: Actor, id: string) {
      transaction(() => {
        if (!people.endSessionById(actor.id, id)) throw new DomainError('not-found', 'no such session');
        audit.record({ actorId: actor.id, action: 'session.ended', subjectUserId: actor.id });
      });
    },

    /** Logs out everywhere (but the session of `keepToken`, if given). */
    endAllSessions(actor: Actor, keepToken?: string) {
      return transaction(() => {
        const ended = people.endSessions(actor.id, keepToken);
        audit.record({ actorId: actor.id, action: 'sessions.ended-all', subjectUserId: actor.id, details: { sessionsEnded: ended } });
        return { sessionsEnded: ended };
      });
    },

    tokens: (actor: Actor) => ({ items: people.tokensOf(actor.id) }),

    /** A new personal API token, valid `days` days; the token itself is shown only now. */
    createToken(actor: Actor, name: string, days: number = TOKEN_DAYS.default) {
      return transaction(() => {
        const created = people.createApiToken(actor.id, name, new Date(now().getTime() + days * 86_400_000));
        audit.record({ actorId: actor.id, action: 'token.created', subjectUserId: actor.id, details: { tokenId: created.id, name, days } });
        return created;
      });
    },

    revokeToken(actor: Actor, id: string) {
      transaction(() => {
        if (!people.revokeToken(actor.id, id)) throw new DomainError('not-found', 'no such token');
        audit.record({ actorId: actor.id, action: 'token.revoked', subjectUserId: actor.id, details: { tokenId: id } });
      });
    },
  };
}

export type Account = ReturnType<typeof createAccount>;
