import { EVENTS } from '../../log/events.ts';
import { formatDuration, type Rate } from './durations.ts';
import { numberField, parseLogLine, stringField, type LogRecord } from './logRecord.ts';

/**
 * Reads giftbot's JSON log lines one at a time and finds the problem patterns documented in docs/logging.md. Memory
 * stays bounded by what is open at once (held locks, feeds down, the last 429s) plus one summary per code and guild,
 * so a log of any size can be streamed through it.
 */
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

export type ProblemKind = 'lock-never-released' | 'run-never-finished' | 'stuck-run' | 'config-errors' | 'rate-limit-storm' | 'feed-down' | 'fatal';

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

const NOTEWORTHY: readonly string[] = [
  EVENTS.duplicateSkipped,
  EVENTS.rerunQueued,
  EVENTS.lockBusy,
  EVENTS.memberRetry,
  EVENTS.apiRateLimited,
  EVENTS.apiBudgetAdjusted,
  EVENTS.lockLost,
  EVENTS.lockReleaseNotOwner,
  EVENTS.lockUnavailable,
  EVENTS.runDeferred,
  EVENTS.runRefused,
  EVENTS.staleFence,
  EVENTS.codeInvalidated,
  EVENTS.feedPollFailed,
  EVENTS.stuck,
];
const FEED_DOWN = new Set(['failing', 'down', 'unhealthy']);
const FEED_UP = new Set(['ok', 'up', 'healthy']);
/** Beyond this many problems of one kind, the rest are only counted. */
const MAX_PROBLEMS_PER_KIND = 50;

interface Hold {
  key: string;
  guildCode: string;
  pid: number | null;
  guildId: string;
  code: string;
  game: string | null;
  runId: number | null;
  acquired: LogRecord;
  last: LogRecord;
  results: number;
  lost: boolean;
  /** The line showing the holder is gone (another holder, or the process started again) while still holding. */
  supersededBy: LogRecord | null;
}

export interface LogAnalyser {
  /** Feeds one raw line (without its newline). */
  addLine(line: string): void;
  finish(): LogReport;
}

