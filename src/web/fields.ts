import { t, type Language } from '../i18n/index.js';
import { html, type SafeHtml } from './html.js';

/*
 * Hand-made form fields for the account pages (log-in, passwords, invitations, registration):
 * a label, an optional hint, the error next to the field, and a summary of every error at the
 * top that takes the focus and links to each field (the GOV.UK pattern). Forms made from an
 * event's zod schema use ./forms.ts instead.
 */

export interface Field {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password';
  autocomplete?: string;
  hint?: string;
  value?: string;
}

/** Errors by field name. */
export type FieldErrors = Map<string, string>;

export function field(f: Field, errors: FieldErrors): SafeHtml {
  const error = errors.get(f.name);
  const described = [f.hint ? `${f.name}-hint` : '', error ? `${f.name}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${error ? ' has-error' : ''}">
<label for="${f.name}">${f.label}</label>
${f.hint ? html`<p class="help" id="${f.name}-hint">${f.hint}</p>` : ''}
${error ? html`<p class="field-error" id="${f.name}-error">${error}</p>` : ''}
<input type="${f.type ?? 'text'}" id="${f.name}" name="${f.name}"${f.autocomplete ? html` autocomplete="${f.autocomplete}"` : ''} required${f.type !== 'password' && f.value ? html` value="${f.value}"` : ''}${described ? html` aria-describedby="${described}"` : ''}${error ? html` aria-invalid="true"` : ''}>
</div>`;
}

/** Every error at the top of the form, each linking to its field, labelled as the field is. */
export function fieldErrorSummary(lang: Language, fields: Field[], errors: FieldErrors): SafeHtml | '' {
  if (errors.size === 0) return '';
  const label = (name: string) => fields.find((f) => f.name === name)?.label ?? '';
  return html`<div class="alert error-summary" role="alert" tabindex="-1" autofocus id="form-errors">
<p>${t(lang, 'web.errorSummary', { count: errors.size })}</p><ul>${[...errors].map(([name, message]) => html`<li><a href="#${name}">${label(name)}: ${message}</a></li>`)}</ul></div>`;
}

/** The fields of a form with their summary on top. */
export const fieldsWithSummary = (lang: Language, fields: Field[], errors: FieldErrors): SafeHtml =>
  html`${fieldErrorSummary(lang, fields, errors)}${fields.map((f) => field(f, errors))}`;
