import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { EVENT_ROLES } from '../../../machines/case/catalogue.js';
import { CASE_EVENT_TYPES, type CaseEventType } from '../../../machines/case/schemas.js';
import { ideaSentOnCreate } from '../../../machines/versions.js';
import type { Role } from '../../../machines/roles.js';
import { requirementWords } from '../../programmes/requirement-words.js';
import { createCaseSchema, type CaseService, type CaseView } from '../../cases/service.js';
import type { Conversation } from '../../conversation/service.js';
import type { Drafts } from '../../cases/drafts.js';
import type { Documents } from '../../documents/service.js';
import type { GroupCommit } from '../../db/group-commit.js';
import { DomainError } from '../../errors.js';
import { requestLanguage } from '../../http/language.js';
import { inProgrammeWords } from '../../i18n/index.js';
import { STATUS_OF } from '../../http/problem.js';
import { t, type Language } from '../../i18n/index.js';
import { rolesIn, seesAllCasesOf, type Actor } from '../../people/actor.js';
import { PLAN_RECORDERS, type Plans } from '../../plans/service.js';
import type { Onboarding } from '../../people/onboarding.js';
import type { PeopleService } from '../../people/service.js';
import { decisiveEvents, describeStates } from '../../process/describe.js';
import type { ProgrammeService } from '../../programmes/service.js';
import { wordsOf } from '../../programmes/config.js';
import { actionSetup, GENERAL_EVENTS, participantByEmail } from '../../web/actions.js';
import {
  actionPage,
  casePage,
  checkPage,
  mentionedUsers,
  printPage,
  type ActionPageInput,
  type CasePageInput,
  type FormState,
} from '../../web/case-page.js';
import { diagramLayout, prepareDiagram } from '../../web/diagram-svg.js';
import {
  errorSummary,
  firstText,
  postedFields,
  formErrors,
  jsonSchemaOf,
  parseForm,
  renderFields,
  shownAt,
  type FormContext,
  type FormErrors,
  type FormValues,
} from '../../web/forms.js';
import { html, type SafeHtml } from '../../web/html.js';
import { stepTrack } from '../../web/layout.js';
import { linkedTitles } from './case-plan.js';
import { errorPage, loggedIn, rolesHere, sendPage } from './reply.js';

/*
 * The case pages: the case list, a new idea, the case page with its action forms and the
 * printable proposal. Every action form posts to /cases/:id/events/:type, which parses the
 * form with the event's own schema, and sends the event through the same case service as
 * the API (one transaction, If-Match from the form's hidden version).
 */

export interface CasePageDeps {
  cases: CaseService;
  onboarding: Pick<Onboarding, 'inviteToCase'>;
  commits: GroupCommit;
  people: Pick<PeopleService, 'usersOf' | 'displayNames'>;
  programmes: Pick<ProgrammeService, 'get' | 'ideaTemplate' | 'forCase'>;
  plans: Pick<Plans, 'caseLinksOf' | 'inForceDocument'>;
  conversation: Pick<Conversation, 'list' | 'following' | 'guests'>;
  documents: Pick<Documents, 'list' | 'maxBytes' | 'keepsDocuments'>;
  drafts: Pick<Drafts, 'read'>;
}

/** The route's parameters; anything odd in them is simply a page that does not exist. */
function paramsOf(request: FastifyRequest): { id: string; type: string } {
  const params = z.object({ id: z.string().max(100), type: z.string().max(64).default('') }).safeParse(request.params);
  if (!params.success) throw new DomainError('not-found', 'no such page');
  return params.data;
}
const newIdeaSchema = createCaseSchema.omit({ programmeId: true });

