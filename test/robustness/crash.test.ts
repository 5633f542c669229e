import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cloneCase, openFixture, templateCase } from '../bench/fixture.js';
import { freePort, startChildServer } from '../child-server.js';
import { expectReplayReproduces, rowsOf } from '../replay.js';

/*
 * The server killed with SIGKILL in the middle of a concurrent load, with an online backup
 * taken during the same load. Afterwards:
 *   - every command that got a 2xx is in the database, and none that got an error is;
 *   - the database passes PRAGMA integrity_check, and replaying every case's log gives its
 *     stored snapshot;
 *   - the backup opens, passes the integrity check and holds every case committed before it
 *     started;
 *   - the server starts again on the same file and serves.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-crash-'));
const dataDir = path.join(dir, 'data');
const backupFolder = path.join(dir, 'backup');
let tokens: Record<string, string>;
let running: string[];
let server: ChildProcess | undefined;

const startServer = (port: number) =>
  startChildServer({
    port,
    env: { SATSA_DATA_DIR: dataDir, SATSA_DEMO_DATA: 'false', SATSA_LOG_LEVEL: 'silent', SATSA_POLL_SECONDS: '3600' },
  }).then((s) => s.child);

const run = (args: string[]) =>
  new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      env: { ...process.env, SATSA_DATA_DIR: dataDir, SATSA_LOG_LEVEL: 'silent' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });

beforeAll(async () => {
  const f = await openFixture(dataDir);
  const template = templateCase(f, 10);
  running = [template, ...cloneCase(f, template, 49, 'C', Date.UTC(2025, 0, 1))];
  tokens = { initiator: f.tokens.initiator, coordinator: f.tokens['county-coordinator'] };
  f.close();
}, 60_000);

afterAll(() => {
  server?.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

it('loses no acknowledged command and keeps no refused one when killed mid-load; a backup taken meanwhile is whole', async () => {
  const port = await freePort();
  server = await startServer(port);
  const url = `http://127.0.0.1:${port}`;
  const acknowledged = { cases: new Map<string, string>(), seminars: new Set<string>() };
  const refused = { cases: new Set<string>(), seminars: new Set<string>() };
  const versions = new Map<string, number>();
  let stopping = false;
  let sent = 0;

  async function worker(w: number) {
    for (let n = 0; !stopping; n++) {
      const label = `krasch-${w}-${n}`;
      try {
        sent++;
        if (n % 2 === 0) {
          const res = await fetch(`${url}/api/cases`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens.initiator}`, 'content-type': 'application/json' },
            body: JSON.stringify({ title: label, summary: 'Skapad under last, innan servern dödas.' }),
          });
          const body = (await res.json()) as { id?: string };
          if (res.ok) acknowledged.cases.set(label, body.id!);
          else refused.cases.add(label);
        } else {
          const id = running[(w * 7 + n) % running.length]!;
          const version =
            versions.get(id) ??
            (
              (await (await fetch(`${url}/api/cases/${id}`, { headers: { authorization: `Bearer ${tokens.coordinator}` } })).json()) as {
                version: number;
              }
            ).version;
          const res = await fetch(`${url}/api/cases/${id}/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens.coordinator}`, 'content-type': 'application/json', 'if-match': `"${version}"` },
            body: JSON.stringify({ type: 'RECORD_SEMINAR', payload: { date: '2027-03-15', title: label, audience: 'Kommuner' } }),
          });
          await res.arrayBuffer();
          if (res.ok) {
            acknowledged.seminars.add(label);
            versions.set(id, Number(res.headers.get('etag')!.replace(/"/g, '')));
          } else {
            refused.seminars.add(label); // e.g. 412: another worker got there first
            versions.delete(id);
          }
        }
      } catch {
        // No answer (the server is gone): either outcome is allowed for this one.
        if (stopping) return;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  const workers = Array.from({ length: 12 }, (_, w) => worker(w));
  await new Promise((r) => setTimeout(r, 800));
  // An online backup in the middle of the load.
  const beforeBackup = new Map(acknowledged.cases);
  const backup = await run(['src/cli.ts', 'backup', backupFolder]);
  expect(backup.code, backup.out).toBe(0);
  await new Promise((r) => setTimeout(r, 400));
  server.kill('SIGKILL');
  await new Promise((r) => server!.once('exit', r));
  stopping = true;
  await Promise.all(workers);
  expect(acknowledged.cases.size).toBeGreaterThan(20);
  expect(acknowledged.seminars.size).toBeGreaterThan(20);
  expect(sent).toBeGreaterThan(acknowledged.cases.size + acknowledged.seminars.size - 1);

  // The database as the killed server left it.
  const db = new Database(path.join(dataDir, 'satsa.sqlite'));
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const titles = new Map(
      (db.prepare('SELECT id, title FROM cases').all() as { id: string; title: string }[]).map((c) => [c.title, c.id]),
    );
    for (const [title, id] of acknowledged.cases) expect(titles.get(title), title).toBe(id);
    for (const title of refused.cases) expect(titles.has(title), title).toBe(false);
    // The log keeps the seminars' titles encrypted: read each case's log as sent.
    const seminars = new Set(
      (db.prepare('SELECT id FROM cases').all() as { id: string }[]).flatMap(({ id }) =>
        rowsOf(db, id)
          .events.filter((e) => e.type === 'RECORD_SEMINAR')
          .map((e) => (JSON.parse(e.payload) as { title: string }).title),
      ),
    );
    for (const title of acknowledged.seminars) expect(seminars.has(title), title).toBe(true);
    for (const title of refused.seminars) expect(seminars.has(title), title).toBe(false);
    // Every case's log replays to its stored snapshot.
    for (const { id } of db.prepare('SELECT id FROM cases').all() as { id: string }[]) expectReplayReproduces(db, id);
  } finally {
    db.close();
  }

  // The backup: whole, and holding everything committed before it began.
  const copy = new Database(path.join(backupFolder, 'satsa.db'), { readonly: true });
  try {
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const ids = new Set((copy.prepare('SELECT id FROM cases').all() as { id: string }[]).map((c) => c.id));
    for (const id of beforeBackup.values()) expect(ids.has(id)).toBe(true);
    for (const { id } of copy.prepare('SELECT id FROM cases').all() as { id: string }[]) expectReplayReproduces(copy, id);
  } finally {
    copy.close();
  }

  // And the server starts again on the same file.
  server = await startServer(port);
  const [someId] = acknowledged.cases.values();
  const again = await fetch(`${url}/api/cases/${someId}`, { headers: { authorization: `Bearer ${tokens.coordinator}` } });
  expect(again.status).toBe(200);
  server.kill('SIGTERM');
  await new Promise((r) => server!.once('exit', r));
  server = undefined;
}, 90_000);
