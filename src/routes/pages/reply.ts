import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../people/service.js';
import { DomainError } from '../../errors.js';
import { asDomainError, sendProblem, STATUS_OF } from '../../http/problem.js';
import { requestLanguage } from '../../http/language.js';
import { t } from '../../i18n/index.js';
import { html, type SafeHtml } from '../../web/html.js';
import { page, type PageProgramme } from '../../web/layout.js';

/*
 * Sending a page: the frame (language, the caller, their CSRF token) comes from the request,
 * so a route only says what is on it. Errors in a browser are pages of the same kind.
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** The programme the pages work in for the logged-in person (set by the pages plugin). */
    pageProgramme?: PageProgramme;
    /** How many things wait for the logged-in person (set by the pages plugin), for the menu. */
    waitingCount?: () => number;
  }
}

/** The person's roles in the programme the pages work in. */
export const rolesHere = (request: FastifyRequest) => request.pageProgramme?.roles ?? [];

export interface PageReply {
  title: string;
  body: SafeHtml;
  status?: number;
  /** Where the language switch returns to: the page itself, or the case list after a form post. */
  path?: string;
  /** Our own path the browser goes on to at once (see PageOptions.goOnTo). */
  goOnTo?: string;
}

export function sendPage(request: FastifyRequest, reply: FastifyReply, o: PageReply) {
  const path = o.path ?? (request.method === 'GET' ? request.url : '/cases');
  return reply
    .code(o.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(
      page({
        lang: requestLanguage(request),
        title: o.title,
        actor: request.actor,
        programme: request.pageProgramme,
        csrfToken: request.csrfToken,
        path,
        body: o.body,
        goOnTo: o.goOnTo,
        waiting: request.actor && request.pageProgramme ? request.waitingCount?.() : undefined,
      }),
    );
}

/**
 * An error as a page: 403 with its own words, any other status under `title`. Every 404 is one
 * page, whatever was not found (a path nobody serves, a case, a report): the GOV.UK pattern's
 * heading and text, and `more` when the page can say what the reader may do instead.
 */
export function errorPage(request: FastifyRequest, reply: FastifyReply, status: number, title?: string, more?: SafeHtml) {
  const lang = requestLanguage(request);
  if (status === 404) {
    const heading = t(lang, 'web.notFoundTitle');
    const body = html`<h1>${heading}</h1>${more ?? ''}<p>${t(lang, 'words.notFound.typed')}</p><p>${t(lang, 'words.notFound.pasted')}</p>
<p>${t(lang, 'web.notFoundText')}</p><p><a href="/">${t(lang, 'words.notFound.start')}</a></p>`;
    return sendPage(request, reply, { title: heading, body, status });
  }
  const heading = title ?? (status === 403 ? t(lang, 'web.forbiddenTitle') : t(lang, 'problems.internal'));
  const body = html`<h1>${heading}</h1>${status === 403 ? html`<p>${t(lang, 'web.forbiddenText')}</p>` : ''}<p><a href="/cases">${t(lang, 'web.backToCases')}</a></p>`;
  return sendPage(request, reply, { title: heading, body, status });
}

/** A browser asking for a page (not the API, not its docs) gets an error as a page. */
const wantsHtml = (request: FastifyRequest) =>
  !request.url.startsWith('/api') && !request.url.startsWith('/docs') && /text\/html/.test(request.headers.accept ?? '');

/**
 * The pages' error handler. A page's own 404 and 403 are always pages, in their own words
 * (they tell nothing of what exists); any other error is a page for a browser, with the
 * error's title, and problem+json for anything else.
 */
export function pageErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const problem = asDomainError(error, request);
  // A person who must choose a new password is taken to the form for it, whatever they asked for.
  if (problem.code === 'password-change-required' && wantsHtml(request)) return reply.redirect('/account/password', 303);
  const own = problem.code === 'not-found' || problem.code === 'forbidden';
  if (!own && !wantsHtml(request)) return sendProblem(request, reply, problem);
  return errorPage(request, reply, STATUS_OF[problem.code], own ? undefined : t(requestLanguage(request), `problems.${problem.code}`));
}

/** A path nobody serves: a page for a browser, problem+json for anything else. */
export function pageNotFound(request: FastifyRequest, reply: FastifyReply) {
  if (!wantsHtml(request)) {
    return sendProblem(request, reply, new DomainError('not-found', `${request.method} ${request.url.split('?')[0]} does not exist`));
  }
  return errorPage(request, reply, 404);
}

/** Runs a page handler for a logged-in user; others go to the log-in page first. */
export const loggedIn =
  (handler: (request: FastifyRequest, reply: FastifyReply, actor: Actor) => unknown) =>
  async (request: FastifyRequest, reply: FastifyReply) => {
    const actor = request.actor;
    if (!actor) return reply.redirect(`/login?next=${encodeURIComponent(request.method === 'GET' ? request.url : '/cases')}`, 303);
    return handler(request, reply, actor);
  };
