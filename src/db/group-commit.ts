import type Database from 'better-sqlite3';
import { inSavepoint, type Outcome } from './savepoint.js';

/**
 * Group commit. The commands that arrive while the event loop is busy share one transaction
 * and one durable commit (the fsync), as databases do with their log. Each command runs in
 * a savepoint of its own, so one that fails is rolled back alone and gets its own error;
 * every caller is answered only after the shared COMMIT, so a 2xx still means "on disk".
 *
 * A batch is run synchronously from start to COMMIT: no other code runs while it is open,
 * and nothing outside it ever sees a half-written command. Work given to `run` must be
 * synchronous and must not start a transaction of its own with BEGIN (better-sqlite3's and
 * drizzle's transactions nest as savepoints).
 */
export interface GroupCommit {
  /** Runs `work` in the next shared transaction; resolves with its result once committed. */
  run<T>(work: () => T): Promise<T>;
  /** How many batches and commands have been committed (for the benchmark and tests). */
  stats(): { batches: number; commands: number };
}

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export function createGroupCommit(sqlite: Database.Database, options: { afterCommit?: () => void; maxBatch?: number } = {}): GroupCommit {
  const maxBatch = options.maxBatch ?? 128;
  const queue: Pending[] = [];
  let scheduled = false;
  let batches = 0;
  let commands = 0;

  function flush() {
    scheduled = false;
    const batch = queue.splice(0, maxBatch);
    if (queue.length > 0) schedule();
    // A transaction someone else holds open (a test that rolls everything back) is joined:
    // its owner commits or rolls back, and then no commit of ours is announced.
    const joined = sqlite.inTransaction;
    let outcomes: Outcome<unknown>[];
    try {
      if (!joined) sqlite.exec('BEGIN IMMEDIATE');
      outcomes = batch.map((item) => inSavepoint(sqlite, item.work));
      if (!joined) sqlite.exec('COMMIT');
    } catch (error) {
      // Nothing of the batch is on disk: every caller gets the error, none a 2xx.
      try {
        if (!joined && sqlite.inTransaction) sqlite.exec('ROLLBACK');
      } finally {
        for (const item of batch) item.reject(error);
      }
      return;
    }
    batches += 1;
    commands += batch.length;
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
    if (!joined && outcomes.some((o) => o.ok)) options.afterCommit?.();
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    // After the I/O callbacks of this turn: the requests that arrived together commit together.
    setImmediate(flush);
  }

  return {
    run<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
    stats: () => ({ batches, commands }),
  };
}
