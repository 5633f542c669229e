import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../../machines/roles.js';
import { DomainError } from '../../errors.js';
import { requestLanguage } from '../../http/language.js';
import { t, type Language } from '../../i18n/index.js';
import type { Onboarding } from '../../people/onboarding.js';
import type { ProgrammeService } from '../../programmes/service.js';
import { errorSummary, field as questionField } from '../../web/questions.js';
import { html, raw, type SafeHtml } from '../../web/html.js';
import { errorPage, loggedIn, rolesHere, sendPage } from './reply.js';

/*
 * Getting in on the pages: accepting an invitation, registering with a work address and
 * confirming it, and choosing a new password after forgetting it; and, for a programme's
 * administrator, inviting someone. Each e-mail link leads to one short page; a link that
 * cannot be used says why and what to do instead. Asking answers the same whether or not the
 * address has an account.
 */

/** A field of these forms, and the errors of a form by field name. */
interface Field {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password';
  autocomplete?: string;
  hint?: string;
  value?: string;
}
type FieldErrors = Map<string, string>;

/** The summary of a form's errors (each linking to its field, labelled as the field is). */
const fieldErrorSummary = (lang: Language, fields: Field[], errors: FieldErrors) =>
  errorSummary(
    lang,
    'form-errors',
    [...errors].map(([name, message]) => ({ field: name, label: fields.find((f) => f.name === name)?.label ?? '', message })),
  );

const field = (lang: Language, f: Field, errors: FieldErrors) =>
  questionField({
    lang,
    id: f.name,
    name: f.name,
    label: f.label,
    type: f.type,
    autocomplete: f.autocomplete,
    hint: f.hint,
    value: f.value,
    error: errors.get(f.name),
  });

/** The fields of a form with the summary of their errors on top. */
const fieldsWithSummary = (lang: Language, fields: Field[], errors: FieldErrors): SafeHtml =>
  html`${fieldErrorSummary(lang, fields, errors)}${fields.map((f) => field(lang, f, errors))}`;

export interface OnboardingPageDeps {
  onboarding: Onboarding;
  programmes: Pick<ProgrammeService, 'get' | 'list'>;
}

const text = (max: number) => z.string().max(max).default('');
const accountForm = z.object({
  displayName: text(200),
  password: text(1024),
  repeatPassword: text(1024),
  _csrf: z.string().max(200).optional(),
});

