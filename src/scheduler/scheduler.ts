import type { Log } from '../log.js';
import type { TimerFiring } from './firing.js';
import type { TimerStore } from './timers.js';

/*
 * The scheduler inside the server: fires due timers (./firing.ts), at start (so
 * deadlines that passed while the server was down fire now) and then on every poll.
 */

export function createScheduler(firing: Pick<TimerFiring, 'fireTimers'>, store: Pick<TimerStore, 'due'>, log?: Log) {
  let poll: NodeJS.Timeout | undefined;
  let round: Promise<unknown> | undefined;
  let stopped = false;
  const BATCH = 200;
  const BACKGROUND_BATCH = 20;
  type Counts = { fired: number; cancelled: number; skipped: number; failed: number };

  /** Fires up to one batch of due timers; returns how many it looked at. */
  function fireBatch(counts: Counts, failing: Set<string>, size = BATCH): number {
    const ids = store.due(size + failing.size).filter((id) => !failing.has(id));
    if (ids.length === 0) return 0;
    for (const [id, outcome] of firing.fireTimers(ids)) {
      if (!(outcome instanceof Error)) {
        counts[outcome] += 1;
        continue;
      }
      failing.add(id);
      counts.failed += 1;
      log?.warn({ timerId: id, reason: outcome.message }, 'timer failed to fire');
    }
    return ids.length;
  }

  const report = (counts: Counts) => {
    if (counts.fired + counts.cancelled + counts.failed > 0) log?.info(counts, 'timers fired');
    return counts;
  };

  /** Fires every timer due now, in one go; returns how each one went. */
  function runDue(): Counts {
    const counts = { fired: 0, cancelled: 0, skipped: 0, failed: 0 };
    const failing = new Set<string>();
    while (fireBatch(counts, failing) >= BATCH);
    return report(counts);
  }

  /**
   * The same in the background: a batch at a time, letting requests in between, so a server
   * that was down while many deadlines passed starts serving at once and catches up meanwhile.
   */
  async function runDueInBackground(): Promise<Counts> {
    const counts = { fired: 0, cancelled: 0, skipped: 0, failed: 0 };
    const failing = new Set<string>();
    // Small batches: a request waits for at most one of them.
    do await new Promise((resolve) => setImmediate(resolve));
    while (!stopped && fireBatch(counts, failing, BACKGROUND_BATCH) >= BACKGROUND_BATCH);
    return report(counts);
  }

  const startRound = () => {
    round ??= runDueInBackground().finally(() => {
      round = undefined;
    });
  };

  return {
    runDue,
    /** Deadlines that passed while the server was down fire right after start, then on every poll. */
    start(pollMs: number) {
      stopped = false;
      startRound();
      poll = setInterval(startRound, pollMs);
      poll.unref();
    },
    /** Stops polling and waits for the round under way to end at its batch (before the database closes). */
    async stop() {
      stopped = true;
      clearInterval(poll);
      await round;
    },
    /** Resolves when the round under way (if any) is done. */
    async idle() {
      await round;
    },
  };
}
