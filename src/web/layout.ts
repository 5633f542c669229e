import { STEP_COUNT } from '../../machines/case/catalogue.js';
import type { Role } from '../../machines/roles.js';
import type { Actor } from '../people/actor.js';
import { t, type Language } from '../i18n/index.js';
import { ASSETS } from './assets.js';
import { html, raw, type SafeHtml } from './html.js';

/*
 * The frame of every page: language, skip link, header with the main menu, the language
 * switch and log-out (both forms with the CSRF token), then the page's own content.
 */

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
  /**
   * Our own path the browser goes on to at once (a meta refresh): a navigation this page
   * starts, so it carries the site's SameSite=Strict cookies, which a redirect that began on
   * another site (an identity provider's) would not.
   */
  goOnTo?: string;
  /** How many things wait for the person (src/work/waiting.ts), shown on the menu's "To do". */
  waiting?: number;
}

/** The main menu: each item with the paths that belong to it (the page itself is `aria-current="page"`, its sub-pages `"true"`). */
function menu(o: PageOptions): SafeHtml {
  const roles = o.programme?.roles ?? [];
  const items: [string, string, string[]][] = [['/cases', roles.every((r) => r === 'initiator') ? 'myCases' : 'cases', []]];
  // What waits for me, for everyone with a role, with how many when it was counted.
  if (roles.length > 0) items.push(['/waiting', 'waiting.menu', []]);
  if (roles.some((r) => r !== 'initiator')) items.push(['/board', 'board', []]);
  if (roles.includes('initiator')) items.push(['/cases/new', 'newIdea', []]);
  if (roles.some((r) => r !== 'initiator')) items.push(['/money', 'money.menu', ['/money/']]);
  if (roles.some((r) => r !== 'initiator')) items.push(['/plan', 'plan.pages.menu', ['/plan/']]);
  if (roles.includes('administrator')) items.push(['/people', 'people', ['/people/', '/audit']]);
  if (roles.includes('administrator')) items.push(['/programme/settings', 'programmeSettings', ['/programme/settings/']]);
  // One's own account holds the settings (language, e-mail), the password, log-ins and API tokens.
  items.push(['/account', 'account', ['/account/', '/settings']]);
  const here = o.path.split('?')[0]!;
  const current = (href: string, within: string[]) =>
    href === here ? raw(' aria-current="page"') : within.some((w) => here === w || here.startsWith(w)) ? raw(' aria-current="true"') : '';
  return html`<nav aria-label="${t(o.lang, 'web.nav')}"><ul>${items.map(
    ([href, key, within]) =>
      html`<li><a href="${href}"${current(href, within)}>${t(o.lang, key.includes('.') ? key : `web.${key}`)}${href === '/waiting' ? waitingCount(o) : ''}</a></li>`,
  )}</ul></nav>`;
}

/** " (3)" after "To do", said in full to a screen reader ("(3 things waiting for you)"). */
function waitingCount(o: PageOptions): SafeHtml | string {
  if (o.waiting === undefined) return '';
  const said = t(o.lang, o.waiting === 1 ? 'waiting.countHiddenOne' : 'waiting.countHidden');
  return html` <span aria-hidden="true">(${o.waiting})</span><span class="visually-hidden">(${o.waiting} ${said})</span>`;
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
${
  o.goOnTo
    ? html`<meta http-equiv="refresh" content="0; url=${o.goOnTo}">
`
    : ''
}<link rel="stylesheet" href="${ASSETS.site.url}">
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
      ? html`<span class="who">${l('loggedInAs', { name: o.actor.displayName })}</span>
  <form method="post" action="/logout"><input type="hidden" name="_csrf" value="${o.csrfToken ?? ''}"><button type="submit" class="link">${l('logOut')}</button></form>`
      : ''
  }
</header>
<main id="main" tabindex="-1">
${o.body}
</main>
<footer><a href="/accessibility">${l('accessibilityLink')}</a></footer>
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
