import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { exportHistory } from '../../history/exportHistory.ts';
import { EVENTS } from '../../log/events.ts';
import { CliError } from '../cliError.ts';
import type { CliCommand } from '../cliContext.ts';
import { SNOWFLAKE, snowflakeProblem } from './guildIds.ts';

export const HISTORY_USAGE =
  'giftbot history export <guildId> [--code <code>] [--out <file.csv>]   (CSV on standard output, or written to --out)';

/**
 * `giftbot history export`: a server's redemption history as CSV (code, player, name, alliance, status, reason, the
 * game's raw answer, time), one line per ledger row. Without --out the CSV goes to standard output.
 */
export const historyCommand: CliCommand = async (args, ctx) => {
  const [action, ...rest] = args;
  if (action !== 'export') throw new CliError(`Unknown history action "${action ?? ''}".\nUsage: ${HISTORY_USAGE}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { code: { type: 'string' }, out: { type: 'string' } },
  });
  const [guildId, extra] = positionals;
  if (extra !== undefined) throw new CliError(`Unexpected "${extra}".\nUsage: ${HISTORY_USAGE}`);
  if (!guildId || !SNOWFLAKE.test(guildId)) throw new CliError(`${snowflakeProblem(guildId)}\nUsage: ${HISTORY_USAGE}`);
  const result = await exportHistory(ctx.app.store, guildId, values.code);
  if (!result.ok) throw new CliError(result.message);
  ctx.app.log.info(
    { event: EVENTS.historyExported, guildId, code: values.code ?? null, rows: result.rows.length, via: 'cli' },
    'history exported',
  );
  if (values.out === undefined) {
    ctx.out(result.csv.replace(/\n$/, ''));
    return 0;
  }
  try {
    writeFileSync(values.out, result.csv);
  } catch (error) {
    throw new CliError(`Cannot write ${values.out}: ${error instanceof Error ? error.message : String(error)}`);
  }
  ctx.out(`Wrote ${result.rows.length} row(s) to ${values.out}.`);
  return 0;
};
