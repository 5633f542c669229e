import { DomainError } from '../errors.js';

/*
 * Optimistic concurrency over HTTP: a resource's version is its ETag; a command names the
 * version it saw in If-Match.
 */

export const etagOf = (version: number) => `"${version}"`;

/** `If-Match: "7"` (or W/"7" or 7) → 7. */
export function parseIfMatch(value: string | undefined): number {
  if (value === undefined) throw new DomainError('if-match-required', 'send If-Match with the ETag of the case you looked at');
  const match = /^\s*(?:W\/)?"?(\d{1,12})"?\s*$/.exec(value);
  if (!match) {
    throw new DomainError('validation-failed', 'If-Match must be the ETag of the case, e.g. "3"', {
      errors: [{ path: 'headers.if-match', message: 'not an ETag this API returned' }],
    });
  }
  return Number(match[1]);
}

/** `Prefer: return=minimal` (RFC 7240). */
export const prefersMinimal = (prefer: unknown) => /(^|[\s,;])return=minimal(\s*($|[,;]))/i.test(String(prefer ?? ''));
