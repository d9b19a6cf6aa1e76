import type { GiftCode } from '../../../game/giftCode.ts';
import { GAMES } from '../../../game/games.ts';
import { isFinalCodeStatus } from '../../../game/codeStatus.ts';
import { resolveAllianceScope } from '../../../redeem/allianceScope.ts';
import { runInInteraction } from '../../runs/interactiveRun.ts';
import { UserError } from '../../userError.ts';
import type { ButtonHandler } from '../commandHandler.ts';

/**
 * "Retry failed" under a run summary: runs the code again for the members who do not have it yet (failed, left for
 * later, or not called) — of the alliance the summary was for, or of every alliance of the code's game. Worked out
 * from the ledger at click time, so it survives restarts.
 */
export const handleRetryButton: ButtonHandler<{ code: GiftCode; allianceId?: number }> = async (
  interaction,
  { code, allianceId },
  _guild,
  ctx,
) => {
  const { store } = ctx.app;
  const guildId = interaction.guildId;
  // The button carries the code, not its game: the game is the one giftbot knows the code for.
  const known = (await Promise.all(GAMES.map((game) => store.codes.get(game, code)))).filter((c) => c !== null);
  const scope = await resolveAllianceScope(store, guildId, {
    ...(allianceId !== undefined ? { allianceIds: [allianceId] } : {}),
    ...(allianceId === undefined && known.length === 1 ? { game: known[0]!.game } : {}),
  });
  if (!scope.ok) throw UserError.fromCatalogue(`summary.because.${scope.why.key}`, scope.why.vars);
  const record = known.find((c) => c.game === scope.game);
  if (record && isFinalCodeStatus(record.status))
    throw UserError.fromCatalogue(`retry.dead.${record.status}`, { code });
  const members = await store.members.list(guildId, { allianceIds: scope.alliances.map((alliance) => alliance.id) });
  const rows = await store.ledger.listForCode(scope.game, code);
  const done = new Set(
    rows.filter((row) => row.status === 'success' || row.status === 'already').map((row) => row.fid),
  );
  const fids = members.map((member) => member.fid).filter((fid) => !done.has(fid));
  if (fids.length === 0) throw UserError.fromCatalogue('retry.nothingLeft', { code });
  await runInInteraction(ctx, interaction, {
    guildId,
    game: scope.game,
    alliances: scope.alliances,
    named: allianceId !== undefined,
    ...(allianceId !== undefined ? { scopeAllianceId: allianceId } : {}),
    code,
    fids,
    trigger: 'retry',
  });
};
