import type { Game } from '../game/games.ts';
import { ImportVerificationError } from './importVerificationError.ts';
import {
  allianceKey,
  codeKey,
  ledgerKey,
  memberKey,
  type ImportPlan,
  type ImportSnapshot,
  type SnapshotAlliance,
} from './importPlan.ts';
import { num, text, type Row } from './rows.ts';
import { isFinalLedgerStatus, type CodeStatus, type ImportBatch, type LedgerStatus } from './types.ts';

/** The keys a store reads for a batch (before writing, and again to verify). */
export function snapshotKeys(batch: ImportBatch): {
  guildIds: string[];
  codes: { game: Game; code: string }[];
  ledger: { game: Game; fid: string; code: string }[];
} {
  return {
    guildIds: [...new Set(batch.guilds.map((g) => g.id))],
    codes: batch.codes.map(({ game, code }) => ({ game, code })),
    ledger: batch.ledger.map(({ game, fid, code }) => ({ game, fid, code })),
  };
}

/** Rows as both stores read them (same columns and value shapes) to the snapshot the planner takes. */
export function snapshotFromRows(rows: {
  guilds: Row[];
  alliances: Row[];
  members: Row[];
  codes: Row[];
  ledger: Row[];
}): ImportSnapshot {
  return {
    guilds: new Map(rows.guilds.map((r) => [String(r.id), { name: text(r.name) }])),
    alliances: rows.alliances.map((r): SnapshotAlliance => ({
      id: Number(r.id),
      guildId: String(r.guild_id),
      name: String(r.name),
      game: r.game as Game,
      defaultState: num(r.default_state),
      autoRedeem: Number(r.auto_redeem) === 1,
      resultChannelId: text(r.result_channel_id),
      codesChannelId: text(r.codes_channel_id),
      removed: r.removed_at !== null && r.removed_at !== undefined,
    })),
    members: new Map(
      rows.members.map((r) => [
        memberKey(String(r.guild_id), String(r.fid)),
        {
          allianceId: Number(r.alliance_id),
          state: num(r.state),
          name: text(r.name),
          removed: r.removed_at !== null && r.removed_at !== undefined,
        },
      ]),
    ),
    codes: new Map(rows.codes.map((r) => [codeKey(String(r.game), String(r.code)), r.status as CodeStatus])),
    ledger: new Map(
      rows.ledger.map((r) => [ledgerKey(String(r.game), String(r.fid), String(r.code)), r.status as LedgerStatus]),
    ),
  };
}

/**
 * Counts what the store holds after writing, before the commit, against what the plan should have produced; sets
 * `plan.result.verified` and throws ImportVerificationError (the store rolls back) when anything is missing.
 */
export function checkImport(plan: ImportPlan, after: ImportSnapshot): void {
  const { verified } = plan.result;
  const active = new Map(
    after.alliances.filter((a) => !a.removed).map((a) => [allianceKey(a.guildId, a.name), a] as const),
  );
  verified.guilds = plan.expected.guilds.filter((id) => after.guilds.has(id)).length;
  verified.alliances = plan.expected.alliances.filter(({ key, game }) => active.get(key)?.game === game).length;
  verified.members = plan.expected.members.filter(({ guildId, fid, allianceKey: key }) => {
    const member = after.members.get(memberKey(guildId, fid));
    if (!member || member.removed) return false;
    return key === null || active.get(key)?.id === member.allianceId;
  }).length;
  verified.codes = plan.expected.codes.filter((key) => after.codes.has(key)).length;
  verified.ledger = plan.expected.ledger.filter((key) => isFinalLedgerStatus(after.ledger.get(key))).length;
  const problems = (['guilds', 'alliances', 'members', 'codes', 'ledger'] as const)
    .filter((key) => verified[key] !== plan.expected[key].length)
    .map((key) => `${key}: ${verified[key]} found, ${plan.expected[key].length} expected`);
  if (problems.length > 0)
    throw new ImportVerificationError(`the import did not add up (${problems.join('; ')}); nothing was written`);
}
