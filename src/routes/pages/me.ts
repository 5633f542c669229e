import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../errors.js';
import { SESSION_COOKIE } from '../../http/auth.js';
import { requestLanguage } from '../../http/language.js';
import { t } from '../../i18n/index.js';
import type { Account } from '../../people/account.js';
import { fieldsWithSummary, type Field, type FieldErrors } from '../../web/fields.js';
import { html } from '../../web/html.js';
import { loggedIn, sendPage } from './reply.js';

/*
 * One's own account on the pages: choosing a new password (also the first thing a person
 * does whose password someone else made).
 */

export interface MePageDeps {
  account: Pick<Account, 'changePassword'>;
}

const passwordForm = z.object({
  currentPassword: z.string().max(1024).default(''),
  newPassword: z.string().max(1024).default(''),
  repeatPassword: z.string().max(1024).default(''),
  _csrf: z.string().max(200).optional(),
});

export const mePages: FastifyPluginAsync<MePageDeps> = async (pages, { account }) => {
  const passwordPage = (request: FastifyRequest, reply: FastifyReply, errors: FieldErrors = new Map(), status = 200) => {
    const lang = requestLanguage(request);
    const l = (key: string) => t(lang, `web.${key}`);
    const forced = request.actor!.passwordChangeRequired;
    const fields: Field[] = [
      { name: 'currentPassword', label: l('currentPassword'), type: 'password', autocomplete: 'current-password' },
      { name: 'newPassword', label: l('newPassword'), type: 'password', autocomplete: 'new-password', hint: l('newPasswordHint') },
      { name: 'repeatPassword', label: l('repeatPassword'), type: 'password', autocomplete: 'new-password' },
    ];
    const body = html`<h1>${l('changePassword')}</h1>
${forced ? html`<p>${l('passwordChangeRequired')}</p>` : ''}
<form method="post" action="/account/password" novalidate>
<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
${fieldsWithSummary(lang, fields, errors)}
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
        const errors: FieldErrors = new Map(
          (error.details.errors ?? []).map((e) => [e.path.replace(/^body\./, ''), says(e.message)] as const),
        );
        return passwordPage(request, reply, errors, 422);
      }
      return reply.redirect('/cases?done=password', 303);
    }),
  );
};
