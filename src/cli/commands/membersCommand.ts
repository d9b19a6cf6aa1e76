import { open } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isValidFid, isValidState } from '../../game/playerIds.ts';
import { catchUpMembers, describeCatchUp } from '../../codes/catchUp.ts';
import { formatDiscoverySummary, formatMemberDiscovery, type DiscoveryStatus } from '../../members/discoverySummary.ts';
import { addMembersInBatches, ImportInterruptedError } from '../../members/addMembersInBatches.ts';
import { cleanName } from '../../members/cleanName.ts';
import { formatMemberCsv } from '../../members/formatMemberCsv.ts';
import { MemberCsvError, readMemberCsv, type MemberCsv, type MemberCsvOptions } from '../../members/readMemberCsv.ts';
import { allianceProblem, groupByAlliance, needsFallback } from '../../members/rosterAlliances.ts';
import { listNames } from '../../alliances/chooseAlliance.ts';
import { requireAlliances, resolveCliAlliance } from './cliAlliance.ts';
import { CliError } from '../cliError.ts';
import type { CliCommand, CliContext } from '../cliContext.ts';

export const MEMBERS_USAGE = [
  'giftbot members add <guildId> <fid> [--alliance <name>] [--state <kid>] [--name <text>] [--no-catch-up]',
  'giftbot members remove <guildId> <fid>',
  'giftbot members import <guildId> <file.csv> [--alliance <name>] [--skip-invalid] [--no-catch-up]   (columns fid,state,name and optionally alliance; a header may name them in any order)',
  'giftbot members export <guildId> [--alliance <name>]   (every alliance: with an alliance column)',
  'giftbot members list <guildId> [--alliance <name>]',
  'giftbot members move <guildId> <fid> --alliance <name>   (their history moves along)',
  'giftbot members resolve <guildId> [--member <fid>]... [--range <n>] [--restart] [--no-catch-up] [--json]',
  '(--alliance is needed when the server has more than one alliance: add, import, list, move)',
].join('\n       ');

/** `members resolve` exit statuses, in line with `redeem`'s. */
export const RESOLVE_EXIT: Record<DiscoveryStatus, number> = {
  completed: 0,
  'already-running': 0,
  refused: 2,
  'config-error': 4,
  aborted: 1,
};

/** Reads a roster file as it streams from disk; every way it can fail is one line for the user. */
async function readRosterFile(file: string, options: MemberCsvOptions): Promise<MemberCsv> {
  const failure = (error: unknown) =>
    new CliError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw failure(error);
  });
  try {
    return await readMemberCsv(handle.createReadStream({ autoClose: false }), options);
  } catch (error) {
    if (error instanceof MemberCsvError) throw new CliError(`${file}: ${error.message}`);
    throw failure(error);
  } finally {
    await handle.close();
  }
}

/** The flags of every members subcommand (each reads the ones it needs). */
function parseMembersArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      state: { type: 'string' },
      name: { type: 'string' },
      'skip-invalid': { type: 'boolean' },
      member: { type: 'string', multiple: true },
      range: { type: 'string' },
      restart: { type: 'boolean' },
      'no-catch-up': { type: 'boolean' },
      json: { type: 'boolean' },
      alliance: { type: 'string' },
    },
  });
}

type MembersFlags = ReturnType<typeof parseMembersArgs>['values'];

export const membersCommand: CliCommand = async (args, ctx) => {
  const [action, ...rest] = args;
  const { values, positionals } = parseMembersArgs(rest);
  switch (action) {
    case 'add':
      return addMember(ctx, positionals, values);
    case 'remove':
      return removeMember(ctx, positionals);
    case 'import':
      return importMembers(ctx, positionals, values);
    case 'export':
      return exportMembers(ctx, positionals, values);
    case 'list':
      return listMembers(ctx, positionals, values);
    case 'move':
      return moveMember(ctx, positionals, values);
    case 'resolve':
      return resolveMembers(ctx, positionals, values);
    default:
      throw new CliError(`Unknown members action "${action ?? ''}".\nUsage: ${MEMBERS_USAGE}`);
  }
};

