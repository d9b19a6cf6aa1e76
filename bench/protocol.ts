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
  /** Scale rows: pre-fill the ledger with this many rows, and time every claim and record. */
  scale: { prefillLedgerRows: number } | null;
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

export interface Percentiles {
  p50: number;
  p99: number;
  samples: number;
}

/** Scale rows: the store's side of each call, timed in the bot process. */
export interface LedgerFigures {
  /** A member's claim and record added together (the engine's two ledger transactions per call). */
  claimRecordMs: Percentiles;
  claimMs: Percentiles;
  recordMs: Percentiles;
  /** Rows the ledger held before the run, and the bulk insert's time. */
  prefillRows: number;
  prefillMs: number;
}

export interface WorkerResult {
  type: 'result';
  wallMs: number;
  /** CPU the bot process spent (user + system, process.cpuUsage) from go to the end of its runs. */
  cpuMs: number;
  /** Scale rows only. */
  ledger: LedgerFigures | null;
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
