import { STEP_COUNT } from '../../machines/case/catalogue.js';
import type { Actor } from '../people/service.js';
import { t, type Language } from '../i18n/index.js';
import { html, raw, type SafeHtml } from './html.js';

/*
 * The frame of every page: language, skip link, header with the main menu, the language
 * switch and log-out (both forms with the CSRF token), then the page's own content.
 */

const STYLE = raw(`
  :root { --ink: #1a1a1a; --muted: #555; --accent: #00508c; --line: #c8c8c8; --focus: #ffbf47; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
  a { color: var(--accent); }
  a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid var(--focus); outline-offset: 2px; }
  .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; }
  .skip:focus { left: 1rem; }
  header { border-bottom: 1px solid var(--line); padding: .75rem 1rem; display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; align-items: center; }
  header .brand { font-weight: 700; font-size: 1.2rem; margin-right: auto; }
  header nav ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; }
  header form { display: inline; margin: 0; }
  main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
  button, .button { font: inherit; padding: .45rem .9rem; border: 2px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
  button.link { background: none; color: var(--accent); border: none; text-decoration: underline; padding: 0; }
  label { display: block; font-weight: 600; margin-top: 1rem; }
  input[type=email], input[type=password], input[type=text], textarea, select { font: inherit; width: 100%; max-width: 30rem; padding: .45rem; border: 2px solid #6b6b6b; border-radius: 4px; }
  .alert { border-left: 5px solid #b00020; background: #fdecee; padding: .75rem 1rem; margin: 1rem 0; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  ol.track { list-style: none; display: flex; gap: 2px; padding: 0; margin: .25rem 0 0; }
  ol.track li { flex: 1; height: .6rem; background: #e4e4e4; }
  ol.track li.done { background: #7aa6c8; }
  ol.track li.current { background: var(--accent); }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  @media (max-width: 40rem) { th.optional, td.optional { display: none; } }
`);

export interface PageOptions {
  lang: Language;
  title: string;
  actor?: Actor;
  csrfToken?: string;
  /** Where the language switch returns to. */
  path: string;
  body: SafeHtml;
}

export function page(o: PageOptions): string {
  const l = (key: string, params?: Record<string, string | number>) => t(o.lang, `web.${key}`, params);
  const other = o.lang === 'sv' ? 'en' : 'sv';
  return html`<!doctype html>
<html lang="${o.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} – Satsa</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">${l('skip')}</a>
<header>
  <span class="brand">Satsa</span>
  ${o.actor ? html`<nav aria-label="${l('nav')}"><ul><li><a href="/cases">${l('cases')}</a></li></ul></nav>` : ''}
  <form method="post" action="/language">
    ${o.csrfToken ? html`<input type="hidden" name="_csrf" value="${o.csrfToken}">` : ''}
    <input type="hidden" name="language" value="${other}">
    <input type="hidden" name="returnTo" value="${o.path}">
    <button type="submit" class="link" lang="${other}">${l('switchTo')}</button>
  </form>
  ${
    o.actor
      ? html`<span>${l('loggedInAs', { name: o.actor.displayName })}</span>
  <form method="post" action="/logout"><input type="hidden" name="_csrf" value="${o.csrfToken ?? ''}"><button type="submit" class="link">${l('logOut')}</button></form>`
      : ''
  }
</header>
<main id="main" tabindex="-1">
${o.body}
</main>
</body>
</html>
`.value;
}

/** "step 5 of 12" over a track of the twelve steps; current and passed steps marked. */
export function stepTrack(lang: Language, steps: number[], closedAs?: string | null): SafeHtml {
  const current = new Set(steps);
  const first = Math.min(...steps);
  const label = closedAs
    ? t(lang, 'web.closed', { outcome: closedAs })
    : steps.map((s) => `${t(lang, 'app.stepOf', { step: s, total: STEP_COUNT })}: ${t(lang, `steps.${s}`)}`).join('; ');
  const items = Array.from({ length: STEP_COUNT }, (_, i) => i + 1).map((s) => {
    const state = current.has(s) && !closedAs ? 'current' : s < first || closedAs ? 'done' : '';
    const said = state === 'current' ? ` (${t(lang, 'web.current')})` : state === 'done' ? ` (${t(lang, 'web.done')})` : '';
    return html`<li class="${state}" ${state === 'current' ? raw('aria-current="step"') : ''}><span class="visually-hidden">${s}. ${t(lang, `steps.${s}`)}${said}</span></li>`;
  });
  return html`<p class="step-text">${label}</p><ol class="track" aria-label="${t(lang, 'web.track')}">${items}</ol>`;
}
