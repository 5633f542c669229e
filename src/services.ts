import fs from 'node:fs';
import path from 'node:path';
import { createArchive } from './archive/service.js';
import { createDrafts } from './cases/drafts.js';
import { createProcessMigration } from './cases/migration.js';
import { createCaseService } from './cases/service.js';
import { createConversation } from './conversation/service.js';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import { createGroupCommit } from './db/group-commit.js';
import { DomainError } from './errors.js';
import { createCaseStore } from './engine/case-store.js';
import { createEngine } from './engine/engine.js';
import { createEventRules } from './engine/event-rules.js';
import { createDocuments } from './documents/service.js';
import { createIdempotency } from './http/idempotency.js';
import type { Log } from './log.js';
import { createOutboxAdmin, createSentMailPurge } from './mail/outbox.js';
import { createRelay } from './mail/relay.js';
import { createRenderer } from './mail/render.js';
import { transportFor } from './mail/transport.js';
import { createImports } from './imports/index.js';
import { createInitiativeImport } from './imports/initiatives.js';
import { createPlanImport } from './imports/plan.js';
import { createMoney } from './money/service.js';
import { createPlans } from './plans/service.js';
import { createAccountMail } from './notifications/account-mail.js';
import { createPlanMail } from './notifications/plan-mail.js';
import { createPreferences } from './notifications/preferences.js';
import { messageKind } from './notifications/rules.js';
import { createNotifications } from './notifications/service.js';
import { createAccount } from './people/account.js';
import { createPeopleAdmin } from './people/admin.js';
import { createLinks } from './people/links.js';
import { createLoginRecords } from './people/login-records.js';
import { createOnboarding } from './people/onboarding.js';
import { createAudit } from './people/audit.js';
import { createPeopleService } from './people/service.js';
import { createSingleSignOn, type SingleSignOnDeps } from './people/sso.js';
import { createLoginThrottle } from './people/throttle.js';
import { loadProgrammeDefinition, programmeDefinitions, templatesDir, wordsOf } from './programmes/config.js';
import { createPrivacy } from './privacy/service.js';
import { createProgrammeAdmin, SYSTEM_ACTOR } from './programmes/admin.js';
import { createProgrammeService } from './programmes/service.js';
import { createMultiYearReports } from './reports/multi-year.js';
import { createReports } from './reports/programme-year.js';
import { createRetention } from './retention/service.js';
import { createTimerFiring } from './scheduler/firing.js';
import { createScheduler } from './scheduler/scheduler.js';
import { createTimerStore } from './scheduler/timers.js';
import { createWaiting } from './work/waiting.js';
import { archiveRepresentation } from './web/archive.js';
import { mentionedUsers } from './web/case-page.js';

/** Satsa's version, as package.json says (the e-archive's packages name the software that made them). */
const SOFTWARE_VERSION = (JSON.parse(fs.readFileSync(path.join(templatesDir, '..', 'package.json'), 'utf8')) as { version: string })
  .version;

/** How the app reaches other servers, when not as the platform does (tests trust their own CA). */
export interface Outbound {
  /** The requests to the OpenID Connect providers. */
  oidcFetch?: SingleSignOnDeps['fetch'];
}

/**
 * The composition root: every service is created here, once, and given exactly the other
 * services it uses. The app, the CLI, the demo data, the tests and the benchmark all start
 * from this one function.
 */
