import { chooseAlliance, listNames } from '../../alliances/chooseAlliance.ts';
import type { AllianceRecord } from '../../store/types.ts';
import { CliError } from '../cliError.ts';
import type { CliContext } from '../cliContext.ts';

/** The server's alliances; a server with none is an error that says how to set one up. */
export async function requireAlliances(
  ctx: CliContext,
  guildId: string | undefined,
  usage: string,
): Promise<AllianceRecord[]> {
  if (!guildId) throw new CliError(`A guild id is required.\nUsage: ${usage}`);
  const alliances = await ctx.app.store.alliances.list({ guildId });
  if (alliances.length === 0)
    throw new CliError(
      `Guild ${guildId} is not set up. Add it first: giftbot guild add ${guildId} --game wos --state <kid>  (or giftbot alliance add ${guildId} --name <text> --game wos --state <kid>)`,
    );
  return alliances;
}

/**
 * The alliance `--alliance <name>` names, or the server's only one. A server with several needs the flag: the error
 * names the choices.
 */
export async function resolveCliAlliance(
  ctx: CliContext,
  guildId: string | undefined,
  name: string | undefined,
  usage: string,
): Promise<AllianceRecord> {
  const alliances = await requireAlliances(ctx, guildId, usage);
  const choice = chooseAlliance(alliances, name);
  switch (choice.kind) {
    case 'found':
      return choice.alliance;
    case 'none':
      throw new CliError(`Guild ${guildId} has no alliance.`);
    case 'unknown':
      throw new CliError(
        `Guild ${guildId} has no alliance named "${choice.name}". Its alliances: ${listNames(choice.names)}.`,
      );
    case 'ambiguous':
      throw new CliError(
        `Guild ${guildId} has ${choice.names.length} alliances (${listNames(choice.names)}): say which one with --alliance <name>.`,
      );
  }
}
