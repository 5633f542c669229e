/**
 * The process pictures' layouts, computed by ELK for every machine version and language and
 * written to templates/diagrams/layouts.json (--write), or compared with the committed file
 * (--check): the server reads the file at start and never waits for ELK.
 *
 *   tsx scripts/diagrams.ts --write | --check
 */
import fs from 'node:fs';
import path from 'node:path';
import { freshLayouts, LAYOUTS_FILE } from '../src/web/diagram-svg.js';

async function main(mode: string | undefined): Promise<number> {
  if (mode !== '--write' && mode !== '--check') {
    console.error('usage: tsx scripts/diagrams.ts --write | --check');
    return 2;
  }
  const fresh = await freshLayouts();
  if (mode === '--write') {
    fs.mkdirSync(path.dirname(LAYOUTS_FILE), { recursive: true });
    fs.writeFileSync(LAYOUTS_FILE, fresh);
    console.log(`wrote ${LAYOUTS_FILE}`);
    return 0;
  }
  const committed = fs.existsSync(LAYOUTS_FILE) ? fs.readFileSync(LAYOUTS_FILE, 'utf8') : '';
  if (committed !== fresh) {
    console.error('templates/diagrams/layouts.json is out of date: run `npm run diagrams:write` and commit it.');
    return 1;
  }
  return 0;
}

process.exitCode = await main(process.argv[2]);
