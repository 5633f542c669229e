import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/*
 * Debian's Chromium driven by playwright-core (the browser cannot be downloaded here;
 * .ci/run installs it with apt-get). SATSA_CHROMIUM points elsewhere if needed. A missing
 * browser fails the suite: it is never skipped.
 */

export const CHROMIUM = process.env.SATSA_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-artifacts/screenshots');

export async function launch(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set SATSA_CHROMIUM)`);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** The browser of one test file, and the contexts its tests open. */
export interface BrowserSuite {
  /** A new context, watched for CSP violations after each test and closed after the file. */
  context(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A page in a new context: Swedish and desktop-sized unless said otherwise, waiting at most 10 s for anything. */
  page(options?: BrowserContextOptions): Promise<Page>;
}

/**
 * Launches Chromium for the test file that calls it (once, before its tests), fails each test
 * after which any page of any context reported a CSP violation, and closes everything after
 * the file's tests.
 */
export function browserSuite(): BrowserSuite {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launch();
  }, 60_000);
  // Whatever a test did, no page of it was refused anything by its Content-Security-Policy.
  afterEach(async () => {
    for (const [i, c] of contexts.entries()) await expectNoCspViolations(c, `browser context ${i + 1}`);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
  });
  const context = async (options: BrowserContextOptions = {}) => {
    if (!browser) throw new Error('the browser is not launched yet: open pages in tests, not before them');
    const made = await newWatchedContext(browser, options);
    contexts.push(made);
    return made;
  };
  return {
    context,
    async page(options: BrowserContextOptions = {}) {
      const made = await context({ locale: 'sv-SE', viewport: { width: 1100, height: 900 }, ...options });
      made.setDefaultTimeout(10_000);
      return made.newPage();
    },
  };
}

/*
 * Content-Security-Policy violations, as Chromium reports them: a `securitypolicyviolation`
 * listener put into every document before its own scripts run (it hands each violation to the
 * test through a binding), and the console, where Chromium writes "Refused to … because it
 * violates the following Content Security Policy directive". Every context of the suite is made
 * by newWatchedContext; expectNoCspViolations (also run by expectAccessible) fails on any.
 */

const CSP_BINDING = '__satsaCspViolation';
const violationsOf = new WeakMap<BrowserContext, string[]>();

/** A browser context whose pages' CSP violations are collected. */
export async function newWatchedContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  const violations: string[] = [];
  violationsOf.set(context, violations);
  await context.exposeBinding(CSP_BINDING, ({ page }, text: string) => violations.push(`${page.url()}: ${text}`));
  await context.addInitScript((binding) => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as Record<string, (text: string) => void>)[binding];
      report?.(
        `${e.effectiveDirective} blocked ${e.blockedURI || 'an inline'} (${e.sourceFile || 'the document'}:${e.lineNumber}) ${e.sample}`,
      );
    });
  }, CSP_BINDING);
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`${message.location().url}: ${message.text()}`);
  });
  return context;
}

/**
 * Fails on any CSP violation reported in the context of `target` (a page, or a whole context)
 * since the last check, and forgets them.
 */
export async function expectNoCspViolations(target: Page | BrowserContext, name: string) {
  const context = 'context' in target ? target.context() : target;
  const violations = violationsOf.get(context);
  if (!violations) throw new Error(`${name}: the context does not watch CSP violations (make it with newWatchedContext)`);
  // Violations are reported in tasks of their own (and pages may run no script): wait a moment.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(violations.splice(0), `Content-Security-Policy violations on ${name}`).toEqual([]);
}

export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core's WCAG 2.1 A/AA rules on the page; serious and critical violations fail, and
 * so does any CSP violation on it. axe is evaluated by the driver, not added as an inline
 * script, which the pages' policy refuses.
 */
export async function expectAccessible(page: Page, name: string) {
  await expectNoCspViolations(page, name);
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  })) as AxeViolation[];
  const blocking = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(blocking, `accessibility of ${name}`).toEqual([]);
  return violations.length;
}

/** Serves a test app on a free local port for the browser; gives its address. */
export async function serve(app: { listen(o: { port: number; host: string }): Promise<unknown>; server: { address(): unknown } }) {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** Logs a person in through the Swedish log-in page, and waits for the list of cases. */
export async function logIn(page: Page, base: string, email: string, password: string) {
  await page.goto(`${base}/login`);
  await page.getByLabel('E-postadress').fill(email);
  await page.getByLabel('Lösenord', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL(`${base}/cases`);
}

/** The page's main content as one line of text. */
export const mainOf = async (page: Page) => (await page.locator('main').innerText()).replace(/\s+/g, ' ');
