import type { Game } from '../../game/games.ts';
import { normalizeCode } from '../../game/giftCode.ts';
import { isValidFid, isValidState } from '../../game/playerIds.ts';
import { cleanName } from '../../members/cleanName.ts';
import type { CodeStatus, ImportBatch, LedgerOutcome } from '../../store/types.ts';
import { ImportProblems } from '../importProblems.ts';
import type { Raw, WhiteoutBotData } from './readWhiteoutBot.ts';

export const WHITEOUT_BOT_SOURCE = 'import:whiteout-bot';

export interface WhiteoutBotPlanOptions {
  game: Game;
  /** alliance id → Discord server id, for versions of the bot without discord_server_id (or to override it). */
  guildFor?: ReadonlyMap<string, string>;
}

/** One of the old bot's alliances as it becomes a giftbot alliance (same name, state, members). */
export interface PlannedAlliance {
  /** The old bot's alliance id. */
  sourceId: string;
  guildId: string;
  /** The giftbot alliance's name: the old bot's, made unique in its server when two share one. */
  name: string;
  defaultState: number | null;
  members: number;
  membersWithoutState: number;
  /** What the import does with it, from giftbot's alliances before the import (set by importWhiteoutBot). */
  action?: 'create' | 'match' | 'skip';
}

export interface WhiteoutBotPlan {
  batch: ImportBatch;
  alliances: PlannedAlliance[];
  /** Rows read from the source. */
  read: { alliances: number; users: number; codes: number; redemptions: number };
  /** Redemption rows not imported because the old bot's answer was not final, by that answer. */
  historyNotFinal: Record<string, number>;
  problems: ImportProblems;
}

const text = (value: Raw): string | null => {
  if (value === null) return null;
  const s = String(value).trim();
  return s === '' ? null : s;
};

/** Discord ids are snowflakes: 17–20 digits today; anything else (0, empty, a name) means "not set". */
const snowflake = (value: Raw): string | null => {
  const s = text(value);
  return s !== null && /^[1-9]\d{4,24}$/.test(s) ? s : null;
};

const state = (value: Raw): number | null => {
  const s = text(value);
  return s !== null && isValidState(s) ? Number(s) : null;
};

/** gift_codes.validation_status → giftbot's code status; anything unknown stays `new` (giftbot checks it itself). */
export function codeStatusFor(raw: Raw): CodeStatus {
  switch (text(raw)?.toLowerCase().replaceAll(' ', '_')) {
    case 'validated':
    case 'valid':
      return 'valid';
    case 'invalid':
    case 'not_found':
    case 'cdk_not_found':
      return 'invalid';
    case 'expired':
    case 'time_error':
      return 'expired';
    case 'used':
    case 'used_up':
    case 'usage_limit':
      return 'used-up';
    default:
      return 'new';
  }
}

/**
 * user_giftcodes.status → a final ledger outcome, or null when the old bot's answer was not final (errors, timeouts,
 * captcha failures…): those members get the code from giftbot.
 */
export function ledgerOutcomeFor(raw: Raw): LedgerOutcome | null {
  const msg = text(raw);
  if (msg === null) return null;
  const key = msg.toUpperCase().replaceAll('_', ' ').replace(/\.$/, '').trim();
  if (key === 'SUCCESS') return { status: 'success', reason: null, errCode: 20000, msg };
  if (key === 'RECEIVED' || key === 'ALREADY RECEIVED')
    return { status: 'already', reason: 'received', errCode: 40008, msg };
  if (key === 'SAME TYPE EXCHANGE') return { status: 'already', reason: 'same-type', errCode: 40011, msg };
  return null;
}

