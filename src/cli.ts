import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../machines/roles.js';
import { createServices } from './services.js';
import { loadConfig } from './config.js';
import { backupFolder, restoreFolder, verifyBackup } from './documents/backup.js';
import { openDatabase } from './db/client.js';
import { DomainError } from './errors.js';
import { loadProgrammeDefinition } from './programmes/config.js';

const USAGE = `Satsa command-line tool (runs against SATSA_DATA_DIR, default ./data)

  npm run cli -- programme:add <id> [--new-version]
      Load templates/programmes/<id>.json into the database: a new programme, or a new version
      of its settings. A programme last changed in the browser is refused unless --new-version
      says to put the file in force over those changes (earlier versions stay readable).
  npm run cli -- user:create --programme <id> --email <e-mail> --name <name> --role <role> [--role <role>…]
                             [--language sv|en]   (the password is read from SATSA_PASSWORD or asked for)
  npm run cli -- user:grant --email <e-mail> --programme <id> --role <role> [--role <role>…]
      Give an existing user roles in a programme (one person may act in several programmes).
  npm run cli -- user:system-administrator --email <e-mail> [--off]
      Make a user a system administrator, who may see and erase people's data across
      programmes (a programme's administrators do so within theirs); --off: no longer one.
  npm run cli -- token:create --email <e-mail> --name <token name> [--days <1–730, default 90>]
      Print a new personal API token (shown once) for Authorization: Bearer …; it expires
  npm run cli -- archive:export --programme <id> (--case <id> | --year <yyyy>) --out <folder> --email <administrator>
      Deliver closed cases to the e-archive: one E-ARK SIP package (zip) per case, written into
      <folder> and recorded as delivered (on the case, and in the programme's deliveries), as
      the administrator with that e-mail. --year: every case of the programme closed that year.
  npm run cli -- process:migrate --programme <id> --to <version> --email <administrator> [--case <id or diary number>…] [--dry-run]
      Move running cases of a programme to a later version of the process. Prints the dry run
      first: every running case, where it is, where it would land or why it cannot move. With
      --dry-run nothing more; otherwise the chosen cases (every case that can move, without
      --case) are moved, all or nothing, each case with an event in its history naming the
      administrator. It cannot be undone.
  npm run cli -- backup <folder>
      Back up while Satsa runs into a new <folder>: satsa.db (SQLite's online backup, checked),
      documents/ (every document's file) and SHA256SUMS (check it with sha256sum -c SHA256SUMS).
  npm run cli -- backup:verify <folder>
      Check a backup folder against its SHA256SUMS.
  npm run cli -- restore <folder>
      With Satsa stopped and no database in SATSA_DATA_DIR: check the backup, then put its
      database and documents in place.

Roles: ${ROLES.join(', ')}`;

