import { open } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isValidFid, isValidState } from '../../game/playerIds.ts';
import { catchUpMembers, describeCatchUp } from '../../codes/catchUp.ts';
import { formatDiscoverySummary, formatMemberDiscovery, type DiscoveryStatus } from '../../members/discoverySummary.ts';
import { addMembersInBatches, ImportInterruptedError } from '../../members/addMembersInBatches.ts';
import { cleanName } from '../../members/cleanName.ts';
import { formatMemberCsv } from '../../members/formatMemberCsv.ts';
import { MemberCsvError, readMemberCsv, type MemberCsv } from '../../members/readMemberCsv.ts';
import { CliError } from '../cliError.ts';
import type { CliCommand, CliContext } from '../cliContext.ts';

export const MEMBERS_USAGE = [
  'giftbot members add <guildId> <fid> [--state <kid>] [--name <text>] [--no-catch-up]',
  'giftbot members remove <guildId> <fid>',
  'giftbot members import <guildId> <file.csv> [--skip-invalid] [--no-catch-up]   (columns fid,state,name; a header may name them in any order)',
  'giftbot members export <guildId>',
  'giftbot members list <guildId>',
  'giftbot members resolve <guildId> [--member <fid>]... [--range <n>] [--restart] [--no-catch-up] [--json]',
].join('\n       ');

/** `members resolve` exit statuses, in line with `redeem`'s. */
export const RESOLVE_EXIT: Record<DiscoveryStatus, number> = {
  completed: 0,
  'already-running': 0,
  refused: 2,
  'config-error': 4,
  aborted: 1,
};

async function requireGuild(ctx: CliContext, guildId: string | undefined) {
  if (!guildId) throw new CliError(`A guild id is required.\nUsage: ${MEMBERS_USAGE}`);
  const guild = await ctx.app.store.guilds.get(guildId);
  if (!guild)
    throw new CliError(
      `Guild ${guildId} is not set up. Add it first: giftbot guild add ${guildId} --game wos --state <kid>`,
    );
  return guild;
}

/** Reads a roster file as it streams from disk; every way it can fail is one line for the user. */
async function readRosterFile(file: string): Promise<MemberCsv> {
  const failure = (error: unknown) =>
    new CliError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw failure(error);
  });
  try {
    return await readMemberCsv(handle.createReadStream({ autoClose: false }));
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
      return exportMembers(ctx, positionals);
    case 'list':
      return listMembers(ctx, positionals);
    case 'resolve':
      return resolveMembers(ctx, positionals, values);
    default:
      throw new CliError(`Unknown members action "${action ?? ''}".\nUsage: ${MEMBERS_USAGE}`);
  }
};

/** `members add`: one member, with the alliance's state unless --state says otherwise. */
async function addMember(ctx: CliContext, positionals: string[], values: MembersFlags): Promise<number> {
  const { app, out } = ctx;
  const [guildId, fid] = positionals;
  const guild = await requireGuild(ctx, guildId);
  if (!fid || !isValidFid(fid))
    throw new CliError(`"${fid ?? ''}" is not a player id (digits only).\nUsage: ${MEMBERS_USAGE}`);
  if (values.state !== undefined && !isValidState(values.state))
    throw new CliError(`--state must be a state number, got "${values.state}"`);
  const state = values.state !== undefined ? Number(values.state) : guild.defaultState;
  const { created, member } = await app.store.members.add(guild.id, {
    fid,
    state,
    name: cleanName(values.name),
    addedBy: 'cli',
  });
  out(
    `${created ? 'Added' : 'Updated'} member ${member.fid}${member.name ? ` (${member.name})` : ''} with state ${member.state ?? 'unknown'}.`,
  );
  // A new member gets the codes the alliance already had (the ledger skips any they have).
  if (!values['no-catch-up'])
    for (const line of describeCatchUp(await catchUpMembers(app, guild.id, [member.fid]))) out(line);
  return 0;
}

/** `members remove`: the member goes, their redemption history stays. */
async function removeMember(ctx: CliContext, positionals: string[]): Promise<number> {
  const { app, out } = ctx;
  const [guildId, fid] = positionals;
  const guild = await requireGuild(ctx, guildId);
  if (!fid) throw new CliError(`A player id is required.\nUsage: ${MEMBERS_USAGE}`);
  const removed = await app.store.members.remove(guild.id, fid);
  if (!removed) throw new CliError(`Player ${fid} is not a member of guild ${guild.id}.`);
  out(`Removed member ${fid}; their redemption history is kept.`);
  return 0;
}

