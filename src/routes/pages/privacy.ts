import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { requestLanguage } from '../../http/language.js';
import { t, type Language } from '../../i18n/index.js';
import type { Actor } from '../../people/actor.js';
import type { Privacy } from '../../privacy/service.js';
import type { ProgrammeService } from '../../programmes/service.js';
import { firstText } from '../../web/forms.js';
import { html } from '../../web/html.js';
import { erasureSummary, personDataBody } from '../../web/person-data.js';
import { backLink, confirmForm, errorSummary, field, type Problem } from '../../web/questions.js';
import { loggedIn, sendPage } from './reply.js';

/*
 * A person's data on the pages: one's own (`/account/data`), a person's for their programme's
 * administrator or a system administrator (`/people/{id}/data`), each also as the JSON file;
 * and the erasure of a person: what it would change (or why the archive rules keep it from
 * being done yet), the reason, a confirmation (it cannot be undone), then the confirmation
 * panel. Everything goes through the privacy service, as the API does.
 */

export interface PrivacyPageDeps {
  privacy: Privacy;
  programmes: Pick<ProgrammeService, 'get'>;
}

const REASON_MAX = 1000;
const personId = z.object({ id: z.uuid() });

export const privacyPages: FastifyPluginAsync<PrivacyPageDeps> = async (pages, { privacy, programmes }) => {
  const programmeName = (lang: Language) => (id: string) => programmes.get(id)?.name[lang] ?? id;
  const idOf = (request: FastifyRequest) => {
    const parsed = personId.safeParse(request.params);
    if (!parsed.success) throw new DomainError('not-found', 'no such person');
    return parsed.data.id;
  };
  const p = (lang: Language, key: string, params?: Record<string, string | number>) => t(lang, `privacy.${key}`, params);

  function dataPage(request: FastifyRequest, reply: FastifyReply, actor: Actor, id: string, own: boolean) {
    const lang = requestLanguage(request);
    const data = privacy.exportPerson(actor, id);
    const title = own ? p(lang, 'ownTitle') : p(lang, 'title', { name: data.person.displayName });
    const back = own ? backLink('/account', t(lang, 'account.title')) : backLink(`/people/${id}`, data.person.displayName);
    const body = html`${back}<h1>${title}</h1>${personDataBody(lang, data, {
      download: own ? '/account/data.json' : `/people/${id}/data.json`,
      programmeName: programmeName(lang),
    })}`;
    return sendPage(request, reply, { title, body });
  }

  function dataFile(reply: FastifyReply, actor: Actor, id: string) {
    const data = privacy.exportPerson(actor, id);
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="satsa-uppgifter-${data.exportedAt.slice(0, 10)}.json"`)
      .send(JSON.stringify(data, null, 2));
  }

  pages.get(
    '/account/data',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => dataPage(request, reply, actor, actor.id, true)),
  );
  pages.get(
    '/account/data.json',
    { schema: { hide: true } },
    loggedIn((_request, reply, actor) => dataFile(reply, actor, actor.id)),
  );
  pages.get(
    '/people/:id/data',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => dataPage(request, reply, actor, idOf(request), false)),
  );
  pages.get(
    '/people/:id/data.json',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => dataFile(reply, actor, idOf(request))),
  );

  // ---- erasure ----------------------------------------------------------------------------

  function eraseForm(
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    id: string,
    reason: string,
    problems: Problem[] = [],
    status = 200,
  ) {
    const lang = requestLanguage(request);
    const preview = privacy.erasurePreview(actor, id);
    const name = preview.person.displayName;
    const title = p(lang, 'eraseTitle', { name });
    const form = preview.allowed
      ? html`<form method="post" action="/people/${id}/erase" novalidate>
<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
${errorSummary(lang, 'erase-errors', problems)}
${field({ lang, id: 'reason', name: 'reason', label: p(lang, 'reason'), hint: p(lang, 'reasonHint'), value: reason, error: problems[0]?.message, multiline: true, maxlength: REASON_MAX })}
<div class="button-group"><button type="submit">${p(lang, 'continue')}</button><a href="/people/${id}">${p(lang, 'cancel')}</a></div>
</form>`
      : html`<p><a href="/people/${id}">${p(lang, 'back', { name })}</a></p>`;
    const body = html`${backLink(`/people/${id}`, name)}<h1>${title}</h1>${erasureSummary(lang, preview)}${form}`;
    return sendPage(request, reply, { title, body, status, path: `/people/${id}/erase` });
  }

  pages.get(
    '/people/:id/erase',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => eraseForm(request, reply, actor, idOf(request), '')),
  );

  pages.post(
    '/people/:id/erase',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const lang = requestLanguage(request);
      const id = idOf(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const reason = firstText(body.reason).trim();
      if (!reason || reason.length > REASON_MAX) {
        const message = p(lang, reason ? 'reasonLong' : 'reasonMissing');
        return eraseForm(request, reply, actor, id, reason, [{ field: 'reason', label: p(lang, 'reason'), message }], 422);
      }
      if (firstText(body.confirm) !== 'yes') {
        const preview = privacy.erasurePreview(actor, id);
        const name = preview.person.displayName;
        const title = p(lang, 'confirmTitle', { name });
        const page = html`${backLink(`/people/${id}/erase`, p(lang, 'eraseTitle', { name }))}<h1>${title}</h1>
<div class="warning-text"><p>${p(lang, 'confirmText', { name })}</p></div>
<dl><dt>${p(lang, 'reason')}</dt><dd class="text">${reason}</dd></dl>
${erasureSummary(lang, preview)}
${confirmForm({ lang, csrfToken: request.csrfToken ?? '', action: `/people/${id}/erase`, hidden: { reason }, button: p(lang, 'yes'), cancelHref: `/people/${id}`, cancel: p(lang, 'cancel') })}`;
        return sendPage(request, reply, { title, body: page, path: `/people/${id}/erase` });
      }
      try {
        privacy.erase(actor, id, reason);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'must-be-kept') throw error;
        return eraseForm(request, reply, actor, id, reason, [], 409);
      }
      return reply.redirect('/people/erased', 303);
    }),
  );

  pages.get(
    '/people/erased',
    { schema: { hide: true } },
    loggedIn((request, reply) => {
      const lang = requestLanguage(request);
      const title = p(lang, 'erasedTitle');
      const body = html`<div class="panel" role="status"><h1>${title}</h1><p>${p(lang, 'erasedText')}</p></div>
<p><a href="/people">${t(lang, 'people.title')}</a></p>`;
      return sendPage(request, reply, { title, body });
    }),
  );
};
