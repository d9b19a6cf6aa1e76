import type { FinalCodeStatus } from '../game/codeStatus.ts';
import type { Game } from '../game/games.ts';
import type { RunWhy } from './runWhy.ts';

export type RunStatus =
  /** Every member was tried; see counts for what each got. */
  | 'completed'
  /** The same (guild, code) was already running; nothing was done. */
  | 'duplicate'
  /** The code is expired, unknown or used up (known before, or learnt during this run). */
  | 'code-invalid'
  /** The API refused our requests as malformed (sign or params): an operator must act. */
  | 'config-error'
  /** Bad input: unknown guild, malformed code, no members. */
  | 'refused'
  /** The cross-process lock could not be checked (Redis down): an automatic run waits for it. */
  | 'deferred'
  /** Stopped before the end: lock lost, stale fence, shutdown. Rows not final are picked up by the next run. */
  | 'aborted'
  | 'failed';

export type MemberOutcomeKind = 'success' | 'already' | 'failed' | 'retry-exhausted' | 'skipped' | 'not-called';

export interface MemberOutcome {
  fid: string;
  /** The alliance whose roster the member was on for this run. */
  allianceId: number;
  name: string | null;
  outcome: MemberOutcomeKind;
  /** Why: the classifier's reason, or why the member was skipped. */
  reason: string | null;
  errCode: number | null;
  msg: string | null;
  attempts: number;
}

export interface ProgressCounts {
  total: number;
  processed: number;
  success: number;
  already: number;
  failed: number;
  retrying: number;
}

export interface RunProgress extends ProgressCounts {
  runId: number;
  /** The same, per alliance the run covers (absent before the first member is planned). */
  byAlliance?: Record<number, ProgressCounts>;
}

/** One alliance's share of a run: what its results channel shows. */
export interface AllianceSummary {
  allianceId: number;
  name: string;
  resultChannelId: string | null;
  counts: RunCounts;
  byReason: Record<string, number>;
  /** The run's sentence for this alliance's members alone. */
  message: string;
}

export interface RunCounts {
  total: number;
  success: number;
  already: number;
  failed: number;
  retryExhausted: number;
  /** Not called in this run: final from an earlier run, or no usable state. */
  skipped: number;
  /** Not called because the run stopped early. */
  notCalled: number;
}

export interface RunSummary {
  status: RunStatus;
  guildId: string;
  game: Game | null;
  code: string;
  trigger: string;
  /** Per alliance the run covered (the alliances asked for, with empty counts when the run did not start). */
  alliances: AllianceSummary[];
  runId: number | null;
  fence: number | null;
  counts: RunCounts;
  /** failed, retry-exhausted and skipped members by reason. */
  byReason: Record<string, number>;
  members: MemberOutcome[];
  apiCalls: number;
  rateLimited: number;
  /** Answers the game gave whose ledger write was refused or failed; each is in the answer journal. */
  answersNotRecorded: number;
  durationMs: number;
  /** When the members left retry-exhausted are retried automatically (epoch ms); null when nothing is scheduled. */
  retryAt: number | null;
  /** One plain sentence for the admin, in English (the CLI and the logs print it). */
  message: string;
  /** Why the run stopped or did not run, as data: what a summary in another language says instead of `message`. */
  why?: RunWhy;
  /**
   * What the run knows of the code when it ends: live (the game answered about it as a code it has), dead (known
   * before, or learnt now, with the game's answer), or null when no answer told either way.
   */
  codeVerdict: CodeVerdict | null;
}

export type CodeVerdict =
  | { kind: 'live' }
  | { kind: 'dead'; status: FinalCodeStatus; errCode: number | null; msg: string | null };

export function emptyCounts(): RunCounts {
  return { total: 0, success: 0, already: 0, failed: 0, retryExhausted: 0, skipped: 0, notCalled: 0 };
}