/** `members import`: a roster CSV, all or nothing unless --skip-invalid. */
async function importMembers(ctx: CliContext, positionals: string[], values: MembersFlags): Promise<number> {
  const { app, out } = ctx;
  const [guildId, file] = positionals;
  const guild = await requireGuild(ctx, guildId);
  if (!file) throw new CliError(`A CSV file is required.\nUsage: ${MEMBERS_USAGE}`);
  const parsed = await readRosterFile(file);
  if (parsed.members.length === 0 && parsed.rejectedCount === 0)
    throw new CliError(`${file} has no member lines (expected fid,state,name).`);
  if (parsed.ignoredColumns.length > 0)
    out(`Ignored column(s): ${parsed.ignoredColumns.join(', ')} (giftbot reads fid, state and name).`);
  for (const bad of parsed.rejected) out(`line ${bad.line}: ${bad.reason}${bad.text ? `  [${bad.text}]` : ''}`);
  const unlisted = parsed.rejectedCount - parsed.rejected.length;
  if (unlisted > 0) out(`… and ${unlisted} more bad line(s).`);
  if (parsed.rejectedCount > 0 && !values['skip-invalid']) {
    throw new CliError(
      `${parsed.rejectedCount} line(s) rejected; nothing was imported. Fix them, or pass --skip-invalid to import the ${parsed.members.length} good line(s).`,
    );
  }
  const members = parsed.members.map((m) => ({ ...m, state: m.state ?? guild.defaultState, addedBy: 'cli-import' }));
  let result: { created: number; updated: number };
  try {
    result = await addMembersInBatches(app.store.members, guild.id, members);
  } catch (error) {
    if (error instanceof ImportInterruptedError) throw new CliError(error.message);
    throw error;
  }
  out(
    `Imported ${members.length} member(s) into guild ${guild.id}: ${result.created} new, ${result.updated} updated, ${parsed.rejectedCount} rejected.`,
  );
  const stateless = members.filter((m) => m.state === null).length;
  if (stateless > 0)
    out(`${stateless} member(s) have no state (the alliance has none either): giftbot members resolve ${guild.id}`);
  if (!values['no-catch-up'])
    for (const line of describeCatchUp(
      await catchUpMembers(
        app,
        guild.id,
        members.map((m) => m.fid),
      ),
    ))
      out(line);
  return 0;
}

/** `members export`: the roster as CSV on stdout. */
async function exportMembers(ctx: CliContext, positionals: string[]): Promise<number> {
  const { app, out } = ctx;
  const guild = await requireGuild(ctx, positionals[0]);
  out(formatMemberCsv(await app.store.members.list(guild.id)).trimEnd());
  return 0;
}

/** `members list`: the roster, with the states ruled out so far for members without a good one. */
async function listMembers(ctx: CliContext, positionals: string[]): Promise<number> {
  const { app, out } = ctx;
  const guild = await requireGuild(ctx, positionals[0]);
  const members = await app.store.members.list(guild.id);
  if (members.length === 0) out(`Guild ${guild.id} has no members yet.`);
  const open = members.filter((m) => m.state === null || m.stateStatus !== 'ok');
  const ruledOut = await app.store.wrongStates.counts(
    guild.game,
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
      ? ` ${unknown} with an unknown state, ${wrong} with a state the game refused: giftbot members resolve ${guild.id}`
      : '';
  out(`${members.length} member(s).${hint}`);
  return 0;
}

/** `members resolve`: searches the states of members whose state is unknown or wrong. */
async function resolveMembers(ctx: CliContext, positionals: string[], values: MembersFlags): Promise<number> {
  const { app, out } = ctx;
  const guild = await requireGuild(ctx, positionals[0]);
  if (values.range !== undefined && !/^\d{1,4}$/.test(values.range))
    throw new CliError(`--range must be a number of states (e.g. --range 50), got "${values.range}"`);
  for (const fid of values.member ?? [])
    if (!isValidFid(fid)) throw new CliError(`--member "${fid}" is not a player id (digits only).`);
  if (!values.json)
    out(
      `Looking up states in guild ${guild.id} (alliance state ${guild.defaultState ?? 'not set'}); this takes one call per state tried, at the rate the game allows…`,
    );
  const summary = await app.stateDiscovery.resolve(guild.id, {
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
