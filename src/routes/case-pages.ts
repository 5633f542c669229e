import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { EVENT_ROLES, STEPS } from '../../machines/case/catalogue.js';
import { CASE_EVENT_TYPES, type CaseEventType } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';
import type { Services } from '../app.js';
import { createCaseSchema } from '../cases/service.js';
import { requestLanguage } from '../http/errors.js';
import { Problem } from '../http/problem.js';
import { t, type Language } from '../i18n/index.js';
import { isProgrammeRole, type Actor } from '../people/service.js';
import { describeStates } from '../process/describe.js';
import { actionSetup, areaOptions, GENERAL_EVENTS, participantByEmail } from '../web/actions.js';
import { casePage, mentionedUsers, printPage, type FormState } from '../web/case-page.js';
import {
  errorSummary,
  firstText,
  formErrors,
  jsonSchemaOf,
  parseForm,
  renderFields,
  shownAt,
  type FormContext,
  type FormErrors,
  type FormValues,
} from '../web/forms.js';
import { html, raw, type SafeHtml } from '../web/html.js';
import { stepTrack } from '../web/layout.js';
import { errorPage, sendPage } from '../web/reply.js';

/*
 * The case pages: a new idea, the case page with its action forms, the printable proposal,
 * and the coordinators' board. Every action form posts to /cases/:id/events/:type, which
 * parses the form with the event's own schema, and sends the event through the same case
 * service as the API (one transaction, If-Match from the form's hidden version).
 */

