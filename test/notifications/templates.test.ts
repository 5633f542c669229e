import { BODY_KEYS } from '../../src/i18n/index.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { LANGUAGES } from '../../src/i18n/index.js';
import { createRenderer, escapeHtml, LAYOUT_VARIABLES, PARTS, RenderError, variablesUsed } from '../../src/mail/render.js';
import { ACCOUNT_MESSAGE_KINDS, ACCOUNT_MESSAGES } from '../../src/notifications/account-messages.js';
import { PLAN_MESSAGE_KINDS, PLAN_MESSAGES } from '../../src/notifications/plan-messages.js';
import { messageKind, NOTIFICATION_KINDS, NOTIFICATION_RULES, variablesOf } from '../../src/notifications/rules.js';
import type { Actor } from '../../src/people/service.js';
import { templatesDir } from '../../src/programmes/config.js';
import { advance, auth, createCase, createTestApp, json, PROGRAMME, sendEvent, type TestApp } from '../helpers.js';

/*
 * The mail templates: every kind has a subject, a text and an HTML part in Swedish and in
 * English, uses only the variables its rule carries, and says the same things in both
 * languages; a missing template or variable is a RenderError that parks the message as
 * failed instead of failing the change that caused it.
 */

const MAIL_DIR = path.join(templatesDir, 'mail');
const read = (relative: string) => fs.readFileSync(path.join(MAIL_DIR, relative), 'utf8');
const partFile = (kind: string, lang: string, part: string) => `${kind}/${lang}.${part}.mustache`;

const DIARY = 'UPH-2026-0042';
// `/` and `=` are what Mustache's default escaping would turn into entities.
const CASE_URL = 'https://satsa.example.se/cases/6f1c2a9e-8d3b-4c1a-9e2f-0a1b2c3d4e5f?tab=log';
const SETTINGS_URL = 'https://satsa.example.se/settings';
const NASTY = '<script>alert(1)</script> & "x"';
const NASTY_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;';
const URLS_AND_NUMBERS = new Set(['diaryNumber', 'caseUrl', 'settingsUrl', 'stepNumber', 'stepCount']);
const BOOLEANS = new Set(['approved', 'scaleUp']);

/** A value for every variable a kind carries: readable strings, and the flags as booleans. */
function sampleData(kind: string, options: { flag?: boolean; text?: (name: string) => string } = {}): Record<string, unknown> {
  const { flag = true, text = (name: string) => `Sample ${name}` } = options;
  const data: Record<string, unknown> = {};
  for (const name of variablesOf(kind)) data[name] = BOOLEANS.has(name) ? flag : text(name);
  return { ...data, diaryNumber: DIARY, caseUrl: CASE_URL, settingsUrl: SETTINGS_URL, stepNumber: '4', stepCount: '12' };
}

const tempDirs: string[] = [];
/** A copy of templates/mail the test may break. */
function copyOfTemplates(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-mail-templates-'));
  tempDirs.push(dir);
  fs.cpSync(MAIL_DIR, dir, { recursive: true });
  return dir;
}

afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function renderError(fn: () => unknown): RenderError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RenderError);
    return error as RenderError;
  }
  throw new Error('expected a RenderError, but rendering succeeded');
}

