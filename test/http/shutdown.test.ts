import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../child-server.js';

/*
 * What a client gets while the server shuts down: the real server in a child process,
 * SIGTERM, and a request that arrives on an open connection while the server closes.
 */

const dirs: string[] = [];
const servers: ChildServer[] = [];
afterAll(() => {
  for (const server of servers) server.child.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The HTTP/1.1 responses in what a connection received, one after the other (each with a Content-Length). */
function responsesIn(data: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = data;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const [statusLine, ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(
      lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    );
    const length = Number(headers['content-length'] ?? 0);
    responses.push({
      status: Number(statusLine!.split(' ')[1]),
      headers,
      body: rest.subarray(end + 4, end + 4 + length).toString('utf8'),
    });
    rest = rest.subarray(end + 4 + length);
  }
  return responses;
}

async function until(condition: () => boolean, what: string, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not reached in time: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('shutting down', () => {
  it('a request that arrives while the server closes gets a 503 problem with Retry-After; the one under way is answered', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-shutdown-'));
    dirs.push(dir);
    const server = await startChildServer({ env: { SATSA_DATA_DIR: dir, SATSA_DEMO_DATA: 'false', SATSA_LOG_LEVEL: 'info' } });
    servers.push(server);

    // A log-in under way: the server has its headers and waits for the rest of its body.
    const socket = net.connect(server.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const body = JSON.stringify({ email: 'nobody@test.satsa.se', password: 'not the password' });
    const half = Math.floor(body.length / 2);
    socket.write(
      `POST /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`,
    );
    await until(() => /"path":"\/api\/session"/.test(server.output()), 'the log-in reached the server');

    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    await until(() => server.output().includes('"msg":"closing:'), 'the server began to close');

    // The rest of the log-in, and right behind it on the same connection, another request.
    socket.write(`${body.slice(half)}GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n`);
    await ended;
    const [login, late, ...more] = responsesIn(Buffer.concat(received));

    expect(login?.status, login?.body).toBe(401);
    expect(JSON.parse(login!.body)).toMatchObject({ code: 'invalid-credentials' });

    expect(late?.status, late?.body).toBe(503);
    expect(late!.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(late!.headers['retry-after']).toMatch(/^\d+$/);
    expect(late!.headers.connection).toBe('close');
    expect(JSON.parse(late!.body)).toMatchObject({
      type: 'https://satsa.se/problems/service-unavailable',
      status: 503,
      code: 'service-unavailable',
      title: 'Tjänsten startar om – försök igen om en stund',
      instance: '/api/me',
    });
    expect(more).toEqual([]);

    expect(await exited).toBe(0);
    expect(server.output()).not.toMatch(/"level":50/);
  });
});
