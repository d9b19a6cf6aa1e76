import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { startGameApiSimulator } from '../../src/dev/simulator/gameApiSimulator.ts';
import { createGiftCodeClient } from '../../src/game/giftCodeClient.ts';
import type { Logger } from '../../src/log/logger.ts';
import { createLocalRateBudget } from '../../src/pacing/localRateBudget.ts';
import type { RateBudget } from '../../src/pacing/rateBudget.ts';
import { reportAnswerToBudget } from '../../src/pacing/reportAnswerToBudget.ts';
import { createRedisRateBudget } from '../../src/pacing/redisRateBudget.ts';
import { createRedisClient } from '../../src/redis/createRedisClient.ts';
import { maxInSlidingWindow } from './cluster/clusterAnalysis.ts';
import type { TestRedisServer } from './redisServer.ts';

/**
 * Issue 12, finding 1: several processes share one budget through Redis (each with its own Redis client, its own
 * local fallback at its share and its own HTTP client, as separate processes would have), call the game simulator as
 * fast as the budget allows, and Redis stalls (SIGSTOP) for `stallMs` just before slots free up. The simulator's
 * call record is the ground truth: how many calls reached the game in its busiest window, and how many 429s.
 */
export interface BudgetStallOptions {
  server: TestRedisServer;
  log: Logger;
  processes?: number;
  limit?: number;
  windowMs?: number;
  marginMs?: number;
  stallMs?: number;
  /** Stalls, each this many windows after the first call, just before that window's first slot frees. */
  stallsAtWindows?: number[];
  calls?: number;
  commandTimeoutMs?: number;
}

export interface BudgetStallResult {
  calls: number;
  rateLimited: number;
  busiestWindow: number;
  fallbackUsed: boolean;
}

export async function runBudgetStall(options: BudgetStallOptions): Promise<BudgetStallResult> {
  const processes = options.processes ?? 4;
  const limit = options.limit ?? 20;
  const windowMs = options.windowMs ?? 2_000;
  const marginMs = options.marginMs ?? 250;
  const stallMs = options.stallMs ?? 1_200;
  const total = options.calls ?? limit * 5;
  const key = `giftbot:budget:stall-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const sim = await startGameApiSimulator({
    rateLimit: { limit, windowMs },
    playerSpacingMs: 0,
    latencyMs: { min: 5, max: 25 },
  });
  const clients: Redis[] = [];
  const budgets: RateBudget[] = [];
  const fallbacks: RateBudget[] = [];
  const http = Array.from({ length: processes }, () => createGiftCodeClient({ apiBases: { wos: sim.apiBase('wos') } }));
  try {
    const share = Math.max(1, Math.floor(limit / processes));
    for (let i = 0; i < processes; i++) {
      const redis = createRedisClient({
        url: options.server.url,
        log: options.log,
        commandTimeoutMs: options.commandTimeoutMs ?? 300,
        maxReconnectDelayMs: 100,
      });
      clients.push(redis);
      await new Promise<void>((resolve) =>
        redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve()),
      );
      const fallback = createLocalRateBudget({ limit: share, windowMs, marginMs });
      fallbacks.push(fallback);
      budgets.push(
        createRedisRateBudget({
          redis,
          log: options.log,
          key,
          limit,
          windowMs,
          fallback,
          safetyMarginMs: marginMs,
          probeIntervalMs: 100,
          peerFallbackSlots: (processes - 1) * share,
        }),
      );
    }
    let started = 0;
    let firstCallAt: number | undefined;
    let fallbackUsed = false;
    const worker = async (p: number): Promise<void> => {
      while (started < total) {
        started += 1;
        const n = started;
        await budgets[p]!.acquire();
        firstCallAt ??= performance.now();
        if (!budgets[p]!.snapshot().shared) fallbackUsed = true;
        const answer = await http[p]!.redeem({ game: 'wos', fid: String(70_000_000 + n), kid: 1, code: 'STALL' });
        reportAnswerToBudget(budgets[p]!, answer, options.log);
      }
    };
    const stalls = (async () => {
      while (firstCallAt === undefined) await new Promise((r) => setTimeout(r, 5));
      for (const windows of options.stallsAtWindows ?? [1, 3]) {
        // Just before the first slot of that window frees (grant + window + margin).
        const at = firstCallAt + windows * (windowMs + marginMs) - 100;
        await new Promise((r) => setTimeout(r, Math.max(0, at - performance.now())));
        options.server.pause();
        await new Promise((r) => setTimeout(r, stallMs));
        options.server.resume();
      }
    })();
    await Promise.all([...budgets.map((_, p) => Promise.all([worker(p), worker(p), worker(p)])), stalls]);
    const calls = sim.calls.filter((call) => call.cdk === 'STALL');
    return {
      calls: calls.length,
      rateLimited: calls.filter((call) => call.httpStatus === 429).length,
      busiestWindow: maxInSlidingWindow(calls, windowMs),
      fallbackUsed,
    };
  } finally {
    options.server.resume();
    for (const budget of budgets) await budget.close();
    for (const fallback of fallbacks) await fallback.close();
    for (const client of clients) client.disconnect(false);
    await Promise.all(http.map((client) => client.close()));
    await sim.close();
  }
}