export function createServices(db: Db, now: () => Date, config: Config, log?: Log, outbound: Outbound = {}) {
  const programmes = createProgrammeService(db, now);
  const people = createPeopleService(db, now, (id) => programmes.get(id)?.roles);
  const audit = createAudit(db, now);
  const money = createMoney(db, programmes, now, audit);
  const store = createCaseStore(db);
  const notifications = createNotifications(
    db,
    { programmes, people, participantsOf: (caseId) => store.participants(caseId) },
    { publicUrl: config.publicUrl, from: config.SATSA_MAIL_FROM },
    now,
  );
  const templates = config.SATSA_MAIL_TEMPLATES_DIR && path.resolve(config.SATSA_MAIL_TEMPLATES_DIR);
  const relay = createRelay(db, transportFor(config), createRenderer(messageKind, templates), now, {
    from: config.SATSA_MAIL_FROM,
    maxAttempts: config.SATSA_MAIL_MAX_ATTEMPTS,
    retryBaseMs: config.SATSA_MAIL_RETRY_BASE_SECONDS * 1000,
    kinds: messageKind,
    log,
  });
  // Whatever commits a change wakes the relay: its mail is on disk now.
  const afterCommit = () => relay.kick();
  const timers = createTimerStore(db, now, (programmeId) => programmes.get(programmeId)!.deadlines);
  const engine = createEngine({
    db,
    store,
    rules: createEventRules({
      programme: (id) => programmes.get(id),
      ideaTemplate: (id) => programmes.ideaTemplate(id),
      yearsError: money.yearsError,
      programmeRulesOf: (id) => programmes.rules(id)!,
      belongsTo: (userId, programmeId) => people.belongsTo(userId, programmeId),
    }),
    programme: (id) => programmes.get(id),
    programmeRules: (id) => programmes.rules(id),
    programmeVersion: (id) => programmes.version(id),
    now,
    effects: { notifications, money, deadlines: timers, afterCommit },
  });
  // People's commands over HTTP share durable commits (see src/db/group-commit.ts).
  const commits = createGroupCommit(db.$client, { afterCommit });
  const plans = createPlans({ db, now, programmes, audit, displayNames: (ids) => people.displayNames(ids), timers });
  const planMail = createPlanMail(db, { programmes, people }, { publicUrl: config.publicUrl, from: config.SATSA_MAIL_FROM }, now);
  const firing = createTimerFiring({ db, cases: store, timers, notifications, assignments: plans, planMail, now, afterCommit });
  // Retention rules (gallring): run by the scheduler at start and once a day, and by an administrator.
  const privacy = createPrivacy({
    db,
    engine,
    store,
    audit,
    programme: (id) => programmes.get(id),
    mailDir: config.mailDir,
    archiveDir: path.join(config.SATSA_DATA_DIR, 'archive'),
    now,
  });
  const retention = createRetention({
    db,
    now,
    programmes,
    sentMail: createSentMailPurge(db, config.mailDir),
    logins: createLoginRecords(db),
    requireAdministrator: (actor, programmeId) => programmeAdmin.requireAdministrator(actor, programmeId),
    // A closed case's people replaced by a pseudonym, by Satsa itself under the rule's decision.
    privacy: {
      pseudonymiseCase: (caseId, o) => privacy.pseudonymiseCase(caseId, { decision: o.reason, actor: SYSTEM_ACTOR }),
      isPseudonymised: (caseId) => privacy.isPseudonymised(caseId),
    },
    log,
  });
  const scheduler = createScheduler(firing, timers, log, { now, daily: (signal) => retention.run(undefined, now(), signal) });
  const cases = createCaseService({
    db,
    engine,
    store,
    people,
    timers,
    wordsOf: (id) => {
      const c = programmes.get(id);
      return c && wordsOf(c);
    },
    programme: (id) => programmes.get(id),
  });
  const drafts = createDrafts({ db, store, cases, now });
  const processMigration = createProcessMigration({
    engine,
    store,
    audit,
    wordsOf: (id) => {
      const c = programmes.get(id);
      return c && wordsOf(c);
    },
    programmeExists: (id) => programmes.get(id) !== undefined,
  });
  const conversation = createConversation({ db, engine, store, people, notifications, now });
  const documents = createDocuments({
    db,
    root: config.documentsDir,
    maxBytes: config.SATSA_DOCUMENT_MAX_BYTES,
    engine,
    store,
    people,
    now,
  });
  const archive = createArchive({
    db,
    cases,
    documents,
    engine,
    programme: (id) => programmes.get(id),
    // The package's pages are the case page's own HTML (src/web): a port, as the domain renders nothing.
    render: (input) => archiveRepresentation({ ...input, names: people.displayNames(mentionedUsers(input.view)) }),
    archiveDir: path.join(config.SATSA_DATA_DIR, 'archive'),
    schemasDir: path.join(templatesDir, 'archive', 'schemas'),
    software: { name: 'Satsa', version: SOFTWARE_VERSION },
    now,
  });
  const reports = createReports(db, programmes, money);
  const multiYear = createMultiYearReports({ programmes, plans, reports, money, now });
  // What a programme can import from spreadsheets: one element per kind.
  const imports = createImports([
    createPlanImport({ db, plans, programmes }),
    createInitiativeImport({ db, engine, programme: (id) => programmes.get(id), now }),
  ]);
  const outboxAdmin = createOutboxAdmin(db, now);
  const idempotency = createIdempotency(db, now);
  const transaction = <T>(work: () => T): T => db.transaction(work, { behavior: 'immediate' });
  const throttle = createLoginThrottle(db, now);
  const account = createAccount({ people, audit, throttle, now, transaction });
  const programmeAdmin = createProgrammeAdmin({
    programmes,
    audit,
    recomputeDeadlines: (actor, programmeId, version) => {
      // The plan's assignments count with the programme's settings too.
      plans.reconcileTimers(programmeId);
      return engine.recomputeDeadlines(actor, programmeId, version);
    },
    transaction,
    displayNames: (ids) => people.displayNames(ids),
  });
  const peopleAdmin = createPeopleAdmin({ people, audit, throttle, transaction });
  const links = createLinks(db, now);
  const accountMail = createAccountMail(db, programmes, { publicUrl: config.publicUrl, from: config.SATSA_MAIL_FROM }, now);
  const onboarding = createOnboarding({
    people,
    links,
    mail: accountMail,
    audit,
    throttle,
    programme: (id) => programmes.get(id),
    definitions: programmeDefinitions,
    loadDefinition: (id) => programmes.upsert(loadProgrammeDefinition(id)),
    invitableCase: (actor, caseId) => {
      const view = cases.get(actor, caseId, actor.language);
      return view.allowedEvents.some((e) => e.type === 'ADD_PARTICIPANT')
        ? { programmeId: view.programmeId, title: view.title }
        : undefined;
    },
    joinCase: (inviterId, caseId, userId) => {
      const inviter = people.actorById(inviterId);
      if (!inviter) return false;
      try {
        const { version } = cases.get(inviter, caseId, 'sv');
        cases.send(inviter, caseId, { type: 'ADD_PARTICIPANT', payload: { userId } }, version, 'sv', { minimal: true });
        return true;
      } catch (error) {
        // The case has closed, or the inviter may no longer bring people in: the account stands.
        if (error instanceof DomainError) return false;
        throw error;
      }
    },
    guestCase: (actor, caseId) => {
      const view = cases.get(actor, caseId, actor.language);
      if (!conversation.mayInviteGuests(actor, caseId))
        throw new DomainError('forbidden', "only the programme's county coordinators and administrators invite guests", {
          roles: ['county-coordinator', 'administrator'],
        });
      return { programmeId: view.programmeId, title: view.title };
    },
    joinCaseAsGuest: (inviterId, caseId, userId) => {
      const inviter = people.actorById(inviterId);
      try {
        if (!inviter || !conversation.mayInviteGuests(inviter, caseId)) return false;
      } catch (error) {
        if (error instanceof DomainError) return false;
        throw error;
      }
      store.addMember(caseId, userId, 'guest');
      return true;
    },
    guestProgramme: (userId) => store.guestProgrammeOf(userId),
    transaction,
  });
  const sso = createSingleSignOn({
    db,
    now,
    providers: config.oidcProviders,
    publicUrl: config.publicUrl,
    fetch: outbound.oidcFetch,
    people,
    onboarding,
    audit,
    transaction,
    log,
  });
  const preferences = createPreferences(people);
  const waiting = createWaiting({ db, now, displayNames: (ids) => people.displayNames(ids) });
  return {
    db,
    now,
    programmes,
    people,
    money,
    notifications,
    relay,
    timers,
    engine,
    commits,
    firing,
    scheduler,
    retention,
    cases,
    drafts,
    processMigration,
    conversation,
    documents,
    archive,
    reports,
    multiYear,
    imports,
    outboxAdmin,
    idempotency,
    preferences,
    audit,
    throttle,
    account,
    peopleAdmin,
    programmeAdmin,
    plans,
    links,
    onboarding,
    sso,
    waiting,
    privacy,
  };
}

export type Services = ReturnType<typeof createServices>;
