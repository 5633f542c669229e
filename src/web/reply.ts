import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestLanguage } from '../http/errors.js';
import { t } from '../i18n/index.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

/*
 * Sending a page: the frame (language, the caller, their CSRF token) comes from the request,
 * so a route only says what is on it. Errors in a browser are pages of the same kind.
 */

export interface PageReply {
  title: string;
  body: SafeHtml;
  status?: number;
  /** Where the language switch returns to: the page itself, or the case list after a form post. */
  path?: string;
}

export function sendPage(request: FastifyRequest, reply: FastifyReply, o: PageReply) {
  const path = o.path ?? (request.method === 'GET' ? request.url : '/cases');
  return reply
    .code(o.status ?? 200)
    .type('text/html; charset=utf-8')
    .send(page({ lang: requestLanguage(request), title: o.title, actor: request.actor, csrfToken: request.csrfToken, path, body: o.body }));
}

/** An error as a page: 404 and 403 with their own words, any other status under `title`. */
export function errorPage(request: FastifyRequest, reply: FastifyReply, status: number, title?: string) {
  const lang = requestLanguage(request);
  const key = status === 404 ? 'notFound' : status === 403 ? 'forbidden' : undefined;
  const heading = title ?? (key ? t(lang, `web.${key}Title`) : t(lang, 'problems.internal'));
  const body = html`<h1>${heading}</h1>${key ? html`<p>${t(lang, `web.${key}Text`)}</p>` : ''}<p><a href="/cases">${t(lang, 'web.backToCases')}</a></p>`;
  return sendPage(request, reply, { title: heading, body, status });
}
