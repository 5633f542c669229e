import crypto from 'node:crypto';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../app.js';
import type { Config } from '../config.js';
import { SESSION_COOKIE, setSessionCookie } from '../http/auth.js';
import { LANGUAGE_COOKIE, requestLanguage } from '../http/errors.js';
import { t, type Language } from '../i18n/index.js';
import { html } from '../web/html.js';
import { page, stepTrack } from '../web/layout.js';

/*
 * The web pages: server-rendered HTML, Swedish by default. Forms post
 * application/x-www-form-urlencoded, which only this part of the app accepts (the JSON API
 * keeps answering 415 to form posts). Logged-in forms carry the session's CSRF token as
 * `_csrf`, checked by src/http/auth.ts; the log-in form uses a double-submit cookie.
 */

const LOGIN_CSRF_COOKIE = 'satsa_login_csrf';

const loginForm = z.object({ email: z.string().max(254).default(''), password: z.string().max(1024).default(''), _csrf: z.string().max(200).default('') });
const languageForm = z.object({ language: z.enum(['sv', 'en']), returnTo: z.string().max(500).default('/'), _csrf: z.string().max(200).optional() });

/** Only our own paths: never an open redirect. */
const safePath = (path: string) => (/^\/(?!\/)[\w\-/?=&%.]*$/.test(path) ? path : '/');

export function pageRoutes(app: FastifyInstance, services: Services, config: Config) {
  return app.register(async (pages) => {
    await pages.register(fastifyFormbody);

    const send = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body);
    const path = (request: FastifyRequest) => request.url;

    pages.get('/', { schema: { hide: true } }, async (request, reply) => reply.redirect(request.actor ? '/cases' : '/login', 303));

    pages.get('/login', { schema: { hide: true } }, async (request, reply) => {
      if (request.actor) return reply.redirect('/cases', 303);
      const lang = requestLanguage(request);
      const l = (key: string) => t(lang, `web.${key}`);
      const error = (request.query as { error?: string }).error;
      const message = error === 'failed' ? l('loginFailed') : error === 'expired' ? l('loginExpired') : undefined;
      const token = crypto.randomBytes(24).toString('base64url');
      reply.setCookie(LOGIN_CSRF_COOKIE, token, { path: '/login', httpOnly: true, sameSite: 'strict', secure: config.SATSA_COOKIE_SECURE });
      return send(
        reply,
        page({
          lang,
          title: l('loginTitle'),
          path: '/login',
          body: html`<h1>${l('loginTitle')}</h1>
${message ? html`<div class="alert" role="alert" id="login-error">${message}</div>` : ''}
<form method="post" action="/login" novalidate>
  <input type="hidden" name="_csrf" value="${token}">
  <label for="email">${l('email')}</label>
  <input type="email" id="email" name="email" autocomplete="username" required ${message ? html`aria-describedby="login-error"` : ''}>
  <label for="password">${l('password')}</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  <p><button type="submit">${l('logIn')}</button></p>
</form>`,
        }),
      );
    });

    // The log-in form has its own double-submit token; there is no session token yet.
    pages.post('/login', { schema: { hide: true }, config: { csrf: false } }, async (request, reply) => {
      const form = loginForm.safeParse(request.body ?? {});
      const cookie = request.cookies[LOGIN_CSRF_COOKIE];
      if (!form.success || !cookie || form.data._csrf !== cookie) return reply.redirect('/login?error=expired', 303);
      const actor = await services.people.verifyPassword(form.data.email, form.data.password);
      if (!actor) return reply.redirect('/login?error=failed', 303);
      const session = services.people.createSession(actor.id, config.SATSA_SESSION_HOURS);
      reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/login' });
      setSessionCookie(reply, session, config.SATSA_COOKIE_SECURE);
      return reply.redirect('/cases', 303);
    });

    pages.post('/logout', { schema: { hide: true } }, async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) services.people.endSession(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect('/login', 303);
    });

    pages.post('/language', { schema: { hide: true } }, async (request, reply) => {
      const form = languageForm.safeParse(request.body ?? {});
      if (!form.success) return reply.redirect('/', 303);
      if (request.actor) services.people.updatePreferences(request.actor.id, { language: form.data.language });
      reply.setCookie(LANGUAGE_COOKIE, form.data.language, { path: '/', sameSite: 'lax', secure: config.SATSA_COOKIE_SECURE, maxAge: 365 * 86_400 });
      return reply.redirect(safePath(form.data.returnTo), 303);
    });

    pages.get('/cases', { schema: { hide: true } }, async (request, reply) => {
      const actor = request.actor;
      if (!actor) return reply.redirect('/login', 303);
      const lang: Language = requestLanguage(request);
      const l = (key: string) => t(lang, `web.${key}`);
      const initiatorOnly = actor.roles.every((r) => r === 'initiator');
      const title = initiatorOnly ? l('myCases') : l('cases');
      const list = services.cases.list(actor, { limit: 100 }, lang) as {
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
      return send(
        reply,
        page({
          lang,
          title,
          actor,
          csrfToken: request.csrfToken,
          path: path(request),
          body: html`<h1>${title}</h1>
${
  list.items.length === 0
    ? html`<p>${l('noCases')}</p>`
    : html`<table>
  <caption class="visually-hidden">${title}</caption>
  <thead><tr><th scope="col">${l('diaryNumber')}</th><th scope="col">${l('title')}</th><th scope="col">${l('step')}</th><th scope="col" class="optional">${l('updated')}</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`
}`,
        }),
      );
    });
  });
}
