import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { SESSION_COOKIE } from '../../http/auth.js';
import { requestLanguage } from '../../http/language.js';
import { t, type Language } from '../../i18n/index.js';
import { TOKEN_DAYS, type Account } from '../../people/account.js';
import type { Actor } from '../../people/actor.js';
import { dateTime, dateTimeOrNever } from '../../web/dates.js';
import { firstText } from '../../web/forms.js';
import { html, type SafeHtml } from '../../web/html.js';
import { backLink, confirmForm, errorSummary, field, notice, type Problem } from '../../web/questions.js';
import { errorPage, loggedIn, sendPage } from './reply.js';

/*
 * One's own account on the pages: who one is and where, choosing a new password (also the
 * first thing a person does whose password someone else made), one's log-ins (end one, or
 * all but this one) and one's API tokens (make one, shown once; revoke one, after a
 * confirmation). Language and e-mail are on /settings, linked from here.
 */

export interface MePageDeps {
  account: Pick<Account, 'changePassword' | 'sessions' | 'endSession' | 'endAllSessions' | 'tokens' | 'createToken' | 'revokeToken'>;
  now: () => Date;
}

const passwordForm = z.object({
  currentPassword: z.string().max(1024).default(''),
  newPassword: z.string().max(1024).default(''),
  repeatPassword: z.string().max(1024).default(''),
  _csrf: z.string().max(200).optional(),
});

type Field = 'currentPassword' | 'newPassword' | 'repeatPassword';

const SESSION_ID = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The notices /account shows after a change, by the `done` it is sent back with. */
const DONE = {
  password: 'web.passwordChanged',
  'session-ended': 'account.sessionEnded',
  'others-ended': 'account.othersEnded',
  'token-revoked': 'account.tokenRevoked',
  roles: 'account.rolesChanged',
} as const;

/** The session cookie of a request made with one (a page asked for with a bearer token has none to keep). */
const ownSession = (request: FastifyRequest) => (request.authMethod === 'session' ? request.cookies[SESSION_COOKIE] : undefined);

interface CreatedToken {
  name: string;
  token: string;
  expiresAt: string;
}

/**
 * A token just made waits here until its page shows it, once (or for ten minutes at most): the
 * secret never goes into a URL, the answer to the form is a redirect like any other, and going
 * back or reloading does not show it again.
 */
function shownOnce(now: () => Date) {
  const waiting = new Map<string, { value: CreatedToken; until: number }>();
  const TTL = 10 * 60_000;
  return {
    put(key: string, value: CreatedToken) {
      const at = now().getTime();
      for (const [k, v] of waiting) if (v.until <= at) waiting.delete(k);
      if (waiting.size >= 1000) waiting.delete(waiting.keys().next().value!);
      waiting.set(key, { value, until: at + TTL });
    },
    take(key: string): CreatedToken | undefined {
      const entry = waiting.get(key);
      waiting.delete(key);
      return entry && entry.until > now().getTime() ? entry.value : undefined;
    },
  };
}

