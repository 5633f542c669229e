import { t, type Language } from '../i18n/index.js';
import { html, raw, type SafeHtml } from './html.js';

/*
 * The parts of short question pages written by hand (one's account, a programme's people):
 * a back link, a labelled field with its hint and its error, the error summary at the top that
 * takes the focus and links to each field, a notice after a change, and the form that confirms
 * what cannot be undone. The forms generated from zod schemas are in forms.ts.
 */

/** One field's error: `field` is the id of the input the summary links to. */
export interface Problem {
  field: string;
  label: string;
  message: string;
}

/** GOV.UK's back link, above the heading. */
export const backLink = (href: string, text: string): SafeHtml => html`<p class="back"><a href="${href}">${text}</a></p>`;

/** A notice after a change (Post/Redirect/Get), read out by screen readers. */
export const notice = (text: string | undefined): SafeHtml | '' =>
  text ? html`<div class="notice" role="status" id="notice">${text}</div>` : '';

/**
 * The summary of a form's errors at the top: it takes the focus, and each line links to its
 * field. `general` are messages that concern no one field (a refusal of the whole act).
 */
export function errorSummary(lang: Language, id: string, problems: Problem[], general: string[] = []): SafeHtml | '' {
  const total = problems.length + general.length;
  if (total === 0) return '';
  const intro = problems.length > 0 ? t(lang, 'web.errorSummary', { count: total }) : t(lang, 'web.notDone');
  return html`<div class="alert error-summary" role="alert" tabindex="-1" autofocus id="${id}">
<p>${intro}</p><ul>${general.map((m) => html`<li>${m}</li>`)}${problems.map((p) => html`<li><a href="#${p.field}">${p.label}: ${p.message}</a></li>`)}</ul></div>`;
}

export interface FieldOptions {
  lang: Language;
  id: string;
  name: string;
  label: string;
  value?: string;
  hint?: string;
  error?: string;
  /** The kind of one-line input (text unless said). */
  type?: 'text' | 'email' | 'password';
  /** A text area (a reason, say) rather than one line. */
  multiline?: boolean;
  /** A short input (a number of days). */
  short?: boolean;
  inputmode?: 'numeric';
  maxlength?: number;
  autocomplete?: string;
}

/** A labelled input with its hint and its error next to it, as the generated forms have them. */
export function field(o: FieldOptions): SafeHtml {
  const described = [o.hint ? `${o.id}-hint` : '', o.error ? `${o.id}-error` : ''].filter(Boolean).join(' ');
  const attributes = html`id="${o.id}" name="${o.name}" required aria-required="true"${described ? html` aria-describedby="${described}"` : ''}${o.error ? raw(' aria-invalid="true"') : ''}${o.maxlength ? html` maxlength="${o.maxlength}"` : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}`;
  const input = o.multiline
    ? html`<textarea ${attributes} rows="4">${o.value ?? ''}</textarea>`
    : html`<input type="${o.type ?? 'text'}" ${attributes}${o.inputmode ? html` inputmode="${o.inputmode}"` : ''}${o.short ? raw(' class="short"') : ''}${o.type === 'password' ? '' : html` value="${o.value ?? ''}"`}>`;
  return html`<div class="field${o.error ? ' has-error' : ''}">
<label for="${o.id}">${o.label}</label>
${o.hint ? html`<p class="help" id="${o.id}-hint">${o.hint}</p>` : ''}
${o.error ? html`<p class="field-error" id="${o.id}-error"><span class="visually-hidden">${t(o.lang, 'web.errorPrefix')}</span>${o.error}</p>` : ''}
${input}
</div>`;
}

export interface ConfirmOptions {
  lang: Language;
  csrfToken: string;
  /** Where the confirmed form posts. */
  action: string;
  /** What the first form said (a reason, say), sent again with the confirmation. */
  hidden?: Record<string, string | string[]>;
  /** The button that does it: says what it does ("Yes, disable the account"). */
  button: string;
  /** Where "no" goes: back, with nothing done. */
  cancelHref: string;
  cancel: string;
}

/** The form that confirms an act that cannot be undone: a warning button, and a way back. */
export function confirmForm(o: ConfirmOptions): SafeHtml {
  const hidden = Object.entries(o.hidden ?? {}).flatMap(([name, value]) =>
    ([] as string[]).concat(value).map((v) => html`<input type="hidden" name="${name}" value="${v}">`),
  );
  return html`<form method="post" action="${o.action}" class="confirm">
<input type="hidden" name="_csrf" value="${o.csrfToken}">
<input type="hidden" name="confirm" value="yes">
${hidden}
<div class="button-group"><button type="submit" class="warning">${o.button}</button><a href="${o.cancelHref}">${o.cancel}</a></div>
</form>`;
}
