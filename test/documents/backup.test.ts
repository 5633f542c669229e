import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { verifyBackup } from '../../src/documents/backup.js';
import { auth, createCase, createTestApp, json, type TestApp } from '../helpers.js';
import { everyFile, multipart, PDF, sha256 } from './multipart.js';

/*
 * The backup folder keeps every document and its checksum: a backup taken with the command
 * line beside a running app, checked line by line against SHA256SUMS as `sha256sum -c` would,
 * restored with the command line into a fresh data directory, where the app starts and every
 * document downloads with the same checksum. A damaged backup is refused and restores nothing.
 */

let t: TestApp;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-backup-'));
const folder = path.join(work, 'backup-2026-01-15');
const fresh = path.join(work, 'restored');
const FILES = [
  { name: 'protokoll.pdf', bytes: PDF },
  { name: 'budget.csv', bytes: Buffer.from('post;belopp\nLokal;1000\n') },
  { name: 'anteckningar.txt', bytes: Buffer.from('Möte med målgruppen, åtta deltog.\n') },
  { name: 'samma innehåll.txt', bytes: Buffer.from('Möte med målgruppen, åtta deltog.\n') },
];

function cli(args: string[], dataDir: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { ...process.env, SATSA_DATA_DIR: dataDir, SATSA_LOG_LEVEL: 'silent', SATSA_DEMO_DATA: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

let caseId: string;
const added: { id: string; sha256: string; fileName: string }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  caseId = await createCase(t, 'Ett ärende att säkerhetskopiera');
  for (const f of FILES) {
    const body = multipart([{ name: 'file', fileName: f.name, bytes: f.bytes }]);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${caseId}/documents`,
      headers: { ...auth(t.tokens.initiator), ...body.headers },
      payload: body.payload,
    });
    expect(res.statusCode, res.body).toBe(201);
    added.push(json(res));
  }
  const withdrawn = await t.app.inject({
    method: 'POST',
    url: `/api/cases/${caseId}/documents/${added[0]!.id}/withdraw`,
    headers: auth(t.tokens.initiator),
    payload: { reason: 'Fel version' },
  });
  expect(withdrawn.statusCode).toBe(200);
});
afterAll(async () => {
  await t.close();
  fs.rmSync(work, { recursive: true, force: true });
});

it('a backup taken while the app runs holds the database, every document and a checksum of each file', async () => {
  const res = await cli(['backup', folder], t.dir);
  expect(res.code, res.out).toBe(0);
  expect(res.out).toContain('3 document files');
  const distinct = [...new Set(FILES.map((f) => sha256(f.bytes)))].sort();
  const files = everyFile(folder).map((f) => path.relative(folder, f).split(path.sep).join('/'));
  expect(files.sort()).toEqual(['SHA256SUMS', 'satsa.db', ...distinct.map((s) => `documents/${s.slice(0, 2)}/${s}`)].sort());
  // As `sha256sum -c SHA256SUMS` reads it: "<hex>  <path>", one a line, every other file listed.
  const lines = fs.readFileSync(path.join(folder, 'SHA256SUMS'), 'utf8').trimEnd().split('\n');
  expect(lines).toHaveLength(files.length - 1);
  for (const line of lines) {
    const [, hex, rel] = /^([0-9a-f]{64}) {2}(.+)$/.exec(line)!;
    expect(sha256(fs.readFileSync(path.join(folder, rel!))), rel).toBe(hex);
  }
  expect(await verifyBackup(folder)).toEqual([]);
  // And where the tool itself is installed, it agrees.
  const tool = spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: folder, encoding: 'utf8' });
  if (!tool.error) expect(tool.status, tool.stdout + tool.stderr).toBe(0);
  // No half-built folder is left beside it, and a second backup to the same folder is refused.
  expect(fs.readdirSync(work)).toEqual([path.basename(folder)]);
  expect((await cli(['backup', folder], t.dir)).code).toBe(1);
});

it('restored into a fresh data directory, the app starts and every document downloads with the same checksum', async () => {
  const res = await cli(['restore', folder], fresh);
  expect(res.code, res.out).toBe(0);
  const config = loadConfig({ SATSA_DATA_DIR: fresh, SATSA_LOG_LEVEL: 'silent', SATSA_DEMO_DATA: 'false' });
  const { app } = await buildApp({ config, background: false });
  try {
    await app.ready();
    const list = await app.inject({ method: 'GET', url: `/api/cases/${caseId}/documents`, headers: auth(t.tokens.initiator) });
    expect(list.statusCode).toBe(200);
    const items = json<{ items: { id: string; sha256: string; status: string }[] }>(list).items;
    expect(items.map((d) => d.id)).toEqual(added.map((d) => d.id));
    expect(items[0]!.status).toBe('withdrawn');
    for (const [i, doc] of added.entries()) {
      const got = await app.inject({
        method: 'GET',
        url: `/api/cases/${caseId}/documents/${doc.id}/file`,
        headers: auth(t.tokens.initiator),
      });
      expect(got.statusCode).toBe(200);
      expect(sha256(got.rawPayload)).toBe(doc.sha256);
      expect(sha256(got.rawPayload)).toBe(sha256(FILES[i]!.bytes));
    }
  } finally {
    await app.close();
  }
  // A data directory with a database is not overwritten.
  const again = await cli(['restore', folder], fresh);
  expect(again.code).toBe(1);
  expect(again.out).toContain('move the old database out of the way');
});

it('a damaged backup is refused and restores nothing', async () => {
  const damaged = path.join(work, 'damaged');
  fs.cpSync(folder, damaged, { recursive: true });
  const sha = sha256(FILES[1]!.bytes);
  fs.appendFileSync(path.join(damaged, 'documents', sha.slice(0, 2), sha), 'x');
  fs.writeFileSync(path.join(damaged, 'extra.txt'), 'not listed');
  expect(await verifyBackup(damaged)).toEqual([
    `documents/${sha.slice(0, 2)}/${sha}: its checksum does not match`,
    'extra.txt: not in SHA256SUMS',
  ]);
  const verify = await cli(['backup:verify', damaged], fresh);
  expect(verify.code).toBe(1);
  const elsewhere = path.join(work, 'elsewhere');
  const res = await cli(['restore', damaged], elsewhere);
  expect(res.code).toBe(1);
  expect(res.out).toContain('nothing was restored');
  expect(everyFile(elsewhere)).toEqual([]);
});
