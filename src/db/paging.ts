import { and, eq, lt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { DomainError } from '../errors.js';

/*
 * Keyset paging, newest first, over (created_at, id): the opaque cursor every list of the
 * API hands out, the condition that continues after it, and the page it cuts.
 */

export const encodeCursor = (row: { createdAt: string; id: string }) =>
  Buffer.from(JSON.stringify([row.createdAt, row.id])).toString('base64url');

export function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return value as [string, string];
    }
  } catch {
    // fall through to the 422 below
  }
  throw new DomainError('validation-failed', 'the cursor is not one this API returned', {
    errors: [{ path: 'cursor', message: 'invalid cursor' }],
  });
}

/** Rows after the cursor, in (created_at, id) descending order. */
export function afterCursor(cursor: string, createdAt: SQLiteColumn, id: SQLiteColumn): SQL {
  const [at, key] = decodeCursor(cursor);
  return or(lt(createdAt, at), and(eq(createdAt, at), lt(id, key)))!;
}

/** Cuts `limit + 1` fetched rows into a page and the cursor of the next one. */
export function cutPage<T extends { createdAt: string; id: string }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]!) : null };
}
