import { createHash } from 'node:crypto';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';

/*
 * The headers every answer carries: a strict Content-Security-Policy (nothing inline, nothing
 * from another origin), nosniff, no referrer, no framing, and HSTS when the install runs behind
 * HTTPS (SATSA_COOKIE_SECURE=true). /docs, the API reference, has a policy of its own
 * (docsDirectives). And which answers a browser or a proxy may keep (cacheControlFor).
 */

type Directives = Record<string, string[]>;

/** The site's policy: pages, the printable report, the API, errors. Styles and scripts come from /assets. */
export function siteDirectives(secure: boolean): Directives {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    // Behind HTTPS a stray http:// link on a page is fetched over HTTPS; over plain HTTP it would break it.
    ...(secure ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

/**
 * The one inline style Swagger UI needs: the <style> inside the logo SVG of its top bar
 * (@fastify/swagger-ui then puts its own logo there, but the SVG is drawn first). Allowed by
 * its hash, so no other inline style is; the browser tests fail if an upgrade changes it.
 */
export const SWAGGER_LOGO_STYLE = '.logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}';

/**
 * The API reference at /docs (@fastify/swagger-ui): its page has no inline script (its
 * initialiser is a file, swagger-initializer.js), but its stylesheet's icons and its logo are
 * data: images, and its top bar's logo SVG has one <style> block. So the site's policy with
 * data: images and that block's hash; nothing else is loosened, and the site's is untouched.
 */
export function docsDirectives(secure: boolean): Directives {
  const logoStyle = `'sha256-${createHash('sha256').update(SWAGGER_LOGO_STYLE).digest('base64')}'`;
  return { ...siteDirectives(secure), 'style-src': ["'self'", logoStyle], 'img-src': ["'self'", 'data:'] };
}

/** @fastify/swagger-ui writes `staticCSP` as it is given, one directive after another. */
export function docsCsp(secure: boolean): string {
  return Object.entries(docsDirectives(secure))
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');
}

/**
 * The log-in page's policy when OpenID Connect providers are configured: the site's, with the
 * providers' origins as form targets too. Its forms post to /login/sso, which sends the browser
 * on to the provider, and browsers hold a form's redirects to the form's own policy.
 */
export function loginCsp(secure: boolean, formTargets: readonly string[]): string {
  const directives = siteDirectives(secure);
  directives['form-action'] = ["'self'", ...formTargets];
  return Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');
}

/** The options of @fastify/helmet (and of helmet itself, for the answers no hook sees). */
export function helmetOptions(secure: boolean) {
  return {
    contentSecurityPolicy: { useDefaults: false as const, directives: siteDirectives(secure) },
    referrerPolicy: { policy: 'no-referrer' as const },
    frameguard: { action: 'deny' as const },
    // One year; only when the install says it is served over HTTPS, or a plain-HTTP one locks itself out.
    strictTransportSecurity: secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  };
}

/**
 * Who may keep an answer. Everything that may depend on who is logged in (every page, the
 * printable report, every /api answer, every error and redirect) is `no-store`. The public,
 * anonymous answers, the same for everyone, may be kept but must be asked for again
 * (`no-cache`): /health, /openapi.json, /docs and its document, /api/process and
 * /api/public/…. The hashed files under /assets/ say `immutable` themselves (their route),
 * and Swagger UI's files under /docs/static/ keep what @fastify/static says (revalidated by ETag).
 */
export function cacheControlFor(url: string): string | undefined {
  const path = url.split('?')[0]!;
  if (path.startsWith('/docs/static/')) return undefined;
  if (path === '/health' || path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/')) return 'no-cache';
  if (path === '/api/process' || path.startsWith('/api/public/')) return 'no-cache';
  return 'no-store';
}

export const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Every answer's headers: helmet's (first, so that an answer refused by a later hook has them
 * too) and Cache-Control by cacheControlFor.
 */
export async function registerSecurityHeaders(app: FastifyInstance, secure: boolean) {
  await app.register(fastifyHelmet, helmetOptions(secure));
  app.addHook('onRequest', async (request, reply) => {
    const cacheControl = cacheControlFor(request.url);
    if (cacheControl) reply.header('cache-control', cacheControl);
  });
}

/**
 * The same headers on an answer Fastify's router gives before any hook runs (a URL that does
 * not decode, a parameter too long): such an answer is an error, so no-store.
 */
export function frameworkErrorHeaders(secure: boolean) {
  const apply = helmet(helmetOptions(secure));
  return (request: FastifyRequest, reply: FastifyReply) => {
    apply(request.raw, reply.raw, () => undefined);
    reply.header('cache-control', 'no-store');
  };
}
