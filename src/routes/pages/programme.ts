import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { DomainError } from '../../errors.js';
import { requestLanguage } from '../../http/language.js';
import { t, type Language } from '../../i18n/index.js';
import type { Actor } from '../../people/actor.js';
import { programmeSettingsSchema, type createProgrammeAdmin } from '../../programmes/admin.js';
import { loadIdeaTemplate, type IdeaTemplate, type ProgrammeConfig } from '../../programmes/config.js';
import { dateTime } from '../../web/dates.js';
import { firstText, issueMessage } from '../../web/forms.js';
import { html, raw, type SafeHtml } from '../../web/html.js';
import { backLink, errorSummary, notice, type Problem } from '../../web/questions.js';
import { errorPage, loggedIn, sendPage } from './reply.js';

/*
 * A programme's settings in the browser, for its administrator: an overview of every setting
 * with a link to change each part, one short form per part, a page to check the change before
 * it is put in force (with why, for the record), and the list of versions. Each change goes
 * through the programme administration service as the API's does: a new version, in force at
 * once; cases keep the version they were raised under.
 */

export interface ProgrammePageDeps {
  programmeAdmin: ReturnType<typeof createProgrammeAdmin>;
}

type ProgrammeAdmin = ReturnType<typeof createProgrammeAdmin>;
type VersionView = ReturnType<ProgrammeAdmin['settings']>;

const SECTIONS = ['names', 'deadlines', 'registration', 'areas', 'criteria', 'template', 'bodies', 'retention', 'archive'] as const;
type Section = (typeof SECTIONS)[number];
const BODIES = ['coordinators', 'coordinationGroup', 'recommender', 'decider', 'steeringGroup'] as const;
const DEADLINES = [
  'ideaResponseDays',
  'followUpReminderDays',
  'followUpGraceDays',
  'assignmentReminderDays',
  'assignmentGraceDays',
] as const;
const NEW_FIELD_TYPES = ['text', 'textarea', 'number', 'date', 'email'] as const;
/** Empty rows offered for adding areas, sub-areas, criteria and template questions. */
const BLANK_ROWS = 1;
/** Rows of a repeated part read back from a form, at most. */
const MAX_ROWS = 200;

/** One input of a settings form, as shown and as read back. */
interface Input {
  id: string;
  label: string;
  value: string;
  kind: 'text' | 'email' | 'number' | 'textarea' | 'checkbox' | 'select' | 'hidden';
  options?: { value: string; label: string }[];
  hint?: string;
  /** A heading (fieldset legend) that starts a group of inputs. */
  group?: string;
  /** May be left empty (an empty row is no row). */
  optional?: boolean;
}

type Get = (id: string) => string;

interface SectionDef {
  inputs(lang: Language, c: ProgrammeConfig): Input[];
  /** The whole configuration with this part as posted. */
  apply(c: ProgrammeConfig, get: Get): ProgrammeConfig;
  /** Where a zod issue's path stands in this part's form. */
  fieldOf(path: readonly PropertyKey[]): string;
}

const bi = (o: { sv: string; en: string } | undefined) => ({ sv: o?.sv ?? '', en: o?.en ?? '' });
const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** A readable id for a new row, unique among `taken`: from its Swedish label, in a–z, 0–9 and hyphens. */
function newId(label: string, taken: Set<string>, camel = false): string {
  const ascii = label
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  let base = ascii || 'rad';
  if (camel) base = base.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase()).replace(/^[^a-z]+/, '') || 'fraga';
  let id = base;
  for (let n = 2; taken.has(id); n += 1) id = `${base}${camel ? '' : '-'}${n}`;
  taken.add(id);
  return id;
}

const templateOf = (c: ProgrammeConfig): IdeaTemplate => c.ideaTemplateContent ?? loadIdeaTemplate(c.ideaTemplate);

/** The retention rules' parts of the form, as `retention.sentMail` and so on: a period and the decision it rests on. */
const RETENTION_PARTS = [
  { rule: 'sentMail', unit: 'days' },
  { rule: 'closedCases', unit: 'years' },
  { rule: 'logins', unit: 'months' },
] as const;

/** A whole number as written, NaN for anything else (zod then says what is wrong). */
const wholeNumber = (v: string) => (/^\d+$/.test(v) ? Number(v) : Number.NaN);

/** The words of the retention and archive parts are under `retention.settings` (keys `r.…`, and those parts' titles). */
const OWN_WORDS = /^(?:(?:sections|help|settingNames)\.(?:retention|archive)$|r\.)/;

