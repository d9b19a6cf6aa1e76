import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';

/** The Python bot's folder cannot be read as such (missing files or tables): nothing is imported. */
export class ImportSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportSourceError';
  }
}

/** One value as stored by the Python bot (INTEGER columns are read as bigint, so Discord ids stay exact). */
export type Raw = string | number | bigint | null;

export interface WhiteoutBotData {
  /** The folder holding the .sqlite files. */
  dbFolder: string;
  alliances: { allianceId: string; name: Raw; discordServerId: Raw; kid: Raw }[];
  /** alliancesettings.channel_id: where the bot posted (results). */
  resultChannels: Map<string, Raw>;
  /** giftcode_channel.channel_id: where members post codes. */
  codeChannels: Map<string, Raw>;
  /** giftcodecontrol.status: auto-redeem per alliance. */
  autoRedeem: Map<string, Raw>;
  users: { fid: Raw; nickname: Raw; kid: Raw; alliance: Raw }[];
  codes: { code: Raw; validationStatus: Raw }[];
  redemptions: { fid: Raw; code: Raw; status: Raw }[];
  /** What this version of the bot lacks (optional tables and columns), and anything else worth knowing. */
  notes: string[];
}

const FILES = { users: 'users.sqlite', alliance: 'alliance.sqlite', giftcode: 'giftcode.sqlite' } as const;

/** The bot keeps its databases in `db/`; accept the bot's folder or the db folder itself. */
export function locateDbFolder(folder: string): string {
  const root = resolve(folder);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new ImportSourceError(`${folder} is not a folder`);
  for (const candidate of [join(root, 'db'), root]) {
    if (existsSync(join(candidate, FILES.users)) || existsSync(join(candidate, FILES.alliance))) return candidate;
  }
  throw new ImportSourceError(
    `${folder} has neither ${FILES.users} nor ${FILES.alliance} (looked in it and in its db/ folder)`,
  );
}

/**
 * Opens a source file without changing anything in its folder. A file whose write-ahead log is absent is complete in
 * itself and is opened immutable (no lock, no -shm/-wal files created). With a -wal file present (the old bot is
 * running, or stopped uncleanly) the log must be read too: opened read-only, using the files that are there.
 */
