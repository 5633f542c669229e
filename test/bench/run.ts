import { execSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { createServices } from '../../src/services.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { startChildServer, type ChildServer } from '../child-server.js';
import { buildDatabase, cloneCase, openFixture, templateCase } from './fixture.js';
import { IMPORT_MAX_ROWS, importPath, initiativesCsv } from './long-transaction.js';
import { openLoop, send, serialLoop, settled, type OpenLoopResult, type OpenRequest } from './open-loop.js';

/*
 * `npm run bench` (or `npm run bench -- --quick`): builds a fresh database, starts the real
 * server on 127.0.0.1 in a child process and drives it (autocannon for the closed loops, an
 * open-loop generator of its own for the latency targets); prints one table and writes it to
 * .bench/results.json. Every ratio is to a baseline measured in the same run on the same
 * machine, the median of three rounds. --quick is small and short: it proves the benchmark
 * works (CI runs it) and asserts no figures.
 */

const quick = process.argv.includes('--quick');
const SIZE = quick
  ? { total: 2_000, running: 500, seconds: 2, roundSeconds: 1, openSeconds: 2, importSeconds: 0.5, timers: 500, connections: 50 }
  : {
      total: 100_000,
      running: 10_000,
      seconds: 10,
      roundSeconds: 10,
      openSeconds: 10,
      importSeconds: 2.5,
      timers: 10_000,
      connections: 50,
    };
const ROUNDS = 3;
const TARGETS = {
  commandsVsBaseline: 0.45,
  minimalVsBaseline: 0.6,
  /** Open loop at half the maximum (coordinated omission corrected). */
  commandP99Ms: 25,
  listP99Ms: 15,
  startupMs: 1000,
  rssMb: 200,
  timersSeconds: 10,
  /** What people wait for, on one connection at 100,000 cases. */
  pageP99Ms: 50,
  reportP99Ms: 500,
};
/** Requests sent (and not counted) before each one-connection measure. */
const WARM_UP = quick ? 1 : 3;
/** The fewest requests a one-connection measure of what people wait for counts. */
const FELT_MIN = quick ? 2 : 5;
/** The rate of the open loop of commands while the long transaction runs. */
const DURING_RATE = 50;

/** The programme the benchmark's database holds. */
const PROGRAMME_ID = 'uph-blekinge';

const root = path.resolve('.bench');
const runDir = path.join(root, `run-${Date.now()}`);
fs.mkdirSync(runDir, { recursive: true });
const log = (line: string) => console.log(`[bench] ${line}`);

/** Peak resident memory of a process so far (Linux: VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const percent = (x: number) => `${(x * 100).toFixed(0)} %`;
/** Requests a second: whole numbers, with a decimal below ten. */
const rate = (x: number) => x.toFixed(x < 10 ? 1 : 0);

interface Load {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(options: autocannon.Options): Promise<Load> {
  const result = await autocannon({ duration: SIZE.seconds, connections: SIZE.connections, ...options });
  return {
    requests: result.requests.total,
    // Over the whole run, not the mean of whole-second samples: a round of the quick run lasts one second.
    perSecond: result.duration > 0 ? result.requests.total / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** The server's own count of its snapshot cache, printed when it stops; undefined without a cache. */
async function snapshotCache(server: ChildServer) {
  for (const stream of [server.child.stdout, server.child.stderr]) {
    if (stream && !stream.closed) await Promise.race([once(stream, 'close'), new Promise((r) => setTimeout(r, 2000))]);
  }
  const m = /snapshot cache: (\d+) hits, (\d+) misses/.exec(server.output());
  if (!m) return undefined;
  const [hits, misses] = [Number(m[1]), Number(m[2])];
  return { hits, misses, hitRate: hits + misses === 0 ? 0 : hits / (hits + misses) };
}

async function main() {
  log(
    `${quick ? 'quick run' : 'full run'}: ${SIZE.total} cases, ${SIZE.running} running, ${SIZE.seconds} s per load (${SIZE.roundSeconds} s per round of the ratios), ${SIZE.connections} connections; data in ${runDir}`,
  );

  // ---- the database ----------------------------------------------------------------------
  const dataDir = path.join(runDir, 'satsa');
  let t0 = performance.now();
  const { runningIds, closedId, tokens } = await buildDatabase(dataDir, SIZE.total, SIZE.running);
  log(`built ${SIZE.total} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // ---- the two servers, each started once and kept for the three rounds --------------------
  const baseline = await startChildServer({
    argv: ['--import', 'tsx', 'test/bench/baseline-server.ts'],
    env: { BASELINE_DB: path.join(runDir, 'baseline.sqlite') },
  });
  // Started as `npm start` does: the built bundle, with the same Node options.
  execSync('npm run --silent build');
  const start = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  const satsa = await startChildServer({
    argv: start.split('&& node ')[1]!.trim().split(/\s+/),
    env: { SATSA_DATA_DIR: dataDir, SATSA_DEMO_DATA: 'false', SATSA_LOG_LEVEL: 'warn', SATSA_POLL_SECONDS: '3600' },
  });
  const { startupMs } = satsa;
  const url = satsa.base;
  const auth = (role: 'county-coordinator' | 'administrator') => ({ authorization: `Bearer ${tokens[role]}` });
  const html = { ...auth('county-coordinator'), accept: 'text/html' };
  const pick = () => runningIds[Math.floor(Math.random() * runningIds.length)]!;

  // The first case page after start, cold: someone waits for it.
  const coldPage = await send(url, { method: 'GET', path: `/cases/${pick()}`, headers: html });
  log(
    `start-up with ${SIZE.total} cases: ${startupMs.toFixed(0)} ms; the first case page after it: ${coldPage.ms.toFixed(1)} ms (${coldPage.status})`,
  );

  // ---- commands: random running cases, If-Match from the last ETag seen -----------------
  const seminar = (i: number) =>
    JSON.stringify({ type: 'RECORD_SEMINAR', payload: { date: '2027-03-15', title: `Seminarium ${i}`, audience: 'Kommuner och region' } });
  let n = 0;
  const versions = new Map<string, number>();
  const first = JSON.parse(
    (await send(url, { method: 'GET', path: `/api/cases/${runningIds[0]}`, headers: auth('county-coordinator') })).body,
  ) as {
    version: number;
  };
  // Commands sent and not yet answered: when a load stops, the server may still carry them out,
  // and their cases' versions are then read again rather than guessed (no 412 from our own stale ETag).
  const inFlight = new Map<string, number>();
  const noteEtag = (id: string, status: number, etag: unknown) => {
    const left = (inFlight.get(id) ?? 1) - 1;
    if (left > 0) inFlight.set(id, left);
    else inFlight.delete(id);
    if (status < 300 && typeof etag === 'string') versions.set(id, Number(etag.replace(/"/g, '')));
  };
  const settleInFlight = async () => {
    await new Promise((r) => setTimeout(r, 200));
    for (const id of [...inFlight.keys()]) {
      const answer = await send(url, { method: 'GET', path: `/api/cases/${id}`, headers: auth('county-coordinator') });
      noteEtag(id, answer.status, answer.headers.etag);
    }
    inFlight.clear();
  };
  const command = (id: string, headers: Record<string, string> = {}): OpenRequest => {
    inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
    return {
      method: 'POST',
      path: `/api/cases/${id}/events`,
      headers: {
        ...auth('county-coordinator'),
        'content-type': 'application/json',
        'if-match': `"${versions.get(id) ?? first.version}"`,
        ...headers,
      },
      body: seminar(n++),
    };
  };
  let conflicts = 0;
  const commandLoad = async (headers: Record<string, string> = {}) => {
    const result = await load({
      url,
      duration: SIZE.roundSeconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (req, context: object) => {
            const id = pick();
            (context as { id?: string }).id = id;
            const { path: p, headers: h, body } = command(id, headers);
            return { ...req, path: p, headers: h, body };
          },
          onResponse: (status, _body, context: object, headers) => {
            noteEtag(String((context as { id?: string }).id), status, headers?.etag);
            if (status === 412) conflicts++;
          },
        },
      ],
    });
    await settleInFlight();
    return result;
  };
  const baselineLoad = () =>
    load({
      url: baseline.base,
      duration: SIZE.roundSeconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => ({
            ...req,
            path: `/baseline/${runningIds[n % runningIds.length]}`,
            headers: { 'content-type': 'application/json' },
            body: seminar(n++),
          }),
        },
      ],
    });

  /** Lets the server work off what an open loop left queued: /health waits its turn behind it. */
  const quiet = () => send(url, { method: 'GET', path: '/health', headers: {} });

  // ---- the ratios: baseline → commands → return=minimal, three rounds --------------------
  const rounds: { baseline: Load; commands: Load; minimal: Load; commandsRatio: number; minimalRatio: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const b = await baselineLoad();
    const c = await commandLoad();
    // The same commands for a client that needs only the new ETag back (RFC 7240).
    const m = await commandLoad({ prefer: 'return=minimal' });
    rounds.push({
      baseline: b,
      commands: c,
      minimal: m,
      commandsRatio: c.perSecond / b.perSecond,
      minimalRatio: m.perSecond / b.perSecond,
    });
    log(
      `round ${r + 1}: baseline ${b.perSecond.toFixed(0)} req/s; commands ${c.perSecond.toFixed(0)}/s (${percent(c.perSecond / b.perSecond)}), p99 ${c.p99} ms; return=minimal ${m.perSecond.toFixed(0)}/s (${percent(m.perSecond / b.perSecond)}), p99 ${m.p99} ms`,
    );
  }
  await baseline.stop();
  const ratios = {
    baselinePerSecond: median(rounds.map((r) => r.baseline.perSecond)),
    commandsPerSecond: median(rounds.map((r) => r.commands.perSecond)),
    minimalPerSecond: median(rounds.map((r) => r.minimal.perSecond)),
    commandsVsBaseline: median(rounds.map((r) => r.commandsRatio)),
    minimalVsBaseline: median(rounds.map((r) => r.minimalRatio)),
  };
  log(
    `medians of ${ROUNDS}: commands ÷ baseline ${percent(ratios.commandsVsBaseline)}, return=minimal ÷ baseline ${percent(ratios.minimalVsBaseline)} (${conflicts} stale If-Match)`,
  );

  // ---- open loop: commands at half the return=minimal maximum ----------------------------
  const openRate = Math.max(1, Math.round(ratios.minimalPerSecond / 2));
  const openIds: string[] = [];
  const openCommands = await openLoop({
    url,
    rate: openRate,
    seconds: SIZE.openSeconds,
    request: (i) => {
      openIds[i] = pick();
      return command(openIds[i], { prefer: 'return=minimal' });
    },
    onAnswer: (i, status, headers) => noteEtag(openIds[i]!, status, headers.etag),
  });
  await quiet();
  await settleInFlight();
  log(`open loop, commands at ${openRate}/s: ${describeOpen(openCommands)}`);

  // ---- reads ------------------------------------------------------------------------------
  const listPath = '/api/cases?status=active&step=10&limit=25';
  const page1 = JSON.parse((await send(url, { method: 'GET', path: listPath, headers: auth('county-coordinator') })).body) as {
    nextCursor: string | null;
  };
  const list = await load({ url: `${url}${listPath}`, headers: auth('county-coordinator') });
  // Latency without a queue in front: one connection.
  const listAlone = await load({ url: `${url}${listPath}`, headers: auth('county-coordinator'), connections: 1 });
  const nextPage = `${url}${listPath}&cursor=${encodeURIComponent(page1.nextCursor ?? '')}`;
  const paged = await load({ url: nextPage, headers: auth('county-coordinator') });
  const pagedAlone = await load({ url: nextPage, headers: auth('county-coordinator'), connections: 1 });
  const oneCase: autocannon.Options['requests'] = [
    { method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/cases/${pick()}`, headers: auth('county-coordinator') }) },
  ];
  const one = await load({ url, requests: oneCase });
  const oneAlone = await load({ url, requests: oneCase, connections: 1 });
  // Free-text search (through the trigram index), on one connection.
  const search = await load({
    url: `${url}/api/cases?q=${encodeURIComponent('uph-br-001')}&limit=25`,
    headers: auth('county-coordinator'),
    connections: 1,
  });
  log(
    `reads: list p99 ${list.p99} ms (1 connection: ${listAlone.p99} ms), next page p99 ${paged.p99} ms (1 connection: ${pagedAlone.p99} ms), search p99 ${search.p99} ms, one case p99 ${one.p99} ms (1 connection: ${oneAlone.p99} ms)`,
  );

  // ---- open loop: the case list at half its own maximum -----------------------------------
  const listRate = Math.max(1, Math.round(list.perSecond / 2));
  const openList = await openLoop({
    url,
    rate: listRate,
    seconds: SIZE.openSeconds,
    request: () => ({ method: 'GET', path: listPath, headers: auth('county-coordinator') }),
  });
  await quiet();
  log(`open loop, case list at ${listRate}/s: ${describeOpen(openList)}`);

  // The peak so far: commands and reads (the reports and downloads after this build large answers).
  const rssBeforeReportsMb = peakRssMb(satsa.child.pid!);
  // ---- what people wait for, one at a time (one connection), each after a short warm-up ---
  /**
   * GETs on one connection for the load's duration, and at least FELT_MIN of them unless that
   * takes three durations; after up to WARM_UP requests that are not counted (fewer when each
   * is slow: the warm-up stops after half a duration).
   */
  const felt = async (name: string, paths: () => string, headers: Record<string, string>) => {
    const duration = SIZE.seconds * 1000;
    const warming = performance.now();
    for (let i = 0; i < WARM_UP && (i === 0 || performance.now() - warming < duration / 2); i++) {
      await send(url, { method: 'GET', path: paths(), headers });
    }
    const result = await serialLoop(
      url,
      (answered, ms) => ms >= duration && (answered >= FELT_MIN || ms >= 3 * duration),
      () => ({ method: 'GET', path: paths(), headers }),
    );
    log(`${name}, 1 connection: ${result.requests} requests, p50 ${result.p50} ms, p99 ${result.p99} ms (${result.non2xx} non-2xx)`);
    return result;
  };
  const api = auth('county-coordinator');
  const reports = `/api/programmes/${PROGRAMME_ID}/reports`;
  const feltLoads = {
    casePage: await felt('casePage', () => `/cases/${pick()}`, html),
    board: await felt('board', () => '/board', html),
    yearReport: await felt('yearReport', () => `${reports}/2026`, api),
    yearReportPage: await felt('yearReportPage', () => `/programmes/${PROGRAMME_ID}/reports/2026`, html),
    yearReportXlsx: await felt('yearReportXlsx', () => `${reports}/2026?format=xlsx`, api),
    multiYearReport: await felt('multiYearReport', () => `${reports}/multi-year`, api),
    multiYearReportPage: await felt('multiYearReportPage', () => `/programmes/${PROGRAMME_ID}/reports/multi-year`, html),
    multiYearReportXlsx: await felt('multiYearReportXlsx', () => `${reports}/multi-year?format=xlsx`, api),
    publicInitiatives: await felt('publicInitiatives', () => `/api/public/programmes/${PROGRAMME_ID}/initiatives`, {}),
    archivePackage: await felt('archivePackage', () => `/api/cases/${closedId}/archive-package`, auth('administrator')),
  };
  const rssMb = peakRssMb(satsa.child.pid!);

  // ---- commands while a long transaction runs: an import of decided initiatives -----------
  const admin = { ...auth('administrator'), 'content-type': 'text/csv' };
  const importRows = (rows: number, label: string) =>
    send(url, { method: 'POST', path: importPath(PROGRAMME_ID), headers: admin, body: initiativesCsv(rows, label) });
  // Sized by a small import first: about SIZE.importSeconds of writing.
  const probeRows = quick ? 50 : 200;
  const probe = await importRows(probeRows, 'probe');
  const longRows = Math.min(IMPORT_MAX_ROWS, Math.max(probeRows, Math.round((SIZE.importSeconds * 1000 * probeRows) / probe.ms)));
  const longImport = importRows(longRows, 'long');
  const duringIds: string[] = [];
  const [imported, duringOpen, duringSerial] = await Promise.all([
    longImport,
    openLoop({
      url,
      rate: DURING_RATE,
      seconds: 600,
      until: longImport,
      drainMs: 5000,
      request: (i) => {
        duringIds[i] = pick();
        return command(duringIds[i]);
      },
      onAnswer: (i, status, headers) => noteEtag(duringIds[i]!, status, headers.etag),
    }),
    (() => {
      const ids: string[] = [];
      return serialLoop(
        url,
        settled(longImport),
        (i) => {
          ids[i] = pick();
          return command(ids[i]);
        },
        (i, answer) => noteEtag(ids[i]!, answer.status, answer.headers.etag),
      );
    })(),
  ]);
  const longTransaction = {
    rows: longRows,
    probe: { rows: probeRows, ms: probe.ms, status: probe.status },
    ms: imported.ms,
    status: imported.status,
    commandsOpenLoop: duringOpen,
    commandsOneConnection: duringSerial,
  };
  if (probe.status !== 201 || imported.status !== 201)
    log(`the import failed: ${probe.status} ${imported.status} ${imported.body.slice(0, 500)}`);
  log(
    `import of ${longRows} initiatives: ${(imported.ms / 1000).toFixed(2)} s (${imported.status}); commands during it, open loop at ${DURING_RATE}/s: ${describeOpen(duringOpen)}; on 1 connection: ${duringSerial.requests} commands, p50 ${duringSerial.p50} ms, p99 ${duringSerial.p99} ms, max ${duringSerial.max} ms`,
  );
  const rssAfterImportMb = peakRssMb(satsa.child.pid!);

  await satsa.stop();
  const cache = await snapshotCache(satsa);
  log(
    `peak RSS ${rssMb.toFixed(0)} MB (${rssAfterImportMb.toFixed(0)} MB after the import); snapshot cache: ${cache ? `${cache.hits} hits, ${cache.misses} misses` : 'no cache'}`,
  );

  // ---- timers: N due timers fired, exactly once each --------------------------------------
  const timerDir = path.join(runDir, 'timers');
  const fixture = await openFixture(timerDir);
  const template = templateCase(fixture, 4); // a submitted idea not yet on the agenda has a pending reminder
  cloneCase(fixture, template, SIZE.timers - 1, 'T', Date.UTC(2025, 0, 1));
  fixture.close();
  const later = () => new Date(Date.now() + 30 * 86_400_000);
  const timerDb = openDatabase(loadConfig({ SATSA_DATA_DIR: timerDir }).databaseFile);
  const services = createServices(timerDb, later, loadConfig({ SATSA_DATA_DIR: timerDir, SATSA_LOG_LEVEL: 'silent' }));
  t0 = performance.now();
  const fired = services.scheduler.runDue();
  const timersSeconds = (performance.now() - t0) / 1000;
  const again = services.scheduler.runDue();
  const counts = timerDb.$client
    .prepare("SELECT status, count(*) AS n FROM timers WHERE kind = 'idea-unanswered' GROUP BY status")
    .all() as { status: string; n: number }[];
  timerDb.$client.close();
  const firedOnce = fired.fired === SIZE.timers && again.fired === 0 && counts.find((c) => c.status === 'fired')?.n === SIZE.timers;
  log(`timers: ${fired.fired} fired in ${timersSeconds.toFixed(2)} s; a second run fired ${again.fired}; exactly once: ${firedOnce}`);

  // ---- the table ----------------------------------------------------------------------------
  type Row = [string, string, string, string];
  const three = (values: number[], unit: string) => `rounds ${values.map((v) => `${v.toFixed(0)}`).join(', ')} ${unit}`;
  const roundLatency = (loads: Load[]) => `p99 ${loads.map((l) => l.p99).join(', ')} ms`;
  const openRow = (name: string, o: OpenLoopResult, targetMs: number): Row => [
    name,
    `${o.achieved ? '' : 'not achieved: '}${(o.answeredShare * 100).toFixed(1)} % answered`,
    `p50 ${o.p50} ms, p99 ${o.p99} ms, p99.9 ${o.p999} ms${o.non2xx > 0 ? `, ${o.non2xx} non-2xx (${o.stale} stale If-Match)` : ''}`,
    `p99 ≤ ${targetMs} ms, ≥ 98 % answered`,
  ];
  const closedRow = (name: string, l: { perSecond: number; p50: number; p99: number }, target = '–'): Row => [
    name,
    `${rate(l.perSecond)} req/s`,
    `p50 ${l.p50} ms, p99 ${l.p99} ms`,
    target,
  ];
  const running = SIZE.running.toLocaleString('sv-SE');
  const rows: Row[] = [
    [
      `baseline (zod + 1 INSERT txn), median of ${ROUNDS}`,
      `${ratios.baselinePerSecond.toFixed(0)} req/s`,
      `${three(
        rounds.map((r) => r.baseline.perSecond),
        'req/s',
      )}; ${roundLatency(rounds.map((r) => r.baseline))}`,
      '–',
    ],
    [
      `commands (${running} running cases), median of ${ROUNDS}`,
      `${ratios.commandsPerSecond.toFixed(0)} /s`,
      `${three(
        rounds.map((r) => r.commands.perSecond),
        '/s',
      )}; ${roundLatency(rounds.map((r) => r.commands))}`,
      '–',
    ],
    [
      'commands ÷ baseline, median',
      percent(ratios.commandsVsBaseline),
      `rounds ${rounds.map((r) => percent(r.commandsRatio)).join(', ')}`,
      `≥ ${TARGETS.commandsVsBaseline * 100} %`,
    ],
    [
      `commands, Prefer: return=minimal, median of ${ROUNDS}`,
      `${ratios.minimalPerSecond.toFixed(0)} /s`,
      `${three(
        rounds.map((r) => r.minimal.perSecond),
        '/s',
      )}; ${roundLatency(rounds.map((r) => r.minimal))}`,
      '–',
    ],
    [
      'return=minimal ÷ baseline, median',
      percent(ratios.minimalVsBaseline),
      `rounds ${rounds.map((r) => percent(r.minimalRatio)).join(', ')}`,
      `≥ ${TARGETS.minimalVsBaseline * 100} %`,
    ],
    openRow(`open loop: commands (return=minimal) at ${openRate}/s, half the max`, openCommands, TARGETS.commandP99Ms),
    closedRow(`case list, filtered (${SIZE.total} cases), ${SIZE.connections} connections`, list),
    closedRow('case list, filtered, 1 connection', listAlone, `p99 ≤ ${TARGETS.listP99Ms} ms`),
    openRow(`open loop: case list at ${listRate}/s, half its max`, openList, TARGETS.listP99Ms),
    closedRow('case list, next page', paged),
    closedRow('case list, next page, 1 connection', pagedAlone, `p99 ≤ ${TARGETS.listP99Ms} ms`),
    closedRow('case list, search, 1 connection', search),
    closedRow('one case with allowed events', one),
    closedRow('one case, 1 connection', oneAlone),
    ['first case page (HTML) after start, cold', `${coldPage.ms.toFixed(1)} ms`, `one request (${coldPage.status})`, '–'],
    ...(
      [
        ['case page (HTML), 1 connection', feltLoads.casePage, TARGETS.pageP99Ms],
        ['board (HTML), 1 connection', feltLoads.board, TARGETS.pageP99Ms],
        ['programme-year report, 1 connection', feltLoads.yearReport, TARGETS.reportP99Ms],
        ['programme-year report page, 1 connection', feltLoads.yearReportPage, TARGETS.reportP99Ms],
        ['programme-year report as Excel, 1 connection', feltLoads.yearReportXlsx, null],
        ['multi-year report, 1 connection', feltLoads.multiYearReport, TARGETS.reportP99Ms],
        ['multi-year report page, 1 connection', feltLoads.multiYearReportPage, TARGETS.reportP99Ms],
        ['multi-year report as Excel, 1 connection', feltLoads.multiYearReportXlsx, null],
        ['public export of initiatives, 1 connection', feltLoads.publicInitiatives, null],
        ["a closed case's archive package, 1 connection", feltLoads.archivePackage, null],
      ] as const
    ).map(([name, l, target]) => closedRow(name, l, target === null ? '–' : `p99 ≤ ${target} ms`)),
    [
      `import of ${longRows} initiatives (one transaction)`,
      `${(imported.ms / 1000).toFixed(2)} s`,
      imported.status === 201 ? 'imported' : `failed (${imported.status})`,
      '–',
    ],
    [
      `commands during the import, open loop ${DURING_RATE}/s`,
      `${duringOpen.answered} of ${duringOpen.offered} answered`,
      `p50 ${duringOpen.p50} ms, p99 ${duringOpen.p99} ms, max ${duringOpen.max} ms`,
      '–',
    ],
    [
      'commands during the import, 1 connection',
      `${duringSerial.requests} answered`,
      `p50 ${duringSerial.p50} ms, p99 ${duringSerial.p99} ms, max ${duringSerial.max} ms`,
      '–',
    ],
    [
      'snapshot cache hit rate',
      cache ? percent(cache.hitRate) : 'no cache',
      cache ? `${cache.hits} hits, ${cache.misses} misses` : '',
      '–',
    ],
    ['start-up to serving', `${startupMs.toFixed(0)} ms`, '', `≤ ${TARGETS.startupMs} ms`],
    [
      'peak RSS of the server (before the import)',
      `${rssMb.toFixed(0)} MB`,
      `${rssBeforeReportsMb.toFixed(0)} MB through commands and reads, before the reports; ${rssAfterImportMb.toFixed(0)} MB after the import`,
      `≤ ${TARGETS.rssMb} MB`,
    ],
    [
      `${SIZE.timers} due timers fired`,
      `${timersSeconds.toFixed(2)} s`,
      firedOnce ? 'each exactly once' : 'NOT exactly once',
      `≤ ${TARGETS.timersSeconds} s`,
    ],
  ];
  const width = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['measure', 'figure', 'latency', 'target'][i]!.length));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  console.log(['', line(['measure', 'figure', 'latency', 'target']), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));

  const results = {
    at: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    size: SIZE,
    rounds,
    ratios,
    staleIfMatch: conflicts,
    openLoop: { commands: { ...openCommands, returnMinimal: true }, caseList: openList },
    reads: {
      list,
      listOneConnection: listAlone,
      nextPage: paged,
      nextPageOneConnection: pagedAlone,
      search,
      oneCase: one,
      oneCaseOneConnection: oneAlone,
    },
    coldCasePageMs: coldPage.ms,
    felt: feltLoads,
    longTransaction,
    snapshotCache: cache ?? null,
    startupMs,
    peakRssMb: rssMb,
    peakRssBeforeReportsMb: rssBeforeReportsMb,
    peakRssAfterImportMb: rssAfterImportMb,
    timers: { count: SIZE.timers, seconds: timersSeconds, firedExactlyOnce: firedOnce },
    targets: TARGETS,
  };
  fs.writeFileSync(path.join(root, 'results.json'), JSON.stringify(results, null, 2));
  log(`written to ${path.join(root, 'results.json')}`);
  fs.rmSync(runDir, { recursive: true, force: true });
  // The quick run proves the benchmark works; it asserts correctness, not speed.
  // Timeouts under overload and a rate not achieved are figures; no answer at all, or a wrong answer, means it is broken.
  // A round of the quick run is short enough to end before a slow machine answers: the three together must have answers.
  const answeredRounds = (['baseline', 'commands', 'minimal'] as const).every((k) => rounds.some((r) => r[k].requests > 0));
  const broken =
    !firedOnce ||
    coldPage.status !== 200 ||
    !answeredRounds ||
    [list, listAlone, paged, pagedAlone, one, oneAlone, search].some((l) => l.requests === 0) ||
    list.non2xx > 0 ||
    one.non2xx > 0 ||
    Object.values(feltLoads).some((l) => l.requests === 0 || l.non2xx > 0) ||
    [openCommands, openList, duringOpen].some((o) => o.answered === 0) ||
    openList.non2xx > 0 ||
    duringSerial.requests === 0 ||
    probe.status !== 201 ||
    imported.status !== 201;
  if (broken) {
    console.error('[bench] the benchmark did not work: see the figures above');
    process.exitCode = 1;
  }
}

/** An open-loop result in one line. */
function describeOpen(o: OpenLoopResult): string {
  return `${o.answered} of ${o.offered} answered (${(o.answeredShare * 100).toFixed(1)} %${o.achieved ? '' : ', not achieved'}), p50 ${o.p50} ms, p99 ${o.p99} ms, p99.9 ${o.p999} ms, max ${o.max} ms, ${o.non2xx} non-2xx (${o.stale} stale If-Match), ${o.errors} errors`;
}

await main();
