import { parseArgs } from 'node:util';
import { defaultAllianceName, listNames } from '../../alliances/chooseAlliance.ts';
import { isGame } from '../../game/games.ts';
import { isValidState } from '../../game/playerIds.ts';
import { CliError } from '../cliError.ts';
import type { CliCommand, CliContext } from '../cliContext.ts';
import { resolveCliAlliance } from './cliAlliance.ts';
import { SNOWFLAKE, snowflakeProblem } from './guildIds.ts';

export const GUILD_USAGE = [
  "giftbot guild add <guildId> --game wos|kingshot --state <kid> [--auto on|off] [--name <text>]   (sets up the server's only alliance; several: giftbot alliance)",
  'giftbot guild list   (one line per alliance)',
  'giftbot guild priority <guildId> <n> [--alliance <name>]   (new codes reach lower numbers first; default 100)',
  "giftbot guild remove <guildId> --yes   (the server's alliances, rosters and runs; who has which code stays)",
].join('\n       ');

export const guildCommand: CliCommand = async (args, ctx) => {
  const [action, ...rest] = args;
  if (action === 'list') return listGuilds(ctx);
  if (action === 'priority') return setPriority(rest, ctx);
  if (action === 'remove') return removeGuild(rest, ctx);
  if (action !== 'add') throw new CliError(`Unknown guild action "${action ?? ''}".\nUsage: ${GUILD_USAGE}`);
  return addGuild(rest, ctx);
};

async function listGuilds({ app, out }: CliContext): Promise<number> {
  const guilds = await app.store.guilds.list();
  if (guilds.length === 0) out('No alliances yet. Add one with: giftbot guild add <guildId> --game wos --state <kid>');
  for (const g of guilds) {
    const alliances = await app.store.alliances.list({ guildId: g.id });
    if (alliances.length === 0) out(`${g.id}  no alliance${g.name ? `  ${g.name}` : ''}`);
    for (const a of alliances) {
      const members = await app.store.members.list(g.id, { allianceIds: [a.id] });
      out(
        `${g.id}  ${a.game}  state ${a.defaultState ?? '-'}  auto-redeem ${a.autoRedeem ? 'on' : 'off'}  priority ${a.fanoutPriority}  ${members.length} members  ${a.name}`,
      );
    }
  }
  return 0;
}

/** The order in which a new code's fan-out starts the alliances' runs (they then share the budget call by call). */
async function setPriority(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { alliance: { type: 'string' } },
  });
  const [guildId, value, extra] = positionals;
  if (!guildId || value === undefined || extra !== undefined)
    throw new CliError(`A guild id and a number are required.\nUsage: ${GUILD_USAGE}`);
  if (!/^\d{1,6}$/.test(value))
    throw new CliError(`The priority must be a whole number from 0 to 999999 (lower goes first), got "${value}"`);
  const alliance = await resolveCliAlliance(ctx, guildId, values.alliance, GUILD_USAGE);
  const updated = await ctx.app.store.alliances.update(alliance.id, { fanoutPriority: Number(value) });
  if (!updated) throw new CliError(`Guild ${guildId} is not set up.`);
  ctx.out(
    `Guild ${guildId}: fan-out priority ${updated.fanoutPriority} for "${updated.name}" (lower numbers get new codes first).`,
  );
  return 0;
}

/** `guild add`: today's one-alliance set-up: creates the server's alliance, or changes its state and auto-redeem. */
async function addGuild(args: string[], { app, out }: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
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
  if (!guildId || !SNOWFLAKE.test(guildId)) problems.push(snowflakeProblem(guildId));
  if (!isGame(values.game)) problems.push('--game must be wos or kingshot');
  if (values.state === undefined || !isValidState(values.state))
    problems.push("--state must be the alliance's state number (kid), e.g. --state 245");
  if (values.auto !== undefined && !['on', 'off'].includes(values.auto)) problems.push('--auto must be on or off');
  if (problems.length > 0 || !guildId || !isGame(values.game))
    throw new CliError(`${problems.join('\n')}\nUsage: ${GUILD_USAGE}`);
  const alliances = await app.store.alliances.list({ guildId });
  if (alliances.length > 1)
    throw new CliError(
      `Guild ${guildId} has ${alliances.length} alliances (${listNames(alliances.map((a) => a.name))}); guild add sets up a server with one. Use giftbot alliance add|list|remove.`,
    );
  const [existing] = alliances;
  if (existing && existing.game !== values.game) {
    throw new CliError(
      `Guild ${guildId} is already set up for ${existing.game}; one server redeems for one game through guild add. Add a ${values.game} alliance with: giftbot alliance add ${guildId} --name <text> --game ${values.game} --state <kid>`,
    );
  }
  const settings = {
    defaultState: Number(values.state),
    ...(values.auto !== undefined ? { autoRedeem: values.auto === 'on' } : {}),
  };
  await app.store.guilds.ensure({ id: guildId, ...(values.name !== undefined ? { name: values.name } : {}) });
  let alliance;
  if (existing) alliance = (await app.store.alliances.update(existing.id, settings)) ?? existing;
  else {
    const added = await app.store.alliances.add({
      guildId,
      name: defaultAllianceName(values.name),
      game: values.game,
      ...settings,
    });
    alliance = added.created ? added.alliance : added.existing;
  }
  out(
    `${existing ? 'Updated' : 'Added'} guild ${guildId}: ${alliance.game}, state ${alliance.defaultState}, auto-redeem ${alliance.autoRedeem ? 'on' : 'off'} (alliance "${alliance.name}").`,
  );
  return 0;
}

async function removeGuild(args: string[], { app, out }: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { yes: { type: 'boolean' } } });
  const [guildId, extra] = positionals;
  if (!guildId || extra !== undefined) throw new CliError(`One guild id is required.\nUsage: ${GUILD_USAGE}`);
  const guild = await app.store.guilds.get(guildId);
  if (!guild) throw new CliError(`Guild ${guildId} is not set up; nothing to remove.`);
  if (!values.yes) {
    const alliances = await app.store.alliances.list({ guildId });
    const members = (await app.store.members.list(guildId)).length;
    const what = alliances.map((a) => `${a.name}, ${a.game}`).join('; ');
    throw new CliError(
      `This removes guild ${guildId}${what ? ` (${what})` : ''}: its settings, its ${alliances.length} alliance(s), its ${members} member(s) and its runs. ` +
        `Which player has which code is kept. Back up first (giftbot db backup <file>), then run it again with --yes.`,
    );
  }
  const removed = await app.store.guilds.remove(guildId);
  if (!removed) throw new CliError(`Guild ${guildId} is not set up; nothing to remove.`);
  out(
    `Removed guild ${guildId}: ${removed.members} member(s) and ${removed.runs} run(s), in ${removed.alliances} alliance(s). Which player has which code is kept.`,
  );
  return 0;
}