/** `members add`: one member, with the alliance's state unless --state says otherwise; from another alliance, a move. */
async function addMember(ctx: CliContext, positionals: string[], values: MembersFlags): Promise<number> {
  const { app, out } = ctx;
  const [guildId, fid] = positionals;
  const alliance = await resolveCliAlliance(ctx, guildId, values.alliance, MEMBERS_USAGE);
  if (!fid || !isValidFid(fid))
    throw new CliError(`"${fid ?? ''}" is not a player id (digits only).\nUsage: ${MEMBERS_USAGE}`);
  if (values.state !== undefined && !isValidState(values.state))
    throw new CliError(`--state must be a state number, got "${values.state}"`);
  const listed = await app.store.members.get(alliance.guildId, fid);
  if (listed && listed.allianceId !== alliance.id && listed.game !== alliance.game)
    throw new CliError(
      `Player ${fid} is listed in another alliance of guild ${alliance.guildId} (${listed.game}); "${alliance.name}" plays ${alliance.game}. A player id is listed once per server: remove them first if this is another player.`,
    );
  const state = values.state !== undefined ? Number(values.state) : alliance.defaultState;
  const { created, movedFrom, member } = await app.store.members.add(alliance.id, {
    fid,
    state,
    name: cleanName(values.name),
    addedBy: 'cli',
  });
  const from = movedFrom === null ? null : await app.store.alliances.get(movedFrom);
  const verb = created ? 'Added' : from ? 'Moved' : 'Updated';
  const where = from ? ` from "${from.name}" to "${alliance.name}"` : '';
  out(
    `${verb} member ${member.fid}${member.name ? ` (${member.name})` : ''}${where} with state ${member.state ?? 'unknown'}.`,
  );
  // A new member gets the codes the alliance already had (the ledger skips any they have).
  if (!values['no-catch-up'])
    for (const line of describeCatchUp(await catchUpMembers(app, alliance.guildId, [member.fid]))) out(line);
  return 0;
}

/** `members move`: to another alliance of the same server; the player's history is theirs and moves along. */
async function moveMember(ctx: CliContext, positionals: string[], values: MembersFlags): Promise<number> {
  const { app, out } = ctx;
  const [guildId, fid] = positionals;
  if (values.alliance === undefined || values.alliance.trim() === '')
    throw new CliError(`--alliance is required: the alliance to move the player to.\nUsage: ${MEMBERS_USAGE}`);
  const target = await resolveCliAlliance(ctx, guildId, values.alliance, MEMBERS_USAGE);
  if (!fid || !isValidFid(fid))
    throw new CliError(`"${fid ?? ''}" is not a player id (digits only).\nUsage: ${MEMBERS_USAGE}`);
  const listed = await app.store.members.get(target.guildId, fid);
  if (!listed) throw new CliError(`Player ${fid} is not a member of guild ${target.guildId}.`);
  if (listed.allianceId === target.id) throw new CliError(`Player ${fid} is already in "${target.name}".`);
  if (listed.game !== target.game)
    throw new CliError(`Player ${fid} plays ${listed.game}; "${target.name}" plays ${target.game}. Nothing was moved.`);
  const moved = await app.store.members.move(target.guildId, fid, target.id);
  if (!moved) throw new CliError(`Player ${fid} is not a member of guild ${target.guildId}.`);
  const from = await app.store.alliances.get(moved.from);
  out(
    `Moved member ${fid} from "${from?.name ?? moved.from}" to "${target.name}"; their redemption history goes with them.`,
  );
  return 0;
}

