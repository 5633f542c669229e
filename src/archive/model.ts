/*
 * What a package of a closed case is made of: the case as the archive needs it (read through
 * the cases service, never from the event log's rows) and the files of the package.
 */

/** The E-ARK profiles and content information type the packages declare (FGS Paketstruktur 2.0, FGS Ärendehantering 2.0). */
export const SIP_PROFILE = 'https://earksip.dilcis.eu/profile/E-ARK-SIP-v2-2-0.xml';
/** CSIP2: the content category, from the CSIP vocabulary (HTML renderings and documents of several kinds). */
export const CONTENT_CATEGORY = 'Mixed';
/** CSIP4: the content information type specification, from the CSIP vocabulary. */
export const CONTENT_INFORMATION_TYPE = 'citserms_v2_1';
/** The one representation: the case as it was kept, rendered, with its documents. */
export const REPRESENTATION = 'rep1';

/** The published schemas every package carries in schemas/ (file names as in templates/archive/schemas). */
export const PACKAGE_SCHEMAS = [
  'mets.xsd',
  'xlink.xsd',
  'DILCISExtensionMETS.xsd',
  'DILCISExtensionSIPMETS.xsd',
  'premis.xsd',
  'ERMS.xsd',
  'xml.xsd',
] as const;

/** The programme's archive settings (src/programmes/config.ts `archive`). */
export interface ArchiveSettings {
  recordsCreator: { name: string; organisationNumber?: string };
  classificationCode: string;
}

/** A closed case as its package describes it. Names are read at packaging time; ids are the system's own. */
export interface ArchiveCase {
  id: string;
  diaryNumber: string;
  title: string;
  summary: string;
  programmeName: string;
  /** The case's version the package holds. */
  version: number;
  createdAt: string;
  /** When its outcome was recorded: the case closed then. */
  closedAt: string;
  outcomeLabel: string;
  outcomeReason: string | null;
  initiatorName: string | null;
  decision?: { label: string; motivation: string; at: string; reference?: string; decidedBy: string | null };
  /** The events of its history in words (oldest first), for PREMIS. */
  history: { version: number; type: string; label: string; at: string; actorName: string | null; roleLabel: string }[];
  documents: ArchiveDocument[];
}

export interface ArchiveDocument {
  id: string;
  fileName: string;
  mediaType: string;
  size: number;
  sha256: string;
  addedAt: string;
  addedByName: string | null;
  description: string | null;
  statusLabel: string;
  /** Where the file is in the document store. */
  storePath: string;
}

/** One file of a package: where it is in the package, what it is, and where its bytes come from. */
export interface PackageFile {
  /** Path from the package's root folder, '/'-separated. */
  path: string;
  mimeType: string;
  size: number;
  sha256: string;
  created: string;
  source: { buffer: Buffer } | { file: string };
  /** The name a person gave the file, when it is a document. */
  originalName?: string;
  /** The document or rendering it is, for the metadata's identifiers. */
  id: string;
}

/** Who and what made a package. */
export interface PackageContext {
  /** The package's id: `uuid:<uuid>` (CSIP1, METS OBJID). */
  objid: string;
  createdAt: string;
  software: { name: string; version: string };
  /** The person who made it (the submission's contact person, SIP21). */
  submitter: { name: string; email: string };
  settings: ArchiveSettings;
}

/**
 * The package's root folder: its id (CSIPSTR2), with the colon (which Windows cannot have in
 * a folder name) as an underscore, as CSIP1 allows.
 */
export const rootFolderOf = (objid: string) => objid.replace(/:/g, '_');
