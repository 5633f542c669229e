/**
 * The roles a user can hold in a programme. Labels live in src/i18n; this file
 * only names them so the machine, the engine and the API agree on the ids.
 */
export const ROLES = [
  'initiator',
  'county-coordinator',
  'local-coordinator',
  'coordination-group',
  'lsvo-secretary',
  'regional-director',
  'steering-group',
  'finance',
  'administrator',
] as const;

export type Role = (typeof ROLES)[number];

/** Organisation kinds a participant of an initiative can be. */
export const ORGANISATION_KINDS = ['municipal', 'regional', 'civil-society', 'business', 'user-organisation'] as const;

export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/**
 * Who can be present at a dialogue forum (step 5). Which of them must be there is
 * programme configuration (`forumRequiredRoles`).
 */
export const FORUM_ROLES = [
  'idea-owner',
  'identified-actors',
  'county-coordinator',
  'suicide-prevention-coordinator',
  'local-coordinator',
  'user-organisation',
  'analyst',
  'communicator',
] as const;

export type ForumRole = (typeof FORUM_ROLES)[number];
