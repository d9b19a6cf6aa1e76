import type { SearchWhy } from './searchRun.ts';
import type { Game } from '../game/games.ts';
import type { RunStatus } from '../redeem/runSummary.ts';

/** One catch-up run for members whose state was found: a code they were missing. */
export interface CatchUpRun {
  code: string;
  status: RunStatus;
  success: number;
  already: number;
  failed: number;
  message: string;
}

export type MemberDiscoveryOutcome =
  /** The game accepted the player with this state. */
  | 'found'
  /** Every candidate state was ruled out. */
  | 'not-found'
  /** The game says there is no such player (role not exist): the player id is wrong. */
  | 'no-such-player'
  /** No verdict yet (the server was busy, or the search stopped): the next run goes on where this one stopped. */
  | 'unresolved';

export interface MemberDiscovery {
  fid: string;
  name: string | null;
  outcome: MemberDiscoveryOutcome;
  /** The state found, for `found`. */
  state: number | null;
  /** The state giftbot had before (null: unknown; otherwise the one the game refused). */
  previousState: number | null;
  /** Probes this run spent on the member (busy answers included). */
  probes: number;
  /** States ruled out so far, earlier runs included. */
  ruledOut: number;
  /** Candidate states not tried yet. */
  candidatesLeft: number;
  /** Why, for not-found and unresolved: in English (logs, CLI), and as data for a reply in another language. */
  reason: string | null;
  why: SearchWhy | null;
}

export type DiscoveryStatus =
  | 'completed'
  /** A discovery for this alliance is already running in this process. */
  | 'already-running'
  /** Bad input: no such alliance. */
  | 'refused'
  /** The game refused our requests as malformed (sign or params): an operator must act. */
  | 'config-error'
  /** Stopped before the end (shutdown); the next run resumes. */
  | 'aborted';

export interface DiscoverySummary {
  status: DiscoveryStatus;
  guildId: string;
  game: Game | null;
  members: MemberDiscovery[];
  counts: { total: number; found: number; notFound: number; noSuchPlayer: number; unresolved: number };
  /** API calls this run made for discovery (catch-up calls are in `catchUp`). */
  probes: number;
  /** Busy / throttled answers among the probes: retried, never taken as a verdict. */
  transient: number;
  rateLimited: number;
  catchUp: CatchUpRun[];
  /** Why found members got no catch-up (e.g. auto-redeem is off), when they got none. */
  catchUpSkipped: string | null;
  durationMs: number;
  /** One plain sentence for the admin. */
  message: string;
}

export function countDiscoveries(members: readonly MemberDiscovery[]): DiscoverySummary['counts'] {
  const counts = { total: members.length, found: 0, notFound: 0, noSuchPlayer: 0, unresolved: 0 };
  for (const member of members) {
    if (member.outcome === 'found') counts.found += 1;
    else if (member.outcome === 'not-found') counts.notFound += 1;
    else if (member.outcome === 'no-such-player') counts.noSuchPlayer += 1;
    else counts.unresolved += 1;
  }
  return counts;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function describeDiscovery(
  summary: Pick<DiscoverySummary, 'counts' | 'probes' | 'catchUp' | 'catchUpSkipped' | 'status'>,
  detail?: string,
): string {
  const { counts } = summary;
  if (counts.total === 0)
    return [detail, "Every member's state is known; nothing to look up."].filter(Boolean).join(' ');
  const parts = [
    `Looked up ${plural(counts.total, 'member')} with ${plural(summary.probes, 'probe')}: ${counts.found} found`,
  ];
  if (counts.notFound > 0) parts.push(`${counts.notFound} matched no state (check the id)`);
  if (counts.noSuchPlayer > 0) parts.push(`${counts.noSuchPlayer} not a player the game knows (check the id)`);
  if (counts.unresolved > 0) parts.push(`${counts.unresolved} not finished yet (run it again to go on)`);
  const given = summary.catchUp.reduce((sum, run) => sum + run.success, 0);
  const caught =
    summary.catchUp.length > 0
      ? ` Catch-up: ${plural(given, 'code')} redeemed over ${plural(summary.catchUp.length, 'run')}.`
      : summary.catchUpSkipped && counts.found > 0
        ? ` No catch-up: ${summary.catchUpSkipped}.`
        : '';
  return `${[detail, `${parts.join('; ')}.`].filter(Boolean).join(' ')}${caught}`;
}

/** One member's result as a line ("found 123 → state 245 after 2 probes"). */
export function formatMemberDiscovery(m: MemberDiscovery): string {
  const what =
    m.outcome === 'found'
      ? `state ${m.state}`
      : m.outcome === 'not-found'
        ? 'not found'
        : m.outcome === 'no-such-player'
          ? 'no such player'
          : 'not finished';
  const before = m.previousState === null ? 'unknown before' : `was ${m.previousState}`;
  const reason = m.reason ? ` — ${m.reason}` : '';
  return `${m.fid.padEnd(12)} ${what.padEnd(15)} ${plural(m.probes, 'probe').padEnd(10)} (${before})${reason}${m.name ? ` ${m.name}` : ''}`;
}

/** The summary as lines for the CLI and a Discord message; `limit` member lines (0: none, e.g. when shown live). */
export function formatDiscoverySummary(summary: DiscoverySummary, { limit = 50 }: { limit?: number } = {}): string[] {
  const lines = [summary.message];
  if (summary.members.length > 0) {
    lines.push(
      `${plural(summary.probes, 'probe')} · ${summary.transient} busy answer(s) retried · ${summary.rateLimited} rate-limited · ${(summary.durationMs / 1000).toFixed(1)} s`,
    );
  }
  for (const m of summary.members.slice(0, limit)) lines.push(`  ${formatMemberDiscovery(m)}`);
  if (limit > 0 && summary.members.length > limit) lines.push(`  … and ${summary.members.length - limit} more`);
  for (const run of summary.catchUp) lines.push(`  catch-up ${run.code}: ${run.message}`);
  return lines;
}
