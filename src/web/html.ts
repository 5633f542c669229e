import { escapeHtml } from '../mail/render.js';

/*
 * Server-rendered HTML that is safe by default: every value put into an `html` template is
 * escaped, unless it is itself the result of `html` (or `raw`, for trusted markup).
 */

export class SafeHtml {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Markup we wrote ourselves (never user input). */
export const raw = (markup: string) => new SafeHtml(markup);

/**
 * Text people wrote (a title, a summary, a comment, a file's name), in Swedish as the programme
 * works: on an English page it says so (lang="sv"), so that a screen reader reads it as Swedish.
 */
export const written = (lang: string, text: string | null | undefined): SafeHtml =>
  html`<span class="text"${lang === 'sv' ? '' : raw(' lang="sv"')}>${text ?? ''}</span>`;
