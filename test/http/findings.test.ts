import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/client.js';
import { auth, createTestApp, type TestApp } from '../helpers.js';

/*
 * Requests at the edges of HTTP that once answered wrongly: a path that climbs out of the
 * API reference's static files, and a log-out that declares a JSON body it does not send.
 */

describe('a path that climbs out of the API reference’s files', () => {
  let app: FastifyInstance;
  let db: Db;
  let dir: string;
  let port: number;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-test-'));
    const config = loadConfig({ SATSA_DATA_DIR: dir, SATSA_LOG_LEVEL: 'info', SATSA_DEMO_DATA: 'false' });
    db = openDatabase(config.databaseFile);
    ({ app } = await buildApp({
      config,
      db,
      background: false,
      logStream: { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await app.close();
    db.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A GET over TCP with the path exactly as written: app.inject and fetch resolve the dot segments first. */
  const get = (rawPath: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: rawPath, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
      });
      req.on('error', reject);
      req.end();
    });

  it.each([
    '/docs/static/../../package.json',
    '/docs/static/..%2f..%2fpackage.json',
    '/docs/static/%2e%2e/%2e%2e/etc/passwd',
    '/docs/static/%2e%2e/%2e%2e/package.json',
    '/docs/static/../../../../etc/passwd',
    '/docs/static/..',
  ])('GET %s is a 404 problem, and nothing is logged as an error', async (rawPath) => {
    const before = lines.length;
    const answers = [];
    for (const headers of [{}, { accept: 'application/json' }, { accept: 'text/html' }] as Record<string, string>[])
      answers.push(await get(rawPath, headers));
    const logged = lines.slice(before);
    expect(logged.length).toBeGreaterThan(0); // the requests were logged, so the log was read
    expect(logged.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(JSON.stringify(logged)).not.toContain('stack');
    for (const res of answers) {
      expect(res.status, res.body).toBe(404);
      expect(res.type).toBe('application/problem+json; charset=utf-8');
      expect(JSON.parse(res.body)).toMatchObject({ status: 404, code: 'not-found' });
      expect(res.body).not.toContain('"name"'); // package.json's contents
      expect(res.body).not.toContain('root:');
    }
  });

  it('the reference’s own files are still served', async () => {
    const res = await get('/docs/static/index.css');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/css/);
  });
});

describe('logging out with a JSON content type and no body', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const sessions = () => (t.services.db.$client.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;

  it.each([
    ['content-type only', { 'content-type': 'application/json' }],
    ['and a zero content-length', { 'content-type': 'application/json', 'content-length': '0' }],
    ['with a charset', { 'content-type': 'application/json; charset=utf-8' }],
  ])('DELETE /api/session logs out (%s)', async (_name, headers) => {
    const { token } = t.services.people.createSession(t.actors.initiator.id, 1);
    const cookie = `satsa_session=${token}`;
    const before = sessions();
    const res = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie, ...headers } });
    expect(res.statusCode, res.body).toBe(204);
    expect(res.body).toBe('');
    expect(String(res.headers['set-cookie'])).toMatch(/^satsa_session=;/);
    expect(sessions()).toBe(before - 1);
  });

  it('a DELETE whose JSON body is broken is still a 400', async () => {
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'malformed-request' });
  });

  it('an empty body declared as JSON is still a 400 where a body is expected', async () => {
    for (const method of ['POST', 'PATCH'] as const) {
      const res = await t.app.inject({
        method,
        url: method === 'POST' ? '/api/cases' : '/api/me/preferences',
        headers: { ...auth(t.tokens.initiator), 'content-type': 'application/json' },
      });
      expect(res.statusCode, `${method}: ${res.body}`).toBe(400);
      expect(res.json()).toMatchObject({ code: 'malformed-request' });
    }
  });
});
