import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { loadProgrammeDefinition } from '../../src/programmes/config.js';
import { createServices } from '../../src/services.js';
import { startChildServer, type ChildServer } from '../child-server.js';
import { FAR_FUTURE, PROGRAMME } from '../helpers.js';
import { BOUNDARY, everyFile, multipart, PDF } from './multipart.js';

/*
 * A server in a child process is killed with SIGKILL while a document is being uploaded,
 * slowly. The half-received file exists only as a temporary file under documents/incoming/,
 * which no one sees; no row was written; the next start removes it. Then uploads work again.
 */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-sigkill-'));
const env = { SATSA_DATA_DIR: dir, SATSA_DEMO_DATA: 'false', SATSA_LOG_LEVEL: 'silent', SATSA_POLL_SECONDS: '3600' };
const documents = path.join(dir, 'documents');
let token: string;
let caseId: string;
let server: ChildServer | undefined;

beforeAll(async () => {
  const config = loadConfig(env);
  const db = openDatabase(config.databaseFile);
  const services = createServices(db, () => new Date(), config);
  services.programmes.upsert(loadProgrammeDefinition(PROGRAMME));
  const initiator = await services.people.createUser({
    programmeId: PROGRAMME,
    email: 'initiativ@test.satsa.se',
    displayName: 'Ida Initiativ',
    roles: ['initiator'],
  });
  token = services.people.createApiToken(initiator.id, 'test', FAR_FUTURE).token;
  caseId = services.cases.create(initiator, { title: 'Ett ärende', summary: 'Med en uppladdning som avbryts.' }, 'sv').id;
  db.$client.close();
}, 60_000);

afterAll(() => {
  server?.child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

const rows = () => {
  const db = new Database(path.join(dir, 'satsa.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM case_documents').get() as { n: number }).n;
  } finally {
    db.close();
  }
};
const stored = () => everyFile(documents).filter((f) => !f.includes(`${path.sep}incoming${path.sep}`));
const incoming = () => everyFile(path.join(documents, 'incoming'));

it('leaves no half file visible and no row when killed mid-upload; the next start sweeps the temporary file', async () => {
  server = await startChildServer({ env });
  // The start of a multipart body: the file's first bytes, then nothing more for a while.
  const head = Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="stor.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
    ),
    PDF,
    Buffer.alloc(256 * 1024, 0x20),
  ]);
  const request = http.request(`${server.base}/api/cases/${caseId}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  });
  request.on('error', () => undefined);
  request.write(head);
  // Wait until the server is writing the file.
  const deadline = Date.now() + 10_000;
  while (!incoming().some((f) => fs.statSync(f).size > 0)) {
    if (Date.now() > deadline) throw new Error(`the upload never reached the disk:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  server.child.kill('SIGKILL');
  await new Promise((r) => server!.child.once('exit', r));
  request.destroy();

  // What the killed server left: a temporary file only, no stored file, no row.
  expect(incoming().length).toBeGreaterThan(0);
  expect(stored()).toEqual([]);
  expect(rows()).toBe(0);

  // The next start removes it; the case has no document; an upload now goes through whole.
  server = await startChildServer({ env });
  expect(incoming()).toEqual([]);
  expect(stored()).toEqual([]);
  const listed = await fetch(`${server.base}/api/cases/${caseId}/documents`, { headers: { authorization: `Bearer ${token}` } });
  expect(((await listed.json()) as { items: unknown[] }).items).toEqual([]);
  const body = multipart([{ name: 'file', fileName: 'hel.pdf', bytes: PDF }]);
  const res = await fetch(`${server.base}/api/cases/${caseId}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...body.headers },
    body: new Uint8Array(body.payload),
  });
  expect(res.status).toBe(201);
  expect(stored()).toHaveLength(1);
  expect(rows()).toBe(1);
  expect(await server.stop()).toBe(0);
  server = undefined;
}, 60_000);
