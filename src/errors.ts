/**
 * The one error type of Satsa. A service, the engine or the HTTP layer throws a
 * `DomainError` with a stable code and details; it carries no HTTP status. `src/http/`
 * maps each code to a status in one place (src/http/problem.ts) and renders it as
 * problem+json or an error page. Titles are translated in src/i18n under `problems.<code>`.
 *
 * Each code says when it is thrown.
 */
export const ERROR_CODES = [
  /** The body is not valid JSON, or the request is otherwise unreadable. */
  'malformed-request',
  /** No valid session cookie or bearer token. */
  'unauthenticated',
  /** E-mail and password do not match an active user. */
  'invalid-credentials',
  /** The caller's roles do not allow this action (or not on this case). */
  'forbidden',
  /** A form was posted without a matching CSRF token. */
  'csrf-token-invalid',
  /** The resource does not exist or the caller may not see it (we do not tell which). */
  'not-found',
  /** The event is known but the case's current state does not accept it. */
  'event-not-accepted',
  /** A unique value (e-mail, token name, a pool of a year) is already taken. */
  'conflict',
  /** The expected version (If-Match) is no longer the current one. */
  'version-mismatch',
  /** The body is larger than the configured limit. */
  'payload-too-large',
  /** The request's Content-Type is not one the route accepts. */
  'unsupported-media-type',
  /** The body, query or parameters fail validation; `errors` lists every failing field. */
  'validation-failed',
  /** The event's business rules are not met; `unmet` lists every failing requirement. */
  'requirements-not-met',
  /** A decision grants more than remains in a grant pool (or an earmark), without an override. */
  'budget-exceeds-pool',
  /** A follow-up report (or other running-only record) for a case that is not running. */
  'case-not-running',
  /** The same Idempotency-Key was used with a different request. */
  'idempotency-key-reused',
  /** A command was sent without the version it expects (If-Match). */
  'if-match-required',
  /** Too many failed log-ins for this account from this address: `retryAfterSeconds` says how long to wait. */
  'too-many-attempts',
  /** The person must choose a new password (one given to them) before doing anything else. */
  'password-change-required',
  /** A one-time link that cannot be used: `reason` is unknown, used or expired. */
  'link-invalid',
  /**
   * A log-in through an OpenID Connect provider could not be completed: `reason` is expired (no
   * log-in under way in this browser, or it took too long), mismatch (the answer's state or the
   * ID token's nonce is not this log-in's), denied (stopped at the provider) or provider (the
   * provider answered an error, or an answer that does not check out).
   */
  'sso-failed',
  /** The OpenID Connect provider could not be reached (its discovery document or keys). */
  'sso-unavailable',
  /** The provider vouched for an address without an account nor a pending invitation; `reason` is unknown or disabled. */
  'sso-no-account',
  /**
   * The provider's e-mail address cannot be trusted: `reason` is no-email, unverified (no
   * `email_verified` from a provider not trusted without it) or foreign-domain (a domain the
   * provider does not serve).
   */
  'sso-email-refused',
  /**
   * The archive rules say the record must be kept as it is: a person's data on a running case,
   * or on a closed one not yet delivered to the e-archive, is not erased. `cases` lists why.
   */
  'must-be-kept',
  /** Something we did not foresee; logged with the request id, no details leak. */
  'internal',
  /** The server is shutting down: the request was not handled; try again after `Retry-After`. */
  'service-unavailable',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** A field that failed, by its dotted path in the request, e.g. `payload.answers.targetGroup`. */
export interface FieldError {
  path: string;
  message: string;
}

/** A business rule that is not met (its label is filled in by the HTTP layer, translated). */
export interface UnmetRequirement {
  id: string;
  subject?: string;
  label: string;
  /** What the rule is about, named for people per language (a criterion's label, not its id); not sent as such. */
  subjectWords?: Partial<Record<'sv' | 'en', string>>;
}

export interface ErrorDetails {
  errors?: FieldError[];
  unmet?: UnmetRequirement[];
  [key: string]: unknown;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly details: ErrorDetails = {},
  ) {
    super(detail ?? code);
    this.name = 'DomainError';
  }
}

/** Turns zod issues into `{ path, message }` with dotted paths rooted at `prefix`. */
export function fieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[],
  prefix = '',
): FieldError[] {
  const pathOf = (parts: readonly PropertyKey[]) => [prefix, ...parts.map(String)].filter((p) => p !== '').join('.') || '(root)';
  return issues.flatMap((issue) =>
    // An unknown field is reported where it is, so a form can show it next to the field.
    issue.code === 'unrecognized_keys' && issue.keys
      ? issue.keys.map((key) => ({ path: pathOf([...issue.path, key]), message: 'unknown field' }))
      : [{ path: pathOf(issue.path), message: issue.message }],
  );
}
