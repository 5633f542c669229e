import enJson from './en.json' with { type: 'json' };
import svJson from './sv.json' with { type: 'json' };
import { memoise } from '../memo.js';

const sv = svJson as Messages;
const en = enJson as Messages;

export const LANGUAGES = ['sv', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'sv';

type Messages = { [key: string]: string | Messages };
export const messages: Record<Language, Messages> = { sv, en };

function lookup(tree: Messages, key: string): string | undefined {
  let node: string | Messages | undefined = tree;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/**
 * Translates `key` (dotted) into `lang`, filling `{name}` placeholders. A missing key falls
 * back to Swedish and then to the key itself, so a gap shows instead of breaking a page;
 * test/i18n.test.ts makes sure there are no gaps.
 */
export function t(lang: Language, key: string, params?: Record<string, string | number>): string {
  const text = resolved[lang](key);
  if (!params || !text.includes('{')) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] === undefined ? whole : String(params[name])));
}

/** Keys already looked up, per language: pages and case views ask for the same ones all the time. */
const resolve = (lang: Language) => memoise(5000, (key) => lookup(messages[lang], key) ?? lookup(messages[DEFAULT_LANGUAGE], key) ?? key);
const resolved: Record<Language, (key: string) => string> = { sv: resolve('sv'), en: resolve('en') };

export function has(lang: Language, key: string): boolean {
  return lookup(messages[lang], key) !== undefined;
}

/** Flattened keys of a language, for completeness tests. */
export function keysOf(lang: Language): string[] {
  const out: string[] = [];
  const walk = (tree: Messages, prefix: string) => {
    for (const [k, v] of Object.entries(tree)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (typeof v === 'string') out.push(key);
      else walk(v, key);
    }
  };
  walk(messages[lang], '');
  return out;
}

/** Picks sv or en from an Accept-Language header; Swedish unless English is preferred. */
export function languageFrom(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return DEFAULT_LANGUAGE;
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = rest.find((r) => r.trim().startsWith('q='));
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('sv')) return 'sv';
    if (tag.startsWith('en')) return 'en';
  }
  return DEFAULT_LANGUAGE;
}
