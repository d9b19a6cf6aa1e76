import { defineScript } from '../redis/scripts.ts';

/**
 * The Lua scripts of the Redis-shared rate budget (redisRateBudget.ts). Every script reads the server's clock (Redis
 * TIME), so process clocks do not matter.
 */

// KEYS[1] = window (sorted set), KEYS[2] = pause, KEYS[3] = shared limit, KEYS[4] = fixed-window start.
// ARGV[1] = window ms (margin included), ARGV[2] = configured limit, ARGV[3] = unique member, ARGV[4] = game window ms.
// Returns {waitMs (0 = granted), count in window, effective limit, paused ms remaining}.
// The fixed-window key mirrors the game's own window (it opens at the first call and refills windowMs later), so a
// 429 without Retry-After can pause exactly until the refill.
export const BUDGET_ACQUIRE_SCRIPT = defineScript(
  'giftbot_budget_acquire_v2',
  `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local shared = tonumber(redis.call('GET', KEYS[3]) or '')
if shared and shared >= 1 and shared < limit then
  limit = math.floor(shared)
end
local pausedUntil = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
if pausedUntil > now then
  return {pausedUntil - now, -1, limit, pausedUntil - now}
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window + 1000)
  redis.call('SET', KEYS[4], string.format('%d', now), 'NX', 'PX', tonumber(ARGV[4]))
  return {0, count + 1, limit, 0}
end
local edge = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
local wait = tonumber(edge[2]) + window - now
if wait < 1 then
  wait = 1
end
return {wait, count, limit, 0}`,
);

// KEYS[1] = pause, KEYS[2] = fixed-window start. ARGV[1] = pause ms, or -1: until the game's window refills (the
// fixed-window start + ARGV[3], or ARGV[3] from now when no window is open). ARGV[2] = added margin ms,
// ARGV[3] = game window ms, ARGV[4] = the longest pause allowed from now.
// Extends (never shortens) the shared pause. Returns {now, pausedUntil}.
export const BUDGET_PAUSE_SCRIPT = defineScript(
  'giftbot_budget_pause_v2',
  `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
local margin = tonumber(ARGV[2])
local untilMs
if ms < 0 then
  local opened = tonumber(redis.call('GET', KEYS[2]) or '')
  if opened then
    untilMs = opened + tonumber(ARGV[3]) + margin
  else
    untilMs = now + tonumber(ARGV[3]) + margin
  end
else
  untilMs = now + ms + margin
end
local cap = now + tonumber(ARGV[4])
if untilMs > cap then
  untilMs = cap
end
local cur = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if untilMs > cur and untilMs > now then
  redis.call('SET', KEYS[1], string.format('%d', untilMs), 'PX', untilMs - now)
  cur = untilMs
end
return {now, cur}`,
);

// KEYS[1] = window (sorted set). ARGV[1] = window ms (margin included), ARGV[2] = how far ahead to stamp the
// reservation, ARGV[3] = reservation size, then pairs (age ms, member) of grants made from the local fallback.
// Records those grants with their real ages, so the shared window counts them, and reserves room for the other
// processes' fallback grants that are not recorded yet (shared member names: each process's return refreshes the
// same reservation instead of adding to it). Returns the window's count.
export const BUDGET_SETTLE_SCRIPT = defineScript(
  'giftbot_budget_settle',
  `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local ahead = tonumber(ARGV[2])
local reserve = tonumber(ARGV[3])
local i = 4
while i < #ARGV do
  local at = now - tonumber(ARGV[i])
  if at > now - window then
    redis.call('ZADD', KEYS[1], at, ARGV[i + 1])
  end
  i = i + 2
end
for r = 1, reserve do
  redis.call('ZADD', KEYS[1], now + ahead, 'fallback-reserve:' .. r)
end
redis.call('PEXPIRE', KEYS[1], window + ahead + 1000)
return redis.call('ZCARD', KEYS[1])`,
);

export function budgetKeys(key: string): { window: string; pause: string; limit: string; fixed: string } {
  // One hash tag for all keys so the scripts work on Redis Cluster too.
  const tag = key.includes('{') ? key : `{${key}}`;
  return { window: `${tag}:window`, pause: `${tag}:pause`, limit: `${tag}:limit`, fixed: `${tag}:fixed` };
}

/** The acquire script's reply: [waitMs (0 = granted), count in window (-1 while paused), limit, paused ms]. */
export function parseAcquireReply(reply: unknown): [wait: number, count: number, limit: number, paused: number] {
  if (!Array.isArray(reply)) throw new Error(`unexpected budget script reply: ${String(reply)}`);
  const n = (i: number): number => {
    const value = Number(reply[i]);
    return Number.isFinite(value) ? value : 0;
  };
  return [Math.max(0, n(0)), n(1), n(2), Math.max(0, n(3))];
}
