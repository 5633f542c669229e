// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The domain: business logic that knows nothing of HTTP, of the web pages, nor of how the app
 * is wired together. A folder listed here may import nothing of LAYERS_ABOVE_THE_DOMAIN.
 * Every domain folder added later goes into this list (paths from the repository root).
 */
const DOMAIN_FOLDERS = [
  'src/engine',
  'src/cases',
  'src/people',
  'src/programmes',
  'src/money',
  'src/notifications',
  'src/scheduler',
  'src/mail',
  'src/reports',
  'src/db',
  'src/process',
  'src/plans',
  'src/imports',
  'src/documents',
  'src/conversation',
  'src/work',
  'src/privacy',
  'src/archive',
  'src/retention',
];

/** What the domain may not import: a folder ends with '/', a module is named by its .ts file. */
const LAYERS_ABOVE_THE_DOMAIN = ['src/http/', 'src/routes/', 'src/web/', 'src/app.ts', 'src/services.ts', 'src/server.ts'];

/** How many folders deep inside a guarded folder the boundaries still apply. */
const MAX_DEPTH = 8;

const escapeRegExp = (/** @type {string} */ text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A regular expression matching every relative specifier by which a file `depth` folders below
 * `folder` reaches `target`, e.g. from src/engine/engine.ts: '../http/problem.js' and
 * '../../src/http/problem.js'. Targets are outside `folder`, so the way up counts exactly.
 * @param {string} folder
 * @param {number} depth
 * @param {string} target
 */
function reaching(folder, depth, target) {
  const from = folder.split('/');
  const to = target.replace(/\/$/, '').split('/');
  const ways = [];
  // Up to a common ancestor of the file and the target (the repository root at least), then down.
  for (let common = 0; common < from.length && common < to.length && (common === 0 || from[common - 1] === to[common - 1]); common++) {
    const down = to.slice(common).join('/');
    const end = target.endsWith('/') ? `${escapeRegExp(down)}(?:/|$)` : `${escapeRegExp(down.replace(/\.ts$/, ''))}(?:\\.[cm]?[jt]s)?$`;
    ways.push(`(?:\\.\\./){${from.length - common + depth}}${end}`);
  }
  return `^(?:\\./)?(?:${ways.join('|')})`;
}

/**
 * One config object per depth inside the guarded folders: ESLint matches import specifiers as
 * written, so the number of '../' that reaches a target depends on where the importing file is.
 * Static imports and re-exports go through no-restricted-imports; import() calls and
 * import('…').Type references through no-restricted-syntax (whose selectors cannot contain '/').
 * Both rules' options are replaced, not merged, by a later config object for the same file: a
 * further restriction on these folders belongs in here.
 * @param {string[]} folders
 * @param {string[]} targets
 * @param {string} message
 */
function boundary(folders, targets, message) {
  /** @type {Map<string, string[]>} */
  const filesByPattern = new Map();
  for (const folder of folders) {
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      const pattern = targets.map((target) => reaching(folder, depth, target)).join('|');
      const files = filesByPattern.get(pattern) ?? [];
      files.push(`${folder}/${'*/'.repeat(depth)}*`);
      filesByPattern.set(pattern, files);
    }
  }
  return [...filesByPattern].map(([regex, files]) => {
    const inSelector = `/${regex.replaceAll('/', '\\x2F')}/`;
    return {
      files,
      rules: {
        'no-restricted-imports': ['error', { patterns: [{ regex, caseSensitive: true, message }] }],
        'no-restricted-syntax': [
          'error',
          { selector: `ImportExpression[source.value=${inSelector}]`, message },
          { selector: `TSImportType[argument.literal.value=${inSelector}]`, message },
        ],
      },
    };
  });
}

export default tseslint.config(
  { ignores: ['node_modules/', 'migrations/', 'data/', 'test-artifacts/', 'coverage/', 'dist/', '.bench/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // The scripts the pages load (src/web/assets/): plain browser scripts, no modules.
  {
    files: ['src/web/assets/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { window: 'readonly', document: 'readonly' } },
  },
  // Import boundaries (test/architecture/boundaries.test.ts proves they catch what they should).
  ...boundary(
    ['machines'],
    ['src/'],
    'Import boundary: machines/ imports nothing from src/ (the statecharts are pure; src/ depends on them, never the reverse).',
  ),
  ...boundary(
    DOMAIN_FOLDERS,
    LAYERS_ABOVE_THE_DOMAIN,
    `Import boundary: domain code (DOMAIN_FOLDERS in eslint.config.js) imports nothing of ${LAYERS_ABOVE_THE_DOMAIN.map((t) => t.replace(/\/$/, '')).join(', ')}.`,
  ),
  // Page rendering is HTML from data: it answers no request and knows no route.
  ...boundary(
    ['src/web'],
    ['src/http/', 'src/routes/', 'src/app.ts', 'src/services.ts', 'src/server.ts'],
    'Import boundary: src/web renders HTML from data; it imports nothing of src/http, src/routes, src/app.ts, src/services.ts, src/server.ts.',
  ),
  // The HTTP layer serves the routes; it does not know them.
  ...boundary(
    ['src/http'],
    ['src/routes/', 'src/web/', 'src/app.ts', 'src/services.ts', 'src/server.ts'],
    'Import boundary: src/http imports nothing of src/routes, src/web, src/app.ts, src/services.ts, src/server.ts.',
  ),
);
