import http from 'node:http';

/*
 * An open-loop load generator on node:http, with coordinated omission corrected: request i is
 * due at t0 + i / rate and is sent then, whether or not the earlier ones have been answered
 * (a keep-alive agent with many sockets), and its latency runs from that due time to the end
 * of its answer. A stall of the server therefore counts against every request it delayed,
 * not only against the one that was in flight. Percentiles come from every recorded latency.
 */

export interface OpenRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface OpenLoopOptions {
  url: string;
  /** Requests offered per second. */
  rate: number;
  /** How long requests are offered, unless `until` settles first. */
  seconds: number;
  /** Stop offering when this settles (a run that lasts as long as something else does). */
  until?: Promise<unknown>;
  /** How long answers are waited for after the last request is due. */
  drainMs?: number;
  request: (i: number) => OpenRequest;
  onAnswer?: (i: number, status: number, headers: http.IncomingHttpHeaders) => void;
}

export interface OpenLoopResult {
  rate: number;
  seconds: number;
  offered: number;
  answered: number;
  /** answered ÷ offered. */
  answeredShare: number;
  /** At least 98 % of the offered requests answered within the window and the drain. */
  achieved: boolean;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  non2xx: number;
  /** 412 answers: a stale If-Match, counted and not retried. */
  stale: number;
  errors: number;
}

/** Share of the offered requests that must be answered for a run to count. */
export const ACHIEVED_SHARE = 0.98;

/** The q-quantile of sorted values (nearest rank), rounded to 0.1 ms. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const value = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  return Math.round(value * 10) / 10;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4096 });
  const interval = 1000 / options.rate;
  const drainMs = options.drainMs ?? 2000;
  const latencies: number[] = [];
  let non2xx = 0;
  let stale = 0;
  let errors = 0;
  let closed = false;
  let outstanding = 0;
  let wakeDrain: (() => void) | undefined;

  const settle = () => {
    outstanding--;
    if (outstanding === 0) wakeDrain?.();
  };

  const send = (i: number, due: number) => {
    const { method, path, headers, body } = options.request(i);
    outstanding++;
    const request = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          if (closed) return;
          latencies.push(performance.now() - due);
          const status = response.statusCode ?? 0;
          if (status === 412) stale++;
          if (status < 200 || status >= 300) non2xx++;
          options.onAnswer?.(i, status, response.headers);
          settle();
        });
      },
    );
    request.on('error', () => {
      if (closed) return;
      errors++;
      settle();
    });
    request.end(body);
  };

  // Offer: every request whose due time has come, then sleep about a millisecond.
  let stopped = false;
  void options.until?.then(
    () => (stopped = true),
    () => (stopped = true),
  );
  const t0 = performance.now() + 20;
  const planned = Math.max(1, Math.round(options.rate * options.seconds));
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (!stopped && next < planned && t0 + next * interval <= now) {
        send(next, t0 + next * interval);
        next++;
      }
      if (stopped || next >= planned) resolve();
      else setTimeout(tick, Math.min(1, Math.max(0, t0 + next * interval - now)));
    };
    tick();
  });
  const offered = next;
  const seconds = (performance.now() - t0) / 1000;

  // Drain: what is answered by then counts; the rest is not answered.
  if (outstanding > 0) {
    await new Promise<void>((resolve) => {
      wakeDrain = resolve;
      setTimeout(resolve, drainMs);
    });
  }
  closed = true;
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const answered = latencies.length;
  const answeredShare = offered === 0 ? 0 : answered / offered;
  return {
    rate: options.rate,
    seconds,
    offered,
    answered,
    answeredShare,
    achieved: answeredShare >= ACHIEVED_SHARE,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    p999: quantile(latencies, 0.999),
    max: quantile(latencies, 1),
    non2xx,
    stale,
    errors,
  };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** One request and its whole answer, timed from sending to the answer's last byte. */
export function send(url: string, request: OpenRequest, agent?: http.Agent): Promise<Answer> {
  const target = new URL(url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.path,
        headers:
          request.body === undefined ? request.headers : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
      },
    );
    r.on('error', reject);
    r.end(request.body);
  });
}

export interface SerialResult {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
}

/**
 * Requests one after another on one connection until `done(answered, elapsed ms)` says so
 * (it is asked before each request): the latency a person alone with the server waits.
 */
export async function serialLoop(
  url: string,
  done: (answered: number, elapsedMs: number) => boolean,
  request: (i: number) => OpenRequest,
  onAnswer?: (i: number, answer: Answer) => void,
): Promise<SerialResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let non2xx = 0;
  const started = performance.now();
  for (let i = 0; !done(i, performance.now() - started); i++) {
    const answer = await send(url, request(i), agent);
    latencies.push(answer.ms);
    if (answer.status < 200 || answer.status >= 300) non2xx++;
    onAnswer?.(i, answer);
  }
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    perSecond: seconds > 0 ? latencies.length / seconds : 0,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: quantile(latencies, 1),
    non2xx,
  };
}

/** A flag that turns true when the promise settles. */
export function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  return () => done;
}
