import fs from 'node:fs';
import { register } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';

/*
 * Run in a child process by test/reports/multi-year.test.ts (node --import tsx): records every
 * module specifier resolved as `echarts`, builds and starts the app, answers a page and an API
 * request, and says whether ECharts was loaded; then draws a chart, and says so again (the
 * watch itself is proven to see the load). Prints one line of JSON.
 */

const { port1, port2 } = new MessageChannel();
const seen: string[] = [];
port1.on('message', (specifier: string) => seen.push(specifier));
const hooks = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  if (specifier === 'echarts' || specifier.startsWith('echarts/')) port.postMessage(specifier);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] });
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-lazy-'));
const { loadConfig } = await import('../../src/config.js');
const { openDatabase } = await import('../../src/db/client.js');
const { buildApp } = await import('../../src/app.js');
const config = loadConfig({ SATSA_DATA_DIR: dir, SATSA_LOG_LEVEL: 'silent', SATSA_DEMO_DATA: 'false' });
const db = openDatabase(config.databaseFile);
const { app } = await buildApp({ config, db, now: () => new Date(), background: false });
await app.ready();
const login = await app.inject({ method: 'GET', url: '/login', headers: { accept: 'text/html' } });
const process_ = await app.inject({ method: 'GET', url: '/api/process' });
await settle();
const atStart = [...seen];
const { drawCharts } = await import('../../src/reports/charts.js');
await drawCharts([{ key: 'k', label: 'A chart', categories: ['2026'], series: [{ name: 'x', type: 'bar', values: [1] }], lang: 'sv' }]);
await settle();
console.log(JSON.stringify({ statuses: [login.statusCode, process_.statusCode], atStart, afterDrawing: [...seen] }));
await app.close();
db.$client.close();
fs.rmSync(dir, { recursive: true, force: true });
port1.close();
