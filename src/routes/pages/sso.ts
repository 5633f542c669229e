import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { SESSION_COOKIE, setSessionCookie } from '../../http/auth.js';
import { requestLanguage } from '../../http/language.js';
import { STATUS_OF } from '../../http/problem.js';
import { t, type Language } from '../../i18n/index.js';
import type { PeopleService } from '../../people/service.js';
import { SSO_MINUTES, type SingleSignOn } from '../../people/sso.js';
import { html } from '../../web/html.js';
import { LOGIN_CSRF_COOKIE, safePath } from './account.js';
import { sendPage } from './reply.js';

/*
 * Logging in through an OpenID Connect provider (src/people/sso.ts), on the pages: the log-in
 * page's forms post here, by e-mail address or by the provider's button, and the browser is
 * sent to the provider with a short-lived cookie holding the key of the log-in under way; the
 * provider sends it back to /login/sso/<id>/callback, where the person is logged in and goes
 * on to the page they asked for (by a page of ours that goes on at once). Whatever
 * goes wrong is a page that says what happened and what to do, with a way back to the log-in.
 */

export interface SsoPageDeps {
  sso: Pick<SingleSignOn, 'providers' | 'providerFor' | 'formTargets' | 'start' | 'finish'>;
  people: Pick<PeopleService, 'createSession' | 'endSession'>;
  sessionHours: number;
  cookieSecure: boolean;
}

/**
 * The key of the log-in under way. SameSite=Lax, not Strict: the provider's redirect back is a
 * navigation from another site, which would not carry a Strict cookie.
 */
const SSO_COOKIE = 'satsa_sso';
const SSO_PATH = '/login/sso';

const startForm = z.object({
  email: z.string().max(254).default(''),
  provider: z.string().max(64).default(''),
  next: z.string().max(500).default('/cases'),
  _csrf: z.string().max(200).default(''),
});

/** What a refusal's page says, by its code and reason. */
function pageKey(error: DomainError): string {
  const reason = String(error.details.reason ?? '');
  switch (error.code) {
    case 'sso-failed':
      return ['expired', 'mismatch', 'denied'].includes(reason) ? reason : 'provider';
    case 'sso-no-account':
      return reason === 'disabled' ? 'disabled' : 'unknown';
    case 'sso-email-refused':
      return ['unverified', 'foreign-domain'].includes(reason) ? reason : 'no-email';
    default:
      return 'unavailable';
  }
}

export const ssoPages: FastifyPluginAsync<SsoPageDeps> = async (pages, { sso, people, sessionHours, cookieSecure }) => {
  const open = { schema: { hide: true }, config: { csrf: false as const, beforePasswordChange: true as const } };
  const l = (lang: Language, key: string, params?: Record<string, string | number>) => t(lang, `web.${key}`, params);
  const providerName = (id: string, lang: Language) =>
    sso.providers().find((p) => p.id === id)?.name[lang] ?? l(lang, 'ssoYourOrganisation');

  /** A refusal as a page in plain words, with its status. */
  function refusalPage(request: FastifyRequest, reply: FastifyReply, error: DomainError, providerId: string) {
    const lang = requestLanguage(request);
    const key = pageKey(error);
    const title = l(lang, `ssoPages.${key}.title`);
    const text = l(lang, `ssoPages.${key}.text`, {
      provider: providerName(providerId, lang),
      email: String(error.details.email ?? ''),
      domains: (sso.providers().find((p) => p.id === providerId)?.emailDomains ?? []).join(', '),
      minutes: SSO_MINUTES,
    });
    const body = html`<h1>${title}</h1>
<p>${text}</p>
<p><a href="/login">${l(lang, 'ssoBack')}</a></p>`;
    return sendPage(request, reply, { title, body, status: STATUS_OF[error.code], path: '/login' });
  }

  // The log-in page's forms: an e-mail address (its domain chooses the provider) or a provider's button.
  pages.post(SSO_PATH, open, async (request, reply) => {
    const form = startForm.safeParse(request.body ?? {});
    const cookie = request.cookies[LOGIN_CSRF_COOKIE];
    if (!form.success || !cookie || form.data._csrf !== cookie) return reply.redirect('/login?error=expired', 303);
    const next = safePath(form.data.next);
    const email = form.data.email.trim();
    const byButton = form.data.provider !== '';
    const provider = byButton ? sso.providers().find((p) => p.id === form.data.provider) : sso.providerFor(email);
    if (!provider) {
      const error = byButton ? 'expired' : /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? 'sso-domain' : 'sso-email';
      return reply.redirect(`/login?error=${error}&next=${encodeURIComponent(next)}`, 303);
    }
    let started;
    try {
      started = await sso.start(provider.id, { next, loginHint: byButton ? undefined : email });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'sso-unavailable') return refusalPage(request, reply, error, provider.id);
      throw error;
    }
    reply.setCookie(SSO_COOKIE, started.key, {
      path: SSO_PATH,
      httpOnly: true,
      sameSite: 'lax',
      secure: cookieSecure,
      maxAge: started.maxAgeSeconds,
    });
    // The log-in page's policy lets its forms go on to the providers' own origins (sso.formTargets);
    // a provider whose log-in page is elsewhere is reached by a link instead.
    if (sso.formTargets().includes(new URL(started.url).origin)) return reply.redirect(started.url, 303);
    const lang = requestLanguage(request);
    const name = provider.name[lang];
    const title = l(lang, 'ssoOnwardTitle', { provider: name });
    return sendPage(request, reply, {
      title,
      path: '/login',
      body: html`<h1>${title}</h1>
<p>${l(lang, 'ssoOnwardText', { provider: name })}</p>
<p><a class="button" href="${started.url}">${l(lang, 'ssoOnwardLink', { provider: name })}</a></p>`,
    });
  });

  // The provider sends the browser back here, with the code and the state (or an error).
  pages.get(`${SSO_PATH}/:provider/callback`, open, async (request, reply) => {
    const providerId = z
      .string()
      .max(64)
      .catch('')
      .parse((request.params as { provider?: string }).provider);
    const key = request.cookies[SSO_COOKIE];
    reply.clearCookie(SSO_COOKIE, { path: SSO_PATH });
    let done;
    try {
      done = await sso.finish(providerId, key, request.url, requestLanguage(request));
    } catch (error) {
      if (error instanceof DomainError && error.code.startsWith('sso-')) return refusalPage(request, reply, error, providerId);
      throw error;
    }
    // A session of this browser's from before (perhaps someone else's) ends; the new one starts.
    const earlier = request.cookies[SESSION_COOKIE];
    if (earlier) people.endSession(earlier);
    const session = people.createSession(done.actor.id, sessionHours);
    setSessionCookie(reply, session, sessionHours, cookieSecure);
    // Not a redirect: this request came from the provider's site, and a redirect would carry that
    // on, so the browser would not send the new (SameSite=Strict) session cookie with it. A page
    // of ours that goes on at once makes a navigation of our own site, which does.
    const next = done.actor.passwordChangeRequired ? '/account/password' : safePath(done.next);
    const lang = requestLanguage(request);
    const title = l(lang, 'ssoDoneTitle');
    return sendPage(request, reply, {
      title,
      path: next,
      goOnTo: next,
      body: html`<h1>${title}</h1>
<p>${l(lang, 'ssoDoneText', { name: done.actor.displayName })}</p>
<p><a class="button" href="${next}">${l(lang, 'ssoDoneLink')}</a></p>`,
    });
  });
};
