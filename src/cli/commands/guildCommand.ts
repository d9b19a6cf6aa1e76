import { parseArgs } from 'node:util';
import { isGame } from '../../game/games.ts';
import { isValidState } from '../../game/playerIds.ts';
import { CliError } from '../cliError.ts';
import type { CliCommand, CliContext } from '../cliContext.ts';

export const GUILD_USAGE =
  "giftbot guild add <guildId> --game wos|kingshot --state <kid> [--auto on|off] [--name <text>]\n       giftbot guild list\n       giftbot guild priority <guildId> <n>   (new codes reach lower numbers first; default 100)\n       giftbot guild remove <guildId> --yes   (the server's alliance, roster and runs; who has which code stays)";

/** A Discord id (snowflake): 17 to 20 digits. */
const SNOWFLAKE = /^\d{17,20}$/;

export const guildCommand: CliCommand = async (args, ctx) => {
  const { app, out } = ctx;
  const [action, ...rest] = args;
  if (action === 'list') {
    const guilds = await app.store.guilds.list();
    if (guilds.length === 0)
      out('No alliances yet. Add one with: giftbot guild add <guildId> --game wos --state <kid>');
    for (const g of guilds) {
      const members = await app.store.members.list(g.id);
      out(
        `${g.id}  ${g.game}  state ${g.defaultState ?? '-'}  auto-redeem ${g.autoRedeem ? 'on' : 'off'}  priority ${g.fanoutPriority}  ${members.length} members${g.name ? `  ${g.name}` : ''}`,
      );
    }
    return 0;
  }
  if (action === 'priority') {
    // The order in which a new code's fan-out starts the alliances' runs (they then share the budget call by call).
    const [guildId, value, extra] = rest;
    if (!guildId || value === undefined || extra !== undefined)
      throw new CliError(`A guild id and a number are required.\nUsage: ${GUILD_USAGE}`);
    if (!/^\d{1,6}$/.test(value))
      throw new CliError(`The priority must be a whole number from 0 to 999999 (lower goes first), got "${value}"`);
    const updated = await app.store.guilds.update(guildId, { fanoutPriority: Number(value) });
    if (!updated)
      throw new CliError(
        `Guild ${guildId} is not set up. Add it first: giftbot guild add ${guildId} --game wos --state <kid>`,
      );
    out(`Guild ${updated.id}: fan-out priority ${updated.fanoutPriority} (lower numbers get new codes first).`);
    return 0;
  }
  if (action === 'remove') return removeGuild(rest, ctx);
  if (action !== 'add') throw new CliError(`Unknown guild action "${action ?? ''}".\nUsage: ${GUILD_USAGE}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      game: { type: 'string' },
      state: { type: 'string' },
      auto: { type: 'string' },
      name: { type: 'string' },
    },
  });
  const [guildId] = positionals;
  const problems: string[] = [];
  if (!guildId || !SNOWFLAKE.test(guildId)) {
    problems.push(
      `a Discord server id is required: 17 to 20 digits (Discord: User Settings → Advanced → Developer Mode, then right-click the server → Copy Server ID)${guildId ? `, got "${guildId}"` : ''}`,
    );
  }
  if (!isGame(values.game)) problems.push('--game must be wos or kingshot');
  if (values.state === undefined || !isValidState(values.state))
    problems.push("--state must be the alliance's state number (kid), e.g. --state 245");
  if (values.auto !== undefined && !['on', 'off'].includes(values.auto)) problems.push('--auto must be on or off');
  if (problems.length > 0 || !guildId || !isGame(values.game))
    throw new CliError(`${problems.join('\n')}\nUsage: ${GUILD_USAGE}`);
  const existing = await app.store.guilds.get(guildId);
  if (existing && existing.game !== values.game) {
    throw new CliError(`Guild ${guildId} is already set up for ${existing.game}; one server redeems for one game.`);
  }
  const guild = await app.store.guilds.upsert({
    id: guildId,
    game: values.game,
    defaultState: Number(values.state),
    ...(values.auto !== undefined ? { autoRedeem: values.auto === 'on' } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
  });
  out(
    `${existing ? 'Updated' : 'Added'} guild ${guild.id}: ${guild.game}, state ${guild.defaultState}, auto-redeem ${guild.autoRedeem ? 'on' : 'off'}.`,
  );
  return 0;
};

async function removeGuild(args: string[], { app, out }: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { yes: { type: 'boolean' } } });
  const [guildId, extra] = positionals;
  if (!guildId || extra !== undefined) throw new CliError(`One guild id is required.\nUsage: ${GUILD_USAGE}`);
  const guild = await app.store.guilds.get(guildId);
  if (!guild) throw new CliError(`Guild ${guildId} is not set up; nothing to remove.`);
  if (!values.yes) {
    const members = (await app.store.members.list(guildId)).length;
    throw new CliError(
      `This removes guild ${guildId} (${guild.game}${guild.name ? `, ${guild.name}` : ''}): its settings, its ${members} member(s) and its runs. ` +
        `Which player has which code is kept. Back up first (giftbot db backup <file>), then run it again with --yes.`,
    );
  }
  const removed = await app.store.guilds.remove(guildId);
  if (!removed) throw new CliError(`Guild ${guildId} is not set up; nothing to remove.`);
  out(
    `Removed guild ${guildId}: ${removed.members} member(s) and ${removed.runs} run(s). Which player has which code is kept.`,
  );
  return 0;
}
