import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SWAGGER_LOGO_STYLE } from '../../src/http/security.js';
import { auth, createCase, createTestApp, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * The security headers over HTTP, on every kind of answer: a page, an error page, an answer
 * the router refuses before any hook, an API answer, a problem, the printable report, the
 * stylesheets and script, /docs and /openapi.json. The Content-Security-Policy allows nothing
 * inline and nothing from elsewhere (/docs has its own), and the HTML served has nothing
 * inline for it to refuse. Cache-Control: no-store on everything that may depend on who asks.
 * HSTS only with SATSA_COOKIE_SECURE=true. (test/browser checks that Chromium refuses nothing.)
 */

let t: TestApp;
let secure: TestApp;
let caseId: string;

beforeAll(async () => {
  t = await createTestApp();
  secure = await createTestApp({ env: { SATSA_COOKIE_SECURE: 'true' } });
  caseId = await createCase(t);
});
afterAll(async () => {
  await t?.close();
  await secure?.close();
});

const html = { accept: 'text/html,application/xhtml+xml' };

/** The Content-Security-Policy as directive → sources. */
function policy(res: LightMyRequestResponse): Record<string, string[]> {
  const header = res.headers['content-security-policy'];
  expect(typeof header, 'a Content-Security-Policy').toBe('string');
  return Object.fromEntries(
    (header as string)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

const SITE = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};
const DOCS = { ...SITE, 'img-src': ["'self'", 'data:'], 'style-src': ["'self'", expect.stringMatching(/^'sha256-[A-Za-z0-9+/]+=*'$/)] };

/** The headers every answer has, whatever it is. */
function expectSafeHeaders(res: LightMyRequestResponse, csp: Record<string, unknown> = SITE) {
  expect(policy(res)).toEqual(csp);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['strict-transport-security'], 'no HSTS over plain HTTP').toBeUndefined();
}

/** HTML with nothing the policy would refuse: no <style>, no style="", no inline script or handler. */
function expectNothingInline(body: string) {
  expect(body).not.toMatch(/<style[\s>]/i);
  expect(body).not.toMatch(/\sstyle\s*=/i);
  expect(body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
  expect(body).not.toMatch(/\son[a-z]+\s*=/i);
  expect(body).not.toMatch(/javascript:/i);
}

const get = (app: TestApp, url: string, headers: Record<string, string> = {}) => app.app.inject({ method: 'GET', url, headers });

describe('the security headers and the cache rule', () => {
  it('a page, logged in or not, and its redirects: the site policy, no-store, nothing inline', async () => {
    const login = await get(t, '/login', html);
    expect(login.statusCode).toBe(200);
    expectSafeHeaders(login);
    expect(login.headers['cache-control']).toBe('no-store');
    expectNothingInline(login.body);

    const pages = [
      ['/cases', 'initiator'],
      ['/cases/new', 'initiator'],
      ['/settings', 'initiator'],
      ['/account', 'initiator'],
      ['/account/tokens/new', 'initiator'],
      ['/people', 'administrator'],
      [`/people/${t.actors.initiator.id}`, 'administrator'],
      [`/people/${t.actors.initiator.id}/disable`, 'administrator'],
      ['/audit', 'administrator'],
      ['/board', 'county-coordinator'],
      [`/cases/${caseId}`, 'county-coordinator'],
      [`/cases/${caseId}/print`, 'county-coordinator'],
    ] as const;
    for (const [url, role] of pages) {
      const page = await get(t, url, { ...html, ...auth(t.tokens[role]) });
      expect(page.statusCode, url).toBe(200);
      expectSafeHeaders(page);
      expect(page.headers['cache-control'], url).toBe('no-store');
      expectNothingInline(page.body);
    }

    const redirect = await get(t, '/cases', html);
    expect(redirect.statusCode).toBe(303);
    expectSafeHeaders(redirect);
    expect(redirect.headers['cache-control']).toBe('no-store');
  });

  it('error pages, also those the router gives before any hook runs: the same headers, no-store', async () => {
    const notFound = await get(t, '/cases/00000000-0000-4000-8000-000000000000', { ...html, ...auth(t.tokens.initiator) });
    expect(notFound.statusCode).toBe(404);
    expectSafeHeaders(notFound);
    expect(notFound.headers['cache-control']).toBe('no-store');
    expectNothingInline(notFound.body);

    const nowhere = await get(t, '/no/such/page', html);
    expect(nowhere.statusCode).toBe(404);
    expectSafeHeaders(nowhere);
    expect(nowhere.headers['cache-control']).toBe('no-store');

    // A URL that does not decode is refused by the router itself (frameworkErrors).
    for (const [url, headers, type] of [
      ['/cases/%E0%A4%A', html, /^text\/html/],
      ['/api/cases/%E0%A4%A', {}, /^application\/problem\+json/],
    ] as const) {
      const bad = await get(t, url, headers);
      expect(bad.statusCode, url).toBe(400);
      expect(bad.headers['content-type'], url).toMatch(type);
      expectSafeHeaders(bad);
      expect(bad.headers['cache-control'], url).toBe('no-store');
    }
  });

  it('API answers and problems: the same headers, no-store', async () => {
    const requests: [InjectOptions, number][] = [
      [{ method: 'GET', url: '/api/cases', headers: auth(t.tokens.initiator) }, 200],
      [{ method: 'GET', url: '/api/me', headers: auth(t.tokens.initiator) }, 200],
      [
        { method: 'POST', url: '/api/cases', headers: auth(t.tokens.initiator), payload: { title: 'Rubrik', summary: 'Sammanfattning' } },
        201,
      ],
      [{ method: 'GET', url: '/api/cases' }, 401],
      [{ method: 'GET', url: '/api/cases', headers: { authorization: 'Bearer not-a-token' } }, 401],
      [{ method: 'POST', url: '/api/cases', headers: auth(t.tokens.initiator), payload: { title: 1 } }, 422],
      [{ method: 'GET', url: '/api/no-such-thing', headers: auth(t.tokens.initiator) }, 404],
      [{ method: 'GET', url: `/api/programmes/${PROGRAMME}/pools`, headers: auth(t.tokens.initiator) }, 403],
    ];
    for (const [request, status] of requests) {
      const res = await t.app.inject(request);
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(status);
      if (status >= 400) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expectSafeHeaders(res);
      expect(res.headers['cache-control'], `${request.method} ${request.url}`).toBe('no-store');
    }
  });

  it('the report page: the site policy, no-store, the site stylesheet and the print script, kept for a year', async () => {
    const moved = await get(t, `/api/programmes/${PROGRAMME}/reports/2026?format=html`, auth(t.tokens['county-coordinator']));
    expect(moved.statusCode).toBe(303);
    expect(moved.headers.location).toBe(`/programmes/${PROGRAMME}/reports/2026`);
    const report = await get(t, moved.headers.location!, { ...auth(t.tokens['county-coordinator']), ...html });
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toMatch(/^text\/html/);
    expectSafeHeaders(report);
    expect(report.headers['cache-control']).toBe('no-store');
    expectNothingInline(report.body);
    // The print button is hidden until the script shows it, and has no handler of its own.
    expect(report.body).toMatch(/<button type="button" id="print" class="link" hidden>/);

    const links = [...report.body.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(links).toEqual([
      expect.stringMatching(/^\/assets\/satsa\.[0-9a-f]{12}\.css$/),
      expect.stringMatching(/^\/assets\/print\.[0-9a-f]{12}\.js$/),
    ]);
    const css = await get(t, links[0]!);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('td.num');
    const script = await get(t, links[1]!);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain("addEventListener('click'");
    for (const res of [css, script]) {
      expect(res.statusCode).toBe(200);
      expectSafeHeaders(res);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
  });

  it('the multi-year report page: its charts drawn as SVG carry nothing inline either', async () => {
    const page = await get(t, `/programmes/${PROGRAMME}/reports/multi-year`, { ...auth(t.tokens['county-coordinator']), ...html });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<svg role="img"/);
    expectSafeHeaders(page);
    expect(page.headers['cache-control']).toBe('no-store');
    expectNothingInline(page.body);
  });

  it("the pages' stylesheet: named by its content's hash, kept for a year; another name is a 404, not kept", async () => {
    const login = await get(t, '/login', html);
    const href = /<link rel="stylesheet" href="(\/assets\/satsa\.([0-9a-f]{12})\.css)">/.exec(login.body);
    expect(href).not.toBeNull();
    const css = await get(t, href![1]!);
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('.skip');
    expectSafeHeaders(css);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    for (const url of ['/assets/satsa.000000000000.css', '/assets/satsa.css', '/assets/../package.json', '/assets/']) {
      const res = await get(t, url, html);
      expect(res.statusCode, url).toBe(404);
      expectSafeHeaders(res);
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });

  it('/docs has a policy of its own (data: images, the logo style by its hash); /docs and the public answers may be kept (no-cache)', async () => {
    for (const url of ['/docs', '/docs/', '/docs/json']) {
      const res = await get(t, url);
      expect(res.statusCode, url).toBe(200);
      expectSafeHeaders(res, DOCS);
      expect(res.headers['cache-control'], url).toBe('no-cache');
    }
    const page = await get(t, '/docs/');
    expectNothingInline(page.body);
    const hash = `'sha256-${Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(SWAGGER_LOGO_STYLE))).toString('base64')}'`;
    expect(policy(page)['style-src']).toEqual(["'self'", hash]);
    // Swagger UI's own files: its policy, and @fastify/static's caching (revalidated by ETag).
    const file = await get(t, '/docs/static/swagger-ui.css');
    expect(file.statusCode).toBe(200);
    expectSafeHeaders(file, DOCS);
    expect(file.headers['cache-control']).toBe('public, max-age=0');
    expect(file.headers.etag).toBeTruthy();

    for (const [url, status] of [
      ['/openapi.json', 200],
      ['/health', 200],
      ['/api/process', 200],
      [`/api/public/programmes/${PROGRAMME}/initiatives`, 200],
      [`/api/public/programmes/${PROGRAMME}/initiatives?format=csv`, 200],
      ['/api/public/programmes/no-such-programme/initiatives', 404],
    ] as const) {
      const res = await get(t, url);
      expect(res.statusCode, url).toBe(status);
      expectSafeHeaders(res);
      expect(res.headers['cache-control'], url).toBe('no-cache');
    }
    // Only /api/process itself is public: the caller's programmes are not.
    const mine = await get(t, '/api/programmes', auth(t.tokens.initiator));
    expect(mine.statusCode).toBe(200);
    expect(mine.headers['cache-control']).toBe('no-store');
  });

  it('with SATSA_COOKIE_SECURE=true (behind HTTPS): HSTS on every answer, and insecure requests upgraded', async () => {
    const requests: [string, Record<string, string>, number][] = [
      ['/login', html, 200],
      ['/cases', { ...html, ...auth(secure.tokens.initiator) }, 200],
      ['/api/cases', auth(secure.tokens.initiator), 200],
      ['/api/cases', {}, 401],
      ['/cases/%E0%A4%A', html, 400],
      ['/health', {}, 200],
      ['/docs/', {}, 200],
    ];
    for (const [url, headers, status] of requests) {
      const res = await get(secure, url, headers);
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['strict-transport-security'], url).toBe('max-age=31536000; includeSubDomains');
      expect(policy(res)['upgrade-insecure-requests'], url).toEqual([]);
      expect(policy(res)['default-src'], url).toEqual(["'self'"]);
    }
  });
});
