import type { GiftCode } from '../../../game/giftCode.ts';
import { deadCodeText, isFinalCodeStatus } from '../../../game/codeStatus.ts';
import { runInInteraction } from '../../runs/interactiveRun.ts';
import { UserError } from '../../userError.ts';
import type { ButtonHandler } from '../commandHandler.ts';
import { requireAlliance } from './requireAlliance.ts';

/**
 * "Retry failed" under a run summary: runs the code again for the members of this alliance who do not have it yet
 * (failed, left for later, or not called). Worked out from the ledger at click time, so it survives restarts.
 */
export const handleRetryButton: ButtonHandler<{ code: GiftCode }> = async (interaction, { code }, guild, ctx) => {
  const alliance = requireAlliance(guild);
  const { store } = ctx.app;
  const known = await store.codes.get(alliance.game, code);
  if (known && isFinalCodeStatus(known.status))
    throw new UserError(`**${code}** ${deadCodeText(known.status)}; retrying cannot help.`);
  const members = await store.members.list(alliance.id);
  const rows = await store.ledger.listForCode(alliance.game, code);
  const done = new Set(
    rows.filter((row) => row.status === 'success' || row.status === 'already').map((row) => row.fid),
  );
  const fids = members.map((member) => member.fid).filter((fid) => !done.has(fid));
  if (fids.length === 0) throw new UserError(`Every member of the roster has **${code}** now; nothing to retry.`);
  await runInInteraction(ctx, interaction, { guild: alliance, code, fids, trigger: 'retry' });
};
