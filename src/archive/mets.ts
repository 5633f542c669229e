import {
  CONTENT_CATEGORY,
  CONTENT_INFORMATION_TYPE,
  REPRESENTATION,
  SIP_PROFILE,
  type ArchiveCase,
  type PackageContext,
  type PackageFile,
} from './model.js';
import { el, xmlDocument, type Xml } from './xml.js';

/*
 * The METS documents of a package, as E-ARK CSIP 2.2 and SIP 2.2 require (the requirement ids
 * are named where they are met): the package's METS.xml and the representation's. Every file
 * is listed with its SHA-256, size, type and creation time.
 */

const NS = {
  'xmlns:mets': 'http://www.loc.gov/METS/',
  'xmlns:xlink': 'http://www.w3.org/1999/xlink',
  'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
  'xmlns:csip': 'https://DILCIS.eu/XML/METS/CSIPExtensionMETS',
  'xmlns:sip': 'https://DILCIS.eu/XML/METS/SIPExtensionMETS',
};

/** Where the schemas are, from a METS file `depth` folders below the package's root. */
const schemaLocation = (depth: number) => {
  const up = '../'.repeat(depth);
  return [
    `http://www.loc.gov/METS/ ${up}schemas/mets.xsd`,
    `http://www.w3.org/1999/xlink ${up}schemas/xlink.xsd`,
    `https://DILCIS.eu/XML/METS/CSIPExtensionMETS ${up}schemas/DILCISExtensionMETS.xsd`,
    `https://DILCIS.eu/XML/METS/SIPExtensionMETS ${up}schemas/DILCISExtensionSIPMETS.xsd`,
  ].join(' ');
};

/** A path as an xlink:href (a relative URL): each segment percent-encoded where it must be. */
export const hrefOf = (relativePath: string) => relativePath.split('/').map(encodeURIComponent).join('/');

/** A path as a METS file seen from `base` (a folder of the package, '' for the root). */
const relativeTo = (base: string, path: string) => (base && path.startsWith(`${base}/`) ? path.slice(base.length + 1) : path);

/** CSIP66–79: a file with its checksum, size, type, creation time and location. */
function fileElement(id: string, file: PackageFile, base: string): Xml {
  return el(
    'mets:file',
    { ID: id, MIMETYPE: file.mimeType, SIZE: file.size, CREATED: file.created, CHECKSUM: file.sha256, CHECKSUMTYPE: 'SHA-256' },
    el('mets:FLocat', { LOCTYPE: 'URL', 'xlink:type': 'simple', 'xlink:href': hrefOf(relativeTo(base, file.path)) }),
  );
}

/** CSIP21–30, CSIP35–44: a metadata file referenced from dmdSec or amdSec. */
function mdRef(file: PackageFile, base: string, type: { MDTYPE: string; OTHERMDTYPE?: string; MDTYPEVERSION: string }): Xml {
  return el('mets:mdRef', {
    LOCTYPE: 'URL',
    'xlink:type': 'simple',
    'xlink:href': hrefOf(relativeTo(base, file.path)),
    ...type,
    MIMETYPE: file.mimeType,
    SIZE: file.size,
    CREATED: file.created,
    CHECKSUM: file.sha256,
    CHECKSUMTYPE: 'SHA-256',
  });
}

/** CSIP117, CSIP7–16, SIP4: the header, with the software that made the package. */
function header(ctx: PackageContext, agents: Xml[], altRecordIds: Xml[] = []): Xml {
  return el(
    'mets:metsHdr',
    { CREATEDATE: ctx.createdAt, RECORDSTATUS: 'NEW', 'csip:OAISPACKAGETYPE': 'SIP' },
    el(
      'mets:agent',
      { ROLE: 'CREATOR', TYPE: 'OTHER', OTHERTYPE: 'SOFTWARE' },
      el('mets:name', {}, ctx.software.name),
      el('mets:note', { 'csip:NOTETYPE': 'SOFTWARE VERSION' }, ctx.software.version),
    ),
    agents,
    altRecordIds,
  );
}

const PREMIS = { MDTYPE: 'PREMIS', MDTYPEVERSION: '3.0' };

/**
 * The representation's METS.xml (at representations/rep1/): its data files and its PREMIS
 * file, paths relative to the representation's folder.
 */
export function representationMets(ctx: PackageContext, c: ArchiveCase, data: PackageFile[], premis: PackageFile): Buffer {
  const base = `representations/${REPRESENTATION}`;
  const fileIds = data.map((_, i) => `rep-file-${i + 1}`);
  const root = el(
    'mets:mets',
    {
      ...NS,
      'xsi:schemaLocation': schemaLocation(2),
      // CSIP1: a representation's OBJID is its folder's name.
      OBJID: REPRESENTATION,
      LABEL: `${c.diaryNumber} ${c.title}`,
      TYPE: CONTENT_CATEGORY,
      'csip:CONTENTINFORMATIONTYPE': CONTENT_INFORMATION_TYPE,
      PROFILE: SIP_PROFILE,
    },
    header(ctx, []),
    el(
      'mets:amdSec',
      { ID: 'rep-amd' },
      el('mets:digiprovMD', { ID: 'rep-digiprov-premis', CREATED: premis.created, STATUS: 'CURRENT' }, mdRef(premis, base, PREMIS)),
    ),
    el(
      'mets:fileSec',
      { ID: 'rep-filesec' },
      el(
        'mets:fileGrp',
        { ID: 'rep-grp-data', USE: 'Data', 'csip:CONTENTINFORMATIONTYPE': CONTENT_INFORMATION_TYPE },
        data.map((f, i) => fileElement(fileIds[i]!, f, base)),
      ),
    ),
    el(
      'mets:structMap',
      { ID: 'rep-structmap-csip', TYPE: 'PHYSICAL', LABEL: 'CSIP' },
      el(
        'mets:div',
        { ID: 'rep-div-root', LABEL: REPRESENTATION },
        el('mets:div', { ID: 'rep-div-metadata', LABEL: 'Metadata', ADMID: 'rep-digiprov-premis' }),
        el('mets:div', { ID: 'rep-div-data', LABEL: 'Data' }, el('mets:fptr', { FILEID: 'rep-grp-data' })),
      ),
    ),
  );
  return xmlDocument(root);
}

