import type { ArchiveCase, PackageContext, PackageFile } from './model.js';
import { el, optional, xmlDocument, type Xml } from './xml.js';

/*
 * Preservation metadata, PREMIS 3.0. The package's premis.xml: the case as an intellectual
 * entity and its representation, the events (the case's creation, its decisions, its closing,
 * the package's creation) and the agents. The representation's premis.xml: each of its files
 * with its fixity (SHA-256), size and format.
 */

const ATTRS = {
  xmlns: 'http://www.loc.gov/premis/v3',
  'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
  version: '3.0',
};

const identifier = (kind: 'object' | 'event' | 'agent' | 'linkingObject' | 'linkingAgent', type: string, value: string) =>
  el(`${kind}Identifier`, {}, el(`${kind}IdentifierType`, {}, type), el(`${kind}IdentifierValue`, {}, value));

/** A file of the representation: its fixity, size and format, and the name a person gave it. */
function fileObject(file: PackageFile, base: string): Xml {
  return el(
    'object',
    { 'xsi:type': 'file' },
    identifier('object', 'local', file.path.slice(base.length + 1)),
    el(
      'objectCharacteristics',
      {},
      el('compositionLevel', {}, '0'),
      el('fixity', {}, el('messageDigestAlgorithm', {}, 'SHA-256'), el('messageDigest', {}, file.sha256)),
      el('size', {}, file.size),
      el('format', {}, el('formatDesignation', {}, el('formatName', {}, file.mimeType))),
    ),
    optional('originalName', file.originalName),
  );
}

/** The representation's premis.xml (schemas are three folders up). */
export function representationPremis(files: PackageFile[], base: string): Buffer {
  return xmlDocument(
    el(
      'premis',
      { ...ATTRS, 'xsi:schemaLocation': 'http://www.loc.gov/premis/v3 ../../../../schemas/premis.xsd' },
      files.map((f) => fileObject(f, base)),
    ),
  );
}

/** The case's own events that matter to preservation: its creation, its decisions, its closing. */
const PRESERVED_EVENTS: Record<string, string> = {
  CASE_CREATED: 'creation',
  RECORD_DECISION: 'decision',
  RECORD_SCALE_UP_DECISION: 'decision',
  IMPORT_DECIDED: 'decision',
  DOCUMENT_ADDED: 'ingestion',
  DOCUMENT_REPLACED: 'ingestion',
  DOCUMENT_WITHDRAWN: 'deaccession',
};

/** The package's premis.xml. */
export function packagePremis(ctx: PackageContext, c: ArchiveCase, representationMets: PackageFile): Buffer {
  const caseObject = el(
    'object',
    { 'xsi:type': 'intellectualEntity' },
    identifier('object', 'diarienummer', c.diaryNumber),
    identifier('object', 'local', c.id),
    el('originalName', {}, c.title),
  );
  const representation = el(
    'object',
    { 'xsi:type': 'representation' },
    identifier('object', 'local', representationMets.path.replace(/\/METS\.xml$/, '')),
    el(
      'relationship',
      {},
      el('relationshipType', {}, 'structural'),
      el('relationshipSubType', {}, 'represents'),
      el('relatedObjectIdentifier', {}, el('relatedObjectIdentifierType', {}, 'local'), el('relatedObjectIdentifierValue', {}, c.id)),
    ),
  );
  const people = new Map<string, string>();
  const agentOf = (name: string | null) => {
    if (!name) return undefined;
    if (!people.has(name)) people.set(name, `person-${people.size + 1}`);
    return people.get(name)!;
  };
  const caseEvents = c.history
    .filter((e) => PRESERVED_EVENTS[e.type])
    .map((e) => {
      const agent = agentOf(e.actorName);
      return el(
        'event',
        {},
        identifier('event', 'local', `${c.id}/${e.version}`),
        el('eventType', {}, PRESERVED_EVENTS[e.type]!),
        el('eventDateTime', {}, e.at),
        el('eventDetailInformation', {}, el('eventDetail', {}, `${e.label} (${e.roleLabel})`)),
        el('eventOutcomeInformation', {}, el('eventOutcome', {}, 'success')),
        agent ? identifier('linkingAgent', 'local', agent) : undefined,
        identifier('linkingObject', 'local', c.id),
      );
    });
  const closed = el(
    'event',
    {},
    identifier('event', 'local', `${c.id}/closed`),
    el('eventType', {}, 'accession'),
    el('eventDateTime', {}, c.closedAt),
    el('eventDetailInformation', {}, el('eventDetail', {}, `Ärendet avslutades: ${c.outcomeLabel}`)),
    identifier('linkingObject', 'local', c.id),
  );
  const packaged = el(
    'event',
    {},
    identifier('event', 'local', `${ctx.objid}/creation`),
    el('eventType', {}, 'creation'),
    el('eventDateTime', {}, ctx.createdAt),
    el('eventDetailInformation', {}, el('eventDetail', {}, 'Leveranspaketet (E-ARK SIP) skapades, med kontrollsumma för varje fil')),
    el('eventOutcomeInformation', {}, el('eventOutcome', {}, 'success')),
    identifier('linkingAgent', 'local', 'software'),
    identifier('linkingAgent', 'local', 'submitter'),
    identifier('linkingObject', 'local', representationMets.path.replace(/\/METS\.xml$/, '')),
  );
  const agents = [
    el(
      'agent',
      {},
      identifier('agent', 'local', 'software'),
      el('agentName', {}, ctx.software.name),
      el('agentType', {}, 'software'),
      el('agentVersion', {}, ctx.software.version),
    ),
    el('agent', {}, identifier('agent', 'local', 'submitter'), el('agentName', {}, ctx.submitter.name), el('agentType', {}, 'person')),
    el(
      'agent',
      {},
      identifier('agent', 'local', 'records-creator'),
      ...(ctx.settings.recordsCreator.organisationNumber
        ? [identifier('agent', 'organisationsnummer', ctx.settings.recordsCreator.organisationNumber)]
        : []),
      el('agentName', {}, ctx.settings.recordsCreator.name),
      el('agentType', {}, 'organization'),
      el('agentNote', {}, 'arkivbildare'),
    ),
    [...people].map(([name, id]) =>
      el('agent', {}, identifier('agent', 'local', id), el('agentName', {}, name), el('agentType', {}, 'person')),
    ),
  ];
  return xmlDocument(
    el(
      'premis',
      { ...ATTRS, 'xsi:schemaLocation': 'http://www.loc.gov/premis/v3 ../../schemas/premis.xsd' },
      caseObject,
      representation,
      caseEvents,
      closed,
      packaged,
      agents,
    ),
  );
}
