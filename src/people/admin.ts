import type { Role } from '../../machines/roles.js';
import { DomainError } from '../errors.js';
import { programmesWhere, rolesIn, type Actor } from './actor.js';
import type { Audit } from './audit.js';
import type { PeopleService } from './service.js';
import type { LoginThrottle } from './throttle.js';

/*
 * A programme's administrator manages the people of their programme: lists and finds them,
 * changes their roles there, disables and enables accounts, lifts a log-in wait. Every act
 * names a reason and is written to the audit in the same transaction. An administrator
 * reaches only people who hold a role in a programme they administer; anyone else is "not
 * found", so another programme's people are not even confirmed to exist.
 */

export interface PeopleAdminDeps {
  people: Pick<PeopleService, 'people' | 'person' | 'setDisabled' | 'setRoles' | 'countWithRole' | 'endSessions' | 'userByEmail'>;
  audit: Audit;
  throttle: Pick<LoginThrottle, 'unlock' | 'isLocked'>;
  /** Runs `work` in one transaction. */
  transaction: <T>(work: () => T) => T;
}

export function createPeopleAdmin({ people, audit, throttle, transaction }: PeopleAdminDeps) {
  /** The programmes the actor administers (optionally only `programme`, if it is one of them). */
  const administered = (actor: Actor, programme?: string) =>
    programmesWhere(actor, 'administrator').filter((p) => programme === undefined || p === programme);

  /** The person, if the actor administers a programme they hold a role in; else not found. */
  function reachable(actor: Actor, userId: string) {
    const person = people.person(userId);
    const mine = administered(actor);
    const shared = person?.memberships.filter((m) => mine.includes(m.programmeId)) ?? [];
    if (!person || shared.length === 0) throw new DomainError('not-found', `no person ${userId}`);
    return { person, shared };
  }

  /** What an administrator sees of a person: their roles in the programmes the administrator shares with them. */
  function view(person: NonNullable<ReturnType<typeof people.person>>, programmes: string[]) {
    return {
      id: person.id,
      email: person.email,
      displayName: person.displayName,
      language: person.language,
      disabled: person.disabled,
      locked: throttle.isLocked(person.email),
      createdAt: person.createdAt,
      programmes: person.memberships.filter((m) => programmes.includes(m.programmeId)),
    };
  }

  function get(actor: Actor, userId: string) {
    const { person } = reachable(actor, userId);
    return view(person, administered(actor));
  }

  return {
    /** People of the programmes the actor administers (or of one of them), by name; `q` finds a part of a name or address. */
    list(actor: Actor, filter: { programme?: string; q?: string; limit: number }) {
      const programmes = administered(actor, filter.programme);
      return { items: people.people(programmes, filter).map((p) => view(people.person(p.id)!, programmes)) };
    },

    get,

    /** Disables an account: its sessions end and its tokens are revoked at once. */
    disable(actor: Actor, userId: string, reason: string) {
      const { person, shared } = reachable(actor, userId);
      if (userId === actor.id) throw new DomainError('conflict', 'you cannot disable your own account');
      transaction(() => {
        people.setDisabled(userId, true);
        audit.record({ actorId: actor.id, programmeId: shared[0]!.programmeId, action: 'person.disabled', subjectUserId: userId, reason });
      });
      return view({ ...person, disabled: true }, administered(actor));
    },

    enable(actor: Actor, userId: string, reason: string) {
      const { person, shared } = reachable(actor, userId);
      transaction(() => {
        people.setDisabled(userId, false);
        audit.record({ actorId: actor.id, programmeId: shared[0]!.programmeId, action: 'person.enabled', subjectUserId: userId, reason });
      });
      return view({ ...person, disabled: false }, administered(actor));
    },

    /** Lifts every log-in wait on the account, from every address. */
    unlock(actor: Actor, userId: string, reason: string) {
      const { person, shared } = reachable(actor, userId);
      transaction(() => {
        const addresses = throttle.unlock(person.email);
        audit.record({
          actorId: actor.id,
          programmeId: shared[0]!.programmeId,
          action: 'person.unlocked',
          subjectUserId: userId,
          reason,
          details: { addresses },
        });
      });
      return view(person, administered(actor));
    },

    /**
     * A person's roles in a programme the actor administers become `roles` (none: they leave
     * it). A programme always keeps an administrator.
     */
    setRoles(actor: Actor, userId: string, programmeId: string, roles: Role[], reason: string) {
      if (!administered(actor).includes(programmeId)) throw new DomainError('not-found', `no programme ${programmeId}`);
      const { person } = reachable(actor, userId);
      const before = rolesIn({ ...actor, memberships: person.memberships }, programmeId);
      if (before.includes('administrator') && !roles.includes('administrator') && people.countWithRole(programmeId, 'administrator') <= 1) {
        throw new DomainError('conflict', 'the programme would have no administrator left');
      }
      transaction(() => {
        people.setRoles(userId, programmeId, roles);
        audit.record({
          actorId: actor.id,
          programmeId,
          action: 'person.roles-changed',
          subjectUserId: userId,
          reason,
          details: { before, after: [...new Set(roles)] },
        });
      });
      // Read afresh, not through `reachable`: someone who left the programme is no longer reachable.
      return view(people.person(userId)!, administered(actor));
    },

    /** The audit of the programmes the actor administers (or of one of them, or about one person). */
    audit(actor: Actor, filter: { programme?: string; person?: string; limit: number; cursor?: string }) {
      const programmes = administered(actor, filter.programme);
      if (filter.person) reachable(actor, filter.person);
      return audit.list({ programmeIds: programmes, subjectUserId: filter.person, limit: filter.limit, cursor: filter.cursor });
    },
  };
}

export type PeopleAdmin = ReturnType<typeof createPeopleAdmin>;
