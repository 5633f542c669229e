import fs from 'node:fs';
import path from 'node:path';
import Mustache from 'mustache';
import { bodyTerms, type Language } from '../i18n/index.js';
import { templatesDir } from '../programmes/config.js';

/*
 * E-mail rendering from templates/mail/<kind>/<lang>.{subject,text,html}.mustache inside
 * templates/mail/layout/<lang>.{text,html}.mustache. A template that is missing, or that
 * uses a variable the message does not carry, is a RenderError: the relay parks the
 * message as failed with that reason instead of sending something broken.
 */

export const LAYOUT_VARIABLES = ['subject', 'body', 'programmeName', 'coordinators', 'settingsUrl', 'optional'] as const;
export const PARTS = ['subject', 'text', 'html'] as const;

export class RenderError extends Error {}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** The five characters HTML needs escaped (Mustache's default also mangles / and = in links). */
export const escapeHtml = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Every variable and section name a Mustache template uses. */
export function variablesUsed(template: string): Set<string> {
  const names = new Set<string>();
  const walk = (tokens: unknown[]) => {
    for (const token of tokens as [string, string, number, number, unknown[]?][]) {
      const [type, value, , , children] = token;
      if (type === 'name' || type === '&' || type === '#' || type === '^') names.add(value.split('.')[0]!);
      if (children) walk(children);
    }
  };
  walk(Mustache.parse(template) as unknown[]);
  return names;
}

/** What mail needs to know of a kind of message (the notification rules say it). */
export interface MessageKind {
  /** Requires the recipient to act: the layout says it cannot be turned off. */
  mandatory: boolean;
  /** Carries an iCalendar invitation in its `calendar` variable. */
  calendar?: boolean;
  /** Every variable its templates may use. */
  variables: readonly string[];
}
export type MessageKinds = (kind: string) => MessageKind | undefined;

export function createRenderer(kinds: MessageKinds, dir?: string) {
  const root = dir || path.join(templatesDir, 'mail');
  const cache = new Map<string, string>();

  function load(relative: string): string {
    let template = cache.get(relative);
    if (template === undefined) {
      const file = path.join(root, relative);
      if (!fs.existsSync(file)) throw new RenderError(`no template templates/mail/${relative}`);
      template = fs.readFileSync(file, 'utf8');
      cache.set(relative, template);
    }
    return template;
  }

  function fill(relative: string, data: Record<string, unknown>, allowed: readonly string[], escape: boolean): string {
    const template = load(relative);
    for (const name of variablesUsed(template)) {
      if (!allowed.includes(name)) throw new RenderError(`templates/mail/${relative} uses unknown variable ${name}`);
      if (!(name in data)) throw new RenderError(`variable ${name} of templates/mail/${relative} is missing`);
    }
    return Mustache.render(template, data, {}, { escape: escape ? escapeHtml : String });
  }

  return {
    render(kind: string, language: Language, data: Record<string, unknown>): RenderedMail {
      const rule = kinds(kind);
      if (!rule) throw new RenderError(`no notification kind ${kind}`);
      const allowed = rule.variables;
      const subject = fill(`${kind}/${language}.subject.mustache`, data, allowed, false).replace(/\s+/g, ' ').trim();
      const layoutData = {
        subject,
        programmeName: data.programmeName,
        // Who to write to instead: the programme's own name for them (account mail has none).
        coordinators: data.coordinators ?? bodyTerms(language).coordinators,
        settingsUrl: data.settingsUrl,
        optional: !rule.mandatory,
      };
      const text = fill(
        `layout/${language}.text.mustache`,
        {
          ...layoutData,
          body: fill(`${kind}/${language}.text.mustache`, data, allowed, false).trim(),
        },
        LAYOUT_VARIABLES,
        false,
      );
      const html = fill(
        `layout/${language}.html.mustache`,
        {
          ...layoutData,
          body: fill(`${kind}/${language}.html.mustache`, data, allowed, true).trim(),
        },
        LAYOUT_VARIABLES,
        true,
      );
      return { subject, text, html };
    },
  };
}

export type Renderer = ReturnType<typeof createRenderer>;
