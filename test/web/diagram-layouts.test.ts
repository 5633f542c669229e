import fs from 'node:fs';
import { expect, it } from 'vitest';
import { CASE_MACHINE_VERSIONS } from '../../machines/versions.js';
import { LANGUAGES } from '../../src/i18n/index.js';
import { diagramLayout, freshLayouts, LAYOUTS_FILE } from '../../src/web/diagram-svg.js';

/*
 * The process pictures' layouts are committed (templates/diagrams/layouts.json), so that no
 * start and no first page waits for ELK: they must be what ELK computes from today's machines
 * and words (`npm run diagrams:write` after a change to either).
 */

it('are in the committed file as ELK lays them out today, and ready without waiting', async () => {
  // Ready as the module loads: nothing was laid out in this process yet.
  for (const version of Object.keys(CASE_MACHINE_VERSIONS).map(Number)) {
    for (const lang of LANGUAGES) expect(diagramLayout(lang, version), `${version}:${lang}`).toBeDefined();
  }
  expect(fs.readFileSync(LAYOUTS_FILE, 'utf8'), 'run `npm run diagrams:write` and commit the file').toBe(await freshLayouts());
});