function openSource(path: string, notes: string[]): DatabaseSync {
  try {
    if (existsSync(`${path}-wal`)) {
      notes.push(
        `${path}-wal exists: the Python bot may still be running; stop it before importing for a consistent copy`,
      );
      return new DatabaseSync(path, { readOnly: true, readBigInts: true });
    }
    const url = pathToFileURL(path);
    url.searchParams.set('immutable', '1');
    return new DatabaseSync(url.href, { readOnly: true, readBigInts: true });
  } catch (error) {
    throw new ImportSourceError(`cannot open ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function columnsOf(db: DatabaseSync, table: string): Set<string> | null {
  const rows = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table);
  return rows.length === 0 ? null : new Set(rows.map((row) => String(row.name).toLowerCase()));
}

/**
 * Rows of a table with the columns this version of the bot has: a missing optional column reads as null (and is
 * noted), a missing required one makes the table unusable. Returns null when the table is absent or unusable.
 */
function readTable(
  db: DatabaseSync,
  file: string,
  table: string,
  required: readonly string[],
  optional: readonly string[],
  notes: string[],
  { mustExist }: { mustExist: boolean },
): Record<string, Raw>[] | null {
  const columns = columnsOf(db, table);
  const missingRequired = columns ? required.filter((c) => !columns.has(c)) : required;
  if (!columns || missingRequired.length > 0) {
    const what = columns
      ? `${table} in ${file} has no ${missingRequired.join(', ')} column`
      : `${file} has no ${table} table`;
    if (mustExist) throw new ImportSourceError(`${what}: is this the Python bot's folder?`);
    notes.push(`${what}: skipped`);
    return null;
  }
  const missingOptional = optional.filter((c) => !columns.has(c));
  if (missingOptional.length > 0)
    notes.push(
      `${table} in ${file} has no ${missingOptional.join(', ')} column (an older version of the bot): read as empty`,
    );
  const select = [...required, ...optional].map((c) => (columns.has(c) ? `"${c}"` : `NULL AS "${c}"`)).join(', ');
  return db.prepare(`SELECT ${select} FROM "${table}"`).all() as Record<string, Raw>[];
}

/** Reads what giftbot needs from the Python bot's databases. Opens them read-only; nothing in the folder changes. */
export function readWhiteoutBot(folder: string): WhiteoutBotData {
  const dbFolder = locateDbFolder(folder);
  const notes: string[] = [];
  const path = (name: string) => join(dbFolder, name);
  for (const required of [FILES.users, FILES.alliance]) {
    if (!existsSync(path(required))) throw new ImportSourceError(`${dbFolder} has no ${required}`);
  }
  const opened: DatabaseSync[] = [];
  const open = (name: string) => {
    const db = openSource(path(name), notes);
    opened.push(db);
    return db;
  };
  try {
    const allianceDb = open(FILES.alliance);
    const alliances = readTable(
      allianceDb,
      FILES.alliance,
      'alliance_list',
      ['alliance_id'],
      ['name', 'discord_server_id', 'kid'],
      notes,
      { mustExist: true },
    )!;
    const settings =
      readTable(allianceDb, FILES.alliance, 'alliancesettings', ['alliance_id', 'channel_id'], [], notes, {
        mustExist: false,
      }) ?? [];

    const usersDb = open(FILES.users);
    const users = readTable(usersDb, FILES.users, 'users', ['fid', 'alliance'], ['nickname', 'kid'], notes, {
      mustExist: true,
    })!;

    let codes: Record<string, Raw>[] = [];
    let redemptions: Record<string, Raw>[] = [];
    let control: Record<string, Raw>[] = [];
    let codeChannels: Record<string, Raw>[] = [];
    if (existsSync(path(FILES.giftcode))) {
      const giftDb = open(FILES.giftcode);
      codes =
        readTable(giftDb, FILES.giftcode, 'gift_codes', ['giftcode'], ['validation_status'], notes, {
          mustExist: false,
        }) ?? [];
      redemptions =
        readTable(giftDb, FILES.giftcode, 'user_giftcodes', ['fid', 'giftcode', 'status'], [], notes, {
          mustExist: false,
        }) ?? [];
      control =
        readTable(giftDb, FILES.giftcode, 'giftcodecontrol', ['alliance_id', 'status'], [], notes, {
          mustExist: false,
        }) ?? [];
      codeChannels =
        readTable(giftDb, FILES.giftcode, 'giftcode_channel', ['alliance_id', 'channel_id'], [], notes, {
          mustExist: false,
        }) ?? [];
    } else {
      notes.push(`${dbFolder} has no ${FILES.giftcode}: no codes or redemption history to import`);
    }

    const byAlliance = (rows: Record<string, Raw>[], column: string) =>
      new Map(rows.map((row) => [String(row.alliance_id), row[column] ?? null]));
    return {
      dbFolder,
      alliances: alliances.map((row) => ({
        allianceId: String(row.alliance_id),
        name: row.name ?? null,
        discordServerId: row.discord_server_id ?? null,
        kid: row.kid ?? null,
      })),
      resultChannels: byAlliance(settings, 'channel_id'),
      codeChannels: byAlliance(codeChannels, 'channel_id'),
      autoRedeem: byAlliance(control, 'status'),
      users: users.map((row) => ({
        fid: row.fid ?? null,
        nickname: row.nickname ?? null,
        kid: row.kid ?? null,
        alliance: row.alliance ?? null,
      })),
      codes: codes.map((row) => ({ code: row.giftcode ?? null, validationStatus: row.validation_status ?? null })),
      redemptions: redemptions.map((row) => ({
        fid: row.fid ?? null,
        code: row.giftcode ?? null,
        status: row.status ?? null,
      })),
      notes,
    };
  } finally {
    for (const db of opened) db.close();
  }
}
