/**
 * Every duration a scenario depends on, at real scale, and the same set compressed in time for quick runs. Only the
 * clock is compressed: the budget keeps its shape (the same number of calls per window), so a ×20 run behaves like
 * the real one, twenty times faster, for giftbot and for the baseline alike.
 */
export interface Range {
  min: number;
  max: number;
}

export interface TimeProfile {
  /** Real seconds per bench second: 1 at real scale, 20 when a 60 s window runs as 3 s. */
  speedUp: number;
  /** The game server's budget: `limit` calls per `windowMs`, per client IP (the simulator's fixed window). */
  limit: number;
  windowMs: number;
  /** The simulator's per-player gap (`TOO FREQUENT.` below it). */
  simPlayerSpacingMs: number;
  /** giftbot's PLAYER_SPACING_MS. */
  botPlayerSpacingMs: number;
  /** The simulator's answer latency, drawn uniformly from this range (seeded). */
  latencyMs: Range;
  /** The baseline's jittered pause after every call. */
  baselinePauseMs: Range;
  /** The baseline's wait before a requeued member's next cycle. */
  baselineRequeueMs: number;
  /** The Kingshot bot's pause of every caller after a 429 or `X-RateLimit-Remaining: 0` (61 s on the real clock). */
  kingshotPauseMs: number;
}

/**
 * The real server and the existing bots, as the API notes describe them (shared/spec/giftcode-api.md): 30 calls per
 * 60 s per IP, about 2 s between two calls for one player; the best-known bot pauses a jittered ~1 s after each call
 * and requeues a member after 60 s; the Kingshot bot pauses every caller 61 s after a 429 or a last-call header. The
 * latency is our assumption: 0.7–1.2 s makes the baseline's pace match the field figure in those notes (216 members
 * in 7.1 min, about 2.0 s per member).
 */
export const REAL_PROFILE: TimeProfile = {
  speedUp: 1,
  limit: 30,
  windowMs: 60_000,
  simPlayerSpacingMs: 2_000,
  botPlayerSpacingMs: 2_500,
  latencyMs: { min: 700, max: 1_200 },
  baselinePauseMs: { min: 750, max: 1_250 },
  baselineRequeueMs: 60_000,
  kingshotPauseMs: 61_000,
};

/** The real profile with every duration divided by `speedUp` (the limit per window stays). */
export function compressed(speedUp: number, base: TimeProfile = REAL_PROFILE): TimeProfile {
  const scale = (ms: number) => Math.round((ms / speedUp) * 1000) / 1000;
  const range = (r: Range): Range => ({ min: scale(r.min), max: scale(r.max) });
  return {
    speedUp: base.speedUp * speedUp,
    limit: base.limit,
    windowMs: scale(base.windowMs),
    simPlayerSpacingMs: scale(base.simPlayerSpacingMs),
    botPlayerSpacingMs: scale(base.botPlayerSpacingMs),
    latencyMs: range(base.latencyMs),
    baselinePauseMs: range(base.baselinePauseMs),
    baselineRequeueMs: scale(base.baselineRequeueMs),
    kingshotPauseMs: scale(base.kingshotPauseMs),
  };
}

/** The budget as wall-clock requests per minute (what the bench actually ran). */
export function budgetPerMinute(profile: TimeProfile): number {
  return (profile.limit * 60_000) / profile.windowMs;
}

/** "30 per 3 s" */
export function windowLabel(profile: TimeProfile): string {
  const seconds = profile.windowMs / 1000;
  return `${profile.limit} per ${Number.isInteger(seconds) ? seconds : seconds.toFixed(2)} s`;
}