/** The dry run as a plain-text table: one line per running case. */
function migrationTable(
  cases: {
    diaryNumber: string;
    machineVersion: number;
    stepText: string;
    stepTextAfter: string | null;
    reason: { message: string } | null;
  }[],
): string {
  const rows = [
    ['diary number', 'version', 'now at', 'would land at / why it cannot move'],
    ...cases.map((c) => [
      c.diaryNumber,
      String(c.machineVersion),
      c.stepText,
      c.stepTextAfter ?? `cannot move: ${c.reason?.message ?? ''}`,
    ]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ')).join('\n');
}

async function readPassword(): Promise<string | undefined> {
  if (process.env.SATSA_PASSWORD) return process.env.SATSA_PASSWORD;
  if (!process.stdin.isTTY) return undefined;
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question('Password (at least 12 characters, empty for none): ');
  rl.close();
  return answer || undefined;
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (command === 'backup' || command === 'backup:verify' || command === 'restore') {
    // Needs no services: it reads the database file as it is, beside a running server.
    const folder = rest[0];
    if (!folder) {
      console.error(`error: name the backup folder: npm run cli -- ${command} <folder>`);
      return 2;
    }
    try {
      const config = loadConfig();
      if (command === 'backup') {
        const result = await backupFolder(config.databaseFile, config.documentsDir, folder);
        console.log(
          `backup written to ${result.folder}: the database and ${result.documents} document files, ${result.bytes} bytes in ${result.milliseconds.toFixed(0)} ms; integrity check ok; checksums in SHA256SUMS`,
        );
      } else if (command === 'backup:verify') {
        const problems = await verifyBackup(folder);
        if (problems.length > 0) {
          console.error(`the backup is not whole:\n  ${problems.join('\n  ')}`);
          return 1;
        }
        console.log(`${folder}: every file matches SHA256SUMS`);
      } else {
        const result = await restoreFolder(folder, config.databaseFile, config.documentsDir);
        console.log(`restored the database and ${result.documents} document files into ${config.SATSA_DATA_DIR}; start Satsa`);
      }
      return 0;
    } catch (error) {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      programme: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', multiple: true },
      language: { type: 'string' },
      days: { type: 'string' },
      'new-version': { type: 'boolean' },
      case: { type: 'string', multiple: true },
      year: { type: 'string' },
      out: { type: 'string' },
      to: { type: 'string' },
      'dry-run': { type: 'boolean' },
      off: { type: 'boolean' },
    },
  });
  const config = loadConfig();
  const db = openDatabase(config.databaseFile);
  const services = createServices(db, () => new Date(), config);
  try {
    switch (command) {
      case 'programme:add': {
        const loaded = services.programmeAdmin.loadDefinition(loadProgrammeDefinition(positionals[0] ?? ''), {
          newVersion: values['new-version'],
        });
        const { config, version } = loaded;
        const what = loaded.created
          ? 'is loaded'
          : loaded.changed
            ? `is now at version ${version}`
            : `was already at version ${version}; nothing changed`;
        console.log(`programme ${config.id} (${config.name.sv}) ${what}; deadlines of ${loaded.casesRecomputed} running cases moved`);
        return 0;
      }
      case 'user:create': {
        const actor = await services.people.createUser({
          programmeId: values.programme ?? '',
          email: values.email ?? '',
          displayName: values.name ?? '',
          roles: (values.role ?? []) as Role[],
          language: (values.language ?? 'sv') as 'sv' | 'en',
          password: await readPassword(),
        });
        console.log(
          `user ${actor.email} created with roles ${actor.memberships.map((m) => `${m.roles.join(', ')} in ${m.programmeId}`).join('; ')} (id ${actor.id})`,
        );
        return 0;
      }
      case 'user:grant': {
        const user = services.people.userByEmail(values.email ?? '');
        if (!user) throw new DomainError('not-found', `no user with e-mail ${values.email ?? ''}`);
        const actor = services.people.grantRoles(user.id, values.programme ?? '', (values.role ?? []) as Role[])!;
        console.log(`user ${actor.email} now has ${actor.memberships.map((m) => `${m.roles.join(', ')} in ${m.programmeId}`).join('; ')}`);
        return 0;
      }
      case 'user:system-administrator': {
        const user = services.people.userByEmail(values.email ?? '');
        if (!user) throw new DomainError('not-found', `no user with e-mail ${values.email ?? ''}`);
        services.people.setSystemAdministrator(user.id, !values.off);
        console.log(`user ${user.email} is ${values.off ? 'no longer' : 'now'} a system administrator`);
        return 0;
      }
      case 'token:create': {
        const user = services.people.userByEmail(values.email ?? '');
        if (!user) throw new DomainError('not-found', `no user with e-mail ${values.email ?? ''}`);
        const days = Number(values.days ?? 90);
        if (!Number.isInteger(days) || days < 1 || days > 730)
          throw new DomainError('validation-failed', '--days must be a whole number of days from 1 to 730');
        const { token, expiresAt } = services.people.createApiToken(
          user.id,
          values.name ?? 'cli',
          new Date(Date.now() + days * 86_400_000),
        );
        console.log(token);
        console.error(`valid until ${expiresAt}`);
        return 0;
      }
      case 'archive:export': {
        const user = services.people.userByEmail(values.email ?? '');
        const actor = user && services.people.actorById(user.id);
        if (!actor) throw new DomainError('not-found', `no user with e-mail ${values.email ?? ''}`);
        if (!values.out) throw new DomainError('validation-failed', 'name the folder to write the packages into: --out <folder>');
        if ((values.case === undefined) === (values.year === undefined) || (values.case?.length ?? 0) > 1)
          throw new DomainError('validation-failed', 'name either one case (--case <id>) or a year (--year <yyyy>)');
        const year = Number(values.year);
        if (values.year !== undefined && (!/^\d{4}$/.test(values.year) || year < 2000 || year > 2100))
          throw new DomainError('validation-failed', '--year must be a year such as 2027');
        const result = await services.archive.deliver(
          actor,
          values.programme ?? '',
          values.case !== undefined ? { caseIds: values.case } : { year },
          'en',
        );
        fs.mkdirSync(values.out, { recursive: true });
        for (const d of result.items) {
          const file = services.archive.deliveredFile(actor, result.programmeId, d.id);
          fs.copyFileSync(file.path, path.join(values.out, d.packageName));
          console.log(`${d.diaryNumber}: ${path.join(values.out, d.packageName)} (${d.size} bytes, SHA-256 ${d.sha256})`);
        }
        console.log(`${result.items.length} packages delivered`);
        return 0;
      }
      case 'process:migrate': {
        const user = services.people.userByEmail(values.email ?? '');
        const actor = user && services.people.actorById(user.id);
        if (!actor) throw new DomainError('not-found', `no user with e-mail ${values.email ?? ''}`);
        const programmeId = values.programme ?? '';
        const toVersion = Number(values.to);
        if (!Number.isInteger(toVersion) || toVersion < 1) throw new DomainError('validation-failed', '--to must be a version number');
        const run = services.processMigration.dryRun(actor, programmeId, toVersion, 'en');
        console.log(migrationTable(run.cases));
        console.log(`\n${run.movable} of ${run.cases.length} running cases can move to version ${toVersion} of the process.`);
        if (values['dry-run']) return 0;
        const named = values.case ?? [];
        const chosen =
          named.length === 0
            ? run.cases.filter((c) => c.movable)
            : named.map((n) => {
                const found = run.cases.find((c) => c.caseId === n || c.diaryNumber === n);
                if (!found) throw new DomainError('not-found', `no running case ${n} in programme ${programmeId}`);
                return found;
              });
        if (chosen.length === 0) {
          console.log('nothing to move');
          return 0;
        }
        const done = services.processMigration.migrate(
          actor,
          programmeId,
          {
            toVersion,
            caseIds: chosen.map((c) => c.caseId),
            expectedVersions: Object.fromEntries(chosen.map((c) => [c.caseId, c.version])),
          },
          'en',
        );
        console.log(`moved ${done.moved.length} cases to version ${toVersion}: ${done.moved.map((m) => m.diaryNumber).join(', ')}`);
        return 0;
      }
      default:
        console.log(USAGE);
        return command === undefined || command === 'help' ? 0 : 2;
    }
  } catch (error) {
    if (error instanceof DomainError) {
      console.error(`error: ${error.detail ?? error.code}`);
      for (const c of (error.details.cases as { diaryNumber?: string; caseId: string; message?: string }[] | undefined) ?? []) {
        console.error(`  ${c.diaryNumber ?? c.caseId}: ${c.message ?? ''}`);
      }
      for (const e of error.details.errors ?? []) console.error(`  ${e.path}: ${e.message}`);
      return 1;
    }
    if (error instanceof Error && error.name === 'ZodError') {
      console.error(`error: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    db.$client.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
