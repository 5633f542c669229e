import crypto from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SESSION_COOKIE, setSessionCookie } from '../../http/auth.js';
import { LANGUAGE_COOKIE, requestLanguage } from '../../http/language.js';
import { loginCsp } from '../../http/security.js';
import { t } from '../../i18n/index.js';
import { NOTIFICATION_KINDS, OPTIONAL_KINDS } from '../../notifications/rules.js';
import { DomainError } from '../../errors.js';
import type { Account } from '../../people/account.js';
import { belongsTo } from '../../people/actor.js';
import type { PeopleService } from '../../people/service.js';
import type { SingleSignOn } from '../../people/sso.js';
import type { ProgrammeService } from '../../programmes/service.js';
import { html, raw } from '../../web/html.js';
import { backLink } from '../../web/questions.js';
import { sendPage } from './reply.js';

/*
 * Logging in and out, the language switch and the settings page. The log-in form has its
 * own double-submit CSRF token (there is no session yet); the others carry the session's.
 * With OpenID Connect providers configured, the log-in page also offers them: by the e-mail
 * address's domain, or a button each (their routes are in sso.ts).
 */

export interface AccountPageDeps {
  programmes: Pick<ProgrammeService, 'list'>;
  account: Pick<Account, 'logIn' | 'changePassword'>;
  people: Pick<PeopleService, 'verifyPassword' | 'createSession' | 'endSession' | 'updatePreferences' | 'preferences' | 'chooseProgramme'>;
  sso: Pick<SingleSignOn, 'providers' | 'formTargets'>;
  sessionHours: number;
  cookieSecure: boolean;
}

/** The log-in forms' double-submit token (also of the provider log-in's, under /login/sso). */
export const LOGIN_CSRF_COOKIE = 'satsa_login_csrf';

/** Why the log-in page is shown again after the provider log-in's form: shown at its field. */
const SSO_FIELD_ERRORS = ['sso-domain', 'sso-email'] as const;

const loginForm = z.object({
  email: z.string().max(254).default(''),
  password: z.string().max(1024).default(''),
  _csrf: z.string().max(200).default(''),
  next: z.string().max(500).default('/cases'),
});
const languageForm = z.object({
  language: z.enum(['sv', 'en']),
  returnTo: z.string().max(500).default('/'),
  _csrf: z.string().max(200).optional(),
});

/** Only our own paths: never an open redirect. */
export const safePath = (path: string) => (/^\/(?!\/)[\w\-/?=&%.]*$/.test(path) ? path : '/');