/** Maps the Python bot's alliances, users, codes and history to what giftbot stores; every broken row is reported. */
export function planWhiteoutBotImport(data: WhiteoutBotData, options: WhiteoutBotPlanOptions): WhiteoutBotPlan {
  const { game } = options;
  const problems = new ImportProblems();

  // Users per alliance, to infer an alliance's state when the bot did not store one.
  const usersByAlliance = new Map<string, typeof data.users>();
  for (const user of data.users) {
    const key = text(user.alliance) ?? '';
    const list = usersByAlliance.get(key);
    if (list) list.push(user);
    else usersByAlliance.set(key, [user]);
  }

  // Each alliance stays an alliance; several on one Discord server become several alliances of that server.
  const { alliances, allianceOf } = planAlliances(data, options, usersByAlliance, problems);
  const { members, memberGuilds } = planMembers(data, allianceOf, problems);
  const codes = planCodes(data, problems);
  const ledger = planHistory(data, game, memberGuilds, problems);
  const planned = [...alliances.values()];
  return {
    batch: {
      source: WHITEOUT_BOT_SOURCE,
      // The old bot does not know the servers' names: giftbot learns them from Discord.
      guilds: [...new Set(planned.map((a) => a.guildId))].map((id) => ({ id, name: null })),
      alliances: planned.map((a) => a.batch),
      members,
      codes: [...codes.entries()].map(([code, status]) => ({ game, code, status })),
      ledger: [...ledger.rows.values()],
    },
    alliances: planned.map(({ batch: _batch, ...alliance }) => alliance),
    read: {
      alliances: data.alliances.length,
      users: data.users.length,
      codes: data.codes.length,
      redemptions: data.redemptions.length,
    },
    historyNotFinal: ledger.historyNotFinal,
    problems,
  };
}

