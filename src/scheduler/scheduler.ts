import type { Log } from '../log.js';
import type { TimerFiring } from './firing.js';
import type { TimerStore } from './timers.js';

/*
 * The scheduler inside the server: fires due timers (./firing.ts), at start (so
 * deadlines that passed while the server was down fire now) and then on every poll.
 *
 * It also runs the daily pass (the retention rules, src/retention) at start and then on the
 * first poll a day (by the injected clock) after the last one began. The pass runs beside the
 * timer rounds, never in one: it lets the event loop go between its batches, so a timer falls
 * due and fires as if there were no pass.
 */

export interface SchedulerOptions {
  /** The clock the daily pass is timed by (the services' clock). */
  now?: () => Date;
  /** The daily pass; it should stop between its batches once `signal` aborts. */
  daily?: (signal: AbortSignal) => Promise<unknown>;
}

const DAY_MS = 86_400_000;

export function createScheduler(
  firing: Pick<TimerFiring, 'fireTimers'>,
  store: Pick<TimerStore, 'due'>,
  log?: Log,
  options: SchedulerOptions = {},
) {
  let poll: NodeJS.Timeout | undefined;
  let round: Promise<unknown> | undefined;
  let stopped = false;
  const now = options.now ?? (() => new Date());
  let daily: Promise<unknown> | undefined;
  let dailyStop = new AbortController();
  /** When the last daily pass began (by the clock); none yet since the start. */
  let lastDaily: number | undefined;
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

  /** Starts the daily pass when a day has passed since the last began (or none has since the start). */
  const startDaily = () => {
    const pass = options.daily;
    if (!pass || daily || stopped) return;
    const at = now().getTime();
    if (lastDaily !== undefined && at - lastDaily < DAY_MS) return;
    lastDaily = at;
    const signal = dailyStop.signal;
    daily = (async () => {
      // The timer round goes first.
      await new Promise((resolve) => setImmediate(resolve));
      if (!signal.aborted) await pass(signal);
    })()
      .catch((error: unknown) => log?.error({ reason: error instanceof Error ? error.message : String(error) }, 'daily pass failed'))
      .finally(() => {
        daily = undefined;
      });
  };

  return {
    runDue,
    /**
     * Deadlines that passed while the server was down fire right after start, then on every
     * poll; the daily pass runs at start, then once a day.
     */
    start(pollMs: number) {
      stopped = false;
      dailyStop = new AbortController();
      lastDaily = undefined;
      startRound();
      startDaily();
      poll = setInterval(() => {
        startRound();
        startDaily();
      }, pollMs);
      poll.unref();
    },
    /** Stops polling and waits for the round and pass under way to end at their batch (before the database closes). */
    async stop() {
      stopped = true;
      dailyStop.abort();
      clearInterval(poll);
      await round;
      await daily;
    },
    /** Resolves when the round and the daily pass under way (if any) are done. */
    async idle() {
      await round;
      await daily;
    },
  };
}