describe('every notification kind has complete templates in Swedish and English', () => {
  it('templates/mail holds exactly one folder per notification kind, plus the layout', () => {
    const folders = fs
      .readdirSync(MAIL_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(folders).toEqual([...NOTIFICATION_KINDS, ...ACCOUNT_MESSAGE_KINDS, ...PLAN_MESSAGE_KINDS, 'layout'].sort());
    expect(new Set(NOTIFICATION_KINDS).size).toBe(NOTIFICATION_KINDS.length);
  });

  // E-mail about an account (not a case): the same checks, against the account catalogue.
  describe.each(ACCOUNT_MESSAGE_KINDS)('%s', (kind) => {
    const allowed = messageKind(kind)!.variables;
    it.each(LANGUAGES)('has a %s subject, text and html that use only its variables, and every one of its own', (lang) => {
      const used = new Set<string>();
      for (const part of PARTS) {
        const file = partFile(kind, lang, part);
        expect(fs.existsSync(path.join(MAIL_DIR, file)), `templates/mail/${file} exists`).toBe(true);
        const vars = [...variablesUsed(read(file))];
        vars.forEach((v) => used.add(v));
        expect(
          vars.filter((name) => !allowed.includes(name)),
          `variables of templates/mail/${file} that ${kind} does not carry`,
        ).toEqual([]);
      }
      // caseTitle is only there for an invitation to a case.
      expect(
        ACCOUNT_MESSAGES[kind].filter((name) => !used.has(name)),
        `declared variables of ${kind} that no ${lang} part uses`,
      ).toEqual([]);
    });
  });

  // E-mail about the programme's plan (not a case): the same checks, against the plan catalogue.
  describe.each(PLAN_MESSAGE_KINDS)('%s', (kind) => {
    const allowed = messageKind(kind)!.variables;
    it.each(LANGUAGES)('has a %s subject, text and html that use only its variables, every one of its own, and the plan link', (lang) => {
      const used = new Set<string>();
      for (const part of PARTS) {
        const file = partFile(kind, lang, part);
        expect(fs.existsSync(path.join(MAIL_DIR, file)), `templates/mail/${file} exists`).toBe(true);
        const vars = [...variablesUsed(read(file))];
        vars.forEach((v) => used.add(v));
        expect(
          vars.filter((name) => !allowed.includes(name)),
          `variables of templates/mail/${file} that ${kind} does not carry`,
        ).toEqual([]);
      }
      expect(
        [...PLAN_MESSAGES[kind].variables, 'planUrl'].filter((name) => !used.has(name)),
        `declared variables of ${kind} that no ${lang} part uses`,
      ).toEqual([]);
    });

    it.each(LANGUAGES)('renders in %s with the plan link, and escapes markup in the html only', (lang) => {
      const data = Object.fromEntries(allowed.map((name) => [name, name === 'planUrl' ? 'https://satsa.example.se/plan' : NASTY]));
      const mail = createRenderer(messageKind).render(kind, lang, data);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.text).toContain('https://satsa.example.se/plan');
      expect(mail.html).toContain('href="https://satsa.example.se/plan"');
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).toContain(NASTY_ESCAPED);
      expect(mail.text).toContain(NASTY);
      // Required of its recipients: the layout says it cannot be turned off.
      expect(mail.text.includes(SETTINGS_URL)).toBe(false);
    });
  });

  describe.each(NOTIFICATION_KINDS)('%s', (kind) => {
    it.each(LANGUAGES)('has a %s subject, text and html that use only variables the rule declares', (lang) => {
      const allowed = variablesOf(kind);
      for (const part of PARTS) {
        const file = partFile(kind, lang, part);
        expect(fs.existsSync(path.join(MAIL_DIR, file)), `templates/mail/${file} exists`).toBe(true);
        const unknown = [...variablesUsed(read(file))].filter((name) => !allowed.includes(name));
        expect(unknown, `variables of templates/mail/${file} that ${kind} does not carry`).toEqual([]);
      }
    });

    it('uses every variable its rule declares in both languages (sv and en say the same things)', () => {
      const rule = NOTIFICATION_RULES.find((r) => r.kind === kind)!;
      for (const lang of LANGUAGES) {
        const used = new Set(PARTS.flatMap((part) => [...variablesUsed(read(partFile(kind, lang, part)))]));
        const unused = (rule.variables as readonly string[]).filter((name) => !used.has(name));
        expect(unused, `declared variables of ${kind} that no ${lang} part uses`).toEqual([]);
      }
    });

    it('uses the same variables, common ones included, in Swedish as in English', () => {
      // A body's name may stand in another form in the other language (the subject, the
      // genitive, capitalised at the start of a sentence); which body is named must agree.
      const bodyOf = (name: string) => BODY_KEYS.find((k) => name.toLowerCase().startsWith(k.toLowerCase())) ?? name;
      const usedIn = (lang: string) =>
        [...new Set(PARTS.flatMap((part) => [...variablesUsed(read(partFile(kind, lang, part)))]).map(bodyOf))].sort();
      expect(usedIn('en')).toEqual(usedIn('sv'));
    });
  });

  it.each(LANGUAGES)('the %s layout exists in text and html, uses only layout variables and says its language', (lang) => {
    for (const part of ['text', 'html']) {
      const file = `layout/${lang}.${part}.mustache`;
      expect(fs.existsSync(path.join(MAIL_DIR, file)), `templates/mail/${file} exists`).toBe(true);
      const used = [...variablesUsed(read(file))];
      expect(used.filter((name) => !(LAYOUT_VARIABLES as readonly string[]).includes(name))).toEqual([]);
      // The body is placed in the layout, so a layout without it would drop every message.
      expect(used).toContain('body');
    }
    expect(read(`layout/${lang}.html.mustache`)).toMatch(new RegExp(`<html[^>]*\\slang="${lang}"`));
  });
});