export const onboardingPages: FastifyPluginAsync<OnboardingPageDeps> = async (pages, { onboarding, programmes }) => {
  const l = (lang: Language, key: string, params?: Record<string, string | number>) => t(lang, `web.${key}`, params);
  const programmeName = (id: string, lang: Language) => programmes.get(id)?.name[lang] ?? '';

  /** A page for a link that cannot be used: why, and what to do instead. */
  function linkPage(request: FastifyRequest, reply: FastifyReply, error: DomainError, again: string) {
    const lang = requestLanguage(request);
    const reason = String(error.details.reason ?? 'unknown');
    const body = html`<h1>${l(lang, 'linkInvalidTitle')}</h1>
<p>${l(lang, `linkInvalid.${reason === 'used' || reason === 'expired' ? reason : 'unknown'}`)}</p>
<p><a href="${again}">${l(lang, 'linkAgain')}</a></p>`;
    return sendPage(request, reply, { title: l(lang, 'linkInvalidTitle'), body, status: 410 });
  }

  /** "Look in your e-mail": the same page whether or not the address has an account. */
  function checkMailPage(request: FastifyRequest, reply: FastifyReply, email: string) {
    const lang = requestLanguage(request);
    const body = html`<h1>${l(lang, 'checkMailTitle')}</h1>
<div class="notice" role="status"><p>${l(lang, 'checkMail', { email })}</p></div>
<p>${l(lang, 'checkMailNothing')}</p>`;
    return sendPage(request, reply, { title: l(lang, 'checkMailTitle'), body });
  }

  /** A wait after too many asks: said plainly, with 429. */
  function waitPage(request: FastifyRequest, reply: FastifyReply, error: DomainError) {
    const lang = requestLanguage(request);
    const seconds = Number(error.details.retryAfterSeconds ?? 60);
    reply.header('retry-after', String(seconds));
    const body = html`<h1>${l(lang, 'waitTitle')}</h1><p>${l(lang, 'waitText', { minutes: Math.max(1, Math.ceil(seconds / 60)) })}</p>`;
    return sendPage(request, reply, { title: l(lang, 'waitTitle'), body, status: 429 });
  }

  /** Runs a page's work, turning a link that cannot be used, or a wait, into its page. */
  async function guarded(request: FastifyRequest, reply: FastifyReply, again: string, work: () => unknown) {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'link-invalid') return linkPage(request, reply, error, again);
      if (error instanceof DomainError && error.code === 'too-many-attempts') return waitPage(request, reply, error);
      throw error;
    }
  }

  /** The fields of a new account: the person's name and a password twice. */
  const accountFields = (lang: Language, withName: boolean): Field[] => [
    ...(withName ? [{ name: 'displayName', label: l(lang, 'yourName'), autocomplete: 'name' }] : []),
    {
      name: 'password',
      label: l(lang, 'choosePassword'),
      type: 'password',
      autocomplete: 'new-password',
      hint: l(lang, 'newPasswordHint'),
    },
    { name: 'repeatPassword', label: l(lang, 'repeatPassword'), type: 'password', autocomplete: 'new-password' },
  ];

  /** The errors of a new account's form, in the person's words, or none. */
  function accountErrors(lang: Language, form: z.infer<typeof accountForm>, withName: boolean): FieldErrors {
    const errors: FieldErrors = new Map();
    if (withName && form.displayName.trim() === '') errors.set('displayName', l(lang, 'nameMissing'));
    if (form.password.length < 12) errors.set('password', l(lang, 'passwordTooShort'));
    else if (form.password !== form.repeatPassword) errors.set('repeatPassword', l(lang, 'passwordsDiffer'));
    return errors;
  }

  const accountFormPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    o: {
      title: string;
      intro: SafeHtml;
      action: string;
      withName: boolean;
      button: string;
      errors?: FieldErrors;
      values?: Record<string, string>;
    },
  ) => {
    const lang = requestLanguage(request);
    const fields = accountFields(lang, o.withName).map((f) => ({ ...f, value: o.values?.[f.name] }));
    const errors = o.errors ?? new Map();
    const body = html`<h1>${o.title}</h1>
${o.intro}
<form method="post" action="${o.action}" novalidate>
<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
${fieldsWithSummary(lang, fields, errors)}
<p><button type="submit">${o.button}</button></p>
</form>`;
    return sendPage(request, reply, { title: o.title, body, status: errors.size > 0 ? 422 : 200, path: o.action });
  };

  const roleNames = (lang: Language, roles: string[]) => roles.map((r) => t(lang, `roles.${r}`)).join(', ');
  const tokenOf = (request: FastifyRequest) =>
    z
      .string()
      .max(200)
      .catch('')
      .parse((request.params as { token?: string }).token);
  const open = { schema: { hide: true }, config: { csrf: false as const, beforePasswordChange: true as const } };

  // ---- an invitation ----------------------------------------------------------------

  const invitationPage = (request: FastifyRequest, reply: FastifyReply, errors?: FieldErrors, values?: Record<string, string>) => {
    const lang = requestLanguage(request);
    const token = tokenOf(request);
    const invitation = onboarding.invitation(token);
    const intro = html`<p>${l(lang, 'invitationIntro', { programme: programmeName(invitation.programmeId, lang), roles: roleNames(lang, invitation.roles) })}</p>`;
    if (invitation.hasAccount) {
      const body = html`<h1>${l(lang, 'invitationTitle')}</h1>
${intro}
<p>${l(lang, 'invitationHasAccount', { email: invitation.email })}</p>
<form method="post" action="/invitation/${token}"><input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}"><p><button type="submit">${l(lang, 'acceptInvitation')}</button></p></form>`;
      return sendPage(request, reply, { title: l(lang, 'invitationTitle'), body });
    }
    return accountFormPage(request, reply, {
      title: l(lang, 'invitationTitle'),
      intro: html`${intro}<p>${l(lang, 'invitationNewAccount', { email: invitation.email })}</p>`,
      action: `/invitation/${token}`,
      withName: true,
      button: l(lang, 'acceptInvitation'),
      errors,
      values,
    });
  };

  pages.get('/invitation/:token', open, (request, reply) => guarded(request, reply, '/login', () => invitationPage(request, reply)));

  pages.post('/invitation/:token', open, (request, reply) =>
    guarded(request, reply, '/login', async () => {
      const lang = requestLanguage(request);
      const token = tokenOf(request);
      const invitation = onboarding.invitation(token);
      const form = accountForm.parse(request.body ?? {});
      if (!invitation.hasAccount) {
        const errors = accountErrors(lang, form, true);
        if (errors.size > 0) return invitationPage(request, reply, errors, { displayName: form.displayName });
      }
      await onboarding.acceptInvitation(
        token,
        invitation.hasAccount ? undefined : { displayName: form.displayName, password: form.password, language: lang },
      );
      return reply.redirect('/login?done=invitation', 303);
    }),
  );

  // ---- registration -----------------------------------------------------------------

  /** Programmes that take registrations, for the form. */
  const open_ = () => programmes.list().filter((p) => p.registrationDomains.length > 0);

  const registerForm = z.object({
    email: text(254),
    programmeId: text(64),
    privacy: z.string().max(10).optional(),
    _csrf: z.string().max(200).optional(),
  });

  function registerPage(
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FieldErrors = new Map(),
    values: { email?: string; programmeId?: string } = {},
  ) {
    const lang = requestLanguage(request);
    const choices = open_();
    if (choices.length === 0) return errorPage(request, reply, 404);
    const chosen = choices.find((p) => p.id === values.programmeId) ?? (choices.length === 1 ? choices[0] : undefined);
    const fields: Field[] = [
      {
        name: 'email',
        label: l(lang, 'workEmail'),
        type: 'email',
        autocomplete: 'email',
        hint: l(lang, 'workEmailHint'),
        value: values.email,
      },
    ];
    const programmeError = errors.get('programmeId');
    const privacyError = errors.get('privacy');
    const body = html`<h1>${l(lang, 'registerTitle')}</h1>
<p>${l(lang, 'registerIntro')}</p>
<form method="post" action="/register" novalidate>
<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
${fieldErrorSummary(lang, [...fields, { name: 'programmeId', label: l(lang, 'programme') }, { name: 'privacy', label: l(lang, 'privacyHeading') }], errors)}
${fields.map((f) => field(lang, f, errors))}
${
  choices.length === 1
    ? html`<input type="hidden" name="programmeId" value="${choices[0]!.id}"><p class="meta">${choices[0]!.name[lang]}</p>`
    : html`<div class="field${programmeError ? ' has-error' : ''}"><label for="programmeId">${l(lang, 'programme')}</label>
${programmeError ? html`<p class="field-error" id="programmeId-error">${programmeError}</p>` : ''}
<select id="programmeId" name="programmeId"${programmeError ? raw(' aria-invalid="true" aria-describedby="programmeId-error"') : ''}><option value="">${t(lang, 'web.choose')}</option>${choices.map(
        (p) => html`<option value="${p.id}"${p.id === chosen?.id ? raw(' selected') : ''}>${p.name[lang]}</option>`,
      )}</select></div>`
}
<h2>${l(lang, 'privacyHeading')}</h2>
${choices.map((p) => html`<p${choices.length > 1 ? html` class="meta"` : ''}>${l(lang, 'privacyNotice', { organisation: p.organisation[lang], programme: p.name[lang] })}</p>`)}
<div class="field${privacyError ? ' has-error' : ''}">
${privacyError ? html`<p class="field-error" id="privacy-error">${privacyError}</p>` : ''}
<div class="choice"><input type="checkbox" id="privacy" name="privacy" value="yes"${privacyError ? raw(' aria-invalid="true" aria-describedby="privacy-error"') : ''}><label for="privacy">${l(lang, 'privacyRead')}</label></div>
</div>
<p><button type="submit">${l(lang, 'registerButton')}</button></p>
</form>`;
    return sendPage(request, reply, { title: l(lang, 'registerTitle'), body, status: errors.size > 0 ? 422 : 200, path: '/register' });
  }

  pages.get('/register', open, (request, reply) => registerPage(request, reply));

  pages.post('/register', open, (request, reply) =>
    guarded(request, reply, '/register', async () => {
      const lang = requestLanguage(request);
      const form = registerForm.parse(request.body ?? {});
      const errors: FieldErrors = new Map();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) errors.set('email', l(lang, 'emailInvalid'));
      if (!open_().some((p) => p.id === form.programmeId)) errors.set('programmeId', l(lang, 'programmeMissing'));
      if (form.privacy !== 'yes') errors.set('privacy', l(lang, 'privacyMissing'));
      if (errors.size === 0) {
        try {
          onboarding.register(form.email, form.programmeId, request.ip);
          return checkMailPage(request, reply, form.email.trim().toLowerCase());
        } catch (error) {
          if (!(error instanceof DomainError) || error.code !== 'validation-failed') throw error;
          const domains = programmes.get(form.programmeId)?.registrationDomains ?? [];
          errors.set('email', l(lang, 'emailDomain', { domains: domains.join(', ') }));
        }
      }
      return registerPage(request, reply, errors, form);
    }),
  );

  const confirmPage = (request: FastifyRequest, reply: FastifyReply, errors?: FieldErrors, values?: Record<string, string>) => {
    const lang = requestLanguage(request);
    const token = tokenOf(request);
    const registration = onboarding.registration(token);
    return accountFormPage(request, reply, {
      title: l(lang, 'confirmTitle'),
      intro: html`<p>${l(lang, 'confirmIntro', { email: registration.email, programme: programmeName(registration.programmeId, lang) })}</p>`,
      action: `/register/${token}`,
      withName: true,
      button: l(lang, 'confirmButton'),
      errors,
      values,
    });
  };

  pages.get('/register/:token', open, (request, reply) => guarded(request, reply, '/register', () => confirmPage(request, reply)));

  pages.post('/register/:token', open, (request, reply) =>
    guarded(request, reply, '/register', async () => {
      const lang = requestLanguage(request);
      const form = accountForm.parse(request.body ?? {});
      const errors = accountErrors(lang, form, true);
      if (errors.size > 0) return confirmPage(request, reply, errors, { displayName: form.displayName });
      await onboarding.confirmRegistration(tokenOf(request), { displayName: form.displayName, password: form.password, language: lang });
      return reply.redirect('/login?done=registered', 303);
    }),
  );

  // ---- a forgotten password ---------------------------------------------------------

  const resetForm = z.object({ email: text(254), _csrf: z.string().max(200).optional() });

  const resetAskPage = (request: FastifyRequest, reply: FastifyReply, errors: FieldErrors = new Map(), email = '') => {
    const lang = requestLanguage(request);
    const fields: Field[] = [{ name: 'email', label: l(lang, 'email'), type: 'email', autocomplete: 'email', value: email }];
    const body = html`<h1>${l(lang, 'resetTitle')}</h1>
<p>${l(lang, 'resetIntro')}</p>
<form method="post" action="/password-reset" novalidate>
<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
${fieldsWithSummary(lang, fields, errors)}
<p><button type="submit">${l(lang, 'resetButton')}</button></p>
</form>`;
    return sendPage(request, reply, { title: l(lang, 'resetTitle'), body, status: errors.size > 0 ? 422 : 200, path: '/password-reset' });
  };

  pages.get('/password-reset', open, (request, reply) => resetAskPage(request, reply));

  pages.post('/password-reset', open, (request, reply) =>
    guarded(request, reply, '/password-reset', () => {
      const lang = requestLanguage(request);
      const form = resetForm.parse(request.body ?? {});
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim()))
        return resetAskPage(request, reply, new Map([['email', l(lang, 'emailInvalid')]]), form.email);
      onboarding.requestPasswordReset(form.email, request.ip);
      return checkMailPage(request, reply, form.email.trim().toLowerCase());
    }),
  );

  const newPasswordPage = (request: FastifyRequest, reply: FastifyReply, errors?: FieldErrors) => {
    const lang = requestLanguage(request);
    const token = tokenOf(request);
    const reset = onboarding.passwordReset(token);
    return accountFormPage(request, reply, {
      title: l(lang, 'resetTitle'),
      intro: html`<p>${l(lang, 'resetChoose', { email: reset.email })}</p>`,
      action: `/password-reset/${token}`,
      withName: false,
      button: l(lang, 'changePassword'),
      errors,
    });
  };

  pages.get('/password-reset/:token', open, (request, reply) =>
    guarded(request, reply, '/password-reset', () => newPasswordPage(request, reply)),
  );

  pages.post('/password-reset/:token', open, (request, reply) =>
    guarded(request, reply, '/password-reset', async () => {
      const lang = requestLanguage(request);
      const form = accountForm.parse(request.body ?? {});
      const errors = accountErrors(lang, form, false);
      if (errors.size > 0) return newPasswordPage(request, reply, errors);
      await onboarding.completePasswordReset(tokenOf(request), form.password);
      return reply.redirect('/login?done=password-reset', 303);
    }),
  );

  // ---- the first start: the first programme and its administrator ---------------------

  const setupForm = accountForm.extend({ definitionId: text(64), email: text(254) });

  const setupPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FieldErrors = new Map(),
    values: Partial<z.infer<typeof setupForm>> = {},
  ) => {
    const lang = requestLanguage(request);
    const token = tokenOf(request);
    const { definitions } = onboarding.setup(token);
    const fields: Field[] = [
      { name: 'displayName', label: l(lang, 'yourName'), autocomplete: 'name', value: values.displayName },
      { name: 'email', label: l(lang, 'email'), type: 'email', autocomplete: 'email', value: values.email },
      ...accountFields(lang, false),
    ];
    const definitionError = errors.get('definitionId');
    const body = html`<h1>${l(lang, 'setupTitle')}</h1>
<p>${l(lang, 'setupIntro')}</p>
<form method="post" action="/setup/${token}" novalidate>
<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
${fieldErrorSummary(lang, [...fields, { name: 'definitionId', label: l(lang, 'setupDefinition') }], errors)}
<fieldset id="definitionId"${definitionError ? raw(' aria-describedby="definitionId-error"') : ''}><legend>${l(lang, 'setupDefinition')}</legend>
${definitionError ? html`<p class="field-error" id="definitionId-error">${definitionError}</p>` : ''}
${definitions.map(
  (d, i) =>
    html`<div class="choice"><input type="radio" id="definition-${i}" name="definitionId" value="${d.id}"${values.definitionId === d.id ? raw(' checked') : ''}><label for="definition-${i}">${d.name[lang]}</label></div>`,
)}
</fieldset>
<h2>${l(lang, 'setupAdministrator')}</h2>
${fields.map((f) => field(lang, f, errors))}
<p><button type="submit">${l(lang, 'setupButton')}</button></p>
</form>`;
    return sendPage(request, reply, { title: l(lang, 'setupTitle'), body, status: errors.size > 0 ? 422 : 200, path: `/setup/${token}` });
  };

  pages.get('/setup/:token', open, (request, reply) => guarded(request, reply, '/login', () => setupPage(request, reply)));

  pages.post('/setup/:token', open, (request, reply) =>
    guarded(request, reply, '/login', async () => {
      const lang = requestLanguage(request);
      const form = setupForm.parse(request.body ?? {});
      const errors = accountErrors(lang, form, true);
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) errors.set('email', l(lang, 'emailInvalid'));
      if (!onboarding.setup(tokenOf(request)).definitions.some((d) => d.id === form.definitionId))
        errors.set('definitionId', l(lang, 'setupDefinitionMissing'));
      if (errors.size > 0) return setupPage(request, reply, errors, form);
      await onboarding.completeSetup(tokenOf(request), { ...form, language: lang });
      return reply.redirect('/login?done=setup', 303);
    }),
  );

  // ---- an administrator invites -----------------------------------------------------

  const inviteForm = z.object({
    email: text(254),
    role: z.union([z.string().max(64), z.array(z.string().max(64)).max(20)]).optional(),
    _csrf: z.string().max(200).optional(),
  });

  const invitePage = (
    request: FastifyRequest,
    reply: FastifyReply,
    errors: FieldErrors = new Map(),
    values: { email?: string; roles?: string[] } = {},
  ) => {
    const lang = requestLanguage(request);
    const here = request.pageProgramme!;
    const programme = programmes.get(here.id)!;
    const fields: Field[] = [{ name: 'email', label: l(lang, 'email'), type: 'email', autocomplete: 'off', value: values.email }];
    const rolesError = errors.get('roles');
    const body = html`<h1>${l(lang, 'inviteTitle')}</h1>
<p>${l(lang, 'inviteIntro', { programme: programme.name[lang] })}</p>
<form method="post" action="/people/invite" novalidate>
<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">
${fieldErrorSummary(lang, [...fields, { name: 'roles', label: l(lang, 'inviteRoles') }], errors)}
${fields.map((f) => field(lang, f, errors))}
<fieldset id="roles"${rolesError ? raw(' aria-describedby="roles-error"') : ''}><legend>${l(lang, 'inviteRoles')}</legend>
${rolesError ? html`<p class="field-error" id="roles-error">${rolesError}</p>` : ''}
${(programme.roles as Role[]).map(
  (r) =>
    html`<div class="choice"><input type="checkbox" id="role-${r}" name="role" value="${r}"${values.roles?.includes(r) ? raw(' checked') : ''}><label for="role-${r}">${t(lang, `roles.${r}`)}</label></div>`,
)}
</fieldset>
<p><button type="submit">${l(lang, 'inviteButton')}</button></p>
</form>`;
    return sendPage(request, reply, { title: l(lang, 'inviteTitle'), body, status: errors.size > 0 ? 422 : 200, path: '/people/invite' });
  };

  const isAdministrator = (request: FastifyRequest) => rolesHere(request).includes('administrator');

  pages.get(
    '/people/invite',
    { schema: { hide: true } },
    loggedIn((request, reply) => (isAdministrator(request) ? invitePage(request, reply) : errorPage(request, reply, 403))),
  );

  pages.post(
    '/people/invite',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) =>
      guarded(request, reply, '/people/invite', () => {
        if (!isAdministrator(request)) return errorPage(request, reply, 403);
        const lang = requestLanguage(request);
        const form = inviteForm.parse(request.body ?? {});
        const roles = ([] as string[]).concat(form.role ?? []);
        const programme = programmes.get(request.pageProgramme!.id)!;
        const errors: FieldErrors = new Map();
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) errors.set('email', l(lang, 'emailInvalid'));
        if (roles.length === 0 || roles.some((r) => !programme.roles.includes(r as Role)))
          errors.set('roles', l(lang, 'inviteRolesMissing'));
        if (errors.size > 0) return invitePage(request, reply, errors, { email: form.email, roles });
        const sent = onboarding.invite(actor, { email: form.email, programmeId: programme.id, roles: roles as Role[] }, request.ip);
        const body = html`<h1>${l(lang, 'invitedTitle')}</h1>
<div class="notice" role="status"><p>${l(lang, 'invited', { email: sent.invited, roles: roleNames(lang, roles) })}</p></div>
<p><a href="/people/invite">${l(lang, 'inviteAnother')}</a></p>`;
        return sendPage(request, reply, { title: l(lang, 'invitedTitle'), body, path: '/people/invite' });
      }),
    ),
  );
};
