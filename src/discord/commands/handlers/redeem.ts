import { normalizeCode } from '../../../game/giftCode.ts';
import { isGame } from '../../../game/games.ts';
import { isValidFid } from '../../../game/playerIds.ts';
import { isFinalCodeStatus } from '../../../game/codeStatus.ts';
import { resolveAllianceScope } from '../../../redeem/allianceScope.ts';
import { notACode } from '../../notACode.ts';
import { runInInteraction } from '../../runs/interactiveRun.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';
import { noAllianceError } from './resolveAlliance.ts';

/**
 * `/redeem code:<code> [alliance:<name>] [game:<game>] [member:<fid>]` — run a code now for every alliance of its
 * game in this server, one alliance, or one member. `game:` is needed only when the server has alliances of both
 * games and none is named; nothing is sent (and the code is not recorded) when it is ambiguous.
 */
export const handleRedeem: CommandHandler = async (interaction, _guild, ctx) => {
  const { store } = ctx.app;
  const guildId = interaction.guildId;
  const normalized = normalizeCode(interaction.options.getString('code', true));
  if (!normalized.ok) throw notACode(normalized.problem);
  const code = normalized.code;

  const rawGame = interaction.options.getString('game');
  if (rawGame !== null && !isGame(rawGame)) throw UserError.fromCatalogue('redeemReply.badGame', { game: rawGame });
  const allianceName = interaction.options.getString('alliance')?.trim() || null;
  const all = await store.alliances.list({ guildId });
  if (all.length === 0) throw noAllianceError();
  let allianceIds: number[] | undefined;
  if (allianceName !== null) {
    const alliance = await store.alliances.byName(guildId, allianceName);
    if (!alliance) {
      throw UserError.fromCatalogue('redeemReply.noSuchAlliance', {
        name: allianceName,
        names: all.map((a) => a.name).join(', '),
      });
    }
    allianceIds = [alliance.id];
  }
  const scope = await resolveAllianceScope(store, guildId, {
    ...(rawGame !== null ? { game: rawGame } : {}),
    ...(allianceIds ? { allianceIds } : {}),
  });
  if (!scope.ok) throw UserError.fromCatalogue(`summary.because.${scope.why.key}`, scope.why.vars);

  let fids: string[] | undefined;
  const rawFid = interaction.options.getString('member');
  if (rawFid !== null) {
    const fid = rawFid.trim();
    if (!isValidFid(fid)) throw UserError.fromCatalogue('redeemReply.badFid', { fid });
    const member = await store.members.get(guildId, fid);
    if (!member || !scope.alliances.some((alliance) => alliance.id === member.allianceId)) {
      throw UserError.fromCatalogue('redeemReply.notOnRoster', { fid });
    }
    fids = [fid];
  }

  const known = await store.codes.get(scope.game, code);
  if (known && isFinalCodeStatus(known.status)) {
    throw UserError.fromCatalogue(`redeemReply.dead.${known.status}`, { code });
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