export interface PackageMetsFiles {
  erms: PackageFile;
  premis: PackageFile;
  documentation: PackageFile[];
  schemas: PackageFile[];
  representationMets: PackageFile;
}

/** The package's METS.xml: who made it for whom, the metadata, the documentation, the schemas and the representation. */
export function packageMets(ctx: PackageContext, c: ArchiveCase, files: PackageMetsFiles): Buffer {
  const { recordsCreator, classificationCode } = ctx.settings;
  const identification = (code: string | undefined) =>
    code ? el('mets:note', { 'csip:NOTETYPE': 'IDENTIFICATIONCODE' }, `ORG:${code.replace('-', '')}`) : undefined;
  const agents = [
    // SIP9–14: the records creator (arkivbildare).
    el(
      'mets:agent',
      { ROLE: 'ARCHIVIST', TYPE: 'ORGANIZATION' },
      el('mets:name', {}, recordsCreator.name),
      identification(recordsCreator.organisationNumber),
    ),
    // SIP15–20: who submits the package: the records creator itself.
    el(
      'mets:agent',
      { ROLE: 'CREATOR', TYPE: 'ORGANIZATION' },
      el('mets:name', {}, recordsCreator.name),
      identification(recordsCreator.organisationNumber),
    ),
    // SIP21–25: the contact person, who made the package.
    el(
      'mets:agent',
      { ROLE: 'CREATOR', TYPE: 'INDIVIDUAL' },
      el('mets:name', {}, ctx.submitter.name),
      el('mets:note', {}, ctx.submitter.email),
    ),
  ];
  // SIP7: where in the archive's structure the package belongs: the process's classification code.
  const reference = el('mets:altRecordID', { TYPE: 'REFERENCECODE' }, classificationCode);
  const groups = [
    { id: 'grp-documentation', use: 'Documentation', files: files.documentation },
    { id: 'grp-schemas', use: 'Schemas', files: files.schemas },
    { id: `grp-${REPRESENTATION}`, use: `Representations/${REPRESENTATION}`, files: [files.representationMets] },
  ];
  let n = 0;
  const root = el(
    'mets:mets',
    {
      ...NS,
      'xsi:schemaLocation': schemaLocation(0),
      OBJID: ctx.objid,
      LABEL: `${c.diaryNumber} ${c.title}`,
      TYPE: CONTENT_CATEGORY,
      'csip:CONTENTINFORMATIONTYPE': CONTENT_INFORMATION_TYPE,
      PROFILE: SIP_PROFILE,
    },
    header(ctx, agents, [reference]),
    el(
      'mets:dmdSec',
      { ID: 'dmd-erms', CREATED: files.erms.created, STATUS: 'CURRENT' },
      mdRef(files.erms, '', { MDTYPE: 'OTHER', OTHERMDTYPE: 'ERMS', MDTYPEVERSION: '2.1.2' }),
    ),
    el(
      'mets:amdSec',
      { ID: 'amd' },
      el('mets:digiprovMD', { ID: 'digiprov-premis', CREATED: files.premis.created, STATUS: 'CURRENT' }, mdRef(files.premis, '', PREMIS)),
    ),
    el(
      'mets:fileSec',
      { ID: 'filesec' },
      groups.map((g) =>
        el(
          'mets:fileGrp',
          {
            ID: g.id,
            USE: g.use,
            ...(g.use.startsWith('Representations') ? { 'csip:CONTENTINFORMATIONTYPE': CONTENT_INFORMATION_TYPE } : {}),
          },
          g.files.map((f) => fileElement(`file-${++n}`, f, '')),
        ),
      ),
    ),
    el(
      'mets:structMap',
      { ID: 'structmap-csip', TYPE: 'PHYSICAL', LABEL: 'CSIP' },
      el(
        'mets:div',
        { ID: 'div-root', LABEL: ctx.objid },
        el('mets:div', { ID: 'div-metadata', LABEL: 'Metadata', DMDID: 'dmd-erms', ADMID: 'digiprov-premis' }),
        el('mets:div', { ID: 'div-documentation', LABEL: 'Documentation' }, el('mets:fptr', { FILEID: 'grp-documentation' })),
        el('mets:div', { ID: 'div-schemas', LABEL: 'Schemas' }, el('mets:fptr', { FILEID: 'grp-schemas' })),
        el(
          'mets:div',
          { ID: `div-${REPRESENTATION}`, LABEL: `Representations/${REPRESENTATION}` },
          el('mets:mptr', {
            LOCTYPE: 'URL',
            'xlink:type': 'simple',
            'xlink:href': hrefOf(files.representationMets.path),
            'xlink:title': `grp-${REPRESENTATION}`,
          }),
          el('mets:fptr', { FILEID: `grp-${REPRESENTATION}` }),
        ),
      ),
    ),
  );
  return xmlDocument(root);
}
