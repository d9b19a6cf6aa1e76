import { parseArgs } from 'node:util';
import { isGame } from '../../game/games.ts';
import { isValidState } from '../../game/normalizeCode.ts';
import { CliError } from '../cliError.ts';
import type { CliCommand } from '../cliContext.ts';

export const GUILD_USAGE =
  'giftbot guild add <guildId> --game wos|kingshot --state <kid> [--auto on|off] [--name <text>]\n       giftbot guild list\n       giftbot guild priority <guildId> <n>   (new codes reach lower numbers first; default 100)';

export const guildCommand: CliCommand = async (args, { app, out }) => {
  const [action, ...rest] = args;
  if (action === 'list') {
    const guilds = await app.store.guilds.list();
    if (guilds.length === 0) out('No alliances yet. Add one with: giftbot guild add <guildId> --game wos --state <kid>');
    for (const g of guilds) {
      const members = await app.store.members.list(g.id);
      out(`${g.id}  ${g.game}  state ${g.defaultState ?? '-'}  auto-redeem ${g.autoRedeem ? 'on' : 'off'}  priority ${g.fanoutPriority}  ${members.length} members${g.name ? `  ${g.name}` : ''}`);
    }
    return 0;
  }
  if (action === 'priority') {
    // The order in which a new code's fan-out starts the alliances' runs (they then share the budget call by call).
    const [guildId, value, extra] = rest;
    if (!guildId || value === undefined || extra !== undefined) throw new CliError(`A guild id and a number are required.\nUsage: ${GUILD_USAGE}`);
    if (!/^\d{1,6}$/.test(value)) throw new CliError(`The priority must be a whole number from 0 to 999999 (lower goes first), got "${value}"`);
    const updated = await app.store.guilds.update(guildId, { fanoutPriority: Number(value) });
    if (!updated) throw new CliError(`Guild ${guildId} is not set up. Add it first: giftbot guild add ${guildId} --game wos --state <kid>`);
    out(`Guild ${updated.id}: fan-out priority ${updated.fanoutPriority} (lower numbers get new codes first).`);
    return 0;
  }
  if (action !== 'add') throw new CliError(`Unknown guild action "${action ?? ''}".\nUsage: ${GUILD_USAGE}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { game: { type: 'string' }, state: { type: 'string' }, auto: { type: 'string' }, name: { type: 'string' } },
  });
  const [guildId] = positionals;
  const problems: string[] = [];
  if (!guildId || !/^\d{1,25}$/.test(guildId)) problems.push('a numeric Discord guild (server) id is required');
  if (!isGame(values.game)) problems.push('--game must be wos or kingshot');
  if (values.state === undefined || !isValidState(values.state)) problems.push('--state must be the alliance\'s state number (kid), e.g. --state 245');
  if (values.auto !== undefined && !['on', 'off'].includes(values.auto)) problems.push('--auto must be on or off');
  if (problems.length > 0 || !guildId || !isGame(values.game)) throw new CliError(`${problems.join('\n')}\nUsage: ${GUILD_USAGE}`);
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
  out(`${existing ? 'Updated' : 'Added'} guild ${guild.id}: ${guild.game}, state ${guild.defaultState}, auto-redeem ${guild.autoRedeem ? 'on' : 'off'}.`);
  return 0;
};