/** `members remove`: the member goes, their redemption history stays. A player is on one roster per server. */
async function removeMember(ctx: CliContext, positionals: string[]): Promise<number> {
  const { app, out } = ctx;
  const [guildId, fid] = positionals;
  await requireAlliances(ctx, guildId, MEMBERS_USAGE);
  if (!fid) throw new CliError(`A player id is required.\nUsage: ${MEMBERS_USAGE}`);
  const removed = await app.store.members.remove(guildId!, fid);
  if (!removed) throw new CliError(`Player ${fid} is not a member of guild ${guildId}.`);
  out(`Removed member ${fid}; their redemption history is kept.`);
  return 0;
}

/** `members import`: a roster CSV, all or nothing unless --skip-invalid; an `alliance` column sends lines there. */
async function importMembers(ctx: CliContext, positionals: string[], values: MembersFlags): Promise<number> {
  const { app, out } = ctx;
  const [guildId, file] = positionals;
  const alliances = await requireAlliances(ctx, guildId, MEMBERS_USAGE);
  const fallback =
    values.alliance !== undefined
      ? await resolveCliAlliance(ctx, guildId, values.alliance, MEMBERS_USAGE)
      : alliances.length === 1
        ? alliances[0]!
        : null;
  if (!file) throw new CliError(`A CSV file is required.\nUsage: ${MEMBERS_USAGE}`);
  const parsed = await readRosterFile(file, { allianceProblem: allianceProblem(alliances, fallback) });
  if (parsed.members.length === 0 && parsed.rejectedCount === 0)
    throw new CliError(`${file} has no member lines (expected fid,state,name).`);
  if (fallback === null && needsFallback(parsed))
    throw new CliError(
      `Guild ${guildId} has ${alliances.length} alliances (${listNames(alliances.map((a) => a.name))}): say which one gets these members with --alliance <name>, or add an alliance column to ${file}.`,
    );
  if (parsed.ignoredColumns.length > 0)
    out(`Ignored column(s): ${parsed.ignoredColumns.join(', ')} (giftbot reads fid, state, name and alliance).`);
  for (const bad of parsed.rejected) out(`line ${bad.line}: ${bad.reason}${bad.text ? `  [${bad.text}]` : ''}`);
  const unlisted = parsed.rejectedCount - parsed.rejected.length;
  if (unlisted > 0) out(`… and ${unlisted} more bad line(s).`);
  if (parsed.rejectedCount > 0 && !values['skip-invalid']) {
    throw new CliError(
      `${parsed.rejectedCount} line(s) rejected; nothing was imported. Fix them, or pass --skip-invalid to import the ${parsed.members.length} good line(s).`,
    );
  }
  const groups = groupByAlliance(parsed, alliances, fallback, 'cli-import');
  const result = { created: 0, updated: 0, moved: 0 };
  for (const { alliance, members } of groups) {
    try {
      const done = await addMembersInBatches(app.store.members, alliance.id, members);
      result.created += done.created;
      result.updated += done.updated;
      result.moved += done.moved;
    } catch (error) {
      if (error instanceof ImportInterruptedError) throw new CliError(error.message);
      throw error;
    }
  }
  const members = groups.flatMap((g) => g.members);
  out(
    `Imported ${members.length} member(s) into guild ${guildId}: ${result.created} new, ${result.updated} updated, ${parsed.rejectedCount} rejected.${result.moved > 0 ? ` ${result.moved} moved from another alliance.` : ''}`,
  );
  if (alliances.length > 1) for (const g of groups) out(`  ${g.alliance.name}: ${g.members.length}`);
  const stateless = members.filter((m) => m.state === null).length;
  if (stateless > 0)
    out(`${stateless} member(s) have no state (the alliance has none either): giftbot members resolve ${guildId}`);
  if (!values['no-catch-up'])
    for (const line of describeCatchUp(
      await catchUpMembers(
        app,
        guildId!,
        members.map((m) => m.fid),
      ),
    ))
      out(line);
  return 0;
}

