/**
 * Messages between the bench (which hosts the game-API simulator and measures what reaches it) and a bot process
 * under test. The bot runs in its own process so its RSS and event-loop delay are its own, not the simulator's.
 */
import type { Engine } from './scenarios.ts';
import type { TimeProfile } from './timeProfile.ts';

export interface AllianceSeed {
  guildId: string;
  state: number;
  fids: string[];
}

export interface WorkerSetup {
  type: 'setup';
  engine: Engine;
  profile: TimeProfile;
  /** Env for giftbot's loadConfig (API bases, budget, database, Redis). */
  env: Record<string, string>;
  alliances: AllianceSeed[];
  code: string;
  /**
   * How giftbot hears of the code: `direct` starts processAutoRedeem for every alliance at once (what the fan-out
   * does); `intake` submits it to code discovery (validate once, then fan out), as a feed or a channel post would.
   */
  via: 'direct' | 'intake';
  /** Seed for the baseline's pause jitter. */
  seed: number;
  /** Where the bot's log lines go (kept for a post-mortem when a row looks wrong). */
  logPath: string;
}

export interface WorkerGo {
  type: 'go';
}

export interface AllianceTiming {
  guildId: string;
  /** ms after go: the first member of this alliance recorded as redeemed; null when none was. */
  firstSuccessMs: number | null;
  /** ms after go: the alliance's run ended. */
  finishedMs: number;
  success: number;
  /** Members that ended without the code (failed, retries exhausted, not called). */
  unfinished: number;
  status: string;
}

export interface WorkerResult {
  type: 'result';
  wallMs: number;
  alliances: AllianceTiming[];
  /** Calls the bot says it made (the simulator's count is the one the bench reports). */
  apiCalls: number;
  peakRssMb: number;
  eventLoopP99Ms: number;
}

export interface WorkerReady {
  type: 'ready';
  /** RSS once set up (engine wired, store open and seeded), before go. */
  rssMb: number;
  /** Wiring and seeding, after the setup message arrived. */
  setupMs: number;
}

export interface WorkerUnsupported {
  type: 'unsupported';
  reason: string;
}

export interface WorkerFailed {
  type: 'failed';
  error: string;
}

export type WorkerMessage = WorkerReady | WorkerResult | WorkerUnsupported | WorkerFailed;
export type BenchMessage = WorkerSetup | WorkerGo;
