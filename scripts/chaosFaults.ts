import { Redis } from 'ioredis';
import { sleep, type Cluster } from '../test/support/cluster/clusterHarness.ts';
import type { WorkerProcess } from '../test/support/cluster/workerProcess.ts';

/** The fault kinds of `npm run chaos`, run in turn over the repetitions. */
export const FAULTS = [
  'kill',
  'freeze',
  'redis-restart',
  'blocked-loop',
  'partition',
  'lost-acquire',
  'budget-stall',
  'lock-del',
  'lock-set',
  'clock-step',
] as const;
export type Fault = (typeof FAULTS)[number];

/** Faults aimed at the holder: the repetition only counts when the holder was the process running the code. */
export const AT_HOLDER: ReadonlySet<Fault> = new Set([
  'kill',
  'freeze',
  'blocked-loop',
  'partition',
  'clock-step',
  'lock-del',
  'lock-set',
]);

export interface FaultContext {
  cluster: Cluster;
  holder: WorkerProcess;
  code: string;
  guildId: string;
  ttlMs: number;
  between(min: number, max: number): number;
  /** Called when the holder is SIGKILLed (a replacement is started, as a supervisor would). */
  onKilled(worker: WorkerProcess): void;
  paused: Set<WorkerProcess>;
}

export interface FaultDone {
  /** How long the fault lasted (ms), 0 for an instant one. */
  faultMs: number;
  /** Why the repetition cannot count (the fault did not happen as meant), or null. */
  voidReason: string | null;
  /** Undoes what must not outlive the repetition (a stepped clock is stepped back). */
  undo?: () => void;
}

/** Arms a fault that must be in place before the holder's trigger (lost-acquire); resolves when it has struck. */
export function armBeforeStart(fault: Fault, context: FaultContext): Promise<FaultDone> | null {
  if (fault !== 'lost-acquire') return null;
  const proxy = context.cluster.proxyOf(context.holder);
  if (!proxy) return Promise.resolve({ faultMs: 0, voidReason: 'no proxy in front of the holder' });
  const reconnectMs = context.between(500, 1_500);
  // The first request naming the code's lock key is the run's acquire: Redis applies it, its reply is lost.
  const dropped = proxy
    .dropReplyTo(`:lock:{g:${context.guildId}}:wos:${context.code}`, reconnectMs)
    .then(() => ({ faultMs: reconnectMs, voidReason: null }));
  const timeout = sleep(10_000).then(() => ({ faultMs: 0, voidReason: 'no reply was dropped within 10 s' }));
  return Promise.race([dropped, timeout]);
}

export async function strike(fault: Fault, context: FaultContext): Promise<FaultDone> {
  const { cluster, holder, ttlMs, between } = context;
  const pastTtl = (): number => between(Math.round(ttlMs * 1.2), Math.round(ttlMs * 2.5));
  switch (fault) {
    case 'kill':
      await holder.kill();
      context.onKilled(holder);
      return { faultMs: 0, voidReason: null };
    case 'freeze': {
      const ms = pastTtl();
      holder.pause();
      context.paused.add(holder);
      await sleep(ms);
      holder.resume();
      context.paused.delete(holder);
      return { faultMs: ms, voidReason: null };
    }
    case 'redis-restart': {
      const ms = between(0, 1_500);
      await cluster.redis.kill();
      await sleep(ms);
      await cluster.redis.restart();
      return { faultMs: ms, voidReason: null };
    }
    case 'blocked-loop': {
      const ms = pastTtl();
      holder.blockLoop(ms);
      await sleep(ms);
      return { faultMs: ms, voidReason: null };
    }
    case 'partition': {
      const proxy = cluster.proxyOf(holder);
      if (!proxy) return { faultMs: 0, voidReason: 'no proxy in front of the holder' };
      const ms = pastTtl();
      await proxy.partition(ms);
      return { faultMs: ms, voidReason: null };
    }
    case 'budget-stall': {
      // Issue 12 finding 1: Redis stalls ~1.2 s, the processes fall back to their local budgets and switch back.
      const ms = between(1_000, 1_400);
      cluster.redis.pause();
      await sleep(ms);
      cluster.redis.resume();
      return { faultMs: ms, voidReason: null };
    }
    case 'lock-del':
    case 'lock-set':
      return await operator(fault, context);
    case 'clock-step': {
      const step = between(0, 1) === 0 ? -30_000 : 30_000;
      holder.stepClock(step);
      return { faultMs: step, voidReason: null, undo: () => holder.stepClock(-step) };
    }
    case 'lost-acquire':
      return { faultMs: 0, voidReason: null };
  }
}

/** An operator deletes the code's lock key, or overwrites it with a value of their own (with a TTL). */
async function operator(fault: 'lock-del' | 'lock-set', context: FaultContext): Promise<FaultDone> {
  const redis = new Redis(context.cluster.redis.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
  });
  try {
    await redis.connect();
    const keys = (await redis.keys(`*:lock:*:${context.code}`)).filter((key) => !key.includes(':budget:'));
    if (keys.length === 0) return { faultMs: 0, voidReason: 'no lock key for the code in Redis' };
    if (fault === 'lock-del') await redis.del(...keys);
    else for (const key of keys) await redis.set(key, 'operator-was-here', 'PX', context.ttlMs);
    return { faultMs: 0, voidReason: null };
  } finally {
    redis.disconnect();
  }
}
