import type { Game } from '../game/games.ts';
import {
  isFinalLedgerStatus,
  type AllianceRecord,
  type CodeStatus,
  type ImportBatch,
  type ImportBatchResult,
  type ImportCounts,
  type LedgerStatus,
} from './types.ts';

/**
 * Store.importBatch, decided once for both stores. Each store reads the rows the batch touches (an ImportSnapshot),
 * `planImport` decides every write and every count and note, the store writes the plan's rows in its transaction,
 * reads the snapshot again and `checkImport` verifies it. One planner, so the rules of an import (what is filled in,
 * what giftbot keeps, what is skipped and said) cannot drift apart between SQLite and PostgreSQL.
 */
/** An alliance as the import sees it: its settings, and whether it was removed (then left alone). */
export type SnapshotAlliance = Omit<AllianceRecord, 'fanoutPriority' | 'selfJoin' | 'language'> & { removed: boolean };

export interface SnapshotMember {
  allianceId: number;
  state: number | null;
  name: string | null;
  removed: boolean;
}

/** What the store holds for the batch's keys (servers, their alliances and rosters, the codes and ledger rows). */
export interface ImportSnapshot {
  guilds: ReadonlyMap<string, { name: string | null }>;
  /** Every alliance of the batch's servers, removed ones too. */
  alliances: readonly SnapshotAlliance[];
  /** By memberKey(guildId, fid). */
  members: ReadonlyMap<string, SnapshotMember>;
  /** By codeKey(game, code). */
  codes: ReadonlyMap<string, CodeStatus>;
  /** By ledgerKey(game, fid, code). */
  ledger: ReadonlyMap<string, LedgerStatus>;
}

export const memberKey = (guildId: string, fid: string) => `${guildId}:${fid}`;
export const codeKey = (game: string, code: string) => `${game}:${code}`;
export const ledgerKey = (game: string, fid: string, code: string) => `${game}:${fid}:${code}`;
/** An alliance by server and name, as people type it (case-insensitive, trimmed). */
export const allianceKey = (guildId: string, name: string) => `${guildId}\n${name.trim().toLowerCase()}`;

/** An alliance key for a message. */
export function allianceKeyLabel(key: string): string {
  const [guildId, name] = key.split('\n');
  return `"${name}" of server ${guildId}`;
}

export type AllianceFill = Partial<{ default_state: number; result_channel_id: string; codes_channel_id: string }>;

/** The writes of an import, in order: servers, alliances, members, codes, ledger. */
export interface ImportPlan {
  result: ImportBatchResult;
  /** `game` fills the legacy NOT NULL column of a new server row: its first alliance's game. */
  guildInserts: { id: string; name: string | null; game: Game }[];
  guildNameFills: { id: string; name: string }[];
  allianceInserts: (ImportBatch['alliances'][number] & { key: string })[];
  allianceFills: { id: number; fill: AllianceFill }[];
  /** New roster entries; `allianceKey` resolves to an existing alliance or one of allianceInserts. */
  memberInserts: { guildId: string; fid: string; allianceKey: string; state: number | null; name: string | null }[];
  /** Fill what giftbot does not know yet (null: leave as it is). */
  memberFills: { guildId: string; fid: string; state: number | null; name: string | null }[];
  codeInserts: ImportBatch['codes'][number][];
  /** Codes giftbot had not checked yet: take the old bot's status. */
  codeStatusUpdates: ImportBatch['codes'][number][];
  /** Insert, or replace a row that is not final. */
  ledgerUpserts: ImportBatch['ledger'][number][];
  /** Existing alliances by key (the store adds the ids of those it inserts). */
  allianceIds: Map<string, number>;
  expected: {
    guilds: string[];
    alliances: { key: string; game: Game }[];
    /** `allianceKey` null: on the server's rosters, in whichever alliance giftbot has them. */
    members: { guildId: string; fid: string; allianceKey: string | null }[];
    codes: string[];
    ledger: string[];
  };
}

const counts = (): ImportCounts => ({ created: 0, updated: 0, unchanged: 0, skipped: 0 });

export function planImport(batch: ImportBatch, snapshot: ImportSnapshot, dryRun: boolean): ImportPlan {
  const plan: ImportPlan = {
    result: {
      dryRun,
      guilds: counts(),
      alliances: counts(),
      members: counts(),
      codes: counts(),
      ledger: counts(),
      notes: [],
      verified: { guilds: 0, alliances: 0, members: 0, codes: 0, ledger: 0 },
    },
    guildInserts: [],
    guildNameFills: [],
    allianceInserts: [],
    allianceFills: [],
    memberInserts: [],
    memberFills: [],
    codeInserts: [],
    codeStatusUpdates: [],
    ledgerUpserts: [],
    allianceIds: new Map(),
    expected: { guilds: [], alliances: [], members: [], codes: [], ledger: [] },
  };
  planGuilds(batch, snapshot, plan);
  const skippedAlliances = planAlliances(batch, snapshot, plan);
  const skippedMembers = planMembers(batch, snapshot, plan, skippedAlliances);
  planCodes(batch, snapshot, plan);
  planLedger(batch, snapshot, plan, skippedMembers);
  return plan;
}