function mostCommonState(users: WhiteoutBotData['users']): number | null {
  const counts = new Map<number, number>();
  for (const user of users) {
    const kid = state(user.kid);
    if (kid !== null) counts.set(kid, (counts.get(kid) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? null;
}

type AlliancePlan = PlannedAlliance & { batch: ImportBatch['alliances'][number] };

function planAlliances(
  data: WhiteoutBotData,
  options: WhiteoutBotPlanOptions,
  usersByAlliance: Map<string, WhiteoutBotData['users']>,
  problems: ImportProblems,
) {
  const { game } = options;
  const alliances = new Map<string, AlliancePlan>();
  /** Names taken per server, case-insensitively (giftbot's alliance names are unique in a server). */
  const namesTaken = new Map<string, Set<string>>();
  const sorted = [...data.alliances].sort(
    (a, b) => Number(a.allianceId) - Number(b.allianceId) || a.allianceId.localeCompare(b.allianceId),
  );
  for (const alliance of sorted) {
    const id = alliance.allianceId;
    const sourceName = text(alliance.name);
    const label = `alliance ${id}${sourceName ? ` (${sourceName})` : ''}`;
    const guildId = options.guildFor?.get(id) ?? snowflake(alliance.discordServerId);
    if (!guildId) {
      const members = usersByAlliance.get(id)?.length ?? 0;
      problems.add(
        'alliance-without-server',
        'alliances without a Discord server (not imported with their members; map them with --guild <allianceId>=<serverId>)',
        `${label}, ${members} member(s)`,
      );
      continue;
    }
    const taken = namesTaken.get(guildId) ?? new Set<string>();
    namesTaken.set(guildId, taken);
    let name = sourceName ?? `alliance ${id}`;
    if (taken.has(name.toLowerCase())) {
      const unique = `${name} (${id})`;
      problems.add(
        'alliance-name-shared',
        'alliances sharing a name on one Discord server (the later ones get their old id after the name)',
        `${label} → "${unique}" on server ${guildId}`,
      );
      name = unique;
    }
    taken.add(name.toLowerCase());
    let defaultState = state(alliance.kid);
    if (defaultState === null) {
      defaultState = mostCommonState(usersByAlliance.get(id) ?? []);
      problems.add(
        'alliance-state-inferred',
        'alliances without a state of their own (the state most of their members are in is used)',
        `${label}: ${defaultState ?? 'none: no member has a state either'}`,
      );
    }
    const control = text(data.autoRedeem.get(id) ?? null);
    const autoRedeem =
      control === null ? null : control === '1' || control.toLowerCase() === 'true' || control.toLowerCase() === 'on';
    alliances.set(id, {
      sourceId: id,
      guildId,
      name,
      defaultState,
      members: 0,
      membersWithoutState: 0,
      batch: {
        guildId,
        name,
        game,
        defaultState,
        autoRedeem,
        resultChannelId: snowflake(data.resultChannels.get(id) ?? null),
        codesChannelId: snowflake(data.codeChannels.get(id) ?? null),
      },
    });
  }
  return { alliances, allianceOf: (sourceId: string) => alliances.get(sourceId) };
}

function planMembers(
  data: WhiteoutBotData,
  allianceOf: (sourceId: string) => AlliancePlan | undefined,
  problems: ImportProblems,
) {
  const knownAlliances = new Set(data.alliances.map((a) => a.allianceId));
  const members: ImportBatch['members'][number][] = [];
  /** fid → server, for the history of the members imported. */
  const memberGuilds = new Map<string, string>();
  for (const user of data.users) {
    const fid = text(user.fid);
    if (fid === null || !isValidFid(fid)) {
      problems.add('user-bad-fid', 'users with an id that is not a player id (skipped)', `"${fid ?? ''}"`);
      continue;
    }
    const sourceAlliance = text(user.alliance);
    if (sourceAlliance === null || !knownAlliances.has(sourceAlliance)) {
      problems.add(
        'user-unknown-alliance',
        'users in an alliance alliance.sqlite does not list (skipped)',
        `${fid} (alliance ${sourceAlliance ?? 'none'})`,
      );
      continue;
    }
    const alliance = allianceOf(sourceAlliance);
    if (!alliance) continue; // reported with its alliance
    if (memberGuilds.has(fid)) continue; // fid is the users table's key; kept defensive for hand-edited files
    const kid = state(user.kid);
    alliance.members += 1;
    if (kid === null) {
      alliance.membersWithoutState += 1;
      problems.add(
        'member-without-state',
        `members without a state (imported with state unknown: find it with giftbot members resolve <guildId>)`,
        `${fid}${text(user.kid) ? ` ("${text(user.kid)}")` : ''}`,
      );
    }
    memberGuilds.set(fid, alliance.guildId);
    members.push({
      guildId: alliance.guildId,
      allianceName: alliance.name,
      fid,
      state: kid,
      name: cleanName(text(user.nickname)),
    });
  }
  return { members, memberGuilds };
}

/** Codes, as the old bot last knew them. */
function planCodes(data: WhiteoutBotData, problems: ImportProblems): Map<string, CodeStatus> {
  const codes = new Map<string, CodeStatus>();
  const statusesKeptNew = new Map<string, number>();
  for (const row of data.codes) {
    const normalized = normalizeCode(text(row.code) ?? '');
    if (!normalized.ok) {
      problems.add(
        'code-bad-format',
        'codes that are not gift codes (skipped)',
        `"${text(row.code) ?? ''}": ${normalized.reason}`,
      );
      continue;
    }
    const status = codeStatusFor(row.validationStatus);
    const raw = text(row.validationStatus);
    if (status === 'new' && raw !== null && !['pending', 'new', 'unknown'].includes(raw.toLowerCase())) {
      statusesKeptNew.set(raw, (statusesKeptNew.get(raw) ?? 0) + 1);
    }
    codes.set(normalized.code, status);
  }
  for (const [raw, count] of statusesKeptNew) {
    problems.add(
      'code-status-unknown',
      'codes with a validation status giftbot does not know (kept as new: giftbot checks them itself)',
      `"${raw}" × ${count}`,
    );
  }

  return codes;
}

/** Redemption history: only final answers, and only for members imported. */
function planHistory(data: WhiteoutBotData, game: Game, memberGuilds: Map<string, string>, problems: ImportProblems) {
  const ledger = new Map<string, ImportBatch['ledger'][number]>();
  const historyNotFinal: Record<string, number> = {};
  let unknownPlayers = 0;
  for (const row of data.redemptions) {
    const fid = text(row.fid);
    const guildId = fid === null ? undefined : memberGuilds.get(fid);
    const normalized = normalizeCode(text(row.code) ?? '');
    if (!fid || !guildId || !normalized.ok) {
      unknownPlayers += 1;
      continue;
    }
    const outcome = ledgerOutcomeFor(row.status);
    if (!outcome) {
      const key = text(row.status) ?? '(empty)';
      historyNotFinal[key] = (historyNotFinal[key] ?? 0) + 1;
      continue;
    }
    ledger.set(`${fid}:${normalized.code}`, { game, fid, code: normalized.code, guildId, outcome });
  }
  if (unknownPlayers > 0) {
    problems.add(
      'history-not-imported',
      'redemption rows of players not imported, or with a malformed code (skipped)',
      `${unknownPlayers} row(s)`,
      unknownPlayers,
    );
  }

  return { rows: ledger, historyNotFinal };
}