describe('rendering every kind in both languages', () => {
  const renderer = createRenderer(messageKind);
  const cases = NOTIFICATION_KINDS.flatMap((kind) => LANGUAGES.flatMap((lang) => [true, false].map((flag) => ({ kind, lang, flag }))));

  it.each(cases)(
    '$kind in $lang (flags $flag): one-line subject after the diary number, plain text, html with the exact case URL',
    ({ kind, lang, flag }) => {
      const mail = renderer.render(kind, lang, sampleData(kind, { flag }));
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.subject.startsWith(`${DIARY}: `), mail.subject).toBe(true);
      expect(mail.subject.length).toBeGreaterThan(`${DIARY}: `.length);

      expect(mail.text).not.toMatch(/<\/?[a-z][^>]*>/i);
      expect(mail.text).toContain(CASE_URL);

      expect(mail.html).toContain(`href="${CASE_URL}"`);
      expect(mail.html).toMatch(new RegExp(`<html[^>]*\\slang="${lang}"`));
      // The subject becomes the page title, the body sits inside the layout.
      expect(mail.html).toContain(`<title>${escapeHtml(mail.subject)}</title>`);
      expect(mail.html).toMatch(/<main>[\s\S]*<p>[\s\S]*<\/main>/);

      for (const part of [mail.subject, mail.text, mail.html]) {
        expect(part).not.toContain('{{');
        expect(part).not.toContain('}}');
      }
      // Informational kinds point to the settings where they can be turned off; others do not.
      const optional = !NOTIFICATION_RULES.find((r) => r.kind === kind)!.mandatory;
      expect(mail.text.includes(SETTINGS_URL)).toBe(optional);
      expect(mail.html.includes(`href="${SETTINGS_URL}"`)).toBe(optional);
    },
  );

  it.each(NOTIFICATION_KINDS.flatMap((kind) => LANGUAGES.map((lang) => ({ kind, lang }))))(
    '$kind in $lang escapes markup in values in the html but not in the text',
    ({ kind, lang }) => {
      const data = sampleData(kind, { text: (name) => (URLS_AND_NUMBERS.has(name) ? `Sample ${name}` : NASTY) });
      const mail = renderer.render(kind, lang, data);
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).toContain(NASTY_ESCAPED);
      // Escaped once, in the body, and not again when the body is put in the layout.
      expect(mail.html).not.toContain('&amp;lt;');
      expect(mail.text).toContain(NASTY);
      expect(mail.text).not.toContain('&lt;');
      expect(mail.text).not.toContain('&amp;');
    },
  );
});

describe('a broken template set is a RenderError, never a broken message', () => {
  it('a missing language file, of a kind or of the layout, is a RenderError naming that file', () => {
    const dir = copyOfTemplates();
    const files = [
      ...PARTS.map((part) => ({ kind: 'not-eligible', lang: 'en' as const, file: partFile('not-eligible', 'en', part) })),
      { kind: 'not-eligible', lang: 'sv' as const, file: 'layout/sv.text.mustache' },
      { kind: 'not-eligible', lang: 'sv' as const, file: 'layout/sv.html.mustache' },
    ];
    for (const { kind, lang, file } of files) {
      const full = path.join(dir, file);
      fs.renameSync(full, `${full}.away`);
      try {
        const error = renderError(() => createRenderer(messageKind, dir).render(kind, lang, sampleData(kind)));
        expect(error.message).toContain(`templates/mail/${file}`);
      } finally {
        fs.renameSync(`${full}.away`, full);
      }
      // With the file back, the same copy renders: the failure was that file and nothing else.
      expect(createRenderer(messageKind, dir).render(kind, lang, sampleData(kind)).subject).toMatch(new RegExp(`^${DIARY}: `));
    }
  });

  it('a template that uses a variable its kind does not carry is a RenderError naming the variable', () => {
    const dir = copyOfTemplates();
    fs.appendFileSync(path.join(dir, 'placed-on-agenda/sv.text.mustache'), '\n{{notAVariable}}\n');
    const error = renderError(() => createRenderer(messageKind, dir).render('placed-on-agenda', 'sv', sampleData('placed-on-agenda')));
    expect(error.message).toContain('notAVariable');
    expect(error.message).toContain('placed-on-agenda/sv.text.mustache');
    // A variable of another kind is just as unknown here.
    fs.appendFileSync(path.join(dir, 'placed-on-agenda/en.html.mustache'), '\n<p>{{decision}}</p>\n');
    const other = renderError(() =>
      createRenderer(messageKind, dir).render('placed-on-agenda', 'en', { ...sampleData('placed-on-agenda'), decision: 'Beviljad' }),
    );
    expect(other.message).toContain('decision');
    // A message variable in the layout, which only gets the layout's own, is unknown too.
    fs.appendFileSync(path.join(dir, 'layout/en.text.mustache'), '\n{{caseUrl}}\n');
    const layout = renderError(() => createRenderer(messageKind, dir).render('proposal-ready', 'en', sampleData('proposal-ready')));
    expect(layout.message).toContain('caseUrl');
    expect(layout.message).toContain('layout/en.text.mustache');
  });

  it('data without a variable the template uses is a RenderError naming the variable', () => {
    const renderer = createRenderer(messageKind);
    const { meetingDate: _meetingDate, ...withoutMeetingDate } = sampleData('placed-on-agenda');
    const error = renderError(() => renderer.render('placed-on-agenda', 'sv', withoutMeetingDate));
    expect(error.message).toContain('meetingDate');
    const { caseUrl: _caseUrl, ...withoutUrl } = sampleData('step-changed');
    expect(renderError(() => renderer.render('step-changed', 'en', withoutUrl)).message).toContain('caseUrl');
    // An unknown kind has no templates at all.
    expect(renderError(() => renderer.render('no-such-kind', 'sv', sampleData('step-changed'))).message).toContain('no-such-kind');
  });
});