function planGuilds(batch: ImportBatch, snapshot: ImportSnapshot, plan: ImportPlan): void {
  const { result } = plan;
  for (const guild of dedupe(batch.guilds, (g) => g.id)) {
    plan.expected.guilds.push(guild.id);
    const existing = snapshot.guilds.get(guild.id);
    if (!existing) {
      const game = batch.alliances.find((a) => a.guildId === guild.id)?.game ?? 'wos';
      plan.guildInserts.push({ id: guild.id, name: guild.name, game });
      result.guilds.created += 1;
    } else if (guild.name !== null && existing.name === null) {
      plan.guildNameFills.push({ id: guild.id, name: guild.name });
      result.guilds.updated += 1;
    } else {
      if (guild.name !== null && existing.name !== guild.name)
        result.notes.push(`server ${guild.id}: kept giftbot's name ${existing.name} (the import says ${guild.name})`);
      result.guilds.unchanged += 1;
    }
  }
}

/** Returns the keys of the batch's alliances left alone (their members are too). */
function planAlliances(batch: ImportBatch, snapshot: ImportSnapshot, plan: ImportPlan): Set<string> {
  const { result } = plan;
  const skipped = new Set<string>();
  const servers = new Set(batch.guilds.map((g) => g.id));
  const active = new Map<string, SnapshotAlliance>();
  const removed = new Set<string>();
  for (const a of snapshot.alliances) {
    if (a.removed) removed.add(allianceKey(a.guildId, a.name));
    else {
      active.set(allianceKey(a.guildId, a.name), a);
      plan.allianceIds.set(allianceKey(a.guildId, a.name), a.id);
    }
  }
  for (const alliance of dedupe(batch.alliances, (a) => allianceKey(a.guildId, a.name))) {
    const key = allianceKey(alliance.guildId, alliance.name);
    const label = `alliance "${alliance.name.trim()}" of server ${alliance.guildId}`;
    if (!servers.has(alliance.guildId)) throw new Error(`import batch: ${label} has no server in guilds`);
    const existing = active.get(key);
    if (!existing && removed.has(key)) {
      // Removed in giftbot on purpose: an import of old data does not bring it back.
      skipped.add(key);
      result.alliances.skipped += 1;
      result.notes.push(`${label} was removed in giftbot: it and its members were left alone`);
      continue;
    }
    if (!existing) {
      plan.allianceInserts.push({ ...alliance, name: alliance.name.trim(), key });
      plan.expected.alliances.push({ key, game: alliance.game });
      result.alliances.created += 1;
      continue;
    }
    if (existing.game !== alliance.game) {
      skipped.add(key);
      result.alliances.skipped += 1;
      result.notes.push(
        `${label} is a ${existing.game} alliance in giftbot, not ${alliance.game}: it and its members were left alone`,
      );
      continue;
    }
    plan.expected.alliances.push({ key, game: alliance.game });
    const fill = fillAlliance(existing, alliance, label, result.notes);
    if (Object.keys(fill).length === 0) result.alliances.unchanged += 1;
    else {
      plan.allianceFills.push({ id: existing.id, fill });
      result.alliances.updated += 1;
    }
  }
  return skipped;
}

/** Only what giftbot does not know yet; a setting the admin made in giftbot stays (and the difference is noted). */
function fillAlliance(
  existing: SnapshotAlliance,
  incoming: ImportBatch['alliances'][number],
  label: string,
  notes: string[],
): AllianceFill {
  const fill: Record<string, string | number> = {};
  const fields = [
    ['default_state', existing.defaultState, incoming.defaultState, 'default state'],
    ['result_channel_id', existing.resultChannelId, incoming.resultChannelId, 'result channel'],
    ['codes_channel_id', existing.codesChannelId, incoming.codesChannelId, 'codes channel'],
  ] as const;
  for (const [column, current, value, what] of fields) {
    if (value === null) continue;
    if (current === null) fill[column] = value;
    else if (String(current) !== String(value))
      notes.push(`${label}: kept giftbot's ${what} ${current} (the import says ${value})`);
  }
  if (incoming.autoRedeem !== null && existing.autoRedeem !== incoming.autoRedeem) {
    const onOff = (on: boolean) => (on ? 'on' : 'off');
    notes.push(
      `${label}: kept giftbot's auto-redeem ${onOff(existing.autoRedeem)} (the import says ${onOff(incoming.autoRedeem)})`,
    );
  }
  return fill as AllianceFill;
}

