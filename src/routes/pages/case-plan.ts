import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { CaseService } from '../../cases/service.js';
import { DomainError } from '../../errors.js';
import { requestLanguage } from '../../http/language.js';
import { t, type Language } from '../../i18n/index.js';
import { rolesIn, type Actor } from '../../people/actor.js';
import type { PlanDocument } from '../../plans/document.js';
import { PLAN_RECORDERS, type Plans } from '../../plans/service.js';
import { firstText } from '../../web/forms.js';
import { html, raw } from '../../web/html.js';
import { backLink, errorSummary } from '../../web/questions.js';
import { loggedIn, sendPage } from './reply.js';

/*
 * Which goals and action-plan rows of its programme's plan a case serves: the programme's own
 * roles read it, those who record under the plan (the administrator, the county coordinators,
 * the steering group) choose them on one page of checkboxes. Saving makes the links exactly
 * what is ticked, in one transaction; every link and unlink stays in the plan's history.
 */

export interface CasePlanPageDeps {
  plans: Plans;
  cases: Pick<CaseService, 'get'>;
}

const l = (lang: Language, key: string, params?: Record<string, string | number>) => t(lang, `plan.links.${key}`, params);

/** The titles of the goals and rows a case is linked to, for the case page. */
export function linkedTitles(plan: PlanDocument | undefined, links: { goalIds: string[]; rowIds: string[] }) {
  return {
    goals: links.goalIds.map((id) => plan?.goals.find((g) => g.id === id)?.title).filter((x): x is string => !!x),
    rows: links.rowIds.map((id) => plan?.rows.find((r) => r.id === id)?.activity).filter((x): x is string => !!x),
  };
}

export const casePlanPages: FastifyPluginAsync<CasePlanPageDeps> = async (pages, { plans, cases }) => {
  const caseIdOf = (request: FastifyRequest) => {
    const id = firstText((request.params as Record<string, unknown>).id);
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new DomainError('not-found', 'no such case');
    return id;
  };

  function show(
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    chosen?: { goalIds: string[]; rowIds: string[] },
    status = 200,
    error?: string,
  ) {
    const lang = requestLanguage(request);
    const caseId = caseIdOf(request);
    const links = plans.caseLinksOf(actor, caseId);
    const view = cases.get(actor, caseId, lang);
    const change = rolesIn(actor, view.programmeId).some((r) => PLAN_RECORDERS.includes(r));
    let plan: PlanDocument | undefined;
    try {
      plan = plans.inForceDocument(actor, view.programmeId);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'not-found') throw e;
    }
    const title = l(lang, 'title');
    const head = html`${backLink(`/cases/${caseId}`, l(lang, 'back'))}
<h1>${title}</h1>
<p class="meta">${t(lang, 'web.diaryNumber')} ${view.diaryNumber} · ${view.title}</p>`;
    if (!plan) {
      return sendPage(request, reply, { title, status, body: html`${head}<p>${l(lang, 'noPlan')}</p>` });
    }
    const on = chosen ?? links;
    if (!change) {
      const { goals, rows } = linkedTitles(plan, links);
      const body = html`${head}
<h2>${l(lang, 'goals')}</h2>${goals.length ? html`<ul>${goals.map((g) => html`<li class="text">${g}</li>`)}</ul>` : html`<p>${l(lang, 'none')}</p>`}
<h2>${l(lang, 'rows')}</h2>${rows.length ? html`<ul>${rows.map((r) => html`<li class="text">${r}</li>`)}</ul>` : html`<p>${l(lang, 'none')}</p>`}`;
      return sendPage(request, reply, { title, status, body });
    }
    const box = (name: string, i: number, value: string, label: string, hint: string, checked: boolean) =>
      html`<div class="choice"><input type="checkbox" id="${name}-${i}" name="${name}" value="${value}"${checked ? raw(' checked') : ''}${hint ? raw(` aria-describedby="${name}-${i}-hint"`) : ''}><label for="${name}-${i}">${label}</label>${hint ? html`<p class="hint" id="${name}-${i}-hint">${hint}</p>` : ''}</div>`;
    const body = html`${head}
${error ? errorSummary(lang, 'links-errors', [], [error]) : ''}
<p>${l(lang, 'intro')}</p>
<form method="post" action="/cases/${caseId}/plan">
<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
<fieldset class="choices"><legend>${l(lang, 'goals')}</legend>
${plan.goals.map((g, i) => box('goalIds', i, g.id, g.title, l(lang, 'horizon', { years: g.horizonYears, year: g.targetYear }), on.goalIds.includes(g.id)))}
</fieldset>
${
  plan.rows.length
    ? html`<fieldset class="choices"><legend>${l(lang, 'rows')}</legend>
${plan.rows.map((r, i) => box('rowIds', i, r.id, r.activity, r.responsible ? l(lang, 'responsible', { who: r.responsible }) : '', on.rowIds.includes(r.id)))}
</fieldset>`
    : ''
}
<div class="button-group"><button type="submit">${l(lang, 'save')}</button><a href="/cases/${caseId}">${l(lang, 'cancel')}</a></div>
</form>`;
    return sendPage(request, reply, { title, status, body });
  }

  pages.get(
    '/cases/:id/plan',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => show(request, reply, actor)),
  );

  pages.post(
    '/cases/:id/plan',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const caseId = caseIdOf(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const list = (v: unknown) =>
        ([] as unknown[])
          .concat(v ?? [])
          .filter((x): x is string => typeof x === 'string' && x !== '')
          .slice(0, 100);
      const wanted = { goalIds: list(body.goalIds), rowIds: list(body.rowIds) };
      try {
        plans.setCaseLinks(actor, caseId, wanted);
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'validation-failed') throw e;
        // A goal or row ticked on a page of a plan that was replaced meanwhile.
        return show(request, reply, actor, undefined, 409, l(requestLanguage(request), 'changedMeanwhile'));
      }
      return reply.redirect(`/cases/${caseId}?done=plan-links#plan`, 303);
    }),
  );
};
