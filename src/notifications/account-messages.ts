/*
 * The kinds of e-mail about a person's account (not a case), and the variables their
 * templates in templates/mail/<kind>/ may use. Written by ./account-mail.ts.
 */

/** Each kind of account message and the variables its templates may use (besides the layout's). */
export const ACCOUNT_MESSAGES = {
  /** Someone is invited to a programme (and perhaps a case) with roles: accept by the link. */
  invitation: ['inviterName', 'roles', 'caseTitle', 'link', 'expiresAt'],
  /** A person registered with their work address: confirm by the link. */
  registration: ['link', 'expiresAt'],
  /** A registration for an address that already has an account: log in, or reset the password. */
  'account-exists': ['loginUrl', 'resetUrl'],
  /** A password reset was asked for: choose a new password by the link. */
  'password-reset': ['link', 'expiresAt'],
} as const;
export type AccountMessageKind = keyof typeof ACCOUNT_MESSAGES;
export const ACCOUNT_MESSAGE_KINDS = Object.keys(ACCOUNT_MESSAGES) as AccountMessageKind[];

/** Variables every account message has. */
export const ACCOUNT_COMMON_VARIABLES = ['recipientName', 'programmeName', 'settingsUrl'] as const;
