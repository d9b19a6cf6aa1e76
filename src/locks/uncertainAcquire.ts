import { performance } from 'node:perf_hooks';
import { runScript } from '../redis/scripts.ts';
import { RELEASE_SCRIPT } from './lockScripts.ts';
import type { RedisLockService } from './redisLockService.ts';

/**
 * After an acquire whose reply was lost (or came too late): compare-and-delete of our own token, retried (the client
 * may be reconnecting) until it lands or `until` passes. Registered in `service.uncertain` so the next acquire of the
 * key can take the token over.
 */
export function cleanUpUncertainAcquire(service: RedisLockService, key: string, token: string, until: number): void {
  const { uncertain } = service;
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const loop = (async () => {
    while (!stopped && performance.now() < until) {
      try {
        await runScript(service.redis, RELEASE_SCRIPT, [key], [token]);
        return; // landed: deleted, or not ours any more
      } catch {
        if (stopped) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
          // Short: while the client reconnects a command fails at once (no offline queue), so a try is cheap.
          timer = setTimeout(resolve, Math.min(service.retryRenewMs, 200));
          timer.unref();
        });
      }
    }
  })().finally(() => {
    if (uncertain.get(key)?.token === token) uncertain.delete(key);
  });
  uncertain.set(key, {
    token,
    until,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
    },
  });
}
