import type { Engine } from '../engine/engine.js';
import type { Log } from '../log.js';
import type { TimerStore } from './timers.js';

/*
 * The scheduler inside the server: fires due timers through the engine, at start (so
 * deadlines that passed while the server was down fire now) and then on every poll.
 */

export function createScheduler(engine: Engine, store: TimerStore, log?: Log) {
  let poll: NodeJS.Timeout | undefined;

  /** Fires every timer due now; returns how each one went. */
  function runDue(): { fired: number; cancelled: number; skipped: number; failed: number } {
    const counts = { fired: 0, cancelled: 0, skipped: 0, failed: 0 };
    const failing = new Set<string>();
    const batch = 200;
    for (;;) {
      const ids = store.due(batch + failing.size).filter((id) => !failing.has(id));
      for (const id of ids) {
        try {
          counts[engine.fireTimer(id)] += 1;
        } catch (error) {
          failing.add(id);
          counts.failed += 1;
          log?.warn({ timerId: id, reason: error instanceof Error ? error.message : String(error) }, 'timer failed to fire');
        }
      }
      if (ids.length < batch) break;
    }
    if (counts.fired + counts.cancelled + counts.failed > 0) log?.info(counts, 'timers fired');
    return counts;
  }

  return {
    runDue,
    start(pollMs: number) {
      runDue();
      poll = setInterval(runDue, pollMs);
      poll.unref();
    },
    stop() {
      clearInterval(poll);
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