/** The run summary of one alliance: its members, counts and sentence (what its results channel shows). */
export function allianceShare(summary: RunSummary, allianceId: number): RunSummary {
  const members = summary.members.filter((member) => member.allianceId === allianceId);
  const { counts, byReason } = countOutcomes(members);
  const alliances = summary.alliances.filter((alliance) => alliance.allianceId === allianceId);
  const message = alliances[0]?.message ?? summary.message;
  // Calls made for this alliance's members (the run's own count spans every alliance it covered).
  const apiCalls = members.reduce((n, member) => n + member.attempts, 0);
  return { ...summary, alliances, members, counts, byReason, message, apiCalls };
}

const COUNT_FOR: Record<MemberOutcomeKind, Exclude<keyof RunCounts, 'total'>> = {
  success: 'success',
  already: 'already',
  failed: 'failed',
  'retry-exhausted': 'retryExhausted',
  skipped: 'skipped',
  'not-called': 'notCalled',
};

export function countOutcomes(members: readonly MemberOutcome[]): {
  counts: RunCounts;
  byReason: Record<string, number>;
} {
  const counts = emptyCounts();
  const byReason: Record<string, number> = {};
  counts.total = members.length;
  for (const member of members) {
    counts[COUNT_FOR[member.outcome]] += 1;
    if (member.outcome !== 'success' && member.outcome !== 'already' && member.reason) {
      const key = `${member.outcome}:${member.reason}`;
      byReason[key] = (byReason[key] ?? 0) + 1;
    }
  }
  return { counts, byReason };
}

const REASON_TEXT: Record<string, string> = {
  'wrong-state': 'wrong state',
  'no-such-player': 'unknown player',
  'furnace-too-low': 'furnace level too low',
  'spend-requirement': 'spend requirement',
  'vip-requirement': 'VIP requirement',
  'already-final': 'done in an earlier run',
  'state-unknown': 'state unknown',
  'state-wrong': 'state marked wrong',
};

export function reasonText(reason: string): string {
  return REASON_TEXT[reason] ?? reason.replaceAll('-', ' ');
}

/** The plain sentence shown in Discord, the CLI and the run's log line. */
export function describeRun(
  summary: Pick<RunSummary, 'status' | 'code' | 'counts' | 'byReason'> & { retryAt?: number | null },
  detail?: string,
): string {
  const { counts, code } = summary;
  const reached = counts.success + counts.already;
  const attempted = counts.total - counts.skipped;
  const parts: string[] = [];
  const skippedReasons = reasonsOf(summary.byReason, 'skipped');
  if (summary.status !== 'completed') {
    if (reached > 0) parts.push(`${reached} member${plural(reached)} got it before the stop`);
    if (counts.notCalled > 0) parts.push(`${counts.notCalled} not called`);
  } else if (attempted === 0) {
    parts.push(
      counts.total === 0
        ? `Nothing to send for ${code}: the alliance has no members`
        : `Nothing to send for ${code}: all ${counts.total} member${plural(counts.total)} were skipped (${skippedReasons.join(', ')})`,
    );
  } else {
    parts.push(
      `${code}: ${reached} of ${attempted} member${plural(attempted)} have it (${counts.success} new, ${counts.already} already had it)`,
    );
    if (counts.failed > 0) parts.push(`${counts.failed} failed (${reasonsOf(summary.byReason, 'failed').join(', ')})`);
    if (counts.retryExhausted > 0) {
      parts.push(
        summary.retryAt
          ? `${counts.retryExhausted} member${plural(counts.retryExhausted)} could not be reached now and will be retried at ${clockTime(summary.retryAt)}`
          : `${counts.retryExhausted} could not be reached now and will be retried by the next run`,
      );
    }
    if (counts.skipped > 0) parts.push(`${counts.skipped} skipped (${skippedReasons.join(', ')})`);
  }
  const sentence = parts.length > 0 ? `${parts.join('; ')}.` : '';
  return [detail, sentence].filter(Boolean).join(' ');
}

function reasonsOf(byReason: Record<string, number>, outcome: string): string[] {
  return Object.entries(byReason)
    .filter(([key]) => key.startsWith(`${outcome}:`))
    .map(([key, n]) => `${n} ${reasonText(key.slice(outcome.length + 1))}`);
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

/** "15:42 UTC": when the retry runs, as the summary says it. */
export function clockTime(at: number): string {
  return `${new Date(at).toISOString().slice(11, 16)} UTC`;
}
