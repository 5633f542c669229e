import { z } from 'zod';
import { DomainError, fieldErrors } from '../errors.js';

/*
 * What the parts of the money room share: amounts, dates, the audit they write to, and how a
 * refused input is reported.
 */

/** Whole öre, never negative. */
export const ore = z.number().int('whole öre, no fractions').nonnegative('no negative amounts').max(1e13);
/** Whole öre, more than nothing. */
export const positiveOre = z.number().int('whole öre, no fractions').positive('more than 0 öre').max(1e13);
export const isoDate = z.iso.date('a date as YYYY-MM-DD');
export const poolKind = z.enum(['state', 'joint']).describe('the state grant, or a joint county-level pool');
export type PoolKind = z.infer<typeof poolKind>;
export const motivationText = z.string().trim().min(1, 'say why').max(4000);
export const referenceText = z.string().trim().min(1).max(200);

/**
 * The acts on money that the audit keeps (the audit itself belongs to src/people; it is handed
 * in as this port so money depends on no other room). Each action is one of AUDIT_ACTIONS.
 */
export type MoneyAuditAction =
  'pool.corrected' | 'pool.carried-over' | 'pool.distributed' | 'grant.paid' | 'grant.repaid' | 'grant.released';

export interface MoneyAudit {
  record(entry: {
    actorId: string | null;
    programmeId: string;
    action: MoneyAuditAction;
    reason?: string | null;
    details?: Record<string, unknown>;
  }): void;
}

/** Parses `input`, or throws validation-failed naming every failing field under `body`. */
export function parsed<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success)
    throw new DomainError('validation-failed', `${what} is not valid`, { errors: fieldErrors(result.error.issues, 'body') });
  return result.data;
}

/** A refusal of one field, as validation-failed. */
export const refused = (what: string, path: string, message: string) =>
  new DomainError('validation-failed', `${what} is not valid`, { errors: [{ path, message }] });