export const mePages: FastifyPluginAsync<MePageDeps> = async (pages, { account, now }) => {
  // ---- the password ---------------------------------------------------------------------

  const passwordPage = (request: FastifyRequest, reply: FastifyReply, errors: Map<Field, string> = new Map(), status = 200) => {
    const lang = requestLanguage(request);
    const l = (key: string) => t(lang, `web.${key}`);
    const forced = request.actor!.passwordChangeRequired;
    const input = (name: Field, autocomplete: string, hint?: string): SafeHtml =>
      field({ lang, id: name, name, label: l(name), type: 'password', autocomplete, hint, error: errors.get(name) });
    const summary = errorSummary(
      lang,
      'password-errors',
      [...errors].map(([name, message]) => ({ field: name, label: l(name), message })),
    );
    const body = html`${forced ? '' : backLink('/account', t(lang, 'account.title'))}<h1>${l('changePassword')}</h1>
${forced ? html`<p>${l('passwordChangeRequired')}</p>` : ''}
<form method="post" action="/account/password" novalidate>
<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
${summary}
${input('currentPassword', 'current-password')}
${input('newPassword', 'new-password', l('newPasswordHint'))}
${input('repeatPassword', 'new-password')}
<p><button type="submit">${l('changePassword')}</button></p>
</form>`;
    return sendPage(request, reply, { title: l('changePassword'), body, status, path: '/account/password' });
  };

  pages.get(
    '/account/password',
    { schema: { hide: true }, config: { beforePasswordChange: true } },
    loggedIn((request, reply) => passwordPage(request, reply)),
  );

  pages.post(
    '/account/password',
    { schema: { hide: true }, config: { beforePasswordChange: true } },
    loggedIn(async (request, reply, actor) => {
      const lang = requestLanguage(request);
      const form = passwordForm.parse(request.body ?? {});
      if (form.newPassword !== form.repeatPassword) {
        return passwordPage(request, reply, new Map([['repeatPassword', t(lang, 'web.passwordsDiffer')]]), 422);
      }
      try {
        await account.changePassword(actor, form.currentPassword, form.newPassword, request.cookies[SESSION_COOKIE]);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'validation-failed') throw error;
        const says = (message: string) =>
          message.includes('current')
            ? t(lang, 'web.passwordWrong')
            : message.includes('same')
              ? t(lang, 'web.passwordSame')
              : t(lang, 'web.passwordTooShort');
        const errors = new Map<Field, string>(
          (error.details.errors ?? []).map((e) => [e.path.replace(/^body\./, '') as Field, says(e.message)] as const),
        );
        return passwordPage(request, reply, errors, 422);
      }
      // The first password of one's own: on to the work. A change of one's own will: back to the account.
      return reply.redirect(actor.passwordChangeRequired ? '/cases?done=password' : '/account?done=password', 303);
    }),
  );

  // ---- my account: who I am, my log-ins, my API tokens -----------------------------------

  const tokenState = (lang: Language, token: { expiresAt: string | null; revokedAt: string | null }) =>
    token.revokedAt
      ? t(lang, 'account.tokenRevokedAt', { date: dateTime(lang, token.revokedAt) })
      : token.expiresAt && Date.parse(token.expiresAt) <= now().getTime()
        ? t(lang, 'account.tokenExpired')
        : t(lang, 'account.tokenValid');

  function accountPage(request: FastifyRequest, reply: FastifyReply, actor: Actor) {
    const lang = requestLanguage(request);
    const a = (key: string, params?: Record<string, string | number>) => t(lang, `account.${key}`, params);
    const query = request.query as Record<string, unknown>;
    const done = firstText(query.done);
    const names = new Map((request.pageProgramme?.choices ?? []).map((c) => [c.id, c.name]));
    const memberships = actor.memberships.map(
      (m) => html`<li>${names.get(m.programmeId) ?? ''}: ${m.roles.map((r) => t(lang, `roles.${r}`)).join(', ')}</li>`,
    );
    const csrf = html`<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">`;

    const sessions = account.sessions(actor, ownSession(request)).items;
    const others = sessions.filter((s) => !s.current);
    const sessionRows = sessions.map(
      (s) => html`<tr${s.current ? html` class="current"` : ''}>
<td>${dateTime(lang, s.createdAt)}${s.current ? html` <strong class="tag">${a('thisSession')}</strong>` : ''}</td>
<td>${dateTime(lang, s.expiresAt)}</td>
<td>${
        s.current
          ? html`<span class="meta">${a('thisSessionNote')}</span>`
          : html`<form method="post" action="/account/sessions/${s.id}/end">${csrf}<button type="submit" class="secondary">${a('endSession')}<span class="visually-hidden"> ${a('startedAt', { date: dateTime(lang, s.createdAt) })}</span></button></form>`
      }</td>
</tr>`,
    );

    const tokens = account.tokens(actor).items;
    const tokenRows = tokens.map((k) => {
      const usable = !k.revokedAt && !(k.expiresAt && Date.parse(k.expiresAt) <= now().getTime());
      return html`<tr>
<th scope="row">${k.name}</th>
<td>${dateTime(lang, k.createdAt)}</td>
<td>${dateTimeOrNever(lang, k.lastUsedAt)}</td>
<td>${k.expiresAt ? dateTime(lang, k.expiresAt) : a('neverExpires')}</td>
<td>${tokenState(lang, k)}</td>
<td>${usable ? html`<a href="/account/tokens/${k.id}/revoke">${a('revoke')}<span class="visually-hidden"> ${k.name}</span></a>` : ''}</td>
</tr>`;
    });

    const body = html`${notice(Object.hasOwn(DONE, done) ? t(lang, DONE[done as keyof typeof DONE]) : undefined)}<h1>${a('title')}</h1>
<dl>
<dt>${a('name')}</dt><dd>${actor.displayName}</dd>
<dt>${t(lang, 'web.email')}</dt><dd>${actor.email}</dd>
${memberships.length ? html`<dt>${a('roles')}</dt><dd><ul class="plain">${memberships}</ul></dd>` : ''}
</dl>
<ul class="links">
<li><a href="/settings">${a('settingsLink')}</a></li>
<li><a href="/account/password">${t(lang, 'web.changePassword')}</a></li>
<li><a href="/account/data">${t(lang, 'privacy.ownLink')}</a></li>
</ul>

<section aria-labelledby="sessions">
<h2 id="sessions">${a('sessions')}</h2>
<p>${a('sessionsIntro')}</p>
<table>
<caption class="visually-hidden">${a('sessions')}</caption>
<thead><tr><th scope="col">${a('sessionStarted')}</th><th scope="col">${a('sessionUntil')}</th><th scope="col"><span class="visually-hidden">${a('actions')}</span></th></tr></thead>
<tbody>${sessionRows}</tbody>
</table>
${
  others.length
    ? html`<form method="post" action="/account/sessions/end-others">${csrf}<p><button type="submit" class="secondary">${a('endOthers')}</button></p></form>`
    : html`<p>${a('noOtherSessions')}</p>`
}
</section>

<section aria-labelledby="tokens">
<h2 id="tokens">${a('tokens')}</h2>
<p>${a('tokensIntro')}</p>
<p><a class="button" href="/account/tokens/new">${a('newToken')}</a></p>
${
  tokens.length
    ? html`<table>
<caption class="visually-hidden">${a('tokens')}</caption>
<thead><tr><th scope="col">${a('tokenName')}</th><th scope="col">${a('tokenCreated')}</th><th scope="col">${a('tokenLastUsed')}</th><th scope="col">${a('tokenExpires')}</th><th scope="col">${a('tokenState')}</th><th scope="col"><span class="visually-hidden">${a('actions')}</span></th></tr></thead>
<tbody>${tokenRows}</tbody>
</table>`
    : html`<p>${a('noTokens')}</p>`
}
</section>`;
    return sendPage(request, reply, { title: a('title'), body, path: '/account' });
  }

  pages.get(
    '/account',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => accountPage(request, reply, actor)),
  );

  /** The route's id, or a page that does not exist. */
  const idOf = (request: FastifyRequest, pattern: RegExp) => {
    const id = (request.params as { id?: unknown }).id;
    if (typeof id !== 'string' || !pattern.test(id)) throw new DomainError('not-found', 'no such page');
    return id;
  };

  pages.post(
    '/account/sessions/:id/end',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      account.endSession(actor, idOf(request, SESSION_ID));
      return reply.redirect('/account?done=session-ended', 303);
    }),
  );

  pages.post(
    '/account/sessions/end-others',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      account.endAllSessions(actor, ownSession(request));
      return reply.redirect('/account?done=others-ended', 303);
    }),
  );

  // ---- a new API token: a short question page, then the token, once ---------------------

  type TokenField = 'name' | 'days';
  const tokenForm = (request: FastifyRequest, reply: FastifyReply, values: Record<TokenField, string>, errors: Problem[] = []) => {
    const lang = requestLanguage(request);
    const a = (key: string, params?: Record<string, string | number>) => t(lang, `account.${key}`, params);
    const errorOf = (id: string) => errors.find((e) => e.field === `token-${id}`)?.message;
    const body = html`${backLink('/account', a('title'))}<h1>${a('newToken')}</h1>
<p>${a('tokensIntro')}</p>
<form method="post" action="/account/tokens" novalidate>
<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
${errorSummary(lang, 'token-errors', errors)}
${field({ lang, id: 'token-name', name: 'name', label: a('tokenName'), hint: a('tokenNameHint'), value: values.name, error: errorOf('name'), maxlength: 100, autocomplete: 'off' })}
${field({ lang, id: 'token-days', name: 'days', label: a('tokenDays'), hint: a('tokenDaysHint', { max: TOKEN_DAYS.max }), value: values.days, error: errorOf('days'), short: true, inputmode: 'numeric', autocomplete: 'off' })}
<p><button type="submit">${a('makeToken')}</button></p>
</form>`;
    return sendPage(request, reply, { title: a('newToken'), body, status: errors.length ? 422 : 200, path: '/account/tokens/new' });
  };

  pages.get(
    '/account/tokens/new',
    { schema: { hide: true } },
    loggedIn((request, reply) => tokenForm(request, reply, { name: '', days: String(TOKEN_DAYS.default) })),
  );

  const created = shownOnce(now);

  pages.post(
    '/account/tokens',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const lang = requestLanguage(request);
      const a = (key: string, params?: Record<string, string | number>) => t(lang, `account.${key}`, params);
      const posted = (request.body ?? {}) as Record<string, unknown>;
      const values = { name: firstText(posted.name).trim(), days: firstText(posted.days).trim() };
      const errors: Problem[] = [];
      if (!values.name) errors.push({ field: 'token-name', label: a('tokenName'), message: a('tokenNameMissing') });
      else if (values.name.length > 100) errors.push({ field: 'token-name', label: a('tokenName'), message: a('tokenNameLong') });
      const days = /^\d{1,4}$/.test(values.days) ? Number(values.days) : NaN;
      if (!values.days || Number.isNaN(days))
        errors.push({ field: 'token-days', label: a('tokenDays'), message: a('tokenDaysNumber', { days: TOKEN_DAYS.default }) });
      else if (days < 1 || days > TOKEN_DAYS.max)
        errors.push({ field: 'token-days', label: a('tokenDays'), message: a('tokenDaysRange', { max: TOKEN_DAYS.max }) });
      if (errors.length) return tokenForm(request, reply, values, errors);
      const token = account.createToken(actor, values.name, days);
      created.put(`${actor.id} ${token.id}`, { name: values.name, token: token.token, expiresAt: token.expiresAt });
      return reply.redirect(`/account/tokens/${token.id}/created`, 303);
    }),
  );

  pages.get(
    '/account/tokens/:id/created',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const lang = requestLanguage(request);
      const a = (key: string, params?: Record<string, string | number>) => t(lang, `account.${key}`, params);
      const id = idOf(request, UUID);
      const shown = created.take(`${actor.id} ${id}`);
      if (!shown) {
        // Shown already (or the server restarted): it cannot be shown again, and the page says what to do.
        const body = html`${backLink('/account', a('title'))}<h1>${a('tokenGoneTitle')}</h1><p>${a('tokenGoneText')}</p>
<p><a href="/account#tokens">${a('toTokens')}</a></p>`;
        return sendPage(request, reply, { title: a('tokenGoneTitle'), body, status: 410 });
      }
      const body = html`${notice(a('tokenMade', { name: shown.name }))}<h1>${a('copyTitle')}</h1>
<div class="alert"><p><strong>${a('copyNow')}</strong></p></div>
<label for="new-token">${a('tokenLabel', { name: shown.name })}</label>
<p class="help" id="new-token-hint">${a('tokenUse')}</p>
<input type="text" id="new-token" class="token" readonly value="${shown.token}" aria-describedby="new-token-hint" autocomplete="off" spellcheck="false">
<p>${a('tokenExpiresAt', { date: dateTime(lang, shown.expiresAt) })}</p>
<p>${a('tokenSecret')}</p>
<p><a class="button" href="/account#tokens">${a('copied')}</a></p>`;
      return sendPage(request, reply, { title: a('copyTitle'), body, path: '/account' });
    }),
  );

  // ---- revoking a token: it cannot be undone, so a confirmation first ---------------------

  pages.get(
    '/account/tokens/:id/revoke',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const lang = requestLanguage(request);
      const a = (key: string, params?: Record<string, string | number>) => t(lang, `account.${key}`, params);
      const id = idOf(request, UUID);
      const token = account.tokens(actor).items.find((k) => k.id === id);
      if (!token) return errorPage(request, reply, 404);
      if (token.revokedAt) return reply.redirect('/account#tokens', 303);
      const title = a('revokeTitle', { name: token.name });
      const body = html`${backLink('/account', a('title'))}<h1>${title}</h1>
<p>${a('revokeText')}</p>
<dl>
<dt>${a('tokenCreated')}</dt><dd>${dateTime(lang, token.createdAt)}</dd>
<dt>${a('tokenLastUsed')}</dt><dd>${dateTimeOrNever(lang, token.lastUsedAt)}</dd>
</dl>
${confirmForm({
  lang,
  csrfToken: request.csrfToken ?? '',
  action: `/account/tokens/${id}/revoke`,
  button: a('revokeYes'),
  cancelHref: '/account#tokens',
  cancel: a('revokeNo'),
})}`;
      return sendPage(request, reply, { title, body });
    }),
  );

  pages.post(
    '/account/tokens/:id/revoke',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const id = idOf(request, UUID);
      // Only the confirmation's own button revokes: anything else goes to the question first.
      if (firstText((request.body as Record<string, unknown> | undefined)?.confirm) !== 'yes') {
        return reply.redirect(`/account/tokens/${id}/revoke`, 303);
      }
      account.revokeToken(actor, id);
      return reply.redirect('/account?done=token-revoked', 303);
    }),
  );
};
