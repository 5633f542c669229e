import type Database from 'better-sqlite3';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `work` in a savepoint of the open transaction: an error rolls back only what `work`
 * wrote and becomes its outcome, so the work before and after it in the same transaction
 * stands. Some errors (a full disk, an I/O error) make SQLite roll back the whole
 * transaction; then there is nothing left to stand, and the error is thrown.
 */
export function inSavepoint<T>(sqlite: Database.Database, work: () => T): Outcome<T> {
  sqlite.exec('SAVEPOINT satsa_work');
  try {
    const value = work();
    sqlite.exec('RELEASE satsa_work');
    return { ok: true, value };
  } catch (error) {
    if (!sqlite.inTransaction) throw error;
    sqlite.exec('ROLLBACK TO satsa_work');
    sqlite.exec('RELEASE satsa_work');
    return { ok: false, error };
  }
}