function sectionDefs(s: (key: string, params?: Record<string, string | number>) => string): Record<Section, SectionDef> {
  const pair = (id: string, label: string, value: { sv: string; en: string }, extra: Partial<Input> = {}): Input[] => [
    { id: `${id}-sv`, label: `${label} ${s('inSwedish')}`, value: value.sv, kind: 'text', ...extra },
    { id: `${id}-en`, label: `${label} ${s('inEnglish')}`, value: value.en, kind: 'text', ...extra, group: undefined },
  ];
  const read = (get: Get, id: string) => ({ sv: get(`${id}-sv`).trim(), en: get(`${id}-en`).trim() });
  /** The rows of a repeated part that say something: a row left empty (both labels) is no row. */
  const rowIndexes = (get: Get, prefix: string) =>
    Array.from({ length: MAX_ROWS }, (_, i) => i).filter((i) => get(`${prefix}-${i}-sv`).trim() || get(`${prefix}-${i}-en`).trim());
  return {
    names: {
      inputs: (_lang, c) => [
        ...pair('name', s('f.name'), c.name, { group: s('f.namesGroup') }),
        ...pair('organisation', s('f.organisation'), c.organisation),
        { id: 'mailbox', label: s('f.mailbox'), hint: s('f.mailboxHint'), value: c.mailbox, kind: 'email' },
        ...pair('taxonomy', s('f.taxonomy'), c.taxonomy, { hint: s('f.taxonomyHint') }),
      ],
      apply: (c, get) => ({
        ...c,
        name: read(get, 'name'),
        organisation: read(get, 'organisation'),
        mailbox: get('mailbox').trim(),
        taxonomy: read(get, 'taxonomy'),
      }),
      fieldOf: (p) => (p[0] === 'mailbox' ? 'mailbox' : `${String(p[0])}-${String(p[1] ?? 'sv')}`),
    },
    deadlines: {
      inputs: (_lang, c) =>
        DEADLINES.map((k) => ({
          id: `deadlines-${k}`,
          label: s(`f.${k}`),
          hint: s(`f.${k}Hint`),
          value: String(c.deadlines[k]),
          kind: 'number' as const,
        })),
      apply: (c, get) => ({
        ...c,
        deadlines: Object.fromEntries(
          DEADLINES.map((k) => {
            const v = get(`deadlines-${k}`).trim();
            return [k, /^-?\d+$/.test(v) ? Number(v) : v === '' ? undefined : Number.NaN];
          }),
        ) as ProgrammeConfig['deadlines'],
      }),
      fieldOf: (p) => `deadlines-${String(p[1])}`,
    },
    registration: {
      inputs: (_lang, c) => [
        {
          id: 'registrationDomains',
          label: s('f.registrationDomains'),
          hint: s('f.registrationDomainsHint'),
          value: c.registrationDomains.join('\n'),
          kind: 'textarea',
          optional: true,
        },
        {
          id: 'municipalities',
          label: s('f.municipalities'),
          hint: s('f.municipalitiesHint'),
          value: c.municipalities.join('\n'),
          kind: 'textarea',
          optional: true,
        },
      ],
      apply: (c, get) => ({ ...c, registrationDomains: lines(get('registrationDomains')), municipalities: lines(get('municipalities')) }),
      fieldOf: (p) => String(p[0]),
    },
    areas: {
      inputs: (_lang, c) => {
        const rows = [...c.priorityAreas, ...Array.from({ length: BLANK_ROWS }, () => undefined)];
        return rows.flatMap((a, i) => {
          const subs = [...(a?.subAreas ?? []), ...Array.from({ length: BLANK_ROWS }, () => undefined)];
          return [
            { id: `area-${i}-id`, label: '', value: a?.id ?? '', kind: 'hidden' as const },
            ...pair(`area-${i}`, s('f.area'), bi(a?.label), {
              group: a ? s('f.areaGroup', { n: i + 1 }) : s('f.newArea'),
              optional: true,
            }),
            ...subs.flatMap((sub, j) => [
              { id: `area-${i}-sub-${j}-id`, label: '', value: sub?.id ?? '', kind: 'hidden' as const },
              ...pair(`area-${i}-sub-${j}`, sub ? s('f.subArea', { n: j + 1 }) : s('f.newSubArea'), bi(sub?.label), { optional: true }),
            ]),
          ];
        });
      },
      apply: (c, get) => {
        const taken = new Set<string>();
        const kept = (id: string) => {
          if (id && !taken.has(id)) taken.add(id);
          return id;
        };
        const existing = new Map(c.priorityAreas.map((a) => [a.id, a]));
        const existingSubs = new Map(c.priorityAreas.flatMap((a) => (a.subAreas ?? []).map((x) => [x.id, x] as const)));
        for (const a of c.priorityAreas) for (const x of [a, ...(a.subAreas ?? [])]) taken.add(x.id);
        const areas = rowIndexes(get, 'area').map((i) => {
          const id = kept(get(`area-${i}-id`)) || newId(get(`area-${i}-sv`), taken);
          const subAreas = rowIndexes(get, `area-${i}-sub`).map((j) => {
            const subId = kept(get(`area-${i}-sub-${j}-id`)) || newId(get(`area-${i}-sub-${j}-sv`), taken);
            return { ...existingSubs.get(subId), id: subId, label: read(get, `area-${i}-sub-${j}`) };
          });
          const { subAreas: _old, ...before } = existing.get(id) ?? { id };
          return { ...before, id, label: read(get, `area-${i}`), ...(subAreas.length ? { subAreas } : {}) };
        });
        return { ...c, priorityAreas: areas as ProgrammeConfig['priorityAreas'] };
      },
      fieldOf: (p) =>
        p[0] !== 'priorityAreas' || p[1] === undefined
          ? 'area-0-sv'
          : p[2] === 'subAreas'
            ? `area-${String(p[1])}-sub-${String(p[3] ?? 0)}-${p[5] === 'en' ? 'en' : 'sv'}`
            : `area-${String(p[1])}-${p[3] === 'en' ? 'en' : 'sv'}`,
    },
    criteria: {
      inputs: (_lang, c) =>
        [...c.criteria, ...Array.from({ length: BLANK_ROWS }, () => undefined)].flatMap((k, i) => [
          { id: `criterion-${i}-id`, label: '', value: k?.id ?? '', kind: 'hidden' as const },
          ...pair(`criterion-${i}`, s('f.criterion'), bi(k?.label), {
            group: k ? s('f.criterionGroup', { n: i + 1 }) : s('f.newCriterion'),
            optional: true,
          }),
        ]),
      apply: (c, get) => {
        const taken = new Set(c.criteria.map((k) => k.id));
        const criteria = rowIndexes(get, 'criterion').map((i) => ({
          id: get(`criterion-${i}-id`) || newId(get(`criterion-${i}-sv`), taken),
          label: read(get, `criterion-${i}`),
        }));
        return { ...c, criteria };
      },
      fieldOf: (p) => (p[1] === undefined ? 'criterion-0-sv' : `criterion-${String(p[1])}-${p[3] === 'en' ? 'en' : 'sv'}`),
    },
    template: {
      inputs: (_lang, c) => {
        const template = templateOf(c);
        const rows = [...template.fields, ...Array.from({ length: BLANK_ROWS }, () => undefined)];
        return [
          ...pair('template-title', s('f.templateTitle'), template.title, { group: s('f.templateGroup') }),
          ...pair('template-intro', s('f.templateIntro'), template.intro, { kind: 'textarea' }),
          ...rows.flatMap((f, i): Input[] => [
            { id: `field-${i}-id`, label: '', value: f?.id ?? '', kind: 'hidden' },
            ...pair(`field-${i}`, s('f.question'), bi(f?.label), {
              group: f ? s('f.questionGroup', { n: i + 1, kind: s(`f.types.${f.type}`) }) : s('f.newQuestion'),
              optional: true,
            }),
            ...pair(`field-${i}-help`, s('f.questionHelp'), bi(f?.help), { optional: true }),
            ...(f
              ? []
              : [
                  {
                    id: `field-${i}-type`,
                    label: s('f.questionType'),
                    value: 'textarea',
                    kind: 'select' as const,
                    options: NEW_FIELD_TYPES.map((v) => ({ value: v, label: s(`f.types.${v}`) })),
                  },
                ]),
            {
              id: `field-${i}-required`,
              label: s('f.required'),
              value: f?.required === false ? '' : 'yes',
              kind: 'checkbox',
              optional: true,
            },
          ]),
        ];
      },
      apply: (c, get) => {
        const template = templateOf(c);
        const existing = new Map(template.fields.map((f) => [f.id, f]));
        const taken = new Set(template.fields.map((f) => f.id));
        const fields = rowIndexes(get, 'field').map((i) => {
          const id = get(`field-${i}-id`);
          const before = existing.get(id);
          const help = read(get, `field-${i}-help`);
          const { help: _oldHelp, ...kept } = before ?? {
            id: newId(get(`field-${i}-sv`), taken, true),
            type: get(`field-${i}-type`) || 'textarea',
          };
          return {
            ...kept,
            required: get(`field-${i}-required`) === 'yes',
            label: read(get, `field-${i}`),
            ...(help.sv || help.en ? { help } : {}),
          };
        });
        return {
          ...c,
          ideaTemplateContent: {
            ...template,
            title: read(get, 'template-title'),
            intro: read(get, 'template-intro'),
            fields,
          } as IdeaTemplate,
        };
      },
      fieldOf: (p) => {
        if (p[1] === 'title' || p[1] === 'intro') return `template-${String(p[1])}-${p[2] === 'en' ? 'en' : 'sv'}`;
        if (p[1] === 'fields' && p[2] !== undefined)
          return `field-${String(p[2])}${p[3] === 'help' ? '-help' : ''}-${p[4] === 'en' ? 'en' : 'sv'}`;
        return 'field-0-sv';
      },
    },
    retention: {
      inputs: (_lang, c) =>
        RETENTION_PARTS.flatMap(({ rule, unit }): Input[] => {
          const current = c.retention[rule] as ({ decision: string } & Partial<Record<typeof unit, number>>) | undefined;
          return [
            {
              id: `${rule}-${unit}`,
              label: s(`r.${rule}.period`),
              hint: s(`r.${rule}.periodHint`),
              value: current ? String(current[unit] ?? '') : '',
              kind: 'number',
              group: s(`r.${rule}.group`),
              optional: true,
            },
            {
              id: `${rule}-decision`,
              label: s('r.decision'),
              hint: s('r.decisionHint'),
              value: current?.decision ?? '',
              kind: 'text',
              optional: true,
            },
            ...(rule === 'closedCases'
              ? [
                  {
                    id: 'closedCases-afterDelivery',
                    label: s('r.closedCases.afterDelivery'),
                    value: c.retention.closedCases?.afterDelivery === false ? '' : 'yes',
                    kind: 'checkbox' as const,
                    optional: true,
                  },
                ]
              : []),
          ];
        }),
      apply: (c, get) => {
        const retention: Record<string, unknown> = {};
        for (const { rule, unit } of RETENTION_PARTS) {
          const period = get(`${rule}-${unit}`).trim();
          const decision = get(`${rule}-decision`).trim();
          if (!period && !decision) continue;
          retention[rule] = {
            [unit]: wholeNumber(period),
            decision,
            ...(rule === 'closedCases' ? { afterDelivery: get('closedCases-afterDelivery') === 'yes' } : {}),
          };
        }
        return { ...c, retention: retention as ProgrammeConfig['retention'] };
      },
      fieldOf: (p) => {
        const part = RETENTION_PARTS.find((x) => x.rule === p[1]) ?? RETENTION_PARTS[0];
        return p[2] === 'decision' ? `${part.rule}-decision` : `${part.rule}-${part.unit}`;
      },
    },
    archive: {
      inputs: (_lang, c) => [
        {
          id: 'archive-name',
          label: s('r.archive.name'),
          hint: s('r.archive.nameHint'),
          value: c.archive?.recordsCreator.name ?? '',
          kind: 'text',
          group: s('r.archive.group'),
          optional: true,
        },
        {
          id: 'archive-organisationNumber',
          label: s('r.archive.organisationNumber'),
          hint: s('r.archive.organisationNumberHint'),
          value: c.archive?.recordsCreator.organisationNumber ?? '',
          kind: 'text',
          optional: true,
        },
        {
          id: 'archive-classificationCode',
          label: s('r.archive.classificationCode'),
          hint: s('r.archive.classificationCodeHint'),
          value: c.archive?.classificationCode ?? '',
          kind: 'text',
          optional: true,
        },
        {
          id: 'archive-keepUntilDelivered',
          label: s('r.archive.keepUntilDelivered'),
          value: c.archive?.keepUntilDelivered === false ? '' : 'yes',
          kind: 'checkbox',
          optional: true,
        },
      ],
      apply: (c, get) => {
        const name = get('archive-name').trim();
        const organisationNumber = get('archive-organisationNumber').trim();
        const classificationCode = get('archive-classificationCode').trim();
        const { archive: _before, ...rest } = c;
        if (!name && !organisationNumber && !classificationCode) return rest as ProgrammeConfig;
        return {
          ...rest,
          archive: {
            recordsCreator: { name, ...(organisationNumber ? { organisationNumber } : {}) },
            classificationCode,
            keepUntilDelivered: get('archive-keepUntilDelivered') === 'yes',
          },
        };
      },
      fieldOf: (p) =>
        p[1] === 'recordsCreator'
          ? p[2] === 'organisationNumber'
            ? 'archive-organisationNumber'
            : 'archive-name'
          : 'archive-classificationCode',
    },
    bodies: {
      inputs: (lang, c) => [
        ...BODIES.flatMap((b): Input[] => [
          {
            id: `bodies-${b}-sv-name`,
            label: s('f.bodyName', { language: s('swedish') }),
            value: c.bodies[b].sv.name,
            kind: 'text',
            group: s(`f.bodies.${b}`),
            hint: s(`f.bodies.${b}Hint`),
          },
          {
            id: `bodies-${b}-sv-genitive`,
            label: s('f.bodyGenitive', { language: s('swedish') }),
            value: c.bodies[b].sv.genitive,
            kind: 'text',
          },
          { id: `bodies-${b}-en-name`, label: s('f.bodyName', { language: s('english') }), value: c.bodies[b].en.name, kind: 'text' },
          {
            id: `bodies-${b}-en-genitive`,
            label: s('f.bodyGenitive', { language: s('english') }),
            value: c.bodies[b].en.genitive,
            kind: 'text',
          },
        ]),
        ...c.roles.flatMap((r, i): Input[] =>
          pair(`role-${r}`, t(lang, `roles.${r}`), bi(c.roleLabels[r]), {
            group: i === 0 ? s('f.roleLabels') : undefined,
            hint: i === 0 ? s('f.roleLabelsHint') : undefined,
            optional: true,
          }),
        ),
      ],
      apply: (c, get) => ({
        ...c,
        bodies: Object.fromEntries(
          BODIES.map((b) => [
            b,
            {
              sv: { name: get(`bodies-${b}-sv-name`).trim(), genitive: get(`bodies-${b}-sv-genitive`).trim() },
              en: { name: get(`bodies-${b}-en-name`).trim(), genitive: get(`bodies-${b}-en-genitive`).trim() },
            },
          ]),
        ) as ProgrammeConfig['bodies'],
        roleLabels: Object.fromEntries(
          c.roles.flatMap((r) => {
            const label = read(get, `role-${r}`);
            return label.sv || label.en ? [[r, label]] : [];
          }),
        ) as ProgrammeConfig['roleLabels'],
      }),
      fieldOf: (p) =>
        p[0] === 'roleLabels'
          ? `role-${String(p[1])}-${p[2] === 'en' ? 'en' : 'sv'}`
          : `bodies-${String(p[1])}-${String(p[2])}-${String(p[3] ?? 'name')}`,
    },
  };
}

