import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config.js';
import { problemErrorHandler, problemNotFound } from '../../http/problem.js';
import type { Services } from '../../services.js';
import { archiveRoutes } from './archive.js';
import { caseRoutes } from './cases.js';
import { conversationRoutes } from './conversation.js';
import { documentRoutes } from './documents.js';
import { importRoutes } from './imports.js';
import { moneyRoutes } from './money.js';
import { notificationRoutes } from './notifications.js';
import { onboardingRoutes } from './onboarding.js';
import { planRoutes } from './plans.js';
import { peopleRoutes } from './people.js';
import { privacyRoutes } from './privacy.js';
import { processRoutes } from './process.js';
import { processMigrationRoutes } from './process-migrations.js';
import { programmeRoutes } from './programmes.js';
import { reportRoutes } from './reports.js';
import { retentionRoutes } from './retention.js';
import { sessionRoutes } from './session.js';
import { waitingRoutes } from './waiting.js';

/**
 * The JSON API under /api: one plugin per resource, each given only the services it uses.
 * Every error here, and every path that does not exist, is answered as problem+json.
 */
export const apiRoutes: FastifyPluginAsync<{ services: Services; config: Config }> = async (api, { services, config }) => {
  api.setErrorHandler(problemErrorHandler);
  api.setNotFoundHandler(problemNotFound);
  await api.register(sessionRoutes, {
    account: services.account,
    people: services.people,
    sessionHours: config.SATSA_SESSION_HOURS,
    cookieSecure: config.SATSA_COOKIE_SECURE,
  });
  await api.register(processRoutes, { programmes: services.programmes });
  await api.register(programmeRoutes, { programmeAdmin: services.programmeAdmin });
  await api.register(processMigrationRoutes, { processMigration: services.processMigration });
  await api.register(caseRoutes, { cases: services.cases, commits: services.commits, idempotency: services.idempotency });
  await api.register(conversationRoutes, {
    conversation: services.conversation,
    onboarding: services.onboarding,
    commits: services.commits,
  });
  await api.register(documentRoutes, { documents: services.documents });
  await api.register(archiveRoutes, { archive: services.archive });
  await api.register(notificationRoutes, { preferences: services.preferences, outboxAdmin: services.outboxAdmin, relay: services.relay });
  await api.register(peopleRoutes, { peopleAdmin: services.peopleAdmin });
  await api.register(onboardingRoutes, { onboarding: services.onboarding, links: services.links });
  await api.register(moneyRoutes, { money: services.money });
  await api.register(planRoutes, { plans: services.plans });
  await api.register(importRoutes, { imports: services.imports });
  await api.register(reportRoutes, { reports: services.reports, multiYear: services.multiYear, now: services.now });
  await api.register(waitingRoutes, { waiting: services.waiting });
  await api.register(privacyRoutes, { privacy: services.privacy });
  await api.register(retentionRoutes, { retention: services.retention });
};
