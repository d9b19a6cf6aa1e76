/**
 * `npm run bench [-- --full] [--scale] [--only 1,3] [--smoke] [--out file.json]`: giftbot against the game API's speed
 * limit and against two peers' pacing (the oldest bots' fixed pauses, the Kingshot bot's header-driven pauses), on the
 * game-API simulator; `--scale` adds the engine-overhead rows (100,000 calls each, on SQLite and PostgreSQL). Prints a table and writes the figures as JSON
 * (bench/results/latest.json by default) so a change can be compared with the last run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compare, renderReport } from './report.ts';
import { measureBotStartup, type BotStartup } from './botStartup.ts';
import { runScenario, type RowResult } from './runScenario.ts';
import { issueScenarios, scaleScenarios, smokeScenarios } from './scenarios.ts';
import { checkTargets } from './targets.ts';

const DEFAULT_OUT = new URL('./results/latest.json', import.meta.url);

/** How achieved rate ÷ budget is measured (also in the README and the JSON, so a reader of either knows). */
export const RATE_DEFINITION =
  'Settling calls (counted by the server and answered with an answer that settles the member or the code; not 429s, ' +
  'not TIMEOUT RETRY/TOO FREQUENT, not 5xx) that arrived before the last server window opened, divided by the time ' +
  "from the first window's start to the last window's start, divided by limit ÷ window. Windows are the simulator's " +
  'fixed windows (each opens at the first counted call after the previous one ended). 1.00 = every window filled the ' +
  'moment it opened; n/a = the run fitted in one window.';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean', default: false },
      scale: { type: 'boolean', default: false },
      'scale-alliances': { type: 'string' },
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      engine: { type: 'string' },
      out: { type: 'string' },
      'dump-calls': { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run bench [-- --full] [--scale [--scale-alliances 1000]] [--only 1,2,3,4,5,6,7] [--engine giftbot|baseline|kingshot-bot] [--smoke] [--out file.json] [--dump-calls dir] [--keep]',
    );
    return;
  }
  const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : null;
  const scaleAlliances = values['scale-alliances'] === undefined ? 1_000 : Number(values['scale-alliances']);
  if (!Number.isInteger(scaleAlliances) || scaleAlliances < 1 || scaleAlliances > 1_000)
    throw new Error(`--scale-alliances ${values['scale-alliances']}: expected a whole number from 1 to 1000`);
  const all = values.smoke
    ? smokeScenarios()
    : [
        ...issueScenarios({ full: values.full ?? false }),
        ...(values.scale ? scaleScenarios({ alliances: scaleAlliances }) : []),
      ];
  const scenarios = all.filter(
    (s) => (!only || only.has(String(s.number)) || only.has(s.id)) && (!values.engine || s.engine === values.engine),
  );
  if (scenarios.length === 0)
    throw new Error(
      `--only ${values.only}: no such scenario (1–6, 7 with --scale, or a row id such as 1-real or 5-pg; --engine giftbot, baseline or kingshot-bot)`,
    );
  const out = values.out ? resolve(values.out) : DEFAULT_OUT.pathname;

  const rows: RowResult[] = [];
  for (const scenario of scenarios) {
    process.stderr.write(`bench: ${scenario.id} ${scenario.engine} — ${scenario.title} … `);
    const dump = values['dump-calls'];
    const row = await runScenario(scenario, {
      keep: values.keep ?? false,
      ...(dump ? { dumpCalls: resolve(dump, `calls-${scenario.id}-${scenario.engine}.json`) } : {}),
    });
    rows.push(row);
    process.stderr.write(row.notMeasured ? `${row.notMeasured}\n` : `${((row.wallMs ?? 0) / 1000).toFixed(1)} s\n`);
  }
  let startup: BotStartup | null = null;
  if (!values.smoke && !only) {
    process.stderr.write('bench: npm start against the fake Discord, 3 times … ');
    startup = await measureBotStartup(3);
    process.stderr.write(`${Math.round(startup.median.processToReadyMs)} ms\n`);
  }
  const comparisons = compare(rows);
  const checks = checkTargets(rows, startup);

  console.log(renderReport(rows, comparisons, startup, checks));
  mkdirSync(dirname(out), { recursive: true });
  const report = {
    generatedAt: new Date().toISOString(),
    mode: values.smoke ? 'smoke' : values.full ? 'full' : 'quick',
    scale: values.scale ?? false,
    node: process.version,
    cpus: cpus().length,
    definitions: {
      achievedRate: RATE_DEFINITION,
      callsPerMemberCode: 'Every gift_code request for the code (429s included) ÷ member-codes (members × 1 code).',
      wallMs: 'The bot process, from go (every alliance triggered at once) to its last run ending.',
      realWallMs: 'wallMs × speedUp: the same run on the real clock.',
      peakRssMb:
        'The bot process’s peak RSS (process.resourceUsage().maxRSS); the simulator runs in the bench process.',
      eventLoopP99Ms: 'p99 of perf_hooks.monitorEventLoopDelay (10 ms resolution) in the bot process while it ran.',
      cpuMsPerCall:
        'CPU (process.cpuUsage, user + system) the bot processes spent from go to the end of their runs ÷ the calls the simulator saw.',
      ledger:
        'Scale rows: claim and record (the ledger transactions of one call) timed around the store calls in the bot process; claimRecordMs adds the two per member. The ledger is pre-filled first (prefillRows, one bulk SQL insert).',
      egress:
        "Rows with EGRESS_ADDRESS: each address measured on its own simulator windows; the row's rate is the addresses' settling calls per minute added up ÷ their budgets added up.",
    },
    rows,
    comparisons,
    startup,
    targets: checks,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten: ${out}`);
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
  // A failed bench must end: if anything is still holding the event loop open a few seconds on, exit anyway.
  setTimeout(() => process.exit(1), 5_000).unref();
});
