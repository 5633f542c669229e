import type { ArchiveCase, PackageContext, PackageFile } from './model.js';
import { el, optional, xmlDocument } from './xml.js';

/*
 * The case as E-ARK CITS ERMS 2.1 describes it (FGS Ärendehantering 2.0): one aggregation of
 * the type caseFile (ärende), filed under the programme's classification code, from its
 * records creator (arkivbildare); its decision and documents as records, each pointing to
 * its file in the representation.
 */

/** Where a file of the representation is, seen from metadata/descriptive/. */
const fromDescriptive = (file: PackageFile) => `../../${file.path}`;

export function ermsXml(
  ctx: PackageContext,
  c: ArchiveCase,
  files: { caseHtml: PackageFile; historyHtml: PackageFile; documents: Map<string, PackageFile> },
): Buffer {
  const { recordsCreator, classificationCode } = ctx.settings;
  const creatorAgent = el(
    'agent',
    { agentType: 'creator' },
    el('name', {}, recordsCreator.name),
    el('organisation', {}, recordsCreator.name),
    optional('idNumber', recordsCreator.organisationNumber, { idNumberType: 'organisationsnummer' }),
    el('role', {}, 'arkivbildare'),
  );
  const appendix = (file: PackageFile, name: string, description?: string) =>
    el('appendix', { name, description, fileFormat: file.mimeType, path: fromDescriptive(file) });
  const decision = c.decision
    ? el(
        'record',
        { systemIdentifier: `${c.id}/decision`, recordType: 'beslut', recordPhysicalOrDigital: 'digitial' },
        el('objectId', {}, `${c.diaryNumber}:beslut`),
        optional('extraId', c.decision.reference, { extraIdType: 'beslutets_referens' }),
        el('title', {}, `Beslut: ${c.decision.label}`),
        el('status', { value: 'closed' }),
        el('direction', { directionDefinition: 'internal_memo_without_follow-up' }),
        c.decision.decidedBy
          ? el('agents', {}, el('agent', { agentType: 'authorising_person' }, el('name', {}, c.decision.decidedBy)))
          : undefined,
        el('description', {}, c.decision.motivation),
        el('dates', {}, el('date', { dateType: 'decision' }, c.decision.at)),
        el('additionalInformation', {}, appendix(files.caseHtml, 'Ärendet med beslutet', 'Ärendet som det dokumenterades, med beslutet')),
      )
    : undefined;
  const documents = c.documents.map((d, i) => {
    const file = files.documents.get(d.id)!;
    return el(
      'record',
      { systemIdentifier: d.id, recordType: 'dokument', recordPhysicalOrDigital: 'digitial' },
      el('objectId', {}, `${c.diaryNumber}:${i + 1}`),
      el('title', {}, d.fileName),
      el('status', { value: 'closed' }),
      el('runningNumber', {}, i + 1),
      el('direction', { directionDefinition: 'incoming' }),
      d.addedByName ? el('agents', {}, el('agent', { agentType: 'sender' }, el('name', {}, d.addedByName))) : undefined,
      el('description', {}, [d.description, d.statusLabel].filter(Boolean).join(' — ')),
      el('dates', {}, el('date', { dateType: 'received' }, d.addedAt)),
      el('additionalInformation', {}, appendix(file, d.fileName, d.description ?? undefined)),
    );
  });
  const history = el(
    'record',
    { systemIdentifier: `${c.id}/history`, recordType: 'handläggningshistorik', recordPhysicalOrDigital: 'digitial' },
    el('objectId', {}, `${c.diaryNumber}:historik`),
    el('title', {}, 'Ärendets historik'),
    el('status', { value: 'closed' }),
    el('description', {}, 'Varje händelse i ärendet: när, vem och vad.'),
    el('dates', {}, el('date', { dateType: 'created' }, c.createdAt), el('date', { dateType: 'closed' }, c.closedAt)),
    el('additionalInformation', {}, appendix(files.historyHtml, 'Ärendets historik')),
  );
  const root = el(
    'erms',
    {
      xmlns: 'https://DILCIS.eu/XML/ERMS',
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xsi:schemaLocation': 'https://DILCIS.eu/XML/ERMS ../../schemas/ERMS.xsd',
    },
    el(
      'control',
      {},
      el('identification', { identificationType: 'paket' }, ctx.objid),
      el(
        'maintenanceInformation',
        {},
        el('maintenanceStatus', { value: 'new' }),
        el('maintenanceAgency', {}, el('agencyName', {}, recordsCreator.name)),
        el(
          'maintenanceHistory',
          {},
          el(
            'maintenanceEvent',
            {},
            el('eventType', { value: 'created' }),
            el('eventDateTime', {}, ctx.createdAt),
            el('agent', { agentType: 'other', otherAgentType: 'software' }, el('name', {}, `${ctx.software.name} ${ctx.software.version}`)),
          ),
        ),
      ),
      el(
        'systemInformation',
        {},
        el('extraMetadataInformation', {}, el('description', {}, `${ctx.software.name} ${ctx.software.version}`)),
      ),
    ),
    el(
      'aggregations',
      {},
      el(
        'aggregation',
        { systemIdentifier: c.id, aggregationType: 'caseFile' },
        el('objectId', {}, c.diaryNumber),
        el('classification', { classificationCode }, c.programmeName),
        el('title', {}, c.title),
        el('status', { value: 'closed' }),
        el(
          'agents',
          {},
          creatorAgent,
          c.initiatorName ? el('agent', { agentType: 'counterpart' }, el('name', {}, c.initiatorName)) : undefined,
        ),
        el('description', {}, c.summary),
        el(
          'dates',
          {},
          el('date', { dateType: 'created' }, c.createdAt),
          c.decision ? el('date', { dateType: 'decision' }, c.decision.at) : undefined,
          el('date', { dateType: 'closed' }, c.closedAt),
        ),
        el(
          'notes',
          {},
          el('note', { noteType: 'utfall', noteDate: c.closedAt }, [c.outcomeLabel, c.outcomeReason].filter(Boolean).join(': ')),
        ),
        decision,
        history,
        documents,
      ),
    ),
  );
  return xmlDocument(root);
}
