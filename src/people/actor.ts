import type { Role } from '../../machines/roles.js';
import type { Language } from '../i18n/index.js';

/** A person's roles in one programme. */
export interface Membership {
  programmeId: string;
  roles: Role[];
}

/**
 * The person behind a request, as every service sees them: one person, one e-mail address,
 * roles in one or more programmes. Access is always decided per programme (`rolesIn`).
 */
export interface Actor {
  id: string;
  email: string;
  displayName: string;
  language: Language;
  /** Every programme the person holds a role in, in a stable order, each with its roles. */
  memberships: Membership[];
  /** The person must choose a new password before anything else (one someone else made). */
  passwordChangeRequired: boolean;
}

/** Roles that see every case of their programme (everyone but a plain initiator). */
export const isProgrammeRole = (role: Role) => role !== 'initiator';

/** The actor's roles in a programme (none when they hold none there). */
export const rolesIn = (actor: Actor, programmeId: string): Role[] =>
  actor.memberships.find((m) => m.programmeId === programmeId)?.roles ?? [];

/** Whether the actor holds any role in the programme. */
export const belongsTo = (actor: Actor, programmeId: string) => actor.memberships.some((m) => m.programmeId === programmeId);

/** Whether the actor holds `role` in the programme. */
export const holds = (actor: Actor, programmeId: string, role: Role) => rolesIn(actor, programmeId).includes(role);

/** Whether the actor sees every case of the programme (holds a role there besides initiator). */
export const seesAllCasesOf = (actor: Actor, programmeId: string) => rolesIn(actor, programmeId).some(isProgrammeRole);

/** The programmes in which the actor holds one of `roles` (every programme of theirs without `roles`). */
export const programmesWhere = (actor: Actor, ...roles: Role[]) =>
  actor.memberships.filter((m) => roles.length === 0 || m.roles.some((r) => roles.includes(r))).map((m) => m.programmeId);
