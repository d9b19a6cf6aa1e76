import { normalizeCode } from '../../../game/giftCode.ts';
import { isGame } from '../../../game/games.ts';
import { isValidFid } from '../../../game/playerIds.ts';
import { deadCodeText, isFinalCodeStatus } from '../../../game/codeStatus.ts';
import { resolveAllianceScope } from '../../../redeem/allianceScope.ts';
import { runInInteraction } from '../../runs/interactiveRun.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';
import { NO_ALLIANCE_TEXT } from './resolveAlliance.ts';

/**
 * `/redeem code:<code> [alliance:<name>] [game:<game>] [member:<fid>]` — run a code now for every alliance of its
 * game in this server, one alliance, or one member. `game:` is needed only when the server has alliances of both
 * games and none is named; nothing is sent (and the code is not recorded) when it is ambiguous.
 */
export const handleRedeem: CommandHandler = async (interaction, _guild, ctx) => {
  const { store } = ctx.app;
  const guildId = interaction.guildId;
  const normalized = normalizeCode(interaction.options.getString('code', true));
  if (!normalized.ok) throw new UserError(`That is not a gift code: ${normalized.reason}.`);
  const code = normalized.code;

  const rawGame = interaction.options.getString('game');
  if (rawGame !== null && !isGame(rawGame)) throw new UserError(`"${rawGame}" is not a game: wos or kingshot.`);
  const allianceName = interaction.options.getString('alliance')?.trim() || null;
  const all = await store.alliances.list({ guildId });
  if (all.length === 0) throw new UserError(NO_ALLIANCE_TEXT);
  let allianceIds: number[] | undefined;
  if (allianceName !== null) {
    const alliance = await store.alliances.byName(guildId, allianceName);
    if (!alliance) {
      throw new UserError(
        `This server has no alliance named "${allianceName}". Its alliances: ${all.map((a) => a.name).join(', ')}.`,
      );
    }
    allianceIds = [alliance.id];
  }
  const scope = await resolveAllianceScope(store, guildId, {
    ...(rawGame !== null ? { game: rawGame } : {}),
    ...(allianceIds ? { allianceIds } : {}),
  });
  if (!scope.ok) throw new UserError(scope.message);

  let fids: string[] | undefined;
  const rawFid = interaction.options.getString('member');
  if (rawFid !== null) {
    const fid = rawFid.trim();
    if (!isValidFid(fid))
      throw new UserError(`"${fid}" is not a player id: digits only, as shown in the game profile.`);
    const member = await store.members.get(guildId, fid);
    if (!member || !scope.alliances.some((alliance) => alliance.id === member.allianceId)) {
      throw new UserError(
        `Player ${fid} is not on this alliance's roster. Add them first with \`/member add fid:${fid}\`.`,
      );
    }
    fids = [fid];
  }

  const known = await store.codes.get(scope.game, code);
  if (known && isFinalCodeStatus(known.status)) {
    throw new UserError(`**${code}** ${deadCodeText(known.status)}; nothing was sent to the game.`);
  }
  await runInInteraction(ctx, interaction, {
    guildId,
    game: scope.game,
    alliances: scope.alliances,
    named: allianceIds !== undefined,
    ...(all.length > 1 && scope.alliances.length === 1 ? { scopeAllianceId: scope.alliances[0]!.id } : {}),
    code,
    ...(fids ? { fids } : {}),
    trigger: 'manual',
  });
};
