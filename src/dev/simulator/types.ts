import type { Game } from '../../game/games.ts';

export type CodeStatus = 'valid' | 'expired' | 'used-up';

export interface PlayerSpec {
  fid: string;
  kid: number;
  /** Furnace level; defaults to 30 so codes without a level requirement never trip over it. */
  stoveLv?: number;
  rechargeMoney?: number;
  vip?: number;
}

export interface CodeOptions {
  status?: CodeStatus;
  /** Total successful claims the code allows across all players; unlimited when absent. */
  claimLimit?: number;
  /** Codes sharing a group can be claimed only once per player (40011 SAME TYPE EXCHANGE.). */
  sameTypeGroup?: string;
  minStoveLv?: number;
  minRechargeMoney?: number;
  minVip?: number;
}

export interface RateLimitSpec {
  limit: number;
  windowMs: number;
  /**
   * What a 429 says about waiting. 'reset' (default): Retry-After and X-RateLimit-Reset = seconds until the window
   * refills. 'omit': neither, as the real game answers (its window refills windowMs after its first request).
   * A number: Retry-After of that many seconds whatever the window (e.g. 86400, a hostile or broken server).
   */
  retryAfter?: 'reset' | 'omit' | number;
  /** false: no X-RateLimit-Limit / -Remaining headers on any answer. Default true. */
  headers?: boolean;
}

export type FaultKind =
  | 'timeout-retry'
  | 'http-502'
  | 'http-503'
  | 'http-504'
  | 'garbage'
  | 'html'
  | 'empty'
  | 'slow'
  | 'hang'
  | 'reset'
  /** HTTP 500 with Laravel's JSON error page. */
  | 'http-500'
  /** HTTP 404 `{"message":"Not Found"}`: the endpoint is gone, as /player and /captcha went in July 2026. */
  | 'http-404'
  /** `params error` (40001): what the game says when it cannot read a request's fields (one member's data, say). */
  | 'params-error'
  /** A 200 whose body is `sizeBytes` long (a SUCCESS padded out), streamed so the simulator holds little of it. */
  | 'huge-body';

export interface FaultSpec {
  kind: FaultKind;
  /** How many calls it hits; default 1, or unlimited when `probability` is given without a count. */
  count?: number;
  /** Each matching call is hit with this chance (0..1), drawn from a PRNG seeded with `seed` so runs repeat. */
  probability?: number;
  /** Seed for `probability`; default 1. */
  seed?: number;
  /** Only calls for this fid. */
  fid?: string;
  /** Only calls for this game. */
  game?: Game;
  /** For `slow`: how long the normal answer is held back; default 3000. */
  delayMs?: number;
  /** For `huge-body`: the body's length in bytes; default 300 MB. */
  sizeBytes?: number;
}

/**
 * How the game spells its JSON answers. Other bots have seen variants since August 2026; the default is the
 * documented `{"code":…,"msg":"…","data":[],"err_code":N}`.
 */
export interface AnswerStyle {
  /** `number`: `msg` carries the err_code as a number (`"msg":40014`). `Sign Error` stays text. Default `text`. */
  msg?: 'text' | 'number';
  /** The name of the error-code field; default `err_code`. */
  errCodeKey?: 'err_code' | 'errCode';
  /** Leave the `code` field out. */
  omitCode?: boolean;
}

export type FeedFormat = 'community' | 'list' | 'text';

export interface FeedSpec {
  format: FeedFormat;
  /**
   * Codes to publish. For `community` an entry without a space gets " DD.MM.YYYY" (the day setFeed was called)
   * appended; an entry that already has one ("CODE 01.02.2026") is published as is, so tests control the date.
   */
  codes: string[];
  /** When set, the `X-API-Key` request header must equal it (else 401 `{"error":"Invalid API key"}`). */
  apiKey?: string;
  /** Answer this HTTP status with `{"detail":"..."}` instead of the codes. */
  status?: number;
  /** Raw body override (e.g. garbage), sent with status 200 or `status`. */
  body?: string;
  /** Hold every answer back this long. */
  delayMs?: number;
}

export interface SimulatorCall {
  /** Date.now() at arrival. */
  at: number;
  /** performance.now() at arrival. */
  atMono: number;
  /** The game from the path, or null (feeds, unknown paths). */
  game: Game | null;
  method: string;
  path: string;
  /** Remote address of the client (the rate-limit key). */
  ip: string;
  // undefined when the request body lacks the field
  fid?: string | undefined;
  kid?: string | undefined;
  cdk?: string | undefined;
  /** HTTP status of the answer, set when decided (latency may still hold it back); 0 for hang, reset, or no body yet. */
  httpStatus: number;
  errCode?: number;
  msg?: string;
  /** Whether the call consumed rate budget. */
  counted: boolean;
  /** The injected fault kind that hit this call, if any. */
  fault?: FaultKind;
  /** For `huge-body`: bytes the client let the simulator write before it stopped reading (set when writing ends). */
  bodyBytesSent?: number;
}

export interface SimulatorOptions {
  /** Default 0 (a free port); the host is always 127.0.0.1. */
  port?: number;
  /** Per client IP and per game; default { limit: 30, windowMs: 60_000 }; false/null disables it. */
  rateLimit?: RateLimitSpec | false | null;
  /** Minimum gap between two requests for the same (game, fid); default 2000; 0 disables. */
  playerSpacingMs?: number;
  /** Added to every API answer (not feeds); default 0. A range is drawn from a PRNG seeded with `seed`. */
  latencyMs?: number | { min: number; max: number };
  /** Seed for latency jitter; default 1. */
  seed?: number;
  /** Called once per request when its answer is decided (before any latency), e.g. to log calls. */
  onCall?: (call: SimulatorCall) => void;
  /** How the JSON answers are spelled (numeric msg, errCode, no code); default the documented shape. */
  answerStyle?: AnswerStyle;
  /** What an unknown player id gets: `role-not-exist` (default) or `user-info-error` (40020, as the game also answers). */
  unknownPlayer?: 'role-not-exist' | 'user-info-error';
}
