import { normalizeCode } from '../../../game/giftCode.ts';
import { isValidFid } from '../../../game/playerIds.ts';
import { deadCodeText, isFinalCodeStatus } from '../../../game/codeStatus.ts';
import { runInInteraction } from '../../runs/interactiveRun.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';
import { requireAlliance } from './requireAlliance.ts';

/** `/redeem code:<code> [member:<fid>]` — run a code now for the whole roster, or one member of it. */
export const handleRedeem: CommandHandler = async (interaction, guild, ctx) => {
  const normalized = normalizeCode(interaction.options.getString('code', true));
  if (!normalized.ok) throw new UserError(`That is not a gift code: ${normalized.reason}.`);
  const code = normalized.code;
  const alliance = requireAlliance(guild);

  let fids: string[] | undefined;
  const rawFid = interaction.options.getString('member');
  if (rawFid !== null) {
    const fid = rawFid.trim();
    if (!isValidFid(fid))
      throw new UserError(`"${fid}" is not a player id: digits only, as shown in the game profile.`);
    if (!(await ctx.app.store.members.get(alliance.id, fid))) {
      throw new UserError(
        `Player ${fid} is not on this alliance's roster. Add them first with \`/member add fid:${fid}\`.`,
      );
    }
    fids = [fid];
  }

  const known = await ctx.app.store.codes.get(alliance.game, code);
  if (known && isFinalCodeStatus(known.status)) {
    throw new UserError(`**${code}** ${deadCodeText(known.status)}; nothing was sent to the game.`);
  }
  await runInInteraction(ctx, interaction, { guild: alliance, code, ...(fids ? { fids } : {}), trigger: 'manual' });
};
