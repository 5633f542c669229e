import { EVENT_ROLES } from '../../machines/case/catalogue.js';
import type { CaseEventType } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import { belongsTo, rolesIn, seesAllCasesOf, type Actor } from '../people/actor.js';

/*
 * The access policy in one place: who sees a case and who may send which event on it,
 * always by the actor's roles in the case's own programme. Pure functions; callers pass
 * whether the actor is a member of the case (owner, participant or guest: `store.isMember`).
 *
 * A guest (someone from outside invited to one case) holds no role in the programme: they
 * reach the cases they are a member of and nothing else, as every other check goes by roles.
 * Acting on a case as its initiator needs more than membership (`roleFor`: owner or participant).
 */

export function canSeeCase(actor: Actor, programmeId: string, isMember: boolean): boolean {
  if (isMember) return true;
  return belongsTo(actor, programmeId) && seesAllCasesOf(actor, programmeId);
}

export type RoleCheck = { ok: true; role: Role } | { ok: false; reason: 'wrong-role' | 'not-case-member'; roles: readonly Role[] };

/** The role the actor acts in for `type` on a case of `programmeId`: the requested one, or the first they hold there that may. */
export function roleFor(actor: Actor, programmeId: string, type: CaseEventType, isMember: boolean, requested?: Role): RoleCheck {
  const allowed = EVENT_ROLES[type];
  const held = rolesIn(actor, programmeId);
  const usable = held.filter((r) => allowed.includes(r) && (r !== 'initiator' || isMember));
  const pick = requested ? usable.find((r) => r === requested) : usable[0];
  if (pick) return { ok: true, role: pick };
  const heldButNotMember = allowed.includes('initiator') && held.includes('initiator') && !isMember;
  return { ok: false, reason: heldButNotMember && !requested ? 'not-case-member' : 'wrong-role', roles: allowed };
}
