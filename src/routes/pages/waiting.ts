import type { FastifyPluginAsync } from 'fastify';
import { requestLanguage } from '../../http/language.js';
import { t, type Language } from '../../i18n/index.js';
import type { ProgrammeService } from '../../programmes/service.js';
import { html, written } from '../../web/html.js';
import type { Waiting, WaitingItem } from '../../work/waiting.js';
import { waitingHref } from '../api/waiting.js';
import { loggedIn, sendPage } from './reply.js';

/*
 * "Att göra": what waits for the logged-in person, soonest due first, as a list of tasks;
 * the menu's "Att göra (3)" counts the same things.
 */

export interface WaitingPageDeps {
  waiting: Pick<Waiting, 'list'>;
  programmes: Pick<ProgrammeService, 'get'>;
}

/** A day (YYYY-MM-DD) in words: "12 mars 2027", "12 March 2027". */
const dayFormats = {
  sv: new Intl.DateTimeFormat('sv-SE', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
  en: new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
};
export const dayInWords = (lang: Language, day: string) => dayFormats[lang].format(new Date(`${day}T00:00:00Z`));

export const waitingPages: FastifyPluginAsync<WaitingPageDeps> = async (pages, { waiting, programmes }) => {
  pages.get(
    '/waiting',
    { schema: { hide: true } },
    loggedIn(async (request, reply, actor) => {
      const lang = requestLanguage(request);
      const w = (key: string, params?: Record<string, string | number>) => t(lang, `waiting.${key}`, params);
      const items = waiting.list(actor, lang);
      const several = actor.memberships.length > 1;
      const dueText = (item: WaitingItem) => {
        if (!item.due) return html`<span class="meta">${w('noDue')}</span>`;
        const date = dayInWords(lang, item.due);
        const text = item.dueLabel ? w('dueWithLabel', { date, label: item.dueLabel }) : w('due', { date });
        return html`${text}${item.overdue ? html` <strong class="tag overdue">${w('overdue')}</strong>` : ''}`;
      };
      const row = (item: WaitingItem) => html`<li>
  <h2><a href="${waitingHref(item)}">${item.what}<span class="visually-hidden">: ${written(lang, item.title)}</span></a></h2>
  <p>${item.kind === 'assignment' ? html`${w('planLink')}: ` : ''}${written(lang, item.title)}${
    item.diaryNumber ? html` <span class="meta">${w('diaryNumber', { number: item.diaryNumber })}</span>` : ''
  }${several ? html` <span class="meta">${programmes.get(item.programmeId)?.name[lang] ?? ''}</span>` : ''}</p>
  ${
    item.who
      ? html`<p class="meta">${item.kind === 'assignment' ? w('responsible', { who: item.who }) : w('commentBy', { name: item.who })}</p>`
      : ''
  }
  <p>${dueText(item)}</p>
</li>`;
      const body = html`<h1>${w('title')}</h1>
<p>${w('intro')}</p>
${items.length === 0 ? html`<p>${w('empty')}</p>` : html`<ol class="waiting" aria-label="${w('listLabel')}">${items.map(row)}</ol>`}`;
      return sendPage(request, reply, { title: w('title'), body });
    }),
  );
};