export const accountPages: FastifyPluginAsync<AccountPageDeps> = async (
  pages,
  { account, people, programmes, sso, sessionHours, cookieSecure },
) => {
  pages.get('/', { schema: { hide: true }, config: { beforePasswordChange: true } }, async (request, reply) =>
    reply.redirect(request.actor ? '/cases' : '/login', 303),
  );

  /** The log-in form, with a message after a failed or refused attempt (`ssoError`: at the provider log-in's field). */
  const loginPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    message: string | undefined,
    next: string,
    status = 200,
    done?: string,
    ssoError?: string,
  ) => {
    const registration = programmes.list().some((p) => p.registrationDomains.length > 0);
    const lang = requestLanguage(request);
    const l = (key: string) => t(lang, `web.${key}`);
    const token = crypto.randomBytes(24).toString('base64url');
    reply.setCookie(LOGIN_CSRF_COOKIE, token, { path: '/login', httpOnly: true, sameSite: 'strict', secure: cookieSecure });
    const providers = sso.providers();
    if (providers.length > 0) reply.header('content-security-policy', loginCsp(cookieSecure, sso.formTargets()));
    const hidden = html`<input type="hidden" name="_csrf" value="${token}">
  <input type="hidden" name="next" value="${safePath(next)}">`;
    const withProvider =
      providers.length === 0
        ? ''
        : html`<h2>${l('ssoHeading')}</h2>
<form method="post" action="/login/sso" novalidate>
  ${hidden}
  <div class="field${ssoError ? ' has-error' : ''}">
  <label for="sso-email">${l('ssoEmail')}</label>
  <p class="help" id="sso-email-hint">${l('ssoEmailHint')}</p>
  ${ssoError ? html`<p class="field-error" id="sso-email-error"><span class="visually-hidden">${l('errorPrefix')}</span>${ssoError}</p>` : ''}
  <input type="email" id="sso-email" name="email" autocomplete="email" aria-describedby="sso-email-hint${ssoError ? ' sso-email-error' : ''}"${ssoError ? raw(' aria-invalid="true"') : ''}>
  </div>
  <p><button type="submit">${l('ssoContinue')}</button></p>
</form>
<form method="post" action="/login/sso">
  ${hidden}
  <p id="sso-choose">${l('ssoChoose')}</p>
  <ul class="plain providers" aria-labelledby="sso-choose">${providers.map(
    (p) =>
      html`<li><button type="submit" class="secondary" name="provider" value="${p.id}">${t(lang, 'web.ssoWith', { name: p.name[lang] })}</button></li>`,
  )}</ul>
</form>
<h2>${l('passwordHeading')}</h2>`;
    return sendPage(request, reply, {
      title: l('loginTitle'),
      path: '/login',
      status,
      body: html`<h1>${l('loginTitle')}</h1>
${done ? html`<div class="notice" role="status">${done}</div>` : ''}
${message ? html`<div class="alert" role="alert" id="login-error">${message}</div>` : ''}
${withProvider}
<form method="post" action="/login" novalidate>
  ${hidden}
  <label for="email">${l('email')}</label>
  <input type="email" id="email" name="email" autocomplete="username" required ${message ? html`aria-describedby="login-error"` : ''}>
  <label for="password">${l('password')}</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  <p><button type="submit">${l('logIn')}</button></p>
</form>
<p><a href="/password-reset">${l('forgotPassword')}</a></p>
${registration ? html`<p><a href="/register">${l('createAccount')}</a></p>` : ''}`,
    });
  };

  pages.get('/login', { schema: { hide: true }, config: { beforePasswordChange: true } }, async (request, reply) => {
    if (request.actor) return reply.redirect('/cases', 303);
    const lang = requestLanguage(request);
    const { error, next, done } = request.query as { error?: string; next?: string; done?: string };
    const message = error === 'failed' ? t(lang, 'web.loginFailed') : error === 'expired' ? t(lang, 'web.loginExpired') : undefined;
    const finished =
      done === 'invitation' || done === 'registered' || done === 'password-reset' || done === 'setup'
        ? t(lang, `web.loginDone.${done}`)
        : undefined;
    const ssoError = SSO_FIELD_ERRORS.find((e) => e === error);
    return loginPage(
      request,
      reply,
      message,
      typeof next === 'string' ? next : '/cases',
      200,
      finished,
      ssoError && t(lang, `web.ssoErrors.${ssoError}`),
    );
  });

  // The log-in form has its own double-submit token; there is no session token yet.
  pages.post('/login', { schema: { hide: true }, config: { csrf: false, beforePasswordChange: true } }, async (request, reply) => {
    const form = loginForm.safeParse(request.body ?? {});
    const cookie = request.cookies[LOGIN_CSRF_COOKIE];
    if (!form.success || !cookie || form.data._csrf !== cookie) return reply.redirect('/login?error=expired', 303);
    let actor;
    try {
      actor = await account.logIn(form.data.email, form.data.password, request.ip);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code !== 'too-many-attempts') return reply.redirect('/login?error=failed', 303);
      // Refused before the password was even checked: say how long to wait.
      const seconds = Number(error.details.retryAfterSeconds ?? 60);
      reply.header('retry-after', String(seconds));
      const message = t(requestLanguage(request), 'web.loginWait', { minutes: Math.max(1, Math.ceil(seconds / 60)) });
      return loginPage(request, reply, message, form.data.next, 429);
    }
    const session = people.createSession(actor.id, sessionHours);
    reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/login' });
    setSessionCookie(reply, session, sessionHours, cookieSecure);
    return reply.redirect(actor.passwordChangeRequired ? '/account/password' : safePath(form.data.next), 303);
  });

  pages.post('/logout', { schema: { hide: true }, config: { beforePasswordChange: true } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) people.endSession(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });

  pages.post('/language', { schema: { hide: true }, config: { beforePasswordChange: true } }, async (request, reply) => {
    const form = languageForm.safeParse(request.body ?? {});
    if (!form.success) return reply.redirect('/', 303);
    if (request.actor) people.updatePreferences(request.actor.id, { language: form.data.language });
    reply.setCookie(LANGUAGE_COOKIE, form.data.language, { path: '/', sameSite: 'lax', secure: cookieSecure, maxAge: 365 * 86_400 });
    return reply.redirect(safePath(form.data.returnTo), 303);
  });

  // The programme switcher: the session works in another programme of the person's own.
  const programmeForm = z.object({
    programmeId: z.string().max(64),
    returnTo: z.string().max(500).default('/cases'),
    _csrf: z.string().max(200).optional(),
  });
  pages.post('/programme', { schema: { hide: true } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (!request.actor || !token) return reply.redirect('/login', 303);
    const form = programmeForm.safeParse(request.body ?? {});
    if (form.success && belongsTo(request.actor, form.data.programmeId)) people.chooseProgramme(token, form.data.programmeId);
    // A case page belongs to its own programme; after a switch the person starts from the case list.
    return reply.redirect(form.success && !form.data.returnTo.startsWith('/cases/') ? safePath(form.data.returnTo) : '/cases', 303);
  });

  // ---- settings: language and the informational e-mails ------------------------------

  const settingsPage = (request: FastifyRequest, reply: FastifyReply, saved: boolean) => {
    const actor = request.actor!;
    const lang = requestLanguage(request);
    const l = (key: string) => t(lang, `web.${key}`);
    const prefs = people.preferences(actor.id);
    const muted = new Set(prefs.mutedNotifications);
    const kinds = NOTIFICATION_KINDS.map((kind) => {
      const optional = OPTIONAL_KINDS.includes(kind);
      const on = !optional || !muted.has(kind);
      return html`<div class="choice"><input type="checkbox" id="n-${kind}" name="notify" value="${kind}"${on ? raw(' checked') : ''}${optional ? '' : raw(' disabled aria-describedby="mandatory-note"')}><label for="n-${kind}">${t(lang, `notifications.${kind}`)}</label></div>`;
    });
    const body = html`${backLink('/account', t(lang, 'account.title'))}<h1>${l('settings')}</h1>
${saved ? html`<div class="notice" role="status">${l('settingsSaved')}</div>` : ''}
<form method="post" action="/settings">
<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
<label for="s-language">${l('language')}</label>
<select id="s-language" name="language">${(['sv', 'en'] as const).map((x) => html`<option value="${x}" lang="${x}"${x === prefs.language ? raw(' selected') : ''}>${x === 'sv' ? 'Svenska' : 'English'}</option>`)}</select>
<fieldset><legend>${l('notificationsHeading')}</legend><p class="help" id="mandatory-note">${l('notificationsIntro')}</p>${kinds}</fieldset>
<p><button type="submit">${l('save')}</button></p>
</form>`;
    return sendPage(request, reply, { title: l('settings'), body });
  };

  pages.get('/settings', { schema: { hide: true } }, async (request, reply) => {
    if (!request.actor) return reply.redirect('/login?next=/settings', 303);
    return settingsPage(request, reply, (request.query as { saved?: string }).saved === '1');
  });

  const settingsForm = z.object({
    language: z.enum(['sv', 'en']),
    notify: z.union([z.string(), z.array(z.string())]).optional(),
    _csrf: z.string().optional(),
  });
  pages.post('/settings', { schema: { hide: true } }, async (request, reply) => {
    if (!request.actor) return reply.redirect('/login?next=/settings', 303);
    const form = settingsForm.safeParse(request.body ?? {});
    if (!form.success) return reply.redirect('/settings', 303);
    const on = new Set(([] as string[]).concat(form.data.notify ?? []));
    people.updatePreferences(request.actor.id, {
      language: form.data.language,
      mutedNotifications: OPTIONAL_KINDS.filter((kind) => !on.has(kind)),
    });
    reply.setCookie(LANGUAGE_COOKIE, form.data.language, { path: '/', sameSite: 'lax', secure: cookieSecure, maxAge: 365 * 86_400 });
    return reply.redirect('/settings?saved=1', 303);
  });
};
