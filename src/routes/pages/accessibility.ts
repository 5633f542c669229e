import type { FastifyPluginAsync } from 'fastify';
import { requestLanguage } from '../../http/language.js';
import { t } from '../../i18n/index.js';
import type { ProgrammeService } from '../../programmes/service.js';
import { html } from '../../web/html.js';
import { sendPage } from './reply.js';

/*
 * The accessibility statement (tillgänglighetsredogörelse) that the Swedish law on
 * accessibility of digital public services (2018:1937) asks of a public body's website, in
 * the structure of DIGG's model: who runs the service, how accessible it is, what is not,
 * how to report a problem and to whom to turn if the answer does not satisfy, and how it was
 * tested. Public, linked from the foot of every page.
 */

export interface AccessibilityPageDeps {
  programmes: Pick<ProgrammeService, 'list'>;
}

export const accessibilityPages: FastifyPluginAsync<AccessibilityPageDeps> = async (pages, { programmes }) => {
  pages.get('/accessibility', { schema: { hide: true } }, async (request, reply) => {
    const lang = requestLanguage(request);
    const a = (key: string, params?: Record<string, string | number>) => t(lang, `accessibility.${key}`, params);
    const contacts = programmes.list().map((p) => ({ name: p.name[lang], organisation: p.organisation[lang], mailbox: p.mailbox }));
    const list = (key: string) =>
      html`<ul>${a(key)
        .split('\n')
        .map((item) => html`<li>${item}</li>`)}</ul>`;
    const title = a('title');
    const body = html`<h1>${title}</h1>
<p class="lead">${a('lead')}</p>
<h2>${a('howAccessibleHeading')}</h2>
<p>${a('howAccessible')}</p>
<h2>${a('notAccessibleHeading')}</h2>
<p>${a('notAccessibleIntro')}</p>
${list('notAccessible')}
<h2>${a('reportHeading')}</h2>
<p>${a('report')}</p>
${
  contacts.length
    ? html`<ul>${contacts.map((c) => html`<li>${c.organisation}, ${c.name}: <a href="mailto:${c.mailbox}">${c.mailbox}</a></li>`)}</ul>`
    : ''
}
<h2>${a('enforcementHeading')}</h2>
<p>${a('enforcement')} <a href="https://www.digg.se/tdosanmalan">${a('enforcementLink')}</a></p>
<h2>${a('testedHeading')}</h2>
<p>${a('tested')}</p>
<p class="meta">${a('updated')}</p>`;
    return sendPage(request, reply, { title, body });
  });
};
