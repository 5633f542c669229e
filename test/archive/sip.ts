import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';
import { PACKAGE_SCHEMAS, REPRESENTATION, SIP_PROFILE } from '../../src/archive/model.js';
import { templatesDir } from '../../src/programmes/config.js';

/*
 * Reading an E-ARK SIP back as an archive would: open the zip (yauzl), validate every XML file
 * with xmllint against the committed schemas (offline, through the catalog), and check what
 * the schemas cannot say: every file's checksum and size against METS, and the CSIP and SIP
 * requirements named by their ids.
 */

export const SCHEMAS = path.join(templatesDir, 'archive', 'schemas');

/** Every file of a zip, by its path. */
export function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
      if (error) return reject(error);
      const entries = new Map<string, Buffer>();
      file.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return file.readEntry();
        file.openReadStream(entry, (err, stream) => {
          if (err) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            file.readEntry();
          });
          stream.on('error', reject);
        });
      });
      file.on('end', () => resolve(entries));
      file.on('error', reject);
      file.readEntry();
    });
  });
}

/** Validates XML files with xmllint --nonet against the committed schemas; throws (never skips) when xmllint is missing. */
export function xmllint(files: Map<string, Buffer>): { ok: boolean; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'satsa-sip-'));
  try {
    const paths = [...files].map(([name, bytes]) => {
      const file = path.join(dir, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, bytes);
      return file;
    });
    const run = spawnSync('xmllint', ['--nonet', '--noout', '--schema', path.join(SCHEMAS, 'satsa-sip.xsd'), ...paths], {
      env: { ...process.env, XML_CATALOG_FILES: path.join(SCHEMAS, 'catalog.xml') },
      encoding: 'utf8',
    });
    if (run.error) {
      throw new Error(`xmllint could not be run (${run.error.message}): install libxml2-utils (apt-get install libxml2-utils)`);
    }
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// A small reader of the packages' own XML (already proven well-formed and valid by xmllint)

export interface Node {
  name: string;
  attrs: Record<string, string>;
  children: Node[];
  text: string;
}

const unescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

export function parseXml(xml: string): Node {
  const root: Node = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)/g;
  for (const m of xml.matchAll(token)) {
    const [, close, name, attrs, selfClose, text] = m;
    if (text !== undefined) {
      stack.at(-1)!.text += unescape(text);
      continue;
    }
    if (!name) continue;
    if (close) {
      stack.pop();
      continue;
    }
    const node: Node = { name, attrs: {}, children: [], text: '' };
    for (const a of (attrs ?? '').matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) node.attrs[a[1]!] = unescape(a[2]!);
    stack.at(-1)!.children.push(node);
    if (!selfClose) stack.push(node);
  }
  return root.children[0]!;
}

/** Every element named so, at any depth. */
export function all(node: Node, name: string): Node[] {
  return node.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);
}
export const child = (node: Node, name: string) => node.children.find((c) => c.name === name);
const children = (node: Node, name: string) => node.children.filter((c) => c.name === name);

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** CSIP vocabularies the schemas leave as free strings. */
const CONTENT_CATEGORIES = ['Text', 'Mixed', 'Datasets', 'Databases', 'Email', 'Collection', 'Other'];
const CONTENT_INFORMATION_TYPES = ['citserms_v2_1', 'citserms_v3_0', 'ERMS', 'MIXED', 'OTHER'];

/**
 * Checks an unzipped package: one problem per unmet requirement, each named by its id
 * (CSIPSTRn, CSIPn, SIPn in the DILCIS Board's specifications) or by what fails.
 */
