import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The architecture checks prove that they catch what they are there for: on a copy of the
 * repository, a forbidden import planted in a domain file (or in machines/) must fail the lint
 * with the boundary message, and a cycle between two fresh files, closed by a type import,
 * must fail `npm run check:cycles` naming both. Only the planted files are judged, never the
 * state of today's tree.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** What the lint and the cycle check read; node_modules is linked, not copied. */
const COPIED = ['src', 'machines', 'tsconfig.json', 'eslint.config.js', 'package.json', '.madgerc'];

/** Each test starts child processes (eslint, npm, madge): seconds each, more while the whole suite runs. */
const SLOW = { timeout: 60_000 };

let dir: string;

function plant(file: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}`, stdout: result.stdout };
}

const bin = (name: string) => path.join(dir, 'node_modules', '.bin', name);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-architecture-'));
  for (const entry of COPIED) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('import boundaries (eslint)', SLOW, () => {
  /** Each file imports what its layer may not; the specifier is written as people write it. */
  const FORBIDDEN: Record<string, string> = {
    'src/money/planted.ts': "import '../http/auth.js';\n",
    'src/engine/planted.ts': "import { Problem } from '../http/problem.js';\nexport const problem = Problem;\n",
    'src/cases/planted/deeper.ts': "import '../../http/auth.js';\n",
    'src/people/planted.ts': "export * from '../routes/api/session.js';\n",
    'src/db/planted.ts': "import '../web/html.js';\n",
    'src/reports/planted.ts': "import type { Services } from '../app.js';\nexport type Planted = Services;\n",
    'src/mail/planted.ts': "import '../../src/server.js';\n",
    'src/scheduler/planted.ts': "export const later = () => import('../http/errors.js');\n",
    'src/notifications/planted.ts': "export type Planted = import('../http/auth.js').Credentials;\n",
    'machines/planted.ts': "import '../src/db/client.js';\n",
    'machines/case/planted.ts': "import type { Db } from '../../src/db/client.js';\nexport type Planted = Db;\n",
  };
  /** The same layers importing what they may. */
  const ALLOWED: Record<string, string> = {
    'src/money/planted-clean.ts': "import '../db/client.js';\nimport '../../machines/roles.js';\nimport './service.js';\n",
    'src/cases/planted-clean/deeper.ts': "import '../service.js';\nimport '../../engine/engine.js';\n",
    'machines/case/planted-clean.ts': "import '../roles.js';\nimport './schemas.js';\n",
  };

  interface LintResult {
    filePath: string;
    messages: { ruleId: string | null; message: string }[];
  }

  function lint(files: string[]) {
    const result = run(process.execPath, [bin('eslint'), '--format', 'json', ...files]);
    return { status: result.status, results: JSON.parse(result.stdout || '[]') as LintResult[], output: result.output };
  }

  it('fails a forbidden import in a domain folder or in machines/ with the boundary message', () => {
    for (const [file, text] of Object.entries(FORBIDDEN)) plant(file, text);
    const { status, results, output } = lint(Object.keys(FORBIDDEN));
    expect(status, output).toBe(1);
    for (const file of Object.keys(FORBIDDEN)) {
      const result = results.find((r) => r.filePath === path.join(dir, file));
      expect(result, file).toBeDefined();
      const messages = result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
      expect(messages, file).toHaveLength(1);
      expect(messages[0], file).toMatch(/^no-restricted-(imports|syntax): .*Import boundary: /);
    }
  });

  it('passes the same folders importing what they may', () => {
    for (const [file, text] of Object.entries(ALLOWED)) plant(file, text);
    const { status, output } = lint(Object.keys(ALLOWED));
    expect(output).not.toContain('Import boundary');
    expect(status, output).toBe(0);
  });
});

describe('import cycles (npm run check:cycles)', SLOW, () => {
  const a = "import { b } from './b.js';\nexport interface A {\n  b: typeof b;\n}\n";
  /** Three ways b.ts can point back at a.ts with types only: each closes a cycle all the same. */
  const BACK_IMPORTS: Record<string, string> = {
    'import-type': "import type { A } from './a.js';\nexport const b = 1;\nexport type B = A;\n",
    'export-type': "export type { A } from './a.js';\nexport const b = 1;\n",
    'type-expression': "export const b = 1;\nexport type B = import('./a.js').A;\n",
  };

  it('fails naming the two files when b.ts imports a type back from a.ts', () => {
    for (const [name, b] of Object.entries(BACK_IMPORTS)) {
      plant(`src/planted-cycle/${name}/a.ts`, a);
      plant(`src/planted-cycle/${name}/b.ts`, b);
    }
    const { status, output } = run('npm', ['run', '--silent', 'check:cycles']);
    expect(status, output).not.toBe(0);
    for (const name of Object.keys(BACK_IMPORTS)) {
      const [x, y] = [`src/planted-cycle/${name}/a.ts`, `src/planted-cycle/${name}/b.ts`];
      expect(output, name).toMatch(new RegExp(`^\\d+\\) (${x} > ${y}|${y} > ${x})$`, 'm'));
    }
  });

  it('passes the same two files without the back-import, and resolves ./b.js to b.ts', () => {
    plant('src/planted-acyclic/a.ts', a);
    plant('src/planted-acyclic/b.ts', 'export const b = 1;\n');
    const check = run(process.execPath, [bin('madge'), '--circular', '--warning', 'src/planted-acyclic']);
    expect(check.status, check.output).toBe(0);
    const graph = run(process.execPath, [bin('madge'), '--json', 'src/planted-acyclic']);
    expect(JSON.parse(graph.stdout), graph.output).toEqual({ 'a.ts': ['b.ts'], 'b.ts': [] });
  });
});
