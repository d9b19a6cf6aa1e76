import type { Redis } from 'ioredis';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import { defineScript, runScript } from '../redis/scripts.ts';
import type { PlayerSpacing } from './playerSpacing.ts';

/**
 * Marks the player's call if no process has called them within the gap (SET NX PX) and answers 0; otherwise answers
 * the milliseconds left of the other call's gap. One round trip, atomic: two processes cannot both get 0.
 */
const CLAIM = defineScript(
  'giftbot-spacing-claim',
  `if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[1]) then return 0 end
local left = redis.call('PTTL', KEYS[1])
if left > 0 then return left end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
return 0`,
);

const RETRY_AFTER_FAILURE_MS = 1_000;

export interface RedisPlayerSpacingOptions {
  redis: Redis;
  keyPrefix: string;
  gapMs: number;
  /** The process's own spacing: answers waitFor at once, and keeps working while Redis does not answer. */
  local: PlayerSpacing;
  instanceId: string;
  log: Logger;
}

/**
 * The per-player gap kept across processes (REDIS_URL). The synchronous waitFor/mark/seed stay the process's own
 * (they are asked in tight loops and for requeue decisions); `claim`, asked by pacedCall right before the call goes
 * out, settles it with every other process. A player's key expires with its gap, so Redis holds only recent calls.
 * While Redis does not answer, the local spacing alone decides (one warning per outage): a possible `TOO FREQUENT.`
 * is retried by the run, whereas waiting on Redis would stop every call.
 */
export function createRedisPlayerSpacing(options: RedisPlayerSpacingOptions): PlayerSpacing {
  const { redis, local, gapMs, log } = options;
  let failing = false;
  // After a failure Redis is not asked again for a moment: a hung Redis must not add a command timeout to every call.
  let skipUntil = 0;
  return {
    waitFor: (key) => local.waitFor(key),
    mark: (key) => local.mark(key),
    seed: (key, agoMs) => local.seed(key, agoMs),
    async claim(key) {
      if (failing && performance.now() < skipUntil) return 0;
      try {
        const left = Number(
          await runScript(redis, CLAIM, [`${options.keyPrefix}:spacing:${key}`], [gapMs, options.instanceId]),
        );
        failing = false;
        // Another process called this player: the local spacing learns it, so requeue decisions see it too.
        if (left > 0) local.seed(key, gapMs - left);
        return left;
      } catch (err) {
        if (!failing)
          log.warn(
            { event: EVENTS.spacingLocal, err },
            'player spacing: Redis did not answer; this process keeps its own spacing only',
          );
        failing = true;
        skipUntil = performance.now() + RETRY_AFTER_FAILURE_MS;
        return 0;
      }
    },
  };
}