const ROLE_STATES = (() => {
  // The states where each role has something of its own to do (not the events open all along).
  const out = new Map<Role, string[]>();
  for (const state of describeStates()) {
    for (const event of state.events as CaseEventType[]) {
      if (GENERAL_EVENTS.has(event) || !EVENT_ROLES[event]) continue;
      for (const role of EVENT_ROLES[event]) {
        const list = out.get(role) ?? [];
        if (!list.includes(state.path)) list.push(state.path);
        out.set(role, list);
      }
    }
  }
  return out;
})();

export const casePages: FastifyPluginAsync<CasePageDeps> = async (
  pages,
  { cases, onboarding, commits, people, programmes, plans, conversation, documents, drafts },
) => {
  /** The goals and rows a case serves, for the programme's own roles; nothing for initiators or without a plan. */
  function planOf(actor: Actor, programmeId: string, caseId: string) {
    const roles = rolesIn(actor, programmeId);
    if (!roles.some((r) => r !== 'initiator')) return undefined;
    try {
      const document = plans.inForceDocument(actor, programmeId);
      const change = roles.some((r) => PLAN_RECORDERS.includes(r));
      return { ...linkedTitles(document, plans.caseLinksOf(actor, caseId)), change };
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'not-found' || error.code === 'forbidden')) return undefined;
      throw error;
    }
  }

  /** The settings and idea template a case is shown against (see programmes.forCase). */
  function shownAgainst(view: { programmeId: string; programmeVersion: number; data: unknown }) {
    const answered = (view.data as { ideaTemplate?: { at: string } }).ideaTemplate?.at;
    return programmes.forCase(view.programmeId, view.programmeVersion, answered);
  }

  /** The case's documents for its page: the list, and who may withdraw which. */
  function documentsOf(request: FastifyRequest, actor: Actor, programmeId: string, caseId: string, lang: Language) {
    const keeper = documents.keepsDocuments(actor, programmeId);
    return {
      caseId,
      csrfToken: request.csrfToken ?? '',
      items: documents.list(actor, caseId, lang).items,
      maxBytes: documents.maxBytes,
      mayWithdraw: (d: { addedBy: { id: string } }) => keeper || d.addedBy.id === actor.id,
    };
  }

  type Extra = { notice?: CasePageInput['notice']; form?: FormState; savedCriterion?: string; since?: number };

  /** What every page of a case shows it against: the case, its settings, names, the caller's choices. */
  function actionInput(
    request: FastifyRequest,
    actor: Actor,
    caseId: string,
    extra: Extra = {},
    read?: CaseView,
  ): ActionPageInput & { programmeWords: ReturnType<typeof wordsOf> } {
    const lang = requestLanguage(request);
    const view = read ?? cases.get(actor, caseId, lang);
    const { config, template } = shownAgainst(view);
    const members = new Set(mentionedUsers(view));
    const candidates = seesAllCasesOf(actor, view.programmeId)
      ? people.usersOf(view.programmeId).filter((u) => !members.has(u.id))
      : ('by-email' as const);
    return {
      lang,
      actor,
      csrfToken: request.csrfToken ?? '',
      view,
      config,
      template,
      names: people.displayNames([...members]),
      candidates,
      decisive: decisiveEvents(view.machineVersion),
      // The case's own programme names its bodies (it may differ from the one the pages work in).
      programmeWords: wordsOf(programmes.get(view.programmeId)!),
      ...extra,
    };
  }

  /** `read`: the case's view if the caller has just read it (in the same turn of the event loop). */
  function renderCase(
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    caseId: string,
    status: number,
    extra: Extra = {},
    read?: CaseView,
  ) {
    const input = actionInput(request, actor, caseId, extra, read);
    const { lang, view } = input;
    const { title, body } = inProgrammeWords(input.programmeWords, () =>
      casePage({
        ...input,
        history: cases.history(actor, caseId, lang),
        plan: planOf(actor, view.programmeId, caseId),
        conversation: {
          comments: conversation.list(actor, caseId, lang),
          following: conversation.following(actor, caseId, lang),
          guests: conversation.guests(actor, caseId),
        },
        documents: documentsOf(request, actor, view.programmeId, caseId, lang),
        proposalDraft: drafts.read(actor, caseId, 'UPDATE_PROPOSAL') !== undefined,
      }),
    );
    // A page answering a form post returns (language switch, log-in) to the case itself.
    return sendPage(request, reply, { title, body, status, path: `/cases/${caseId}` });
  }

  /** The page of one action of a case (a form sent back with errors or a conflict is this page too). */
  function renderAction(
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    caseId: string,
    type: CaseEventType,
    status: number,
    extra: Extra = {},
  ) {
    const { since, ...rest } = extra;
    const input: ActionPageInput & { programmeWords: ReturnType<typeof wordsOf> } = actionInput(request, actor, caseId, rest);
    if (since !== undefined) {
      input.changedSince = cases.history(actor, caseId, input.lang).events.filter((e) => e.version > since);
    }
    const { view } = input;
    const mine = (e: { type: string }) => e.type === type;
    const possible =
      view.allowedEvents.some(mine) ||
      (type === 'ASSESS_CRITERION' && view.blockedEvents.some((e) => mine(e) && e.reasons.every((r) => r.code === 'requirement-unmet')));
    const blocked = possible
      ? undefined
      : (view.blockedEvents.find(mine)?.reasons ?? []).filter((r) => r.code === 'requirement-unmet').map((r) => r.message);
    const { title, body } = inProgrammeWords(input.programmeWords, () => actionPage(input, type, blocked));
    return sendPage(request, reply, { title, body, status, path: `/cases/${caseId}/do/${type}` });
  }

  // ---- a new idea (step 1) ------------------------------------------------------------

  const newIdeaPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    values: FormValues = {},
    errors: FormErrors = new Map(),
    status = 200,
  ) => {
    const lang = requestLanguage(request);
    const config = request.pageProgramme && programmes.get(request.pageProgramme.id);
    const ctx: FormContext = { lang, values, errors, idPrefix: 'idea', rendered: new Set() };
    const fields = renderFields(ctx, newIdeaSchema);
    const body = html`<h1>${t(lang, 'web.newIdea')}</h1>
<p>${t(lang, 'web.newIdeaIntro')}</p>
${config ? html`<p class="meta">${config.name[lang]}</p>` : ''}
<form method="post" action="/cases/new" novalidate>
<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
${errorSummary(ctx)}
${fields}
<p><button type="submit">${t(lang, 'web.submitIdea')}</button></p>
</form>`;
    return sendPage(request, reply, { title: t(lang, 'web.newIdea'), body, status, path: '/cases/new' });
  };

  pages.get(
    '/cases/new',
    { schema: { hide: true } },
    loggedIn((request, reply) => {
      if (!rolesHere(request).includes('initiator')) return errorPage(request, reply, 403);
      return newIdeaPage(request, reply);
    }),
  );

  pages.post(
    '/cases/new',
    { schema: { hide: true } },
    loggedIn(async (request, reply, actor) => {
      const here = request.pageProgramme;
      if (!here || !here.roles.includes('initiator')) return errorPage(request, reply, 403);
      const lang = requestLanguage(request);
      const values = postedFields(request.body);
      const { payload } = parseForm(newIdeaSchema, values);
      const parsed = newIdeaSchema.safeParse(payload);
      if (!parsed.success) return newIdeaPage(request, reply, values, formErrors(lang, newIdeaSchema, parsed.error.issues, payload), 422);
      const created = await commits.run(() => cases.create(actor, { ...parsed.data, programmeId: here.id }, lang));
      return reply.redirect(`/cases/${created.id}?done=created`, 303);
    }),
  );

  // ---- the case page and its forms ----------------------------------------------------

  // The process pictures are laid out once the server listens (not at a person's first case page).

  pages.get(
    '/cases/:id',
    { schema: { hide: true } },
    loggedIn(async (request, reply, actor) => {
      const { id } = paramsOf(request);
      const done = firstText((request.query as Record<string, unknown>).done);
      const lang = requestLanguage(request);
      let view: CaseView | undefined = cases.get(actor, id, lang);
      const machineVersion = view.machineVersion;
      // The process picture's layout (once per machine version and language; laid out when the
      // server starts listening). If it must be waited for, the case is read again afterwards.
      if (!diagramLayout(lang, machineVersion)) {
        await prepareDiagram(lang, machineVersion);
        view = undefined;
      }
      const label =
        done === 'created' ? t(lang, 'steps.1') : (CASE_EVENT_TYPES as string[]).includes(done) ? t(lang, `events.${done}`) : undefined;
      const conversationDone: Record<string, string> = {
        comment: 'conversation.sent',
        following: 'conversation.follow.started',
        unfollowing: 'conversation.follow.stopped',
        guest: 'guests.sent',
        'document-added': 'documents.notice.document-added',
        'document-withdrawn': 'documents.notice.document-withdrawn',
      };
      // A new idea on a version that sends it at once says where it went.
      const sent = done === 'created' && ideaSentOnCreate(machineVersion);
      const text = sent
        ? t(lang, 'casePage.ideaSent')
        : done === 'plan-links'
          ? t(lang, 'plan.links.saved')
          : done in conversationDone
            ? t(lang, conversationDone[done]!)
            : label
              ? t(lang, 'web.saved', { action: label })
              : undefined;
      return renderCase(request, reply, actor, id, 200, text ? { notice: { kind: 'success', text } } : {}, view);
    }),
  );

  pages.get(
    '/cases/:id/print',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const { id } = paramsOf(request);
      const lang = requestLanguage(request);
      const view = cases.get(actor, id, lang);
      const { config } = shownAgainst(view);
      const names = people.displayNames(mentionedUsers(view));
      const { title, body } = printPage({ lang, view, config, names });
      return sendPage(request, reply, { title, body });
    }),
  );

  pages.post(
    '/cases/:id/events/:type',
    { schema: { hide: true } },
    loggedIn(async (request, reply, actor) => {
      const { id, type: rawType } = paramsOf(request);
      if (!(CASE_EVENT_TYPES as string[]).includes(rawType)) return errorPage(request, reply, 404);
      const type = rawType as CaseEventType;
      const lang = requestLanguage(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const version = /^\d{1,12}$/.test(firstText(body._version)) ? Number(firstText(body._version)) : -1;
      const values = postedFields(body);
      const view = cases.get(actor, id, lang);
      const setup = actionSetup(type, {
        lang,
        // The case's own areas and criteria, and the template in force for a new answer.
        config: shownAgainst(view).config,
        template: programmes.ideaTemplate(view.programmeId)!,
        context: view.data as never,
        candidates: seesAllCasesOf(actor, view.programmeId) ? [] : 'by-email',
      });
      const key = type === 'ASSESS_CRITERION' ? firstText(values.criterionId) : undefined;
      const form = (errors: FormErrors, messages: string[] = []): FormState => ({ type, key, values, errors, messages });
      const parsed = parseForm(setup.schema, values, setup.hints);
      const { rows } = parsed;
      const payload = parsed.payload;
      const checked = setup.schema.safeParse(payload);
      if (!checked.success) {
        return renderAction(request, reply, actor, id, type, 422, {
          form: form(formErrors(lang, setup.schema, checked.error.issues, payload, setup.hints, rows)),
        });
      }
      if (setup.schema === participantByEmail) {
        // An initiator names a co-writer by address: an invitation, whether or not the address has
        // an account, so the page tells nothing of who is in Satsa. They are in once they accept.
        const email = (checked.data as { email: string }).email;
        try {
          onboarding.inviteToCase(actor, id, email, request.ip);
        } catch (error) {
          if (!(error instanceof DomainError) || error.code !== 'too-many-attempts') throw error;
          return renderAction(request, reply, actor, id, type, 429, {
            notice: {
              kind: 'error',
              text: t(lang, 'web.waitText', { minutes: Math.max(1, Math.ceil(Number(error.details.retryAfterSeconds ?? 60) / 60)) }),
            },
          });
        }
        return renderCase(request, reply, actor, id, 200, {
          notice: { kind: 'success', text: t(lang, 'web.participantInvited', { email }) },
        });
      }
      try {
        // An act that moves the case on for good is first shown back to be checked, if the case would take it.
        if (decisiveEvents(view.machineVersion).has(type) && firstText(body._confirmed) !== 'yes') {
          cases.tryOut(actor, id, { type, payload }, version);
          const input = actionInput(request, actor, id);
          const { title, body: page } = inProgrammeWords(input.programmeWords, () => checkPage(input, type, checked.data, values));
          return sendPage(request, reply, { title, body: page, path: `/cases/${id}/do/${type}` });
        }
        await commits.run(() => cases.send(actor, id, { type, payload }, version, lang));
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        // The engine's field errors are paths in the payload: shown where the form has them.
        const fieldsOf = (message: (m: string) => string) =>
          new Map(
            (error.details.errors ?? []).map((e) => {
              const segments = e.path
                .replace(/^payload\.?/, '')
                .split('.')
                .filter(Boolean);
              return [shownAt(jsonSchemaOf(setup.schema), segments, rows), message(e.message)] as const;
            }),
          );
        // How the page shows what went wrong; the status is the API's (src/http/problem.ts), but a
        // conflict is 409: a form has no If-Match, and the page shows the case as it is now.
        const show = (extra: Extra) =>
          renderAction(request, reply, actor, id, type, error.code === 'version-mismatch' ? 409 : STATUS_OF[error.code], extra);
        switch (error.code) {
          case 'version-mismatch':
            return show({ notice: { kind: 'conflict', text: t(lang, 'web.conflict') }, form: form(new Map()), since: version });
          case 'validation-failed':
            // The engine's own checks against the programme (areas, years, municipalities).
            return show({ form: form(fieldsOf((m) => (lang === 'en' ? m : t(lang, 'validation.invalid')))) });
          case 'budget-exceeds-pool':
            return show({
              form: form(
                fieldsOf(() => t(lang, 'problems.budget-exceeds-pool')),
                [t(lang, 'problems.budget-exceeds-pool')],
              ),
            });
          case 'requirements-not-met': {
            // Said at the top as well: the form of an action not possible yet is not on the page.
            const unmet = (error.details.unmet ?? []).map((r) => requirementWords(lang, r, shownAgainst(view).config));
            return show({
              notice: { kind: 'error', text: `${t(lang, `events.${type}`)}: ${t(lang, 'web.requirementsUnmet')}`, items: unmet },
              form: form(new Map()),
            });
          }
          case 'event-not-accepted':
          case 'case-not-running':
            return show({ notice: { kind: 'error', text: t(lang, 'web.notAccepted') } });
          case 'forbidden':
            return show({ notice: { kind: 'error', text: t(lang, 'problems.forbidden') } });
          default:
            throw error;
        }
      }
      // The person goes on where they were: the next criterion, or the case with what was done on top.
      if (type === 'ASSESS_CRITERION')
        return reply.redirect(`/cases/${id}/do/ASSESS_CRITERION?saved=${encodeURIComponent(key ?? '')}#criterion-${key}`, 303);
      return reply.redirect(`/cases/${id}?done=${type}`, 303);
    }),
  );

  /** An event type of the path, or a page that does not exist. */
  const eventOf = (raw: string): CaseEventType => {
    if (!(CASE_EVENT_TYPES as string[]).includes(raw)) throw new DomainError('not-found', 'no such page');
    return raw as CaseEventType;
  };

  pages.get(
    '/cases/:id/do/:type',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const { id, type } = paramsOf(request);
      const saved = firstText((request.query as Record<string, unknown>).saved);
      return renderAction(request, reply, actor, id, eventOf(type), 200, saved ? { savedCriterion: saved } : {});
    }),
  );

  // "Change" on the check page: the form again, with what was written.
  pages.post(
    '/cases/:id/do/:type',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const { id, type } = paramsOf(request);
      const event = eventOf(type);
      return renderAction(request, reply, actor, id, event, 200, {
        form: { type: event, values: postedFields(request.body), errors: new Map(), messages: [] },
      });
    }),
  );

  // ---- the case list ------------------------------------------------------------------

  pages.get('/cases', { schema: { hide: true } }, async (request, reply) => {
    const actor = request.actor;
    if (!actor) return reply.redirect('/login', 303);
    const lang: Language = requestLanguage(request);
    const l = (key: string) => t(lang, `web.${key}`);
    const roles = rolesHere(request);
    const initiatorOnly = roles.every((r) => r === 'initiator');
    const title = initiatorOnly ? l('myCases') : l('cases');
    const here = request.pageProgramme?.id;
    // Without a programme (a guest, who holds no role in any), the cases they are a guest of.
    const list = cases.list(actor, here ? { limit: 100, programme: here } : { limit: 100 }, lang) as {
      items: { id: string; diaryNumber: string; title: string; steps: number[]; outcomeLabel: string | null; updatedAt: string }[];
    };
    const rows = list.items.map(
      (c) => html`<tr>
  <td>${c.diaryNumber}</td>
  <th scope="row"><a href="/cases/${c.id}">${c.title}</a></th>
  <td>${stepTrack(lang, c.steps, c.outcomeLabel)}</td>
  <td class="optional">${c.updatedAt.slice(0, 10)}</td>
</tr>`,
    );
    const done = firstText((request.query as Record<string, unknown>).done);
    return sendPage(request, reply, {
      title,
      body: html`${done === 'password' ? html`<div class="notice" role="status">${l('passwordChanged')}</div>` : ''}<h1>${title}</h1>
${roles.includes('initiator') ? html`<p><a class="button" href="/cases/new">${l('newIdea')}</a></p>` : ''}
${initiatorOnly || !here ? '' : waitingFor(actor, here, roles, lang)}
${initiatorOnly ? '' : html`<h2>${l('cases')}</h2>`}
${
  list.items.length === 0
    ? html`<p>${l('noCases')}</p>`
    : html`<table>
  <caption class="visually-hidden">${title}</caption>
  <thead><tr><th scope="col">${l('diaryNumber')}</th><th scope="col">${l('title')}</th><th scope="col">${l('step')}</th><th scope="col" class="optional">${l('updated')}</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`
}`,
    });
  });

  type Waiting = { id: string; title: string; diaryNumber: string; steps: number[]; outcomeLabel: string | null; createdAt: string };

  /** The cases at a state where one of the caller's roles has the next move (oldest first). */
  function waitingFor(actor: Actor, programme: string, roles: Role[], lang: Language): SafeHtml {
    const states = [...new Set(roles.filter((r) => r !== 'initiator').flatMap((r) => ROLE_STATES.get(r) ?? []))];
    const items =
      states.length === 0 ? [] : (cases.list(actor, { states, status: 'active', limit: 100, programme }, lang).items as Waiting[]);
    items.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return html`<section aria-labelledby="waiting"><h2 id="waiting">${t(lang, 'web.waitingForYou')}</h2>
${items.length === 0 ? html`<p>${t(lang, 'web.nothingWaiting')}</p>` : html`<ul>${items.map((c) => html`<li><a href="/cases/${c.id}">${c.title}</a> <span class="meta">${c.diaryNumber}</span>${stepTrack(lang, c.steps, c.outcomeLabel)}</li>`)}</ul>`}<p><a href="/waiting">${t(lang, 'waiting.seeAll')}</a></p></section>`;
  }
};
