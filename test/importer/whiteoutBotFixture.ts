import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * Builds the Python whiteout-bot's databases (db/users.sqlite, db/alliance.sqlite, db/giftcode.sqlite) with that
 * bot's schema, as its versions create them: the newest with every column, `old` without the columns later versions
 * added (discord_server_id, kid, validation_status) and without the tables they added.
 */
export interface FixtureUser {
  fid: number | string;
  nickname: string;
  kid: number | null;
  alliance: string;
}

export interface Fixture {
  alliances: {
    id: number;
    name: string;
    discordServerId: bigint | null;
    kid: number | null;
    channelId?: bigint;
    codeChannelId?: bigint;
    autoRedeem?: 0 | 1;
  }[];
  users: FixtureUser[];
  codes: { code: string; status: string | null }[];
  history: { fid: number; code: string; status: string }[];
}

export function writeWhiteoutBot(folder: string, fixture: Fixture, { old = false }: { old?: boolean } = {}): string {
  const db = join(folder, 'db');
  mkdirSync(db, { recursive: true });

  const alliance = new DatabaseSync(join(db, 'alliance.sqlite'));
  alliance.exec('CREATE TABLE alliance_list (alliance_id INTEGER PRIMARY KEY, name TEXT)');
  if (!old) {
    alliance.exec(
      'CREATE TABLE alliancesettings (alliance_id INTEGER PRIMARY KEY, channel_id INTEGER, interval INTEGER)',
    );
    alliance.exec('ALTER TABLE alliance_list ADD COLUMN discord_server_id INTEGER');
    alliance.exec('ALTER TABLE alliance_list ADD COLUMN kid INTEGER');
  }
  for (const a of fixture.alliances) {
    if (old) alliance.prepare('INSERT INTO alliance_list (alliance_id, name) VALUES (?, ?)').run(a.id, a.name);
    else
      alliance
        .prepare('INSERT INTO alliance_list (alliance_id, name, discord_server_id, kid) VALUES (?, ?, ?, ?)')
        .run(a.id, a.name, a.discordServerId, a.kid);
    if (!old && a.channelId !== undefined)
      alliance
        .prepare('INSERT INTO alliancesettings (alliance_id, channel_id, interval) VALUES (?, ?, 0)')
        .run(a.id, a.channelId);
  }
  alliance.close();

  const users = new DatabaseSync(join(db, 'users.sqlite'));
  users.exec(
    'CREATE TABLE users (fid INTEGER PRIMARY KEY, nickname TEXT, furnace_lv INTEGER DEFAULT 0, kid INTEGER, stove_lv_content TEXT, alliance TEXT)',
  );
  const insertUser = users.prepare(
    'INSERT INTO users (fid, nickname, furnace_lv, kid, alliance) VALUES (?, ?, 30, ?, ?)',
  );
  users.exec('BEGIN');
  for (const u of fixture.users) insertUser.run(u.fid, u.nickname, u.kid, u.alliance);
  users.exec('COMMIT');
  users.close();

  // The bot runs its gift-code database in WAL mode.
  const gift = new DatabaseSync(join(db, 'giftcode.sqlite'));
  gift.exec('PRAGMA journal_mode = WAL');
  gift.exec('CREATE TABLE gift_codes (giftcode TEXT PRIMARY KEY, date TEXT)');
  gift.exec(
    'CREATE TABLE user_giftcodes (fid INTEGER, giftcode TEXT, status TEXT, PRIMARY KEY (fid, giftcode), FOREIGN KEY (giftcode) REFERENCES gift_codes (giftcode))',
  );
  if (!old) {
    gift.exec("ALTER TABLE gift_codes ADD COLUMN validation_status TEXT DEFAULT 'pending'");
    gift.exec('CREATE TABLE giftcodecontrol (alliance_id INTEGER PRIMARY KEY, status INTEGER DEFAULT 0)');
    gift.exec('CREATE TABLE giftcode_channel (alliance_id INTEGER, channel_id INTEGER, PRIMARY KEY (alliance_id))');
    for (const a of fixture.alliances) {
      if (a.autoRedeem !== undefined)
        gift.prepare('INSERT INTO giftcodecontrol (alliance_id, status) VALUES (?, ?)').run(a.id, a.autoRedeem);
      if (a.codeChannelId !== undefined)
        gift.prepare('INSERT INTO giftcode_channel (alliance_id, channel_id) VALUES (?, ?)').run(a.id, a.codeChannelId);
    }
  }
  gift.exec('BEGIN');
  for (const c of fixture.codes) {
    if (old) gift.prepare('INSERT INTO gift_codes (giftcode, date) VALUES (?, ?)').run(c.code, '2026-11-01');
    else
      gift
        .prepare('INSERT INTO gift_codes (giftcode, date, validation_status) VALUES (?, ?, ?)')
        .run(c.code, '2026-11-01', c.status);
  }
  const insertHistory = gift.prepare('INSERT INTO user_giftcodes (fid, giftcode, status) VALUES (?, ?, ?)');
  for (const h of fixture.history) insertHistory.run(h.fid, h.code, h.status);
  gift.exec('COMMIT');
  // A cleanly stopped bot: the log is checkpointed and removed.
  gift.close();
  return db;
}

/** Every file in the folder with its SHA-256: equal before and after means the import left the folder untouched. */
export function fingerprint(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(folder, { recursive: true }) as string[]) {
    const path = join(folder, name);
    try {
      out[name] = createHash('sha256').update(readFileSync(path)).digest('hex');
    } catch {
      out[name] = 'dir';
    }
  }
  return out;
}

/** Every row of every table of a giftbot database, read through a separate connection. */
export function dumpDatabase(path: string): Record<string, unknown[]> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all();
    const dump: Record<string, unknown[]> = {};
    for (const { name } of tables) dump[String(name)] = db.prepare(`SELECT * FROM "${String(name)}"`).all();
    return dump;
  } finally {
    db.close();
  }
}
