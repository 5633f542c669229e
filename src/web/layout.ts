import { STEP_COUNT } from '../../machines/case/catalogue.js';
import type { Role } from '../../machines/roles.js';
import type { Actor } from '../people/actor.js';
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
  fieldset { border: 1px solid var(--line); border-radius: 4px; margin: 1rem 0; padding: .5rem 1rem 1rem; }
  fieldset.row { background: #f7f7f7; }
  legend { font-weight: 700; padding: 0 .25rem; }
  .choice { display: flex; gap: .5rem; align-items: center; margin: .35rem 0; }
  .choice label { display: inline; margin: 0; font-weight: 400; }
  header form.switcher label { display: inline; margin: 0 .25rem 0 0; }
  header form.switcher select { width: auto; }
  .choices.inline .choice { display: inline-flex; margin-right: 1.5rem; }
  input[type=checkbox], input[type=radio] { width: 1.25rem; height: 1.25rem; }
  input[type=date], input[type=time], input[type=search], input.short { font: inherit; padding: .45rem; border: 2px solid #6b6b6b; border-radius: 4px; max-width: 14rem; width: 100%; }
  .help, .meta { color: var(--muted); font-size: .95rem; margin: .25rem 0; }
  .optional { font-weight: 400; color: var(--muted); }
  .field-error { color: #b00020; font-weight: 700; margin: .25rem 0; }
  [aria-invalid=true] { border-color: #b00020 !important; }
  .notice { border-left: 5px solid #2e7d32; background: #e8f5e9; padding: .75rem 1rem; margin: 1rem 0; }
  .error-summary a { color: #8a0018; }
  .text { white-space: pre-line; }
  dl { display: grid; grid-template-columns: minmax(8rem, 14rem) 1fr; gap: .25rem 1rem; margin: .5rem 0; }
  dt { font-weight: 600; }
  dd { margin: 0; }
  dd dl { grid-template-columns: minmax(6rem, 10rem) 1fr; }
  section.action, details.action { border: 1px solid var(--line); border-radius: 4px; padding: .5rem 1rem; margin: 1rem 0; }
  summary { cursor: pointer; font-weight: 600; padding: .25rem 0; }
  ol.states { list-style: none; padding-left: 1rem; border-left: 2px solid var(--line); }
  ol.states.diagram { padding-left: 0; border: none; }
  li.state { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .75rem; margin: .4rem 0; background: #fff; }
  li.state.contains-current { border-color: var(--accent); }
  li.state.current { border: 3px solid var(--accent); background: #e6f0f8; }
  li.state.final { border-style: dashed; }
  .state-name { font-weight: 600; }
  .here { color: var(--accent); }
  ul.transitions { margin: .25rem 0; padding-left: 1.25rem; font-size: .95rem; color: #333; }
  .board { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: 1rem; }
  .board section { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; }
  .board h2 { font-size: 1.05rem; margin: .25rem 0 .5rem; }
  .board ul { list-style: none; padding: 0; margin: 0; }
  .board li { border-top: 1px solid var(--line); padding: .4rem 0; }
  ul.inline { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: 0; }
  .filters { display: flex; flex-wrap: wrap; gap: 0 1rem; align-items: flex-end; }
  .filters label { margin-top: .5rem; }
  nav a[aria-current=page] { font-weight: 700; }
  main { overflow-wrap: anywhere; }
  @media (max-width: 40rem) {
    th.optional, td.optional { display: none; }
    dl { grid-template-columns: 1fr; }
    /* On a phone, a table's rows become blocks; the header stays for screen readers. */
    main table, main tbody, main tr, main th, main td, main caption { display: block; width: 100%; }
    main thead { position: absolute; left: -9999px; }
    main tr { border-bottom: 1px solid var(--line); padding: .5rem 0; }
    main td, main th { border: none; padding: .1rem 0; }
    header { padding: .5rem; gap: .5rem 1rem; }
  }
  @media print { header, .skip, .no-print, form { display: none !important; } main { max-width: none; } a { color: inherit; text-decoration: none; } }
`);

/** The programme the pages work in for a logged-in person, and the others they may switch to. */
export interface PageProgramme {
  id: string;
  /** The person's roles in it. */
  roles: Role[];
  /** Every programme the person holds a role in (the switcher shows when there are several). */
  choices: { id: string; name: string }[];
}

export interface PageOptions {
  lang: Language;
  title: string;
  actor?: Actor;
  programme?: PageProgramme;
  csrfToken?: string;
  /** Where the language switch returns to. */
  path: string;
  body: SafeHtml;
}

function menu(o: PageOptions): SafeHtml {
  const roles = o.programme?.roles ?? [];
  const items: [string, string][] = [['/cases', roles.every((r) => r === 'initiator') ? 'myCases' : 'cases']];
  if (roles.some((r) => r !== 'initiator')) items.push(['/board', 'board']);
  if (roles.includes('initiator')) items.push(['/cases/new', 'newIdea']);
  items.push(['/settings', 'settings']);
  const here = o.path.split('?')[0];
  return html`<nav aria-label="${t(o.lang, 'web.nav')}"><ul>${items.map(
    ([href, key]) => html`<li><a href="${href}"${href === here ? raw(' aria-current="page"') : ''}>${t(o.lang, `web.${key}`)}</a></li>`,
  )}</ul></nav>`;
}

/** The programme switcher: a form, so it works without JavaScript. */
function switcher(o: PageOptions, programme: PageProgramme): SafeHtml {
  return html`<form method="post" action="/programme" class="switcher">
    <input type="hidden" name="_csrf" value="${o.csrfToken ?? ''}">
    <input type="hidden" name="returnTo" value="${o.path}">
    <label for="programme-switch" class="inline">${t(o.lang, 'web.programme')}</label>
    <select id="programme-switch" name="programmeId">${programme.choices.map(
      (c) => html`<option value="${c.id}"${c.id === programme.id ? raw(' selected') : ''}>${c.name}</option>`,
    )}</select>
    <button type="submit" class="link">${t(o.lang, 'web.switchProgramme')}</button>
  </form>`;
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
  ${o.actor ? menu(o) : ''}
  ${o.actor && o.programme && o.programme.choices.length > 1 ? switcher(o, o.programme) : ''}
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
