import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { execSync } from 'node:child_process';
import { startChildServer } from './child-server.js';
import { startSmtp } from './smtp.js';

/*
 * The README's start command, for real: `tsx src/server.ts` as a child process on a fresh
 * data directory, talked to over TCP.
 */

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function startServer(dataDir: string, env: Record<string, string> = {}) {
  const server = await startChildServer({ env: { SATSA_DATA_DIR: dataDir, SATSA_LOG_LEVEL: 'warn', ...env } });
  children.push(server.child);
  return server;
}

/** Polls `probe` (a real child process works at its own pace) until it returns a value. */
async function eventually<T>(probe: () => T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The password the first start printed for a demo user (made for this install). */
function passwordIn(output: string, email: string): string {
  const found = new RegExp(`${email.replace(/\./g, '\\.')}\\s+([a-z0-9-]{19})\\b`).exec(output);
  if (!found) throw new Error(`no password printed for ${email}`);
  return found[1]!;
}

async function login(base: string, email: string, password: string) {
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { status: res.status, cookie: res.headers.get('set-cookie') ?? '' };
}

describe('starting Satsa on its embedded default', () => {
  it('creates the database, the demo programme, users and cases, and prints how to log in', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-start-'));
    dirs.push(dir);
    const server = await startServer(dir);
    expect(fs.existsSync(path.join(dir, 'satsa.sqlite'))).toBe(true);
    expect(server.output()).toContain('lansamordnare@demo.satsa.se');
    // A password per user, made for this install: none is in the source, and no two are alike.
    const password = passwordIn(server.output(), 'lansamordnare@demo.satsa.se');
    const adminPassword = passwordIn(server.output(), 'admin@demo.satsa.se');
    expect(adminPassword).not.toBe(password);
    expect(fs.readFileSync('src/demo/seed.ts', 'utf8')).not.toContain(password);

    const { status, cookie } = await login(server.base, 'lansamordnare@demo.satsa.se', password);
    expect(status).toBe(200);
    expect(cookie).toMatch(/HttpOnly/i);
    const list = (await (await fetch(`${server.base}/api/cases?limit=100`, { headers: { cookie } })).json()) as {
      items: { steps: number[]; status: string }[];
    };
    expect(list.items.length).toBe(7);
    const steps = new Set(list.items.flatMap((c) => c.steps));
    // An idea raised on machine version 4 is with the coordinators at once: the demo's newest stands at step 2.
    expect([...steps].sort((a, b) => a - b)).toEqual([2, 3, 5, 8, 9, 10, 11, 12]);
    expect(list.items.filter((c) => c.status === 'done')).toHaveLength(1);
    // The administrator must choose their own password before anything else.
    const admin = await login(server.base, 'admin@demo.satsa.se', adminPassword);
    expect(admin.status).toBe(200);
    const refused = await fetch(`${server.base}/api/cases`, { headers: { cookie: admin.cookie } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('password-change-required');

    // Without SMTP, the e-mail the demo story caused is written as .eml files, once each.
    const mails = await eventually(() => {
      const sqlite = new Database(path.join(dir, 'satsa.sqlite'), { readonly: true });
      try {
        const rows = sqlite.prepare('SELECT status, message_id FROM outbox').all() as { status: string; message_id: string }[];
        return rows.length > 0 && rows.every((r) => r.status === 'sent') ? rows : undefined;
      } finally {
        sqlite.close();
      }
    });
    const files = fs.readdirSync(path.join(dir, 'mail')).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(mails.length);
    expect(await server.stop()).toBe(0);

    // A restart keeps the data and does not seed twice.
    const again = await startServer(dir);
    expect(again.output()).not.toContain(password);
    const second = await login(again.base, 'lansamordnare@demo.satsa.se', password);
    const list2 = (await (await fetch(`${again.base}/api/cases?limit=100`, { headers: { cookie: second.cookie } })).json()) as {
      items: unknown[];
    };
    expect(list2.items.length).toBe(7);
    expect(await again.stop()).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'mail')).filter((f) => f.endsWith('.eml'))).toHaveLength(files.length);
  }, 60_000);

  it('creates no demo data when SATSA_DEMO_DATA=false', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-start-'));
    dirs.push(dir);
    const server = await startServer(dir, { SATSA_DEMO_DATA: 'false' });
    expect(server.output()).not.toContain('demo.satsa.se');
    expect((await login(server.base, 'lansamordnare@demo.satsa.se', 'any password at all')).status).toBe(401);
    // Nobody has an account: the first start prints a one-time link to set up the first programme and its administrator.
    const link = /http:\/\/[^\s]+(\/setup\/[A-Za-z0-9_-]+)/.exec(server.output())?.[1];
    expect(link, server.output()).toBeDefined();
    const form = await fetch(`${server.base}${link}`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('uph-blekinge');
    const made = await fetch(`${server.base}${link}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        definitionId: 'uph-blekinge',
        displayName: 'Första Administratören',
        email: 'forsta@regionblekinge.se',
        password: 'ett långt första lösenord',
        repeatPassword: 'ett långt första lösenord',
      }).toString(),
    });
    expect(made.status).toBe(303);
    const admin = await login(server.base, 'forsta@regionblekinge.se', 'ett långt första lösenord');
    expect(admin.status).toBe(200);
    const people = await fetch(`${server.base}/api/people`, { headers: { cookie: admin.cookie } });
    expect(people.status).toBe(200);
    // Used once; and with someone in, no new link is printed.
    expect((await fetch(`${server.base}${link}`)).status).toBe(410);
    expect(await server.stop()).toBe(0);
    const again = await startServer(dir, { SATSA_DEMO_DATA: 'false' });
    expect(again.output()).not.toContain('/setup/');
    expect(await again.stop()).toBe(0);
  }, 60_000);

  it("npm start's bundle (libraries included) serves the API, the pages, the API reference and sends mail", async () => {
    // What `npm start` runs: the esbuild bundle, with everything but native and asset-serving packages inside.
    execSync('npm run --silent build', { stdio: 'pipe' });
    const smtp = await startSmtp();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-start-'));
    dirs.push(dir);
    const server = await startChildServer({
      argv: ['dist/bundle/server.mjs'],
      env: { SATSA_DATA_DIR: dir, SATSA_LOG_LEVEL: 'warn', SATSA_SMTP_HOST: '127.0.0.1', SATSA_SMTP_PORT: String(smtp.port) },
    });
    children.push(server.child);
    try {
      const printed = await eventually(() => (server.output().includes('lansamordnare@demo.satsa.se') ? server.output() : undefined));
      const { status, cookie } = await login(
        server.base,
        'lansamordnare@demo.satsa.se',
        passwordIn(printed, 'lansamordnare@demo.satsa.se'),
      );
      expect(status).toBe(200);
      const page = await fetch(`${server.base}/cases`, { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Väntar på dig');
      // The stylesheet is a file beside the source, found from the bundle too, and served with the headers.
      const loginPage = await fetch(`${server.base}/login`);
      expect(loginPage.headers.get('content-security-policy')).toContain("style-src 'self'");
      const sheet = await fetch(`${server.base}${/href="(\/assets\/satsa\.[0-9a-f]{12}\.css)"/.exec(await loginPage.text())![1]}`);
      expect(sheet.status).toBe(200);
      expect(await sheet.text()).toContain('.skip');
      const docs = await fetch(`${server.base}/docs/static/index.html`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger');
      // Read to the end: a large answer left unread holds its connection open, and the server's close waits for it.
      const docsJson = await fetch(`${server.base}/docs/json`);
      expect(docsJson.status).toBe(200);
      expect(((await docsJson.json()) as { openapi: string }).openapi).toBe('3.1.0');
      // The year report as a workbook, written by the bundled exceljs.
      const xlsx = await fetch(`${server.base}/api/programmes/uph-blekinge/reports/2026?format=xlsx`, { headers: { cookie } });
      expect(xlsx.status).toBe(200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(await xlsx.arrayBuffer());
      expect(workbook.getWorksheet('total')!.actualRowCount).toBe(2);
      // The demo story's e-mail goes out over SMTP through the bundled nodemailer.
      const pending = () => {
        const sqlite = new Database(path.join(dir, 'satsa.sqlite'), { readonly: true });
        try {
          return (sqlite.prepare("SELECT count(*) AS n FROM outbox WHERE status != 'sent'").get() as { n: number }).n;
        } finally {
          sqlite.close();
        }
      };
      await eventually(() => (pending() === 0 && smtp.received.length > 0 ? true : undefined));
      expect(smtp.received[0]!.raw).toContain('Satsa');
      expect(await server.stop()).toBe(0);
    } finally {
      await smtp.close();
    }
  }, 90_000);
});