/** The route's parameters; anything odd in them is simply a page that does not exist. */
function paramsOf(request: FastifyRequest): { id: string; type: string } {
  const params = z.object({ id: z.string().max(100), type: z.string().max(64).default('') }).safeParse(request.params);
  if (!params.success) throw new Problem('not-found', 'no such page');
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

export function casePageRoutes(pages: FastifyInstance, services: Services) {
  /** The posted fields (not the form's own `_csrf`, `_version`); only text counts, whatever the body was. */
  const formFields = (body: unknown): FormValues =>
    Object.fromEntries(
      Object.entries(body && typeof body === 'object' ? (body as Record<string, unknown>) : {})
        .filter(([k]) => !k.startsWith('_'))
        .map(([k, v]) => [k, typeof v === 'string' ? v : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined] as const)
        .filter(([, v]) => v !== undefined),
    ) as FormValues;

  function renderCase(
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    caseId: string,
    status: number,
    extra: { notice?: Parameters<typeof casePage>[0]['notice']; form?: FormState } = {},
  ) {
    const lang = requestLanguage(request);
    const view = services.cases.read(actor, caseId, lang);
    const history = services.cases.readHistory(actor, caseId, lang);
    const config = services.programmes.get(view.programmeId)!;
    const template = services.programmes.ideaTemplate(view.programmeId)!;
    const members = new Set(mentionedUsers(view));
    const candidates = actor.roles.some(isProgrammeRole)
      ? services.people.usersOf(view.programmeId).filter((u) => !members.has(u.id))
      : ('by-email' as const);
    const names = services.people.displayNames([...members]);
    const { title, body } = casePage({ lang, actor, csrfToken: request.csrfToken ?? '', view, history, config, template, names, candidates, ...extra });
    // A page answering a form post returns (language switch, log-in) to the case itself.
    return sendPage(request, reply, { title, body, status, path: `/cases/${caseId}` });
  }

  /** Runs a page handler for a logged-in user; a case they may not see is a 404 page. */
  const guarded =
    (handler: (request: FastifyRequest, reply: FastifyReply, actor: Actor) => unknown) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const actor = request.actor;
      if (!actor) return reply.redirect(`/login?next=${encodeURIComponent(request.method === 'GET' ? request.url : '/cases')}`, 303);
      try {
        return await handler(request, reply, actor);
      } catch (error) {
        if (error instanceof Problem && (error.code === 'not-found' || error.code === 'forbidden')) {
          return errorPage(request, reply, error.code === 'not-found' ? 404 : 403);
        }
        throw error;
      }
    };

  // ---- a new idea (step 1) ------------------------------------------------------------

  const newIdeaPage = (request: FastifyRequest, reply: FastifyReply, actor: Actor, values: FormValues = {}, errors: FormErrors = new Map(), status = 200) => {
    const lang = requestLanguage(request);
    const config = services.programmes.get(actor.programmeId);
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
    guarded((request, reply, actor) => {
      if (!actor.roles.includes('initiator')) return errorPage(request, reply, 403);
      return newIdeaPage(request, reply, actor);
    }),
  );

  pages.post(
    '/cases/new',
    { schema: { hide: true } },
    guarded(async (request, reply, actor) => {
      if (!actor.roles.includes('initiator')) return errorPage(request, reply, 403);
      const lang = requestLanguage(request);
      const values = formFields(request.body);
      const { payload } = parseForm(newIdeaSchema, values);
      const parsed = newIdeaSchema.safeParse(payload);
      if (!parsed.success) return newIdeaPage(request, reply, actor, values, formErrors(lang, newIdeaSchema, parsed.error.issues, payload), 422);
      const created = (await services.commits.run(() => services.cases.create(actor, parsed.data, lang))).body as { id: string };
      return reply.redirect(`/cases/${created.id}?done=created`, 303);
    }),
  );

  // ---- the case page and its forms ----------------------------------------------------

  pages.get(
    '/cases/:id',
    { schema: { hide: true } },
    guarded((request, reply, actor) => {
      const { id } = paramsOf(request);
      const done = firstText((request.query as Record<string, unknown>).done);
      const lang = requestLanguage(request);
      const label = done === 'created' ? t(lang, 'steps.1') : (CASE_EVENT_TYPES as string[]).includes(done) ? t(lang, `events.${done}`) : undefined;
      return renderCase(request, reply, actor, id, 200, label ? { notice: { kind: 'success', text: t(lang, 'web.saved', { action: label }) } } : {});
    }),
  );

  pages.get(
    '/cases/:id/print',
    { schema: { hide: true } },
    guarded((request, reply, actor) => {
      const { id } = paramsOf(request);
      const lang = requestLanguage(request);
      const view = services.cases.read(actor, id, lang);
      const config = services.programmes.get(view.programmeId)!;
      const names = services.people.displayNames(mentionedUsers(view));
      const { title, body } = printPage({ lang, view, config, names });
      return sendPage(request, reply, { title, body });
    }),
  );

  pages.post(
    '/cases/:id/events/:type',
    { schema: { hide: true } },
    guarded(async (request, reply, actor) => {
      const { id, type: rawType } = paramsOf(request);
      if (!(CASE_EVENT_TYPES as string[]).includes(rawType)) return errorPage(request, reply, 404);
      const type = rawType as CaseEventType;
      const lang = requestLanguage(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const version = /^\d{1,12}$/.test(firstText(body._version)) ? Number(firstText(body._version)) : -1;
      const values = formFields(body);
      const view = services.cases.read(actor, id, lang);
      const setup = actionSetup(type, {
        lang,
        config: services.programmes.get(view.programmeId)!,
        template: services.programmes.ideaTemplate(view.programmeId)!,
        context: view.data as never,
        candidates: actor.roles.some(isProgrammeRole) ? [] : 'by-email',
      });
      const key = type === 'ASSESS_CRITERION' ? firstText(values.criterionId) : undefined;
      const form = (errors: FormErrors, messages: string[] = []): FormState => ({ type, key, values, errors, messages });
      const parsed = parseForm(setup.schema, values, setup.hints);
      const { rows } = parsed;
      let payload = parsed.payload;
      const checked = setup.schema.safeParse(payload);
      if (!checked.success) {
        return renderCase(request, reply, actor, id, 422, { form: form(formErrors(lang, setup.schema, checked.error.issues, payload, setup.hints, rows)) });
      }
      if (setup.schema === participantByEmail) {
        // An initiator names a co-writer by address; only a user of the same programme will do.
        const user = services.people.userByEmail((checked.data as { email: string }).email);
        if (!user || user.programmeId !== view.programmeId || user.disabled) {
          return renderCase(request, reply, actor, id, 422, { form: form(new Map([['email', t(lang, 'validation.noSuchPerson')]])) });
        }
        payload = { userId: user.id };
      }
      try {
        await services.commits.run(() => services.cases.send(actor, id, { type, payload }, version, lang));
      } catch (error) {
        if (!(error instanceof Problem)) throw error;
        // The engine's field errors are paths in the payload: shown where the form has them.
        const fieldsOf = (message: (m: string) => string) =>
          new Map(
            (error.extra.errors ?? []).map((e) => {
              const segments = e.path.replace(/^payload\.?/, '').split('.').filter(Boolean);
              return [shownAt(jsonSchemaOf(setup.schema), segments, rows), message(e.message)] as const;
            }),
          );
        switch (error.code) {
          case 'version-mismatch':
            return renderCase(request, reply, actor, id, 409, { notice: { kind: 'conflict', text: t(lang, 'web.conflict') }, form: form(new Map()) });
          case 'validation-failed':
            // The engine's own checks against the programme (areas, years, municipalities).
            return renderCase(request, reply, actor, id, 422, { form: form(fieldsOf((m) => (lang === 'en' ? m : t(lang, 'validation.invalid')))) });
          case 'budget-exceeds-pool':
            return renderCase(request, reply, actor, id, 422, {
              form: form(fieldsOf(() => t(lang, 'problems.budget-exceeds-pool')), [t(lang, 'problems.budget-exceeds-pool')]),
            });
          case 'requirements-not-met': {
            // Said at the top as well: the form of an action not possible yet is not on the page.
            const unmet = (error.extra.unmet ?? []).map((r) => t(lang, `requirements.${r.id}`, { subject: r.subject ?? '' }));
            return renderCase(request, reply, actor, id, 422, {
              notice: { kind: 'error', text: `${t(lang, `events.${type}`)}: ${t(lang, 'web.requirementsUnmet')}`, items: unmet },
              form: form(new Map()),
            });
          }
          case 'event-not-accepted':
          case 'case-not-running':
            return renderCase(request, reply, actor, id, 409, { notice: { kind: 'error', text: t(lang, 'web.notAccepted') } });
          case 'forbidden':
            return renderCase(request, reply, actor, id, 403, { notice: { kind: 'error', text: t(lang, 'problems.forbidden') } });
          default:
            throw error;
        }
      }
      return reply.redirect(`/cases/${id}?done=${type}`, 303);
    }),
  );

  // ---- the board ------------------------------------------------------------------------

  const boardQuery = z.object({
    step: z.coerce.number().int().min(1).max(12).optional().catch(undefined),
    priorityArea: z.string().max(64).optional().catch(undefined),
    status: z.enum(['active', 'done']).optional().catch(undefined),
    q: z.string().trim().max(200).optional().catch(undefined),
    cursor: z.string().max(500).optional().catch(undefined),
  });

  pages.get(
    '/board',
    { schema: { hide: true } },
    guarded((request, reply, actor) => {
      if (!actor.roles.some((r) => r !== 'initiator')) return errorPage(request, reply, 403);
      const lang = requestLanguage(request);
      const config = services.programmes.get(actor.programmeId)!;
      const raw0 = request.query as Record<string, unknown>;
      const query = boardQuery.parse(Object.fromEntries(Object.entries(raw0).map(([k, v]) => [k, firstText(v) || undefined])));
      const list = services.cases.list(actor, { limit: 100, ...query, q: query.q || undefined }, lang) as ReturnType<Services['cases']['list']> & {
        items: { id: string; diaryNumber: string; title: string; steps: number[]; status: string; outcomeLabel: string | null; priorityAreaId: string | null; updatedAt: string }[];
      };
      const areas = areaOptions(lang, config);
      const areaLabel = new Map(areas.map((a) => [a.value, a.label]));
      const card = (c: (typeof list.items)[number]) =>
        html`<li><a href="/cases/${c.id}">${c.title}</a><br><span class="meta">${c.diaryNumber}${c.priorityAreaId ? ` · ${areaLabel.get(c.priorityAreaId) ?? ''}` : ''}</span></li>`;
      const columns = STEPS.map((step) => {
        const inStep = list.items.filter((c) => c.status === 'active' && c.steps.includes(step));
        if (inStep.length === 0 && query.step !== step) return '';
        return html`<section aria-labelledby="step-${step}"><h2 id="step-${step}">${t(lang, 'app.stepOf', { step, total: 12 })}: ${t(lang, `steps.${step}`)} <span class="meta">(${inStep.length})</span></h2><ul>${inStep.map(card)}</ul></section>`;
      });
      const closed = list.items.filter((c) => c.status === 'done');
      const select = (name: string, options: { value: string; label: string }[], current: string | undefined, all: string) =>
        html`<div><label for="f-${name}">${t(lang, name === 'step' ? 'web.step' : name === 'priorityArea' ? 'web.area' : 'web.status')}</label>
<select id="f-${name}" name="${name}"><option value="">${all}</option>${options.map((o) => html`<option value="${o.value}"${o.value === current ? raw(' selected') : ''}>${o.label}</option>`)}</select></div>`;
      const params = new URLSearchParams(Object.entries(query).filter(([k, v]) => v !== undefined && k !== 'cursor').map(([k, v]) => [k, String(v)]));
      if (list.nextCursor) params.set('cursor', list.nextCursor);
      // The programme-year reports (issue 4's printable page), for the years the programme runs up to now.
      const thisYear = services.now().getUTCFullYear();
      const years = Array.from({ length: Math.min(thisYear, config.years.last) - config.years.first + 1 }, (_, i) => config.years.first + i).reverse();
      const reports = years.map((y) => html`<li><a href="/api/programmes/${config.id}/reports/${y}?format=html">${t(lang, 'web.reportLink', { year: y })}</a></li>`);
      const body = html`<h1>${t(lang, 'web.board')}</h1>
${reports.length ? html`<nav aria-label="${t(lang, 'web.reports')}"><ul class="inline">${reports}</ul></nav>` : ''}
<form method="get" action="/board" class="filters" role="search" aria-label="${t(lang, 'web.filters')}">
${select('step', STEPS.map((s) => ({ value: String(s), label: `${s}. ${t(lang, `steps.${s}`)}` })), query.step ? String(query.step) : undefined, t(lang, 'web.allSteps'))}
${select('priorityArea', areas, query.priorityArea, t(lang, 'web.all'))}
${select('status', [{ value: 'active', label: t(lang, 'web.statusActive') }, { value: 'done', label: t(lang, 'web.statusDone') }], query.status, t(lang, 'web.all'))}
<div><label for="f-q">${t(lang, 'web.search')}</label><input type="search" id="f-q" name="q" value="${query.q ?? ''}"></div>
<div><button type="submit">${t(lang, 'web.show')}</button></div>
</form>
<p role="status">${t(lang, 'web.caseCount', { count: list.items.length })}</p>
<div class="board">${columns}</div>
${closed.length ? html`<section aria-labelledby="closed"><h2 id="closed">${t(lang, 'web.closedCases')}</h2><ul>${closed.map((c) => html`<li><a href="/cases/${c.id}">${c.title}</a> <span class="meta">${c.diaryNumber} · ${c.outcomeLabel ?? ''}</span></li>`)}</ul></section>` : ''}
${list.nextCursor ? html`<p><a href="/board?${params.toString()}">${t(lang, 'web.moreCases')}</a></p>` : ''}`;
      return sendPage(request, reply, { title: t(lang, 'web.board'), body });
    }),
  );

  type Waiting = { id: string; title: string; diaryNumber: string; steps: number[]; outcomeLabel: string | null; createdAt: string };

  /** The cases at a state where one of the caller's roles has the next move (oldest first). */
  function waitingFor(actor: Actor, lang: Language): SafeHtml {
    const states = [...new Set(actor.roles.filter((r) => r !== 'initiator').flatMap((r) => ROLE_STATES.get(r) ?? []))];
    const items = states.length === 0 ? [] : (services.cases.list(actor, { states, status: 'active', limit: 100 }, lang).items as Waiting[]);
    items.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return html`<section aria-labelledby="waiting"><h2 id="waiting">${t(lang, 'web.waitingForYou')}</h2>
${items.length === 0 ? html`<p>${t(lang, 'web.nothingWaiting')}</p>` : html`<ul>${items.map((c) => html`<li><a href="/cases/${c.id}">${c.title}</a> <span class="meta">${c.diaryNumber}</span>${stepTrack(lang, c.steps, c.outcomeLabel)}</li>`)}</ul>`}</section>`;
  }

  return { waitingFor };
}
