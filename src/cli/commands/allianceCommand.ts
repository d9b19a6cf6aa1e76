import { parseArgs } from 'node:util';
import { checkAllianceName } from '../../alliances/chooseAlliance.ts';
import { isGame } from '../../game/games.ts';
import { isValidState } from '../../game/playerIds.ts';
import { CliError } from '../cliError.ts';
import type { CliCommand, CliContext } from '../cliContext.ts';
import { ALLIANCE_EDIT_USAGE, editAlliance } from './allianceEdit.ts';
import { requireAlliances, resolveCliAlliance } from './cliAlliance.ts';
import { SNOWFLAKE, snowflakeProblem } from './guildIds.ts';

export const ALLIANCE_USAGE = [
  'giftbot alliance add <guildId> --name <text> --game wos|kingshot --state <kid> [--auto on|off]',
  'giftbot alliance list <guildId>   (name, game, state, auto-redeem, members)',
  'giftbot alliance remove <guildId> --name <text>   (its roster goes; who has which code and its runs stay)',
  ALLIANCE_EDIT_USAGE,
].join('\n       ');

export const allianceCommand: CliCommand = async (args, ctx) => {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      game: { type: 'string' },
      state: { type: 'string' },
      auto: { type: 'string' },
      'self-join': { type: 'string' },
      language: { type: 'string' },
    },
  });
  const [guildId, extra] = positionals;
  if (extra !== undefined) throw new CliError(`Unexpected "${extra}".\nUsage: ${ALLIANCE_USAGE}`);
  switch (action) {
    case 'add':
      return addAlliance(ctx, guildId, values);
    case 'list':
      return listAlliances(ctx, guildId);
    case 'remove':
      return removeAlliance(ctx, guildId, values.name);
    case 'edit':
      return editAlliance(ctx, guildId, values, ALLIANCE_USAGE);
    default:
      throw new CliError(`Unknown alliance action "${action ?? ''}".\nUsage: ${ALLIANCE_USAGE}`);
  }
};

async function addAlliance(
  { app, out }: CliContext,
  guildId: string | undefined,
  values: { name?: string; game?: string; state?: string; auto?: string },
): Promise<number> {
  const problems: string[] = [];
  if (!guildId || !SNOWFLAKE.test(guildId)) problems.push(snowflakeProblem(guildId));
  const name = values.name === undefined ? null : checkAllianceName(values.name);
  if (!name) problems.push('--name is required: the alliance name, unique in the server');
  else if (!name.ok) problems.push(`--name: ${name.reason}`);
  if (!isGame(values.game)) problems.push('--game must be wos or kingshot');
  if (values.state === undefined || !isValidState(values.state))
    problems.push("--state must be the alliance's state number (kid), e.g. --state 245");
  if (values.auto !== undefined && !['on', 'off'].includes(values.auto)) problems.push('--auto must be on or off');
  if (problems.length > 0 || !guildId || !name?.ok || !isGame(values.game))
    throw new CliError(`${problems.join('\n')}\nUsage: ${ALLIANCE_USAGE}`);
  const added = await app.store.alliances.add({
    guildId,
    name: name.name,
    game: values.game,
    defaultState: Number(values.state),
    ...(values.auto !== undefined ? { autoRedeem: values.auto === 'on' } : {}),
  });
  if (!added.created)
    throw new CliError(
      `Guild ${guildId} already has an alliance named "${added.existing.name}" (${added.existing.game}, state ${added.existing.defaultState ?? '-'}).`,
    );
  const { alliance } = added;
  out(
    `Added alliance "${alliance.name}" to guild ${guildId}: ${alliance.game}, state ${alliance.defaultState}, auto-redeem ${alliance.autoRedeem ? 'on' : 'off'}.`,
  );
  return 0;
}

async function listAlliances(ctx: CliContext, guildId: string | undefined): Promise<number> {
  const alliances = await requireAlliances(ctx, guildId, ALLIANCE_USAGE);
  const rows = [['NAME', 'GAME', 'STATE', 'AUTO', 'MEMBERS', 'PRIORITY']];
  for (const a of alliances) {
    const members = (await ctx.app.store.members.list(a.guildId, { allianceIds: [a.id] })).length;
    rows.push([
      a.name,
      a.game,
      String(a.defaultState ?? '-'),
      a.autoRedeem ? 'on' : 'off',
      String(members),
      String(a.fanoutPriority),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  for (const row of rows)
    ctx.out(
      row
        .map((cell, i) => cell + ' '.repeat(widths[i]! - [...cell].length))
        .join('  ')
        .trimEnd(),
    );
  return 0;
}

async function removeAlliance(ctx: CliContext, guildId: string | undefined, name: string | undefined): Promise<number> {
  if (name === undefined) throw new CliError(`--name is required: the alliance to remove.\nUsage: ${ALLIANCE_USAGE}`);
  const alliance = await resolveCliAlliance(ctx, guildId, name, ALLIANCE_USAGE);
  const removed = await ctx.app.store.alliances.remove(alliance.id);
  if (!removed) throw new CliError(`Guild ${guildId} has no alliance named "${name}".`);
  ctx.out(
    `Removed alliance "${alliance.name}" from guild ${alliance.guildId}: ${removed.members} member(s) left the roster. Who has which code and its runs are kept.`,
  );
  return 0;
}