/** One input as HTML, with its hint and error next to it. */
function inputHtml(lang: Language, input: Input, error: string | undefined): SafeHtml {
  if (input.kind === 'hidden') return html`<input type="hidden" name="${input.id}" value="${input.value}">`;
  const described = [input.hint ? `${input.id}-hint` : '', error ? `${input.id}-error` : ''].filter(Boolean).join(' ');
  const attrs = html`id="${input.id}" name="${input.id}"${described ? html` aria-describedby="${described}"` : ''}${error ? raw(' aria-invalid="true"') : ''}${input.optional ? '' : raw(' required aria-required="true"')}`;
  const hint = input.hint ? html`<p class="help" id="${input.id}-hint">${input.hint}</p>` : '';
  const err = error
    ? html`<p class="field-error" id="${input.id}-error"><span class="visually-hidden">${t(lang, 'web.errorPrefix')}</span>${error}</p>`
    : '';
  if (input.kind === 'checkbox') {
    return html`<div class="choice"><input type="checkbox" ${attrs} value="yes"${input.value === 'yes' ? raw(' checked') : ''}><label for="${input.id}">${input.label}</label></div>`;
  }
  const control =
    input.kind === 'textarea'
      ? html`<textarea ${attrs} rows="4">${input.value}</textarea>`
      : input.kind === 'select'
        ? html`<select ${attrs}>${(input.options ?? []).map((o) => html`<option value="${o.value}"${o.value === input.value ? raw(' selected') : ''}>${o.label}</option>`)}</select>`
        : html`<input type="${input.kind}" ${attrs} value="${input.value}"${input.kind === 'number' ? raw(' class="short" inputmode="numeric"') : ''}>`;
  return html`<div class="field${error ? ' has-error' : ''}"><label for="${input.id}">${input.label}</label>${hint}${err}${control}</div>`;
}

