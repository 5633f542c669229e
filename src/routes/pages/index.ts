import fastifyFormbody from '@fastify/formbody';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config.js';
import { requestLanguage } from '../../http/language.js';
import { inProgrammeWords } from '../../i18n/index.js';
import { wordsOf } from '../../programmes/config.js';
import type { Services } from '../../services.js';
import { accountPages } from './account.js';
import { archivePages } from './archive.js';
import { assetRoutes } from './assets.js';
import { boardPages } from './board.js';
import { casePages } from './cases.js';
import { conversationPages } from './conversation.js';
import { documentPages } from './documents.js';
import { importPages } from './imports.js';
import { mePages } from './me.js';
import { moneyPages } from './money.js';
import { onboardingPages } from './onboarding.js';
import { privacyPages } from './privacy.js';
import { peoplePages } from './people.js';
import { planPages } from './plan.js';
import { accessibilityPages } from './accessibility.js';
import { casePlanPages } from './case-plan.js';
import { programmePages } from './programme.js';
import { processMigrationPages } from './process-migration.js';
import { proposalPages } from './proposal.js';
import { pageErrorHandler, pageNotFound } from './reply.js';
import { reportPages } from './reports.js';
import { retentionPages } from './retention.js';
import { ssoPages } from './sso.js';
import { waitingPages } from './waiting.js';

/**
 * The web pages: server-rendered HTML, Swedish by default, one plugin per page family, each
 * given only the services it uses. Forms post application/x-www-form-urlencoded, which only
 * this plugin accepts (the JSON API keeps answering 415 to form posts). Logged-in forms carry
 * the session's CSRF token as `_csrf`, checked by src/http/auth.ts. Errors met in a browser
 * (an expired form, a page that does not exist) are shown as pages by this plugin's own
 * error handler. The stylesheet and the report's print script are served from /assets/.
 */
export const pageRoutes: FastifyPluginAsync<{ services: Services; config: Config }> = async (pages, { services, config }) => {
  await pages.register(fastifyFormbody);
  pages.setErrorHandler(pageErrorHandler);
  pages.setNotFoundHandler(pageNotFound);
  const { people, cases, commits, programmes, now } = services;
  // The programme the pages work in: the one chosen in the session, else the person's first.
  pages.decorateRequest('pageProgramme', undefined);
  pages.decorateRequest('waitingCount', undefined);
  pages.addHook('preHandler', async (request) => {
    const actor = request.actor;
    if (!actor || actor.memberships.length === 0) return;
    const current = actor.memberships.find((m) => m.programmeId === request.sessionProgrammeId) ?? actor.memberships[0]!;
    const lang = requestLanguage(request);
    request.pageProgramme = {
      id: current.programmeId,
      roles: current.roles,
      choices: actor.memberships.map((m) => ({ id: m.programmeId, name: programmes.get(m.programmeId)?.name[lang] ?? m.programmeId })),
    };
    // Counted only when a page is sent (not for a form post that redirects).
    request.waitingCount = () => services.waiting.count(actor);
  });
  // Every text on the page names the bodies as the programme worked in calls them.
  pages.addHook('preHandler', (request, _reply, done) => {
    const config = request.pageProgramme && programmes.get(request.pageProgramme.id);
    inProgrammeWords(config ? wordsOf(config) : undefined, done);
  });
  await pages.register(assetRoutes);
  await pages.register(accessibilityPages, { programmes });
  await pages.register(accountPages, {
    account: services.account,
    programmes,
    people,
    sso: services.sso,
    sessionHours: config.SATSA_SESSION_HOURS,
    cookieSecure: config.SATSA_COOKIE_SECURE,
  });
  await pages.register(ssoPages, {
    sso: services.sso,
    people,
    sessionHours: config.SATSA_SESSION_HOURS,
    cookieSecure: config.SATSA_COOKIE_SECURE,
  });
  await pages.register(onboardingPages, { onboarding: services.onboarding, programmes });
  await pages.register(mePages, { account: services.account, now });
  await pages.register(privacyPages, { privacy: services.privacy, programmes });
  await pages.register(peoplePages, { peopleAdmin: services.peopleAdmin, people, programmes });
  await pages.register(programmePages, { programmeAdmin: services.programmeAdmin });
  await pages.register(archivePages, { archive: services.archive, programme: (id) => services.programmes.get(id) });
  await pages.register(processMigrationPages, { processMigration: services.processMigration });
  await pages.register(retentionPages, { retention: services.retention });
  await pages.register(casePages, {
    cases,
    onboarding: services.onboarding,
    commits,
    people,
    programmes,
    plans: services.plans,
    conversation: services.conversation,
    documents: services.documents,
    drafts: services.drafts,
  });
  await pages.register(proposalPages, { cases, drafts: services.drafts, commits, programmes });
  await pages.register(conversationPages, { conversation: services.conversation, cases, onboarding: services.onboarding, commits });
  await pages.register(documentPages, { documents: services.documents, cases });
  await pages.register(casePlanPages, { plans: services.plans, cases });
  await pages.register(boardPages, { cases, programmes, now });
  await pages.register(moneyPages, { money: services.money, cases, people, programmes });
  await pages.register(planPages, { plans: services.plans, programmes, now });
  await pages.register(importPages, { imports: services.imports, now });
  await pages.register(waitingPages, { waiting: services.waiting, programmes });
  await pages.register(reportPages, { reports: services.reports, multiYear: services.multiYear, money: services.money, programmes, now });
};