export function checkPackage(entries: Map<string, Buffer>): string[] {
  const problems: string[] = [];
  const need = (ok: unknown, problem: string) => {
    if (!ok) problems.push(problem);
  };
  const roots = new Set([...entries.keys()].map((k) => k.split('/')[0]!));
  need(roots.size === 1, `CSIPSTR1: the zip unpacks to one root folder, not ${[...roots].join(', ')}`);
  const root = [...roots][0]!;
  const file = (p: string) => entries.get(`${root}/${p}`);
  const metsBytes = file('METS.xml');
  need(metsBytes, 'CSIPSTR4: the root folder holds METS.xml');
  if (!metsBytes) return problems;
  const mets = parseXml(metsBytes.toString('utf8'));
  const objid = mets.attrs.OBJID ?? '';
  // CSIP1 and CSIPSTR2: the package's id, and the root folder named by it (':' cannot be in a Windows folder name).
  need(/^uuid:[0-9a-f-]{36}$/.test(objid), `CSIP1: OBJID is the package's id (uuid:…), not ${objid}`);
  need(root === objid.replace(/:/g, '_'), `CSIPSTR2: the root folder ${root} is named by OBJID ${objid}`);
  // Which files each METS accounts for, with their checksums.
  const referenced = new Map<string, { checksum?: string; type?: string; size?: string; by: string }>();
  const checkMets = (node: Node, base: string, level: string) => {
    need(CONTENT_CATEGORIES.includes(node.attrs.TYPE ?? ''), `CSIP2 (${level}): TYPE ${node.attrs.TYPE} is from the CSIP vocabulary`);
    need(
      CONTENT_INFORMATION_TYPES.includes(node.attrs['csip:CONTENTINFORMATIONTYPE'] ?? ''),
      `CSIP4 (${level}): CONTENTINFORMATIONTYPE is from the CSIP vocabulary`,
    );
    need(node.attrs.PROFILE === SIP_PROFILE, `CSIP6, SIP2 (${level}): PROFILE is ${SIP_PROFILE}`);
    const hdr = child(node, 'mets:metsHdr');
    need(hdr?.attrs.CREATEDATE, `CSIP7 (${level}): metsHdr/@CREATEDATE`);
    need(hdr?.attrs['csip:OAISPACKAGETYPE'] === 'SIP', `CSIP9, SIP4 (${level}): OAISPACKAGETYPE is SIP`);
    const software = (hdr ? children(hdr, 'mets:agent') : []).filter(
      (a) => a.attrs.ROLE === 'CREATOR' && a.attrs.TYPE === 'OTHER' && a.attrs.OTHERTYPE === 'SOFTWARE',
    );
    need(software.length === 1, `CSIP10–13 (${level}): one agent for the software that made the package`);
    need(
      software[0] && child(software[0], 'mets:note')?.attrs['csip:NOTETYPE'] === 'SOFTWARE VERSION',
      `CSIP15–16 (${level}): the software's version as a note of type SOFTWARE VERSION`,
    );
    for (const ref of all(node, 'mets:mdRef')) {
      need(ref.attrs.LOCTYPE === 'URL' && ref.attrs['xlink:type'] === 'simple', `CSIP22–23, CSIP36–37 (${level}): mdRef is a simple URL`);
      for (const a of ['MIMETYPE', 'SIZE', 'CREATED', 'CHECKSUM', 'CHECKSUMTYPE'])
        need(ref.attrs[a], `CSIP26–30, CSIP40–44 (${level}): mdRef/@${a}`);
      const p = base + decodeURIComponent(ref.attrs['xlink:href'] ?? '');
      referenced.set(p, { checksum: ref.attrs.CHECKSUM, type: ref.attrs.CHECKSUMTYPE, size: ref.attrs.SIZE, by: `${level} mdRef` });
    }
    const fileIds = new Set<string>();
    const groupIds = new Set<string>();
    for (const grp of all(node, 'mets:fileGrp')) {
      groupIds.add(grp.attrs.ID ?? '');
      need(grp.attrs.USE, `CSIP64 (${level}): fileGrp/@USE`);
      need(children(grp, 'mets:file').length > 0, `CSIP66 (${level}): fileGrp ${grp.attrs.USE} lists files`);
      for (const f of children(grp, 'mets:file')) {
        fileIds.add(f.attrs.ID ?? '');
        for (const a of ['ID', 'MIMETYPE', 'SIZE', 'CREATED', 'CHECKSUM', 'CHECKSUMTYPE'])
          need(f.attrs[a], `CSIP67–72 (${level}): file/@${a}`);
        need(f.attrs.CHECKSUMTYPE === 'SHA-256', `CSIP72 (${level}): CHECKSUMTYPE SHA-256`);
        const loc = child(f, 'mets:FLocat');
        need(loc?.attrs.LOCTYPE === 'URL' && loc.attrs['xlink:type'] === 'simple', `CSIP76–78 (${level}): FLocat is a simple URL`);
        const p = base + decodeURIComponent(loc?.attrs['xlink:href'] ?? '');
        referenced.set(p, { checksum: f.attrs.CHECKSUM, type: f.attrs.CHECKSUMTYPE, size: f.attrs.SIZE, by: `${level} fileSec` });
      }
    }
    const maps = children(node, 'mets:structMap').filter((s) => s.attrs.LABEL === 'CSIP');
    need(maps.length === 1, `CSIP80, CSIP82 (${level}): one structMap labelled CSIP`);
    const map = maps[0];
    need(map?.attrs.TYPE === 'PHYSICAL', `CSIP81 (${level}): the CSIP structMap is PHYSICAL`);
    const top = map ? children(map, 'mets:div') : [];
    need(top.length === 1, `CSIP84 (${level}): the structMap has one main division`);
    const divs = top[0] ? children(top[0], 'mets:div') : [];
    const metadata = divs.find((d) => d.attrs.LABEL === 'Metadata');
    need(metadata, `CSIP88–90 (${level}): a Metadata division`);
    const dmd = children(node, 'mets:dmdSec').map((d) => d.attrs.ID);
    const digiprov = all(node, 'mets:digiprovMD').map((d) => d.attrs.ID);
    need(
      dmd.every((id) => (metadata?.attrs.DMDID ?? '').split(' ').includes(id!)),
      `CSIP92 (${level}): the Metadata division references every dmdSec`,
    );
    need(
      digiprov.every((id) => (metadata?.attrs.ADMID ?? '').split(' ').includes(id!)),
      `CSIP91 (${level}): the Metadata division references the administrative metadata`,
    );
    // Every file group is referenced from the structMap (CSIP116, CSIP118, CSIP119, CSIP108).
    const pointed = new Set(all(map ?? node, 'mets:fptr').map((f) => f.attrs.FILEID));
    for (const id of groupIds) need(pointed.has(id), `CSIP108, CSIP116–119 (${level}): the structMap points to file group ${id}`);
    return divs;
  };
  const divs = checkMets(mets, '', 'package');
  const hdr = child(mets, 'mets:metsHdr')!;
  const agents = children(hdr, 'mets:agent');
  need(
    agents.some((a) => a.attrs.ROLE === 'ARCHIVIST' && a.attrs.TYPE === 'ORGANIZATION' && child(a, 'mets:name')?.text),
    'SIP9–12: the records creator (archival creator agent)',
  );
  need(
    agents.some((a) => a.attrs.ROLE === 'CREATOR' && a.attrs.TYPE === 'ORGANIZATION' && child(a, 'mets:name')?.text),
    'SIP15–18: the submitting agent',
  );
  for (const a of agents)
    for (const n of children(a, 'mets:note'))
      if (a.attrs.TYPE === 'ORGANIZATION')
        need(n.attrs['csip:NOTETYPE'] === 'IDENTIFICATIONCODE', "SIP14, SIP20: an organisation's note is its IDENTIFICATIONCODE");
  const groups = all(mets, 'mets:fileGrp').map((g) => g.attrs.USE ?? '');
  need(groups.includes('Documentation'), 'CSIP60: a Documentation file group');
  need(groups.includes('Schemas'), 'CSIP113: a Schemas file group');
  need(groups.includes(`Representations/${REPRESENTATION}`), 'CSIP114: a file group per representation');
  for (const schema of PACKAGE_SCHEMAS) need(referenced.has(`schemas/${schema}`), `CSIP113: schemas/${schema} is in the Schemas group`);
  need(
    divs.some((d) => d.attrs.LABEL === 'Documentation') && divs.some((d) => d.attrs.LABEL === 'Schemas'),
    'CSIP94–99: Documentation and Schemas divisions',
  );
  const repDiv = divs.find((d) => d.attrs.LABEL === `Representations/${REPRESENTATION}`);
  need(repDiv, 'CSIP105–107: a division per representation, labelled Representations/<folder>');
  const mptr = repDiv && child(repDiv, 'mets:mptr');
  need(
    mptr && mptr.attrs.LOCTYPE === 'URL' && mptr.attrs['xlink:type'] === 'simple' && mptr.attrs['xlink:href'],
    'CSIP109–112: the representation division points to its METS.xml',
  );
  need(
    referenced.has('metadata/descriptive/ERMS.xml') && referenced.get('metadata/descriptive/ERMS.xml')!.by === 'package mdRef',
    'CSIP17–30, CSIPSTR7: the descriptive metadata (ERMS) is referenced from dmdSec',
  );
  need(
    referenced.get('metadata/preservation/premis.xml')?.by === 'package mdRef',
    'CSIP31–44, CSIPSTR6: the preservation metadata (PREMIS) is referenced from amdSec/digiprovMD',
  );
  // The representation's METS.
  const repPath = decodeURIComponent(mptr?.attrs['xlink:href'] ?? '');
  const repBytes = file(repPath);
  need(repBytes, `CSIPSTR12: the representation's METS.xml (${repPath}) is in the package`);
  if (repBytes) {
    const rep = parseXml(repBytes.toString('utf8'));
    need(rep.attrs.OBJID === REPRESENTATION, `CSIP1: the representation's OBJID is its folder's name`);
    checkMets(rep, `${path.posix.dirname(repPath)}/`, 'representation');
  }
  // Every file of the zip accounted for, with the checksum and size METS gives.
  for (const [name, bytes] of entries) {
    const p = name.slice(root.length + 1);
    if (p === 'METS.xml') continue;
    const ref = referenced.get(p);
    need(ref, `${p} is in no METS (every file of the package is listed with its checksum)`);
    if (!ref) continue;
    need(ref.type === 'SHA-256', `${p}: CHECKSUMTYPE SHA-256`);
    need(ref.checksum === sha256(bytes), `${p}: its checksum does not match METS (${ref.by})`);
    need(ref.size === String(bytes.length), `${p}: its size does not match METS (${ref.by})`);
  }
  for (const p of referenced.keys()) need(file(p), `${p} is in METS but not in the package`);
  return problems;
}
