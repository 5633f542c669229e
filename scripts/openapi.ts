/**
 * The API's OpenAPI document, as the app serves it at /openapi.json: validated against the
 * OpenAPI schema, then written to openapi.json at the repository root (--write) or compared
 * with the committed one (--check), so a change to the API shows up in review.
 *
 *   tsx scripts/openapi.ts --write | --check
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

/** Builds the app on an empty data folder, without demo data, logs or background work, and returns its document. */
async function openApiDocument(): Promise<unknown> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-openapi-'));
  try {
    const config = loadConfig({ SATSA_DATA_DIR: dir, SATSA_DEMO_DATA: 'false', SATSA_LOG_LEVEL: 'silent' });
    const { app } = await buildApp({ config, background: false });
    try {
      await app.ready();
      return app.swagger();
    } finally {
      await app.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'openapi.json');

async function main(mode: string | undefined): Promise<number> {
  if (mode !== '--write' && mode !== '--check') {
    console.error('usage: tsx scripts/openapi.ts --write | --check');
    return 2;
  }
  const document = await openApiDocument();
  // The validator keeps what it is given; it gets a copy so the text below is the app's own.
  const result = await new Validator({ allErrors: true }).validate(structuredClone(document) as Record<string, unknown>);
  if (!result.valid) {
    console.error('The OpenAPI document is not valid:');
    const errors = typeof result.errors === 'string' ? [result.errors] : (result.errors ?? []);
    for (const error of errors) {
      const where = typeof error === 'string' ? '' : `${error.instancePath || '/'}: `;
      console.error(`  ${where}${typeof error === 'string' ? error : `${error.message} ${JSON.stringify(error.params)}`}`);
    }
    return 1;
  }
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (mode === '--write') {
    fs.writeFileSync(FILE, text);
    console.log(`openapi.json written (${text.split('\n').length - 1} lines)`);
    return 0;
  }
  const committed = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '';
  if (committed === text) return 0;
  const ours = text.split('\n');
  const theirs = committed.split('\n');
  let line = 0;
  while (ours[line] === theirs[line]) line++;
  console.error(
    committed
      ? `openapi.json differs from the API the code serves, first at line ${line + 1}:\n` +
          `  committed: ${theirs[line] ?? '(end of file)'}\n  the code:  ${ours[line] ?? '(end of file)'}`
      : 'openapi.json is missing.',
  );
  console.error('Run `npm run openapi:write` and commit openapi.json if the change to the API is meant.');
  return 1;
}

process.exitCode = await main(process.argv[2]);
