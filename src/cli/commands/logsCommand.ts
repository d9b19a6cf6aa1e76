import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { parseDuration, parseRate } from '../../ops/logCheck/durations.ts';
import { formatLogReport } from '../../ops/logCheck/formatLogReport.ts';
import { createLogAnalyser, DEFAULT_LOG_CHECK_OPTIONS, type LogCheckOptions } from '../../ops/logCheck/logAnalyser.ts';
import { CliError } from '../cliError.ts';

export const LOGS_USAGE =
  'giftbot logs check [file|-] [--stuck-after 15m] [--storm 10/1m] [--feed-down 30m] [--config-errors 1] [--now <ISO time>] [--json]';

/** Exit statuses for cron and CI alerts. */
export const LOGS_EXIT = { clean: 0, problems: 1, usage: 2 } as const;

/**
 * `giftbot logs check`: needs no configuration, database or network, so it runs anywhere the log file is (a
 * cron job, a CI step, a laptop with a copied log).
 */
export async function logsCommand(
  args: string[],
  out: (line: string) => void,
  stdin: Readable = process.stdin,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'check') throw new CliError(`Unknown logs command "${sub ?? ''}".\nUsage: ${LOGS_USAGE}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'stuck-after': { type: 'string' },
      storm: { type: 'string' },
      'feed-down': { type: 'string' },
      'config-errors': { type: 'string' },
      evidence: { type: 'string' },
      now: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length > 1)
    throw new CliError(`logs check reads one file (or - for standard input).\nUsage: ${LOGS_USAGE}`);
  const options = checkOptions(values);
  const source = positionals[0] ?? '-';

  let input: Readable;
  if (source === '-') {
    input = stdin;
  } else {
    try {
      if (!statSync(source).isFile()) throw new Error('not a regular file');
    } catch (error) {
      throw new CliError(`Cannot read ${source}: ${error instanceof Error ? error.message : String(error)}`);
    }
    input = createReadStream(source, { encoding: 'utf8' });
  }

  // Line by line: a log of any size is streamed, never read whole.
  const analyser = createLogAnalyser(options);
  const reader = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of reader) analyser.addLine(line);
  } catch (error) {
    throw new CliError(`Reading ${source} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const report = analyser.finish();
  if (values.json) out(JSON.stringify(report));
  else for (const line of formatLogReport(report, source === '-' ? 'standard input' : source)) out(line);
  return report.problems.length > 0 ? LOGS_EXIT.problems : LOGS_EXIT.clean;
}

function checkOptions(values: Record<string, string | boolean | undefined>): LogCheckOptions {
  const problems: string[] = [];
  const duration = (name: string, fallback: number): number => {
    const raw = values[name];
    if (typeof raw !== 'string') return fallback;
    const ms = parseDuration(raw);
    if (ms === null) problems.push(`--${name} must be a duration like 90s, 15m or 2h, got "${raw}"`);
    return ms ?? fallback;
  };
  const count = (name: string, fallback: number): number => {
    const raw = values[name];
    if (typeof raw !== 'string') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 1)
      problems.push(`--${name} must be a whole number of at least 1, got "${raw}"`);
    return /^\d+$/.test(raw) && Number(raw) >= 1 ? Number(raw) : fallback;
  };
  const stormRaw = values.storm;
  const storm = typeof stormRaw === 'string' ? parseRate(stormRaw) : DEFAULT_LOG_CHECK_OPTIONS.storm;
  if (!storm)
    problems.push(`--storm must look like 10/1m (that many 429 answers within that time), got "${String(stormRaw)}"`);
  const nowRaw = values.now;
  const now = typeof nowRaw === 'string' ? Date.parse(nowRaw) : Date.now();
  if (Number.isNaN(now)) problems.push(`--now must be an ISO time like 2025-01-31T12:00:00Z, got "${String(nowRaw)}"`);
  const options: LogCheckOptions = {
    stuckAfterMs: duration('stuck-after', DEFAULT_LOG_CHECK_OPTIONS.stuckAfterMs),
    storm: storm ?? DEFAULT_LOG_CHECK_OPTIONS.storm,
    feedDownAfterMs: duration('feed-down', DEFAULT_LOG_CHECK_OPTIONS.feedDownAfterMs),
    configErrors: count('config-errors', DEFAULT_LOG_CHECK_OPTIONS.configErrors),
    maxEvidence: count('evidence', DEFAULT_LOG_CHECK_OPTIONS.maxEvidence),
    now,
  };
  if (problems.length > 0) throw new CliError(`${problems.join('\n')}\nUsage: ${LOGS_USAGE}`);
  return options;
}