export function createLogAnalyser(options: LogCheckOptions): LogAnalyser {
  const lines = { total: 0, parsed: 0, malformed: 0, withoutEvent: 0, blank: 0 };
  let firstTime: number | null = null;
  let lastTime: number | null = null;
  const problems: Problem[] = [];
  const problemsOmitted: Partial<Record<ProblemKind, number>> = {};
  const problemCounts = new Map<ProblemKind, number>();
  const noteworthy: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const codes = new Map<string, CodeSummary>();
  const guilds = new Map<string, GuildSummary & { codeSet: Set<string> }>();

  const holdsByKey = new Map<string, Hold>();
  const holdsByRun = new Map<number, Hold>();
  /** Holds whose holder is gone while still holding; reported at the end unless a release turns up after all. */
  const orphaned = new Set<Hold>();
  const stuckReports = new Map<string, Problem>();
  const configErrors: LogRecord[] = [];
  let configErrorCount = 0;
  const configErrorCodes = new Map<string, number>();
  const recent429: LogRecord[] = [];
  let storm: { problem: Problem; count: number; first: LogRecord; last: LogRecord } | null = null;
  const feedsDown = new Map<string, LogRecord>();

  const evidence = (record: LogRecord): Evidence => ({ lineNo: record.lineNo, text: record.text });
  const ago = (from: LogRecord | null): number | null => (from?.time != null ? options.now - from.time : null);

  function report(problem: Problem): void {
    const count = (problemCounts.get(problem.kind) ?? 0) + 1;
    problemCounts.set(problem.kind, count);
    if (count > MAX_PROBLEMS_PER_KIND) {
      problemsOmitted[problem.kind] = (problemsOmitted[problem.kind] ?? 0) + 1;
      return;
    }
    problem.evidence = problem.evidence.slice(0, options.maxEvidence);
    problems.push(problem);
  }

  function codeSummary(game: string, code: string): CodeSummary {
    const key = `${game}:${code}`;
    let summary = codes.get(key);
    if (!summary) {
      summary = { game, code, runs: 0, statuses: {}, members: {}, retries: 0, duplicates: 0, apiCalls: 0, rateLimited: 0, invalidated: null };
      codes.set(key, summary);
    }
    return summary;
  }

  function guildSummary(guildId: string): GuildSummary & { codeSet: Set<string> } {
    let summary = guilds.get(guildId);
    if (!summary) {
      summary = { guildId, runs: 0, codes: 0, statuses: {}, members: {}, duplicates: 0, refused: 0, codeSet: new Set() };
      guilds.set(guildId, summary);
    }
    return summary;
  }

  const bump = (counts: Record<string, number>, key: string, by = 1): void => {
    counts[key] = (counts[key] ?? 0) + by;
  };

  // ---- locks and runs -------------------------------------------------------------------------------------------

  function holdKey(record: LogRecord, guildId: string, code: string): string {
    return `${record.pid ?? '?'}|${guildId}|${code}`;
  }

  function orphan(hold: Hold, by: LogRecord): void {
    holdsByKey.delete(hold.key);
    if (hold.runId !== null && holdsByRun.get(hold.runId) === hold) holdsByRun.delete(hold.runId);
    // A hold that already said it lost its lock did not outlive its holder unnoticed: lock_lost covers it.
    if (hold.lost) return;
    hold.supersededBy = by;
    orphaned.add(hold);
  }

  function openHold(record: LogRecord, guildId: string, code: string): void {
    const key = holdKey(record, guildId, code);
    const runId = numberField(record, 'runId');
    const game = stringField(record, 'game');
    const existing = holdsByKey.get(key);
    if (existing) {
      // The engine logs its own lock_acquired (with the run id) right after the Redis layer's: the same hold.
      if (existing.runId === null || runId === null || existing.runId === runId) {
        if (existing.runId === null && runId !== null) {
          existing.runId = runId;
          holdsByRun.set(runId, existing);
        }
        existing.game ??= game;
        existing.last = record;
        return;
      }
      orphan(existing, record);
    }
    const guildCode = `${guildId}|${code}`;
    // Another holder got this (guild, code) while an earlier hold is open: the earlier holder is gone, or lost it.
    for (const other of holdsByKey.values()) {
      if (other.guildCode === guildCode) orphan(other, record);
    }
    const hold: Hold = { key, guildCode, pid: record.pid, guildId, code, game, runId, acquired: record, last: record, results: 0, lost: false, supersededBy: null };
    holdsByKey.set(key, hold);
    if (runId !== null) holdsByRun.set(runId, hold);
  }

  function findHold(record: LogRecord, guildId: string | null, code: string | null): Hold | undefined {
    const runId = numberField(record, 'runId');
    if (runId !== null) {
      const byRun = holdsByRun.get(runId);
      if (byRun) return byRun;
    }
    return guildId && code ? holdsByKey.get(holdKey(record, guildId, code)) : undefined;
  }

  function releaseHold(record: LogRecord, guildId: string | null, code: string | null): void {
    const hold = findHold(record, guildId, code);
    if (hold) {
      holdsByKey.delete(hold.key);
      if (hold.runId !== null) holdsByRun.delete(hold.runId);
      return;
    }
    // Released after all (e.g. two processes ran the same code on the local lock alone): not an orphan.
    for (const gone of orphaned) {
      if (gone.key === (guildId && code ? holdKey(record, guildId, code) : null) || (gone.runId !== null && gone.runId === numberField(record, 'runId'))) {
        orphaned.delete(gone);
        return;
      }
    }
  }

  function processStarted(record: LogRecord): void {
    // The same pid starting again (a container restart reuses pids) means its earlier holds died with it.
    for (const hold of holdsByKey.values()) {
      if (hold.pid === record.pid) orphan(hold, record);
    }
  }

  // ---- one line ---------------------------------------------------------------------------------------------------

  function onRecord(record: LogRecord): void {
    const event = record.event!;
    const guildId = stringField(record, 'guildId');
    const code = stringField(record, 'code');
    const runId = numberField(record, 'runId');
    const hold = runId !== null ? holdsByRun.get(runId) : undefined;
    const game = stringField(record, 'game') ?? hold?.game ?? null;
    if (hold) {
      hold.last = record;
      hold.game ??= game;
    }
    if (NOTEWORTHY.includes(event)) bump(noteworthy, event);
    if (record.level === 'error' || record.level === 'fatal') bump(errors, event);
    if (record.level === 'fatal') {
      report({ kind: 'fatal', message: `fatal: ${stringField(record, 'msg') ?? event}`, evidence: [evidence(record)] });
    }

    switch (event) {
      case EVENTS.appStarting:
        processStarted(record);
        break;
      case EVENTS.lockAcquired:
        if (guildId && code) openHold(record, guildId, code);
        break;
      case EVENTS.runStarted:
        if (guildId && code) {
          openHold(record, guildId, code);
          guildSummary(guildId).runs += 1;
          guildSummary(guildId).codeSet.add(`${game ?? '?'}:${code}`);
          if (game) codeSummary(game, code).runs += 1;
        }
        break;
      case EVENTS.lockReleased:
      case EVENTS.lockReleaseNotOwner:
        releaseHold(record, guildId, code);
        break;
      case EVENTS.lockLost: {
        const lostHold = findHold(record, guildId, code);
        if (lostHold) lostHold.lost = true;
        break;
      }
      case EVENTS.memberResult: {
        if (hold) hold.results += 1;
        const outcome = stringField(record, 'outcome') ?? 'unknown';
        if (guildId) bump(guildSummary(guildId).members, outcome);
        if (game && code) bump(codeSummary(game, code).members, outcome);
        break;
      }
      case EVENTS.memberRetry:
        if (game && code) codeSummary(game, code).retries += 1;
        break;
      case EVENTS.runFinished:
      case EVENTS.runFailed: {
        const status = event === EVENTS.runFailed ? 'failed' : (stringField(record, 'status') ?? 'unknown');
        if (guildId) bump(guildSummary(guildId).statuses, status);
        if (game && code) {
          const summary = codeSummary(game, code);
          bump(summary.statuses, status);
          summary.apiCalls += numberField(record, 'apiCalls') ?? 0;
          summary.rateLimited += numberField(record, 'rateLimited') ?? 0;
        }
        break;
      }
      case EVENTS.duplicateSkipped:
        if (guildId) guildSummary(guildId).duplicates += 1;
        if (game && code) codeSummary(game, code).duplicates += 1;
        break;
      case EVENTS.runRefused:
        if (guildId) guildSummary(guildId).refused += 1;
        break;
      case EVENTS.codeInvalidated:
        if (game && code) codeSummary(game, code).invalidated = stringField(record, 'status') ?? stringField(record, 'reason') ?? 'invalid';
        break;
      case EVENTS.configError: {
        configErrorCount += 1;
        const key = `${game ?? '?'} err_code ${stringField(record, 'err_code') ?? '?'} (${stringField(record, 'reason') ?? 'unknown'})`;
        configErrorCodes.set(key, (configErrorCodes.get(key) ?? 0) + 1);
        if (configErrors.length < options.maxEvidence) configErrors.push(record);
        break;
      }
      case EVENTS.apiRateLimited:
        onRateLimited(record);
        break;
      case EVENTS.feedStateChanged:
        onFeedState(record);
        break;
      case EVENTS.stuck:
        onStuck(record, guildId, code, runId);
        break;
    }
  }

  function onRateLimited(record: LogRecord): void {
    if (record.time === null) return;
    const { count, windowMs } = options.storm;
    recent429.push(record);
    while (recent429.length > 0 && record.time - recent429[0]!.time! > windowMs) recent429.shift();
    if (recent429.length > count) recent429.shift();
    if (recent429.length < count) return;
    if (storm && record.time - storm.last.time! <= windowMs) {
      storm.count += 1;
      storm.last = record;
      return;
    }
    closeStorm();
    const first = recent429[0]!;
    const problem: Problem = { kind: 'rate-limit-storm', message: '', evidence: [] };
    storm = { problem, count, first, last: record };
  }

  function closeStorm(): void {
    if (!storm) return;
    const { problem, count, first, last } = storm;
    problem.message = `429 storm: ${count} rate-limited answers between ${iso(first.time)} and ${iso(last.time)} (${formatDuration(last.time! - first.time!)}); the budget is above what the server allows, or another client shares the IP`;
    problem.evidence = first === last ? [evidence(first)] : [evidence(first), evidence(last)];
    report(problem);
    storm = null;
  }

  function onFeedState(record: LogRecord): void {
    const feed = stringField(record, 'feed') ?? stringField(record, 'source') ?? '?';
    const to = stringField(record, 'to') ?? stringField(record, 'state') ?? '';
    if (FEED_DOWN.has(to)) {
      if (!feedsDown.has(feed)) feedsDown.set(feed, record);
    } else if (FEED_UP.has(to)) {
      feedsDown.delete(feed);
    }
  }

  function onStuck(record: LogRecord, guildId: string | null, code: string | null, runId: number | null): void {
    const key = runId !== null ? `run:${runId}` : `${record.pid}|${guildId}|${code}`;
    const existing = stuckReports.get(key);
    if (existing) {
      existing.evidence.push(evidence(record));
      return;
    }
    const problem: Problem = {
      kind: 'stuck-run',
      message: `the watchdog reported run ${runId ?? '?'} of ${code ?? '?'} for guild ${guildId ?? '?'} as stuck (${stringField(record, 'reason') ?? 'see the line'})`,
      ...(guildId ? { guildId } : {}),
      ...(code ? { code } : {}),
      ...(runId !== null ? { runId } : {}),
      evidence: [evidence(record)],
    };
    stuckReports.set(key, problem);
  }

  // ---- the end of the log -----------------------------------------------------------------------------------------

  function holdProblem(hold: Hold, kind: ProblemKind, message: string, extra: LogRecord[]): Problem {
    const lines = [hold.acquired, ...(hold.last !== hold.acquired ? [hold.last] : []), ...extra];
    return {
      kind,
      message,
      guildId: hold.guildId,
      code: hold.code,
      ...(hold.runId !== null ? { runId: hold.runId } : {}),
      evidence: lines.map(evidence),
    };
  }

  function finish(): LogReport {
    closeStorm();
    for (const problem of stuckReports.values()) report(problem);

    if (configErrorCount >= options.configErrors) {
      const detail = [...configErrorCodes].map(([key, n]) => `${n}× ${key}`).join(', ');
      report({
        kind: 'config-errors',
        message: `the game API refused ${configErrorCount} signed request(s) as malformed (${detail}): check the sign salt (WOS_SIGN_SALT / KINGSHOT_SIGN_SALT) and the API base`,
        evidence: configErrors.map(evidence),
      });
    }

    for (const hold of orphaned) {
      const by = hold.supersededBy!;
      const why = by.event === EVENTS.appStarting ? `process ${hold.pid} started again` : `another holder (pid ${by.pid ?? '?'}) took the lock on line ${by.lineNo}`;
      report(
        holdProblem(
          hold,
          'lock-never-released',
          `lock for ${hold.code} in guild ${hold.guildId} (run ${hold.runId ?? '?'}, pid ${hold.pid ?? '?'}) was acquired on line ${hold.acquired.lineNo} and never released: ${why}; the holder died mid-run after ${hold.results} member result(s)`,
          [by],
        ),
      );
    }

    const inProgress: InProgress[] = [];
    for (const hold of holdsByKey.values()) {
      const heldMs = ago(hold.acquired);
      if (heldMs !== null && heldMs >= options.stuckAfterMs) {
        const idle = ago(hold.last);
        report(
          holdProblem(
            hold,
            'run-never-finished',
            `run ${hold.runId ?? '?'} of ${hold.code} for guild ${hold.guildId} (pid ${hold.pid ?? '?'}) took its lock at ${iso(hold.acquired.time)} and, ${formatDuration(heldMs)} later, has neither finished nor released it; its last line was ${idle === null ? 'of unknown age' : `${formatDuration(idle)} old`}, after ${hold.results} member result(s)`,
            [],
          ),
        );
      } else {
        inProgress.push({ guildId: hold.guildId, code: hold.code, runId: hold.runId, heldMs, lastLine: evidence(hold.last) });
      }
    }

    for (const [feed, since] of feedsDown) {
      const downMs = ago(since);
      if (downMs !== null && downMs >= options.feedDownAfterMs) {
        report({
          kind: 'feed-down',
          feed,
          message: `code feed ${feed} has been failing for ${formatDuration(downMs)} (since ${iso(since.time)}) with no recovery: new codes from it are not being found`,
          evidence: [evidence(since)],
        });
      }
    }

    const order: ProblemKind[] = ['fatal', 'lock-never-released', 'run-never-finished', 'stuck-run', 'config-errors', 'rate-limit-storm', 'feed-down'];
    problems.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || (a.evidence[0]?.lineNo ?? 0) - (b.evidence[0]?.lineNo ?? 0));
    return {
      lines,
      firstTime: iso(firstTime),
      lastTime: iso(lastTime),
      problems,
      problemsOmitted,
      inProgress,
      noteworthy,
      errors,
      codes: [...codes.values()].sort((a, b) => a.game.localeCompare(b.game) || a.code.localeCompare(b.code)),
      guilds: [...guilds.values()]
        .map(({ codeSet, ...summary }) => ({ ...summary, codes: codeSet.size }))
        .sort((a, b) => a.guildId.localeCompare(b.guildId)),
    };
  }

  return {
    addLine(line: string) {
      lines.total += 1;
      if (line.trim() === '') {
        lines.blank += 1;
        return;
      }
      const record = parseLogLine(line, lines.total);
      if (!record) {
        lines.malformed += 1;
        return;
      }
      lines.parsed += 1;
      if (record.time !== null) {
        firstTime ??= record.time;
        lastTime = lastTime === null ? record.time : Math.max(lastTime, record.time);
      }
      if (record.event === null) {
        lines.withoutEvent += 1;
        return;
      }
      onRecord(record);
    },
    finish,
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
