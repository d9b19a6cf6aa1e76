import { parseArgs } from 'node:util';
import { createCodeIntake } from '../../codes/codeIntake.ts';
import { GAMES, isGame, type Game } from '../../game/games.ts';
import { FINAL_CODE_STATUSES } from '../../store/types.ts';
import { CliError } from '../cliError.ts';
import type { CliCommand, CliContext } from '../cliContext.ts';
import { normalizeCode } from '../../game/giftCode.ts';

export const CODES_USAGE =
  'giftbot codes list [--game wos|kingshot]\n       giftbot codes add <code> --game wos|kingshot';

export const codesCommand: CliCommand = async (args, ctx) => {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { game: { type: 'string' } },
  });
  if (values.game !== undefined && !isGame(values.game))
    throw new CliError(`--game must be wos or kingshot, got "${values.game}"`);
  const game = values.game !== undefined && isGame(values.game) ? values.game : undefined;
  switch (action) {
    case 'list':
      return listCodes(ctx, game);
    case 'add': {
      const [code, extra] = positionals;
      if (!code || extra !== undefined) throw new CliError(`Give exactly one code.\nUsage: ${CODES_USAGE}`);
      if (!game)
        throw new CliError(`--game is required (wos or kingshot): a code belongs to one game.\nUsage: ${CODES_USAGE}`);
      return addCode(ctx, code, game);
    }
    default:
      throw new CliError(`Unknown codes action "${action ?? ''}".\nUsage: ${CODES_USAGE}`);
  }
};

async function listCodes({ app, out }: CliContext, game: Game | undefined): Promise<number> {
  let shown = 0;
  for (const g of game ? [game] : GAMES) {
    for (const code of await app.store.codes.list({ game: g })) {
      const counts = await app.store.ledger.countByStatus(g, code.code);
      const seen = new Date(code.firstSeenAt).toISOString().slice(0, 16).replace('T', ' ');
      out(
        `${code.code.padEnd(20)} ${g.padEnd(8)} ${code.status.padEnd(8)} ${code.source.padEnd(10)} ${seen}  redeemed ${counts.success + counts.already}`,
      );
      shown += 1;
    }
  }
  if (shown === 0) out('No codes known yet.');
  return 0;
}

/** The same path as a feed or a channel post: recorded, checked once, then redeemed for every auto-redeem alliance. */
async function addCode({ app, out }: CliContext, input: string, game: Game): Promise<number> {
  // The edge where a typed code enters: normalised once here.
  const parsed = normalizeCode(input);
  if (!parsed.ok) throw new CliError(`Not a gift code: ${parsed.reason}.`);
  const intake = createCodeIntake(app);
  const result = await intake.submit({ code: parsed.code, game, source: 'cli' });
  switch (result.kind) {
    case 'known':
      if (FINAL_CODE_STATUSES.includes(result.status)) {
        out(`${result.code} is already known as ${result.status}; nothing was sent to the game.`);
        return 3;
      }
      out(
        `${result.code} is already known (${result.status}${result.inProgress ? ', being redeemed now' : ', redeemed for every auto-redeem alliance'}); nothing to do.`,
      );
      return 0;
    case 'accepted': {
      out(
        result.reason === 'reactivated'
          ? `${result.code} was dead before and was added again: checking it once more…`
          : `${result.code} (${game}) recorded; checking it…`,
      );
      const verdict = await result.verdict;
      if (verdict === 'unchecked')
        out('  not checked yet (nobody to check it on, or the game API does not answer now); going on.');
      const report = await result.done;
      if (report.outcome === 'dead') {
        const record = await app.store.codes.get(game, result.code);
        out(
          `The game says ${result.code} is ${record?.status ?? 'not valid'} (${record?.validationMsg ?? ''}); no alliance will run it.`.replace(
            ' ()',
            '',
          ),
        );
        return 3;
      }
      if (report.outcome === 'config-error') {
        out(
          'The game refused the request as malformed: check the API settings (sign salt, base URL). Nothing was redeemed.',
        );
        return 4;
      }
      if (report.runs.length === 0 && report.outcome !== 'stopped')
        out('No alliance of this game has auto-redeem on; the code is recorded for catch-up and manual runs.');
      for (const run of report.runs) out(`  ${run.guildId}: ${run.status} — ${run.message}`);
      if (!report.finished) out('Not every alliance finished; the rest resumes the next time the bot starts.');
      return report.finished ? 0 : 1;
    }
  }
}
