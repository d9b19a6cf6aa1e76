import { parseArgs } from 'node:util';
import type { RunStatus, RunSummary } from '../../redeem/runSummary.ts';
import { reasonText } from '../../redeem/runSummary.ts';
import { CliError } from '../cliError.ts';
import type { CliCommand } from '../cliContext.ts';
import { normalizeCode } from '../../game/giftCode.ts';
import { isGame, type Game } from '../../game/games.ts';

export const REDEEM_USAGE =
  'giftbot redeem <guildId> <code> [--alliance <name>] [--game wos|kingshot] [--member <fid>] [--force-local] [--json]';

/** Exit statuses a script can act on. */
export const REDEEM_EXIT: Record<RunStatus, number> = {
  completed: 0,
  duplicate: 0,
  refused: 2,
  'code-invalid': 3,
  'config-error': 4,
  deferred: 5,
  aborted: 1,
  failed: 1,
};

export const redeemCommand: CliCommand = async (args, { app, out, err = out }) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      member: { type: 'string', multiple: true },
      alliance: { type: 'string' },
      game: { type: 'string' },
      'force-local': { type: 'boolean' },
    },
  });
  const [guildId, rawCode] = positionals;
  if (!guildId || !rawCode) throw new CliError(`A guild id and a code are required.\nUsage: ${REDEEM_USAGE}`);
  // The edge where a typed code enters: normalised once here, the engine takes it as it is.
  const parsed = normalizeCode(rawCode);
  if (!parsed.ok) throw new CliError(`Not a valid gift code: ${parsed.reason}.`);
  const code = parsed.code;
  if (values.game !== undefined && !isGame(values.game))
    throw new CliError(`--game must be wos or kingshot, got "${values.game}".`);
  const game = values.game as Game | undefined;
  let allianceIds: number[] | undefined;
  if (values.alliance !== undefined) {
    const alliance = await app.store.alliances.byName(guildId, values.alliance);
    if (!alliance) {
      const names = (await app.store.alliances.list({ guildId })).map((a) => a.name);
      throw new CliError(
        `Guild ${guildId} has no alliance named "${values.alliance}"${names.length > 0 ? ` (its alliances: ${names.join(', ')})` : ''}; nothing was sent.`,
      );
    }
    allianceIds = [alliance.id];
  }
  if (values.member) {
    // Checked here: the engine would only say "no members" and count it a success.
    const roster = new Set(
      (
        await app.store.members.list(guildId, { ...(allianceIds ? { allianceIds } : {}), ...(game ? { game } : {}) })
      ).map((m) => m.fid),
    );
    const strangers = values.member.filter((fid) => !roster.has(fid));
    if (strangers.length > 0) {
      throw new CliError(
        `${strangers.join(', ')} ${strangers.length === 1 ? 'is' : 'are'} not on the roster of guild ${guildId}; add ${strangers.length === 1 ? 'them' : 'them'} first: giftbot members add ${guildId} ${strangers[0]}`,
      );
    }
  }
  const summary = await app.engine.processAutoRedeem(guildId, code, {
    trigger: 'cli',
    ...(game ? { game } : {}),
    ...(allianceIds ? { allianceIds } : {}),
    ...(values.member ? { fids: values.member } : {}),
    forceLocal: values['force-local'] ?? false,
  });
  if (values.json) out(JSON.stringify(summary));
  // A refusal (guild not set up, bad settings) is not a result: it goes where errors go.
  else
    for (const line of formatSummary(summary))
      (summary.status === 'refused' || summary.status === 'config-error' ? err : out)(line);
  return REDEEM_EXIT[summary.status];
};

export function formatSummary(summary: RunSummary): string[] {
  const lines = [summary.message];
  if (summary.runId !== null && summary.status !== 'duplicate') {
    lines.push(
      `run ${summary.runId} · ${summary.status} · ${summary.apiCalls} API call(s) · ${summary.rateLimited} rate-limited · ${(summary.durationMs / 1000).toFixed(1)} s`,
    );
  }
  const notable = summary.members.filter(
    (m) =>
      m.outcome !== 'success' && m.outcome !== 'already' && !(m.outcome === 'skipped' && m.reason === 'already-final'),
  );
  for (const m of notable.slice(0, 50)) {
    const raw = m.errCode !== null || m.msg ? ` — game said ${m.errCode ?? ''} ${m.msg ?? ''}`.trimEnd() : '';
    lines.push(
      `  ${m.fid.padEnd(12)} ${m.outcome.padEnd(15)} ${m.reason ? reasonText(m.reason) : ''}${raw}${m.name ? ` (${m.name})` : ''}`,
    );
  }
  if (notable.length > 50) lines.push(`  … and ${notable.length - 50} more`);
  // A run over several alliances: each one's own sentence.
  if (summary.alliances.length > 1 && summary.runId !== null && summary.status !== 'duplicate') {
    for (const alliance of summary.alliances) lines.push(`  alliance "${alliance.name}": ${alliance.message}`);
  }
  return lines;
}
