import { SELF_JOIN_MODES, type SelfJoinMode } from '../../store/types.ts';
import { CliError } from '../cliError.ts';
import type { CliContext } from '../cliContext.ts';
import { listNames } from '../../alliances/chooseAlliance.ts';
import { requireAlliances, resolveCliAlliance } from './cliAlliance.ts';

export const ALLIANCE_EDIT_USAGE =
  'giftbot alliance edit <guildId> [--name <text>] --self-join open|approve|off   (who may join with /me link)';

/**
 * `giftbot alliance edit`: the alliance named by --name (or the server's only one) gets the settings given. Today:
 * --self-join, who may join with `/me link` (open: at once; approve: an admin approves in the results channel; off).
 */
export async function editAlliance(
  ctx: CliContext,
  guildId: string | undefined,
  values: { name?: string; 'self-join'?: string },
  usage: string,
): Promise<number> {
  const selfJoin = values['self-join'];
  if (selfJoin === undefined)
    throw new CliError(`Nothing to change: give --self-join open|approve|off.\nUsage: ${usage}`);
  if (!SELF_JOIN_MODES.includes(selfJoin as SelfJoinMode))
    throw new CliError(`--self-join must be open, approve or off (not "${selfJoin}").\nUsage: ${usage}`);
  // --name picks the alliance here (as for `alliance remove`); the server's only one when it is left out.
  const alliances = await requireAlliances(ctx, guildId, usage);
  if (values.name === undefined && alliances.length > 1)
    throw new CliError(
      `Guild ${guildId} has ${alliances.length} alliances (${listNames(alliances.map((a) => a.name))}): say which one with --name <alliance>.`,
    );
  const alliance = await resolveCliAlliance(ctx, guildId, values.name, usage);
  const updated = await ctx.app.store.alliances.update(alliance.id, { selfJoin: selfJoin as SelfJoinMode });
  if (!updated) throw new CliError(`The alliance "${alliance.name}" was removed meanwhile.`);
  ctx.out(`Alliance "${updated.name}" of guild ${updated.guildId}: self-join ${updated.selfJoin}.`);
  return 0;
}
