import type { Rate } from './durations.ts';

/** What `logs check` is told to look for: thresholds, the reference time, how much evidence to keep. */
export interface LogCheckOptions {
  /** A lock still held (run not finished) this long before `now` is a problem. */
  stuckAfterMs: number;
  /** This many `api.rate_limited` lines within the window is a 429 storm. */
  storm: Rate;
  /** A feed failing this long before `now` without answering again is a problem. */
  feedDownAfterMs: number;
  /** This many `redeem.config_error` lines (the API refusing our signed requests) is a problem. */
  configErrors: number;
  /** The reference time for "still open" (epoch ms). */
  now: number;
  /** Evidence lines kept per problem. */
  maxEvidence: number;
}

export const DEFAULT_LOG_CHECK_OPTIONS: Omit<LogCheckOptions, 'now'> = {
  stuckAfterMs: 15 * 60_000,
  storm: { count: 10, windowMs: 60_000 },
  feedDownAfterMs: 30 * 60_000,
  configErrors: 1,
  maxEvidence: 5,
};

export type ProblemKind =
  | 'lock-never-released'
  | 'run-never-finished'
  | 'stuck-run'
  | 'config-errors'
  | 'answers-not-recorded'
  | 'rate-limit-storm'
  | 'feed-down'
  | 'fatal';

export interface Evidence {
  lineNo: number;
  text: string;
}

export interface Problem {
  kind: ProblemKind;
  /** One sentence an operator can act on. */
  message: string;
  guildId?: string;
  code?: string;
  runId?: number;
  feed?: string;
  evidence: Evidence[];
}

export interface CodeSummary {
  game: string;
  code: string;
  runs: number;
  statuses: Record<string, number>;
  members: Record<string, number>;
  retries: number;
  duplicates: number;
  apiCalls: number;
  rateLimited: number;
  /** Set when a run learnt the code is dead (expired, invalid, used up). */
  invalidated: string | null;
}

export interface GuildSummary {
  guildId: string;
  runs: number;
  codes: number;
  statuses: Record<string, number>;
  members: Record<string, number>;
  duplicates: number;
  refused: number;
}

export interface InProgress {
  guildId: string;
  code: string;
  runId: number | null;
  heldMs: number | null;
  lastLine: Evidence;
}

export interface LogReport {
  lines: { total: number; parsed: number; malformed: number; withoutEvent: number; blank: number };
  firstTime: string | null;
  lastTime: string | null;
  problems: Problem[];
  /** Problems past the per-kind cap, by kind. */
  problemsOmitted: Partial<Record<ProblemKind, number>>;
  /** Runs holding their lock at the end of the log, younger than the stuck threshold. */
  inProgress: InProgress[];
  /** Expected but worth a look: how often each happened. */
  noteworthy: Record<string, number>;
  /** Lines at error level or worse, by event. */
  errors: Record<string, number>;
  codes: CodeSummary[];
  guilds: GuildSummary[];
}