/** `members export`: the roster as CSV on stdout; a server with several alliances gets an alliance column. */
async function exportMembers(ctx: CliContext, positionals: string[], values: MembersFlags): Promise<number> {
  const { app, out } = ctx;
  const [guildId] = positionals;
  const alliances = await requireAlliances(ctx, guildId, MEMBERS_USAGE);
  if (values.alliance !== undefined) {
    const alliance = await resolveCliAlliance(ctx, guildId, values.alliance, MEMBERS_USAGE);
    out(formatMemberCsv(await app.store.members.list(guildId!, { allianceIds: [alliance.id] })).trimEnd());
    return 0;
  }
  const members = await app.store.members.list(guildId!);
  if (alliances.length === 1) out(formatMemberCsv(members).trimEnd());
  else out(formatMemberCsv(members, new Map(alliances.map((a) => [a.id, a.name]))).trimEnd());
  return 0;
}

/** `members list`: one alliance's roster, with the states ruled out so far for members without a good one. */
async function listMembers(ctx: CliContext, positionals: string[], values: MembersFlags): Promise<number> {
  const { app, out } = ctx;
  const alliance = await resolveCliAlliance(ctx, positionals[0], values.alliance, MEMBERS_USAGE);
  const guildId = alliance.guildId;
  const members = await app.store.members.list(guildId, { allianceIds: [alliance.id] });
  const several = (await app.store.alliances.list({ guildId })).length > 1;
  if (members.length === 0) out(`Guild ${guildId} has no members yet${several ? ` in "${alliance.name}"` : ''}.`);
  const open = members.filter((m) => m.state === null || m.stateStatus !== 'ok');
  const ruledOut = await app.store.wrongStates.counts(
    alliance.game,
    open.map((m) => m.fid),
  );
  for (const m of members) {
    const state = m.state === null ? 'unknown' : m.stateStatus === 'wrong' ? `${m.state} (wrong)` : String(m.state);
    const tried = ruledOut.get(m.fid) ?? 0;
    const note = tried > 0 ? `  (${tried} state${tried === 1 ? '' : 's'} ruled out so far)` : '';
    out(`${m.fid.padEnd(12)} state ${state.padEnd(12)} ${m.name ?? ''}${note}`.trimEnd());
  }
  const unknown = open.filter((m) => m.state === null).length;
  const wrong = open.length - unknown;
  const hint =
    open.length > 0
      ? ` ${unknown} with an unknown state, ${wrong} with a state the game refused: giftbot members resolve ${guildId}`
      : '';
  out(`${members.length} member(s).${hint}`);
  return 0;
}

/** `members resolve`: searches the states of the server's members whose state is unknown or wrong. */
async function resolveMembers(ctx: CliContext, positionals: string[], values: MembersFlags): Promise<number> {
  const { app, out } = ctx;
  const [guildId] = positionals;
  const alliances = await requireAlliances(ctx, guildId, MEMBERS_USAGE);
  if (values.range !== undefined && !/^\d{1,4}$/.test(values.range))
    throw new CliError(`--range must be a number of states (e.g. --range 50), got "${values.range}"`);
  for (const fid of values.member ?? [])
    if (!isValidFid(fid)) throw new CliError(`--member "${fid}" is not a player id (digits only).`);
  const states = [...new Set(alliances.map((a) => a.defaultState).filter((s) => s !== null))];
  if (!values.json)
    out(
      `Looking up states in guild ${guildId} (alliance state ${states.join(', ') || 'not set'}); this takes one call per state tried, at the rate the game allows…`,
    );
  const summary = await app.stateDiscovery.resolve(guildId!, {
    ...(values.member ? { fids: values.member } : {}),
    ...(values.range !== undefined ? { range: Number(values.range) } : {}),
    restart: values.restart ?? false,
    catchUp: !values['no-catch-up'],
    ...(values.json ? {} : { onMember: (m) => out(`  ${formatMemberDiscovery(m)}`) }),
  });
  if (values.json) out(JSON.stringify(summary));
  else for (const line of formatDiscoverySummary(summary, { limit: 0 })) out(line);
  return RESOLVE_EXIT[summary.status];
}
