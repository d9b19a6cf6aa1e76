import { defineScript } from '../redis/scripts.ts';

// The run lock's compare-and-act steps (design: docs/locking.md); each is one Lua script so it is atomic on the server.

// KEYS[1] = lock key; ARGV[1] = token; ARGV[2] = ttl ms.
// Re-sending an acquire whose reply was lost must still count as ours, so "already my token" refreshes and succeeds.
export const ACQUIRE_SCRIPT = defineScript(
  'giftbot_lock_acquire',
  `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if v then
  return 0
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
return 0`,
);

// KEYS[1] = lock key; ARGV[1] = token; ARGV[2] = ttl ms. 1 = renewed, 0 = gone or someone else's.
export const RENEW_SCRIPT = defineScript(
  'giftbot_lock_renew',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`,
);

// KEYS[1] = lock key; ARGV[1] = token. 1 = deleted, 0 = not ours (expired, taken over): left alone.
export const RELEASE_SCRIPT = defineScript(
  'giftbot_lock_release',
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`,
);