/** Inputs in their groups: each group a fieldset with its legend. */
function inputsHtml(lang: Language, inputs: Input[], errors: Map<string, string>): SafeHtml {
  const groups: { legend?: string; items: Input[] }[] = [];
  for (const input of inputs) {
    if (input.group || groups.length === 0) groups.push({ legend: input.group, items: [] });
    groups.at(-1)!.items.push(input);
  }
  return html`${groups.map((g) =>
    g.legend
      ? html`<fieldset><legend>${g.legend}</legend>${g.items.map((i) => inputHtml(lang, i, errors.get(i.id)))}</fieldset>`
      : html`${g.items.map((i) => inputHtml(lang, i, errors.get(i.id)))}`,
  )}`;
}

export const programmePages: FastifyPluginAsync<ProgrammePageDeps> = async (pages, { programmeAdmin }) => {
  const csrfInput = (request: FastifyRequest) => html`<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">`;
  const text = (lang: Language) => (key: string, params?: Record<string, string | number>) =>
    t(lang, OWN_WORDS.test(key) ? `retention.settings.${key.replace(/^r\./, '')}` : `programmeAdmin.${key}`, params);

  /** Runs a handler for an administrator of the programme the pages work in; anyone else gets the 403 page. */
  const administrator = (handler: (request: FastifyRequest, reply: FastifyReply, actor: Actor, programmeId: string) => unknown) =>
    loggedIn((request, reply, actor) => {
      const programme = request.pageProgramme;
      if (!programme || !programme.roles.includes('administrator')) return errorPage(request, reply, 403);
      return handler(request, reply, actor, programme.id);
    });

  const sectionOf = (request: FastifyRequest): Section => {
    const section = (request.params as { section?: unknown }).section;
    if (!SECTIONS.includes(section as Section)) throw new DomainError('not-found', 'no such page');
    return section as Section;
  };

  /** What a setting part says, in the words of the overview. */
  function summary(lang: Language, c: ProgrammeConfig, section: Section): SafeHtml {
    const s = text(lang);
    const list = (items: string[]) =>
      items.length ? html`<ul class="plain">${items.map((i) => html`<li>${i}</li>`)}</ul>` : html`${s('none')}`;
    switch (section) {
      case 'names':
        return html`<dl><dt>${s('f.name')}</dt><dd>${c.name[lang]}</dd><dt>${s('f.organisation')}</dt><dd>${c.organisation[lang]}</dd><dt>${s('f.mailbox')}</dt><dd>${c.mailbox}</dd><dt>${s('f.taxonomy')}</dt><dd>${c.taxonomy[lang]}</dd></dl>`;
      case 'deadlines':
        return html`<dl>${DEADLINES.map((k) => html`<dt>${s(`f.${k}`)}</dt><dd>${s(c.deadlines[k] === 1 ? 'day' : 'days', { count: c.deadlines[k] })}</dd>`)}</dl>`;
      case 'registration':
        return html`<dl><dt>${s('f.registrationDomains')}</dt><dd>${list(c.registrationDomains)}</dd><dt>${s('f.municipalities')}</dt><dd>${list(c.municipalities)}</dd></dl>`;
      case 'areas':
        return list(
          c.priorityAreas.map((a) =>
            a.subAreas?.length ? `${a.label[lang]} (${a.subAreas.map((x) => x.label[lang]).join('; ')})` : a.label[lang],
          ),
        );
      case 'criteria':
        return list(c.criteria.map((k) => k.label[lang]));
      case 'template': {
        const template = templateOf(c);
        return html`<p>${template.title[lang]}</p>${list(template.fields.map((f) => `${f.label[lang]}${f.required ? '' : ` (${s('optional')})`}`))}`;
      }
      case 'bodies':
        return html`<dl>${BODIES.map((b) => html`<dt>${s(`f.bodies.${b}`)}</dt><dd>${c.bodies[b][lang].name}</dd>`)}</dl>`;
      case 'retention':
        return html`<dl>${RETENTION_PARTS.map(({ rule, unit }) => {
          const r = c.retention[rule] as ({ decision: string } & Partial<Record<string, number>>) | undefined;
          return html`<dt>${s(`r.${rule}.group`)}</dt><dd>${
            r
              ? html`${s(`r.${rule}.${r[unit] === 1 ? 'summaryOne' : 'summary'}`, { count: r[unit] ?? 0 })}${rule === 'closedCases' && c.retention.closedCases?.afterDelivery ? html` ${s('r.closedCases.summaryAfterDelivery')}` : ''} ${s('r.decisionSummary', { decision: r.decision })}`
              : s('r.noRule')
          }</dd>`;
        })}</dl>`;
      case 'archive':
        return c.archive
          ? html`<dl><dt>${s('r.archive.name')}</dt><dd>${c.archive.recordsCreator.name}</dd><dt>${s('r.archive.organisationNumber')}</dt><dd>${c.archive.recordsCreator.organisationNumber ?? '–'}</dd><dt>${s('r.archive.classificationCode')}</dt><dd>${c.archive.classificationCode}</dd><dt>${s('r.archive.keepUntilDelivered')}</dt><dd>${s(c.archive.keepUntilDelivered ? 'r.yes' : 'r.no')}</dd></dl>`
          : html`<p>${s('r.archive.none')}</p>`;
    }
  }

  /** The overview of a version's settings: every part, with a link to change it where it is in force. */
  function overview(lang: Language, view: VersionView, editable: boolean): SafeHtml {
    const s = text(lang);
    return html`${SECTIONS.map(
      (section) => html`<section class="settings-part" aria-labelledby="part-${section}">
<h2 id="part-${section}">${s(`sections.${section}`)}</h2>
${summary(lang, view.settings, section)}
${editable ? html`<p><a href="/programme/settings/${section}">${s('change')}<span class="visually-hidden"> ${s(`sections.${section}`).toLowerCase()}</span></a></p>` : ''}
</section>`,
    )}`;
  }

  const versionLine = (
    lang: Language,
    view: { version: number; createdAt: string; createdBy: { displayName: string | null } | null; source: string },
  ) =>
    text(lang)(view.createdBy ? 'versionBy' : 'versionFromFile', {
      version: view.version,
      date: dateTime(lang, view.createdAt),
      name: view.createdBy?.displayName ?? '',
    });

  pages.get(
    '/programme/settings',
    { schema: { hide: true } },
    administrator((request, reply, actor, programmeId) => {
      const lang = requestLanguage(request);
      const s = text(lang);
      const view = programmeAdmin.settings(actor, programmeId);
      const done = firstText((request.query as Record<string, unknown>).done);
      const title = s('title', { programme: view.settings.name[lang] });
      const body = html`${notice(done === 'saved' ? s('saved', { version: view.version }) : done === 'unchanged' ? s('unchanged') : undefined)}<h1>${title}</h1>
<p>${s('intro')}</p>
<p class="meta">${versionLine(lang, view)} · <a href="/programme/settings/versions">${s('versionsLink')}</a></p>
<ul class="links"><li><a href="/money">${s('moneyLink')}</a></li><li><a href="/programme/retention">${t(lang, 'retention.page.settingsLink')}</a></li><li><a href="/programmes/${programmeId}/reports">${s('reportsLink')}</a></li><li><a href="/people">${s('peopleLink')}</a></li><li><a href="/programme/import">${t(lang, 'imports.page.settingsLink')}</a></li><li><a href="/programme/archive">${t(lang, 'archive.page.settingsLink')}</a></li><li><a href="/programme/process">${t(lang, 'processMigration.page.settingsLink')}</a></li></ul>
${overview(lang, view, true)}`;
      return sendPage(request, reply, { title, body });
    }),
  );

  pages.get(
    '/programme/settings/versions',
    { schema: { hide: true } },
    administrator((request, reply, actor, programmeId) => {
      const lang = requestLanguage(request);
      const s = text(lang);
      const versions = programmeAdmin.versions(actor, programmeId).reverse();
      const title = s('versionsTitle');
      const body = html`${backLink('/programme/settings', s('backToSettings'))}<h1>${title}</h1>
<p>${s('versionsIntro')}</p>
<table><thead><tr><th scope="col">${s('version')}</th><th scope="col">${s('when')}</th><th scope="col">${s('who')}</th><th scope="col">${s('what')}</th><th scope="col">${s('why')}</th></tr></thead>
<tbody>${versions.map(
        (
          v,
        ) => html`<tr><td data-label="${s('version')}"><a href="/programme/settings/versions/${v.version}">${s('versionN', { version: v.version })}</a></td>
<td data-label="${s('when')}">${dateTime(lang, v.createdAt)}</td>
<td data-label="${s('who')}">${v.createdBy ? (v.createdBy.displayName ?? '–') : s('fromFile')}</td>
<td data-label="${s('what')}">${v.version === 1 ? s('firstVersion') : v.changed.map((k) => s(`settingNames.${k}`)).join(', ') || '–'}</td>
<td data-label="${s('why')}">${v.note ?? '–'}</td></tr>`,
      )}</tbody></table>`;
      return sendPage(request, reply, { title, body });
    }),
  );

  pages.get(
    '/programme/settings/versions/:version',
    { schema: { hide: true } },
    administrator((request, reply, actor, programmeId) => {
      const lang = requestLanguage(request);
      const s = text(lang);
      const raw = firstText((request.params as Record<string, unknown>).version);
      if (!/^\d{1,6}$/.test(raw)) return errorPage(request, reply, 404);
      const view = programmeAdmin.settings(actor, programmeId, Number(raw));
      const title = s('versionTitle', { version: view.version });
      const body = html`${backLink('/programme/settings/versions', s('versionsTitle'))}<h1>${title}</h1>
<p class="meta">${versionLine(lang, view)}${view.inForce ? html` · ${s('inForce')}` : ''}</p>
${view.note ? html`<p>${s('why')}: ${view.note}</p>` : ''}
${overview(lang, view, false)}`;
      return sendPage(request, reply, { title, body });
    }),
  );

  /** The form of one part: its inputs with what was posted (or what is in force), its errors at the top. */
  function sectionForm(
    request: FastifyRequest,
    reply: FastifyReply,
    section: Section,
    view: VersionView,
    values: Map<string, string> | undefined,
    problems: Problem[] = [],
    general: string[] = [],
    status = 200,
  ) {
    const lang = requestLanguage(request);
    const s = text(lang);
    const def = sectionDefs(s)[section];
    const inputs = def
      .inputs(lang, view.settings)
      .map((i) => (values ? { ...i, value: values.get(i.id) ?? (i.kind === 'checkbox' ? '' : i.value) } : i));
    const errors = new Map(problems.map((p) => [p.field, p.message]));
    const title = s(`sections.${section}`);
    const body = html`${backLink('/programme/settings', s('backToSettings'))}<h1>${title}</h1>
<p>${s(`help.${section}`)}</p>
<form method="post" action="/programme/settings/${section}" novalidate>
${csrfInput(request)}
<input type="hidden" name="_version" value="${String(view.version)}">
${errorSummary(lang, `${section}-errors`, problems, general)}
${inputsHtml(lang, inputs, errors)}
<div class="button-group"><button type="submit">${s('continue')}</button><a href="/programme/settings">${s('cancel')}</a></div>
</form>`;
    return sendPage(request, reply, { title, body, status, path: `/programme/settings/${section}` });
  }

  pages.get(
    '/programme/settings/:section',
    { schema: { hide: true } },
    administrator((request, reply, actor, programmeId) => {
      const section = sectionOf(request);
      return sectionForm(request, reply, section, programmeAdmin.settings(actor, programmeId), undefined);
    }),
  );

  /** Reads a posted part: the whole configuration it makes, or the problems per field. */
  function readSection(lang: Language, section: Section, current: ProgrammeConfig, body: Record<string, unknown>) {
    const s = text(lang);
    const def = sectionDefs(s)[section];
    const get: Get = (id) => firstText(body[id]).slice(0, 10_000);
    const inputs = def.inputs(lang, current);
    const values = new Map(Object.keys(body).map((k) => [k, get(k)]));
    const next = def.apply(current, get);
    const { id: _id, diaryPrefix: _prefix, ...settings } = next;
    const parsed = programmeSettingsSchema.safeParse(settings);
    const labels = new Map(inputs.map((i) => [i.id, i.label]));
    const problems: Problem[] = [];
    const seen = new Set<string>();
    const add = (field: string, message: string) => {
      if (seen.has(field)) return;
      seen.add(field);
      problems.push({ field, label: labels.get(field) ?? s(`sections.${section}`), message });
    };
    if (!parsed.success) {
      for (const issue of parsed.error.issues as z.core.$ZodIssue[]) {
        const field = def.fieldOf(issue.path);
        const domain = field === 'registrationDomains' && issue.code === 'invalid_format';
        add(
          labels.has(field) ? field : (inputs.find((i) => i.kind !== 'hidden')?.id ?? field),
          domain ? s('domainInvalid') : issueMessage(lang, issue, settings),
        );
      }
    }
    return { next, values, problems };
  }

  /** What the change changes, part by part, as the overview would show it before and after. */
  const changedText = (lang: Language, before: ProgrammeConfig, after: ProgrammeConfig, section: Section) => {
    const s = text(lang);
    const def = sectionDefs(s)[section];
    const inputs = def.inputs(lang, before).filter((i) => i.kind !== 'hidden');
    const afterValues = new Map(def.inputs(lang, after).map((i) => [i.id, i.value]));
    const rows = inputs.filter((i) => afterValues.get(i.id) !== i.value);
    // Rows added or removed (areas, criteria, questions) show in the lists before and after.
    return { rows, afterValues };
  };

  pages.post(
    '/programme/settings/:section',
    { schema: { hide: true } },
    administrator((request, reply, actor, programmeId) => {
      const lang = requestLanguage(request);
      const s = text(lang);
      const section = sectionOf(request);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const view = programmeAdmin.settings(actor, programmeId);
      const seenVersion = Number(firstText(body._version));
      const { next, values, problems } = readSection(lang, section, view.settings, body);
      if (problems.length) return sectionForm(request, reply, section, view, values, problems, [], 422);
      if (seenVersion !== view.version) {
        return sectionForm(request, reply, section, view, undefined, [], [s('changedMeanwhile')], 409);
      }
      const confirmed = firstText(body.confirm) === 'yes';
      if (!confirmed) {
        const { rows, afterValues } = changedText(lang, view.settings, next, section);
        const title = s('checkTitle');
        const hidden = [...values].filter(([k]) => k !== '_csrf' && k !== 'confirm' && k !== 'note');
        const page = html`${backLink(`/programme/settings/${section}`, s(`sections.${section}`))}<h1>${title}</h1>
<p>${s('checkIntro', { version: view.version + 1 })}</p>
<h2>${s('before')}</h2>${summary(lang, view.settings, section)}
<h2>${s('after')}</h2>${summary(lang, next, section)}
${rows.length ? html`<details><summary>${s('changedFields', { count: rows.length })}</summary><dl>${rows.map((r) => html`<dt>${r.label}</dt><dd>${r.value || '–'} → ${afterValues.get(r.id) || '–'}</dd>`)}</dl></details>` : ''}
<form method="post" action="/programme/settings/${section}" novalidate>
${csrfInput(request)}
<input type="hidden" name="confirm" value="yes">
${hidden.map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<div class="field"><label for="note">${s('note')}</label><p class="help" id="note-hint">${s('noteHint')}</p><textarea id="note" name="note" rows="3" aria-describedby="note-hint" maxlength="2000"></textarea></div>
<div class="button-group"><button type="submit">${s('saveVersion', { version: view.version + 1 })}</button><a href="/programme/settings/${section}">${s('backToChange')}</a></div>
</form>`;
        return sendPage(request, reply, { title, body: page, path: `/programme/settings/${section}` });
      }
      const note = firstText(body.note).trim().slice(0, 2000);
      const { id: _id, diaryPrefix: _prefix, ...settings } = next;
      const change = programmeAdmin.change(actor, programmeId, seenVersion, { ...settings, ...(note ? { note } : {}) });
      return reply.redirect(`/programme/settings?done=${change.changed ? 'saved' : 'unchanged'}`, 303);
    }),
  );
};