/** Returns the member keys left alone with their alliance (their history is too). */
function planMembers(
  batch: ImportBatch,
  snapshot: ImportSnapshot,
  plan: ImportPlan,
  skippedAlliances: Set<string>,
): Set<string> {
  const { result } = plan;
  const skipped = new Set<string>();
  const known = new Set(batch.alliances.map((a) => allianceKey(a.guildId, a.name)));
  const keyOfId = new Map(snapshot.alliances.map((a) => [a.id, allianceKey(a.guildId, a.name)]));
  let removedKept = 0;
  let statesKept = 0;
  let alliancesKept = 0;
  for (const member of dedupe(batch.members, (m) => memberKey(m.guildId, m.fid))) {
    const key = memberKey(member.guildId, member.fid);
    const inAlliance = allianceKey(member.guildId, member.allianceName);
    if (!known.has(inAlliance))
      throw new Error(`import batch: member ${member.fid} names alliance "${member.allianceName}" not in alliances`);
    if (skippedAlliances.has(inAlliance)) {
      skipped.add(key);
      result.members.skipped += 1;
      continue;
    }
    const existing = snapshot.members.get(key);
    if (!existing) {
      plan.memberInserts.push({ ...member, allianceKey: inAlliance });
      plan.expected.members.push({ guildId: member.guildId, fid: member.fid, allianceKey: inAlliance });
      result.members.created += 1;
      continue;
    }
    if (existing.removed) {
      // Removed in giftbot on purpose: an import of old data does not bring them back.
      removedKept += 1;
      result.members.skipped += 1;
      continue;
    }
    // A player giftbot lists in another alliance of the server stays there: the admin may have moved them.
    if (keyOfId.get(existing.allianceId) !== inAlliance) alliancesKept += 1;
    plan.expected.members.push({ guildId: member.guildId, fid: member.fid, allianceKey: null });
    const fillState = existing.state === null && member.state !== null;
    const fillName = existing.name === null && member.name !== null;
    if (existing.state !== null && member.state !== null && existing.state !== member.state) statesKept += 1;
    if (!fillState && !fillName) {
      result.members.unchanged += 1;
      continue;
    }
    plan.memberFills.push({
      guildId: member.guildId,
      fid: member.fid,
      state: fillState ? member.state : null,
      name: fillName ? member.name : null,
    });
    result.members.updated += 1;
  }
  if (removedKept > 0) result.notes.push(`${removedKept} member(s) removed in giftbot were left removed`);
  if (statesKept > 0)
    result.notes.push(`${statesKept} member(s) have another state in giftbot than in the import: giftbot's was kept`);
  if (alliancesKept > 0)
    result.notes.push(
      `${alliancesKept} member(s) are in another alliance in giftbot than in the import: giftbot's was kept (giftbot members move moves them)`,
    );
  return skipped;
}

function planCodes(batch: ImportBatch, snapshot: ImportSnapshot, plan: ImportPlan): void {
  const { result } = plan;
  for (const code of dedupe(batch.codes, (c) => codeKey(c.game, c.code))) {
    plan.expected.codes.push(codeKey(code.game, code.code));
    const existing = snapshot.codes.get(codeKey(code.game, code.code));
    if (existing === undefined) {
      plan.codeInserts.push(code);
      result.codes.created += 1;
    } else if (existing === 'new' && code.status !== 'new') {
      // giftbot had not checked it yet; the old bot had.
      plan.codeStatusUpdates.push(code);
      result.codes.updated += 1;
    } else {
      result.codes.unchanged += 1;
    }
  }
}

function planLedger(batch: ImportBatch, snapshot: ImportSnapshot, plan: ImportPlan, skippedMembers: Set<string>): void {
  const { result } = plan;
  for (const row of dedupe(batch.ledger, (r) => ledgerKey(r.game, r.fid, r.code))) {
    if (skippedMembers.has(memberKey(row.guildId, row.fid))) {
      result.ledger.skipped += 1;
      continue;
    }
    if (!isFinalLedgerStatus(row.outcome.status))
      throw new Error(`import ledger rows must be final, got ${row.outcome.status} for ${row.fid}/${row.code}`);
    const key = ledgerKey(row.game, row.fid, row.code);
    plan.expected.ledger.push(key);
    const existing = snapshot.ledger.get(key);
    if (existing !== undefined && isFinalLedgerStatus(existing)) {
      result.ledger.unchanged += 1;
      continue;
    }
    plan.ledgerUpserts.push(row);
    if (existing !== undefined) result.ledger.updated += 1;
    else result.ledger.created += 1;
  }
}

/** The first of each key: a batch naming a row twice writes it once. */
function dedupe<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const k = key(row);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
