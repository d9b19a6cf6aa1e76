/**
 * `node bench/budgetStall.ts [--runs 20] [--stall-ms 1200]`: issue 12, finding 1, repeated. Four budgets sharing
 * 20 calls per 2 s through a real redis-server (each with its own client, local fallback and HTTP client) call the
 * game-API simulator as fast as allowed; Redis is frozen (SIGSTOP) for --stall-ms twice, just before slots free up.
 * Prints, per run and in total, the calls, the HTTP 429s and the busiest 2 s window at the simulator.
 * Exit status 1 when any run had a 429 or a window over the limit.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../src/log/logger.ts';
import { runBudgetStall } from '../test/support/budgetStallScenario.ts';
import { startRedisServer } from '../test/support/redisServer.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, 'stall-ms': { type: 'string', default: '1200' } },
});
const runs = Number(values.runs);
const stallMs = Number(values['stall-ms']);
const LIMIT = 20;

async function main(): Promise<number> {
  const server = await startRedisServer();
  const log = createLogger({ level: 'silent' });
  let rateLimited = 0;
  let busiest = 0;
  let failed = 0;
  try {
    for (let run = 1; run <= runs; run++) {
      const result = await runBudgetStall({ server, log, stallMs, limit: LIMIT });
      rateLimited += result.rateLimited;
      busiest = Math.max(busiest, result.busiestWindow);
      const ok = result.rateLimited === 0 && result.busiestWindow <= LIMIT;
      if (!ok) failed += 1;
      console.log(
        `run ${run}/${runs}: ${result.calls} calls, ${result.rateLimited} HTTP 429, busiest window ${result.busiestWindow}/${LIMIT}${result.fallbackUsed ? ', fallback used' : ''}${ok ? '' : '  VIOLATION'}`,
      );
    }
  } finally {
    await server.stop();
  }
  console.log(
    `\n${runs} runs, Redis frozen ${stallMs} ms twice each: ${rateLimited} HTTP 429 in all, busiest window ${busiest}/${LIMIT}, ${failed} run(s) violated the limit`,
  );
  return failed === 0 ? 0 : 1;
}

main().then(
  (status) => (process.exitCode = status),
  (error: unknown) => {
    console.error(`budget stall failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 5_000).unref();
  },
);
