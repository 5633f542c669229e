import { EVENT_ROLES } from '../../machines/case/catalogue.js';
import type { CaseEventType } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import { isProgrammeRole, type Actor } from '../people/service.js';

/*
 * The access policy in one place: who sees a case and who may send which event on it.
 * Pure functions; callers pass whether the actor is a member (owner or participant).
 */

export function canSeeCase(actor: Actor, programmeId: string, isMember: boolean): boolean {
  if (actor.programmeId !== programmeId) return false;
  return isMember || actor.roles.some(isProgrammeRole);
}

export type RoleCheck = { ok: true; role: Role } | { ok: false; reason: 'wrong-role' | 'not-case-member'; roles: readonly Role[] };

/** The role the actor acts in for `type`: the requested one, or the first they hold that may. */
export function roleFor(actor: Actor, type: CaseEventType, isMember: boolean, requested?: Role): RoleCheck {
  const allowed = EVENT_ROLES[type];
  const usable = actor.roles.filter((r) => allowed.includes(r) && (r !== 'initiator' || isMember));
  const pick = requested ? usable.find((r) => r === requested) : usable[0];
  if (pick) return { ok: true, role: pick };
  const heldButNotMember = allowed.includes('initiator') && actor.roles.includes('initiator') && !isMember;
  return { ok: false, reason: heldButNotMember && !requested ? 'not-case-member' : 'wrong-role', roles: allowed };
}
