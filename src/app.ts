import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { createCaseService } from './cases/service.js';
import type { Config } from './config.js';
import { openDatabase, type Db } from './db/client.js';
import { createGroupCommit } from './db/group-commit.js';
import { createEngine } from './engine/engine.js';
import { registerAuthentication } from './http/auth.js';
import { registerErrorHandling, sendProblem } from './http/errors.js';
import { Problem } from './http/problem.js';
import { createOutboxAdmin } from './mail/outbox.js';
import { createMoney } from './money/service.js';
import { createReports } from './reports/programme-year.js';
import { createRelay } from './mail/relay.js';
import { createRenderer } from './mail/render.js';
import { transportFor } from './mail/transport.js';
import { createNotifications } from './notifications/service.js';
import { createPeopleService } from './people/service.js';
import { createScheduler } from './scheduler/scheduler.js';
import { createTimerStore } from './scheduler/timers.js';
import { createProgrammeService } from './programmes/service.js';
import { caseRoutes } from './routes/api/cases.js';
import { processRoutes } from './routes/api/process.js';
import { moneyRoutes } from './routes/api/money.js';
import { pageRoutes } from './routes/pages.js';
import { notificationRoutes } from './routes/api/notifications.js';
import { sessionRoutes } from './routes/api/session.js';

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
}

export function createServices(db: Db, now: () => Date, config: Config, log?: FastifyBaseLogger) {
  const programmes = createProgrammeService(db, now);
  const people = createPeopleService(db, now, (id) => programmes.get(id)?.roles);
  const notifications = createNotifications(db, programmes, { publicUrl: config.publicUrl, from: config.SATSA_MAIL_FROM }, now);
  const timers = createTimerStore(db, now);
  const relay = createRelay(db, transportFor(config), createRenderer(config.SATSA_MAIL_TEMPLATES_DIR && path.resolve(config.SATSA_MAIL_TEMPLATES_DIR)), now, {
    from: config.SATSA_MAIL_FROM,
    maxAttempts: config.SATSA_MAIL_MAX_ATTEMPTS,
    retryBaseMs: config.SATSA_MAIL_RETRY_BASE_SECONDS * 1000,
    log,
  });
  const money = createMoney(db, programmes, now);
  const engine = createEngine(db, programmes, now, { notifications, timers, money, afterCommit: () => relay.kick() });
  // People's commands over HTTP share durable commits (see src/db/group-commit.ts).
  const commits = createGroupCommit(db.$client, { afterCommit: () => relay.kick() });
  const scheduler = createScheduler(engine, timers, log);
  const outboxAdmin = createOutboxAdmin(db, now);
  const cases = createCaseService(db, engine, people, timers);
  const reports = createReports(db, programmes, money);
  return { db, now, programmes, people, engine, commits, cases, relay, scheduler, timers, outboxAdmin, money, reports };
}
export type Services = ReturnType<typeof createServices>;

/** Builds the whole app: external plugins, then ours, then the routes. Does not listen. */
export async function buildApp(options: AppOptions): Promise<{ app: FastifyInstance; services: Services }> {
  const { config } = options;
  const now = options.now ?? (() => new Date());
  const db = options.db ?? openDatabase(config.databaseFile);
  const app = Fastify({
    logger: {
      level: config.SATSA_LOG_LEVEL,
      // No personal data in logs: no query strings (free-text search), addresses or headers.
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    bodyLimit: config.SATSA_BODY_LIMIT_BYTES,
    // Errors the router raises before any hook (an undecodable URL) are problem+json too.
    frameworkErrors: (error, request, reply) => {
      sendProblem(request, reply, new Problem('malformed-request', error.message));
    },
  });
  const services = createServices(db, now, config, app.log);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: a text/plain body on a JSON route is a 415, not a confusing 422.
  app.removeContentTypeParser('text/plain');

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Satsa API',
        version: '0.1.0',
        description:
          'Case engine for stimulus-funding programmes. Errors are application/problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Personal API token (npm run cli -- token:create)' },
          session: { type: 'apiKey', in: 'cookie', name: 'satsa_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  registerErrorHandling(app);
  registerAuthentication(app, services.people);

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  sessionRoutes(app, services.people, config);
  processRoutes(app, services.programmes);
  caseRoutes(app, services.cases, services.commits);
  notificationRoutes(app, services);
  moneyRoutes(app, services);
  await pageRoutes(app, services, config);

  // Idempotency keys live at least 24 hours; older ones are purged at start and hourly.
  let purgeTimer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    services.engine.purgeIdempotencyKeys();
    purgeTimer = setInterval(() => services.engine.purgeIdempotencyKeys(), 3_600_000);
    purgeTimer.unref();
    // Cases under way when the timer rules changed get their deadlines now.
    const backfilled = services.engine.backfillTimers();
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
