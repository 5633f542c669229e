import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import { openDatabase, type Db } from './db/client.js';
import { sweepIncoming } from './documents/files.js';
import { DomainError } from './errors.js';
import { registerAuthentication } from './http/auth.js';
import { openApiOptions } from './http/openapi.js';
import { problemErrorHandler } from './http/problem.js';
import { docsCsp, frameworkErrorHeaders, registerSecurityHeaders } from './http/security.js';
import { apiRoutes } from './routes/api/index.js';
import { pageRoutes } from './routes/pages/index.js';
import { pageErrorHandler } from './routes/pages/reply.js';
import { createServices, type Outbound, type Services } from './services.js';

/** How soon a client turned away during a shutdown may try again: a restart takes about a second. */
const RETRY_AFTER_CLOSING_SECONDS = 5;

export interface AppOptions {
  config: Config;
  /** An already open database (tests pass a fresh one); otherwise the configured file. */
  db?: Db;
  /** The clock every service reads; tests inject their own. */
  now?: () => Date;
  /**
   * Start the mail relay and the timer scheduler when the app is ready (default true).
   * Tests that drive them step by step turn this off and call drain() / runDue().
   */
  background?: boolean;
  /** Where the log lines (JSON, one a line) are written; standard output unless given. */
  logStream?: { write(line: string): void };
  /** How the app reaches other servers, when not as the platform does (tests: a CA of their own). */
  outbound?: Outbound;
}

/**
 * Builds the whole app: the services (src/services.ts), external plugins, then the API
 * under /api and the pages, each an encapsulated plugin with its own error answers.
 * Does not listen.
 */
export async function buildApp(options: AppOptions): Promise<{ app: FastifyInstance; services: Services }> {
  const { config } = options;
  const now = options.now ?? (() => new Date());
  const db = options.db ?? openDatabase(config.databaseFile);
  const trust = config.SATSA_TRUST_PROXY;
  const secure = config.SATSA_COOKIE_SECURE;
  const frameworkErrorSecurity = frameworkErrorHeaders(secure);
  const app = Fastify({
    logger: {
      level: config.SATSA_LOG_LEVEL,
      ...(options.logStream ? { stream: options.logStream } : {}),
      // No personal data in logs: no query strings (free-text search), addresses or headers.
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    bodyLimit: config.SATSA_BODY_LIMIT_BYTES,
    // A number of proxies in front is trusted hop by hop (proxy-addr counts hops from 0).
    trustProxy: typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust,
    // Fastify's own answer while closing is not a problem; ours is below.
    return503OnClosing: false,
    // Errors the router raises before any route is found (an undecodable URL, a parameter
    // too long) are answered as the pages answer errors: a page for a browser, else problem+json.
    // No hook runs for them, so they get the security headers here.
    frameworkErrors: (error, request, reply) => {
      frameworkErrorSecurity(request, reply);
      pageErrorHandler(new DomainError('malformed-request', error.message), request, reply);
    },
  });
  const services = createServices(db, now, config, app.log, options.outbound);

  // While the server shuts down it finishes the requests under way; one that still arrives (on
  // a connection already open) is not handled but answered 503, with the connection closed
  // after it: a problem, or a page for a browser, saying when to try again.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    app.log.info('closing: requests under way are finished, new ones are answered 503');
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    reply.header('retry-after', String(RETRY_AFTER_CLOSING_SECONDS));
    return pageErrorHandler(new DomainError('service-unavailable', 'the server is shutting down'), request, reply);
  });
  app.setValidatorCompiler(validatorCompiler);
  // The answers' schemas document the API and are checked by the tests; at run time an answer
  // is only stringified (parsing a case view against its schema on every command costs CPU).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // JSON only: a text/plain body on a JSON route is a 415, not a confusing 422.
  app.removeContentTypeParser('text/plain');
  // A DELETE carries nothing (its content has no meaning in HTTP), but many clients declare
  // JSON on every request: an empty body there is no body. Elsewhere an empty or broken JSON
  // body stays a 400, from Fastify's own parser (with its defaults: __proto__ and constructor
  // keys are refused).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done) => {
    if (body.length === 0 && request.method === 'DELETE') return done(null, undefined);
    return parseJson(request, body, done);
  });
  app.setErrorHandler(problemErrorHandler);

  // First, so that every answer has them, even one refused by a later hook (src/http/security.ts).
  await registerSecurityHeaders(app, secure);
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, openApiOptions);
  // The API reference gets a policy of its own, replacing the site's on its answers only.
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: docsCsp(secure) });

  registerAuthentication(app, services.people);

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(apiRoutes, { prefix: '/api', services, config });
  await app.register(pageRoutes, { services, config });

  // Idempotency keys live at least 24 hours; older ones are purged at start and hourly.
  let purgeTimer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    // An upload cut off by a crash left at most a temporary file: no one sees it; it goes now.
    const swept = sweepIncoming(config.documentsDir);
    if (swept > 0) app.log.info({ files: swept }, 'unfinished uploads removed');
    services.idempotency.purge();
    purgeTimer = setInterval(() => services.idempotency.purge(), 3_600_000);
    purgeTimer.unref();
    // Cases under way when the timer rules changed get their deadlines now.
    const backfilled = services.firing.backfill();
    if (backfilled !== undefined) app.log.info({ cases: backfilled }, 'timers reconciled for the current rules');
    if (config.SATSA_SMTP_HOST && !config.SATSA_PUBLIC_URL) {
      app.log.warn('SATSA_SMTP_HOST is set but SATSA_PUBLIC_URL is not: links in e-mail point to ' + config.publicUrl);
    }
    if (options.background !== false) {
      // Deadlines that passed while the server was down fire now; then mail goes out.
      services.scheduler.start(config.SATSA_POLL_SECONDS * 1000);
      services.relay.start(config.SATSA_POLL_SECONDS * 1000);
    }
  });
  app.addHook('onClose', async () => {
    clearInterval(purgeTimer);
    await services.scheduler.stop();
    await services.relay.stop();
    if (!options.db) db.$client.close();
  });
  return { app, services };
}
