import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run with EVALSHA, falling back to EVAL when the server does not know it (first use, restart, flush). */
export interface LuaScript {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
}

export function defineScript(name: string, lua: string): LuaScript {
  return { name, lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/**
 * Runs `script` atomically on the server. A NOSCRIPT reply means the script did not run, so re-sending it with EVAL
 * cannot apply it twice. Every other error (including ioredis' "Command timed out") is thrown to the caller, which
 * must treat the outcome as unknown: the scripts used with this helper are written to be safe to repeat.
 */
export async function runScript(
  redis: Redis,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (err instanceof Error && err.message.includes('NOSCRIPT')) {
      return await redis.eval(script.lua, keys.length, ...keys, ...args);
    }
    throw err;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
