/**
 * Every error the API returns is RFC 9457 problem+json with a stable `code`. Each code
 * below says when it is thrown; titles are translated in src/i18n under `problems.<code>`.
 */
export const PROBLEM_CODES = {
  /** The body is not valid JSON, or the request is otherwise unreadable. */
  'malformed-request': 400,
  /** No valid session cookie or bearer token. */
  unauthenticated: 401,
  /** E-mail and password do not match an active user. */
  'invalid-credentials': 401,
  /** The caller's roles do not allow this action (or not on this case). */
  forbidden: 403,
  /** A form was posted without a matching CSRF token. */
  'csrf-token-invalid': 403,
  /** The resource does not exist or the caller may not see it (we do not tell which). */
  'not-found': 404,
  /** The event is known but the case's current state does not accept it. */
  'event-not-accepted': 409,
  /** A unique value (e-mail, token name) is already taken. */
  conflict: 409,
  /** If-Match names a version that is no longer current. */
  'version-mismatch': 412,
  /** The body is larger than the configured limit. */
  'payload-too-large': 413,
  /** The request's Content-Type is not one the route accepts. */
  'unsupported-media-type': 415,
  /** The body, query or parameters fail validation; `errors` lists every failing field. */
  'validation-failed': 422,
  /** The event's business rules are not met; `unmet` lists every failing requirement. */
  'requirements-not-met': 422,
  /** A decision grants more than remains in a grant pool (or an earmark), without an override. */
  'budget-exceeds-pool': 422,
  /** A follow-up report (or other running-only record) for a case that is not running. */
  'case-not-running': 422,
  /** The same Idempotency-Key was used with a different request. */
  'idempotency-key-reused': 422,
  /** A command was sent without If-Match. */
  'if-match-required': 428,
  /** Something we did not foresee; logged with the request id, no details leak. */
  internal: 500,
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export interface FieldError {
  path: string;
  message: string;
}

export interface UnmetRequirement {
  id: string;
  subject?: string;
  label: string;
}

export class Problem extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly extra: { errors?: FieldError[]; unmet?: UnmetRequirement[]; [key: string]: unknown } = {},
  ) {
    super(detail ?? code);
    this.status = PROBLEM_CODES[code];
  }
}

/** Turns zod issues into `{ path, message }` with dotted paths rooted at `prefix`. */
export function fieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string; code?: string; keys?: readonly string[] }[],
  prefix = '',
): FieldError[] {
  const pathOf = (parts: readonly PropertyKey[]) =>
    [prefix, ...parts.map(String)].filter((p) => p !== '').join('.') || '(root)';
  return issues.flatMap((issue) =>
    // An unknown field is reported where it is, so a form can show it next to the field.
    issue.code === 'unrecognized_keys' && issue.keys
      ? issue.keys.map((key) => ({ path: pathOf([...issue.path, key]), message: 'unknown field' }))
      : [{ path: pathOf(issue.path), message: issue.message }],
  );
}