describe('a missing template in a running app', () => {
  let t: TestApp;
  let english: Actor;
  const MISSING = 'placed-on-agenda/sv.text.mustache';

  beforeAll(async () => {
    const dir = copyOfTemplates();
    fs.rmSync(path.join(dir, MISSING));
    t = await createTestApp({ env: { SATSA_MAIL_TEMPLATES_DIR: dir } });
    english = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'english-group@test.satsa.se',
      displayName: 'English group member',
      roles: ['coordination-group'],
      language: 'en',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('fails only that message, with the missing file as its reason, and never the transition', async () => {
    const id = await createCase(t, 'Mall saknas');
    advance(t, id, storyUntilStep(4));
    await t.services.relay.drain();
    const sqlite = t.services.db.$client;
    const versionBefore = (sqlite.prepare('SELECT version FROM cases WHERE id = ?').get(id) as { version: number }).version;

    const place = FULL_STORY.find((s) => s.type === 'PLACE_ON_AGENDA')!;
    const res = await sendEvent(t, id, t.tokens['county-coordinator'], { type: place.type, payload: place.payload });
    expect(res.statusCode, res.body).toBe(200);
    expect((sqlite.prepare('SELECT version FROM cases WHERE id = ?').get(id) as { version: number }).version).toBe(versionBefore + 1);

    await t.services.relay.drain();
    const rows = sqlite
      .prepare("SELECT id, status, attempts, last_error, to_address, language FROM outbox WHERE case_id = ? AND kind = 'placed-on-agenda'")
      .all(id) as { id: string; status: string; attempts: number; last_error: string | null; to_address: string; language: string }[];
    expect(rows.map((r) => r.to_address).sort()).toEqual([t.actors['coordination-group'].email, english.email].sort());
    const row = rows.find((r) => r.language === 'sv');
    // The English member's message has all its templates and goes out.
    expect(rows.find((r) => r.language === 'en')).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
    expect(row).toMatchObject({ status: 'failed', attempts: 1, language: 'sv' });
    expect(row!.last_error).toContain(`templates/mail/${MISSING}`);
    // Failed at once: a second round does not try it again, and nothing was written for it.
    await t.services.relay.drain();
    expect(sqlite.prepare('SELECT attempts FROM outbox WHERE id = ?').get(row!.id)).toEqual({ attempts: 1 });
    const mailDir = path.join(t.dir, 'mail');
    const files = fs.existsSync(mailDir) ? fs.readdirSync(mailDir) : [];
    expect(files.filter((f) => f.includes('placed-on-agenda') && f.includes(t.actors['coordination-group'].id))).toEqual([]);
    expect(files.filter((f) => f.includes('placed-on-agenda') && f.includes(english.id))).toHaveLength(1);

    const listed = await t.app.inject({ method: 'GET', url: '/api/admin/outbox?status=failed', headers: auth(t.tokens.administrator) });
    expect(listed.statusCode, listed.body).toBe(200);
    const items = json<{ items: { id: string; kind: string; status: string; lastError: string | null }[] }>(listed).items;
    expect(items).toContainEqual(
      expect.objectContaining({ id: row!.id, kind: 'placed-on-agenda', status: 'failed', lastError: expect.stringContaining(MISSING) }),
    );
    expect(items.every((i) => i.status === 'failed')).toBe(true);
  });
});
