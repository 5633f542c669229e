import { AsyncLocalStorage } from 'node:async_hooks';
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

/** The bodies that act in a programme's process, named in the programme's own words. */
export const BODY_KEYS = ['coordinators', 'coordinationGroup', 'recommender', 'decider', 'steeringGroup'] as const;
export type BodyKey = (typeof BODY_KEYS)[number];
export interface BodyName {
  name: string;
  genitive: string;
}
export type BodyNames = Record<BodyKey, Record<Language, BodyName>>;

/** The names used where no programme says otherwise: Region Blekinge's, the first programme's. */
export const DEFAULT_BODY_NAMES: BodyNames = Object.fromEntries(
  BODY_KEYS.map((k) => [
    k,
    Object.fromEntries(LANGUAGES.map((lang) => [lang, (messages[lang].bodyNames as unknown as Record<BodyKey, BodyName>)[k]])),
  ]),
) as BodyNames;

/** What a programme calls its bodies and roles, for the texts written while working in it. */
export interface ProgrammeWords {
  bodies: BodyNames;
  roleLabels: Partial<Record<string, Partial<Record<Language, string>>>>;
}

const wordsInUse = new AsyncLocalStorage<ProgrammeWords>();

/**
 * Runs `work` with the programme's names for its bodies and roles: every text translated
 * meanwhile (a page, an e-mail, a case's labels) uses them instead of the defaults.
 */
export function inProgrammeWords<T>(words: ProgrammeWords | undefined, work: () => T): T {
  return words ? wordsInUse.run(words, work) : work();
}

/** Runs `work` with the default names of the bodies, whatever programme is worked in (a layout shared by all). */
export function inDefaultWords<T>(work: () => T): T {
  return wordsInUse.exit(work);
}

const capitalise = (s: string) => s.charAt(0).toLocaleUpperCase('sv') + s.slice(1);

const termsCache = new WeakMap<BodyNames, Record<Language, Record<string, string>>>();

/**
 * The placeholders that name bodies: {decider}, {deciderGen} (its genitive) and, to begin a
 * sentence, {Decider} and {DeciderGen}; the same for every body.
 */
export function bodyTerms(lang: Language, bodies: BodyNames = DEFAULT_BODY_NAMES): Record<string, string> {
  let cached = termsCache.get(bodies);
  if (!cached) {
    const of = (l: Language) =>
      Object.fromEntries(
        BODY_KEYS.flatMap((k) => {
          const { name, genitive } = bodies[k][l];
          const Upper = capitalise(k);
          return [
            [k, name],
            [`${k}Gen`, genitive],
            [Upper, capitalise(name)],
            [`${Upper}Gen`, capitalise(genitive)],
          ];
        }),
      );
    cached = { sv: of('sv'), en: of('en') };
    termsCache.set(bodies, cached);
  }
  return cached[lang];
}

/**
 * Translates `key` (dotted) into `lang`, filling `{name}` placeholders, and the bodies'
 * placeholders with the names of the programme worked in (see inProgrammeWords). A missing
 * key falls back to Swedish and then to the key itself, so a gap shows instead of breaking a
 * page; test/i18n.test.ts makes sure there are no gaps.
 */
export function t(lang: Language, key: string, params?: Record<string, string | number>): string {
  const words = wordsInUse.getStore();
  if (words && key.startsWith('roles.')) {
    const own = words.roleLabels[key.slice('roles.'.length)]?.[lang];
    if (own) return own;
  }
  const text = resolved[lang](key);
  if (!text.includes('{')) return text;
  const terms = bodyTerms(lang, words?.bodies);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params?.[name] ?? terms[name];
    return value === undefined ? whole : String(value);
  });
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
