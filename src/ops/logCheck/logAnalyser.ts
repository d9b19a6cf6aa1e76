import { EVENTS } from '../../log/events.ts';
import { createAnswersNotRecorded } from './answersNotRecorded.ts';
import { createConfigErrors } from './configErrors.ts';
import { createFeedHealth } from './feedHealth.ts';
import { createLockHolds } from './lockHolds.ts';
import { numberField, parseLogLine, stringField, type LogRecord } from './logRecord.ts';
import type { LogCheckOptions, LogReport } from './logReport.ts';
import { createProblemList, evidence, iso } from './problemList.ts';
import { createRateLimitStorms } from './rateLimitStorm.ts';
import { createStuckRuns } from './stuckRuns.ts';
import { bump, createSummaries, tally } from './summaries.ts';

// The report's shapes live in logReport.ts; callers keep importing them from here.
export { DEFAULT_LOG_CHECK_OPTIONS } from './logReport.ts';
export type { CodeSummary, Evidence, GuildSummary, InProgress, LogCheckOptions, LogReport, Problem, ProblemKind } from './logReport.ts';

/** Expected events worth a look: counted, never problems on their own. */
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

export interface LogAnalyser {
  /** Feeds one raw line (without its newline). */
  addLine(line: string): void;
  finish(): LogReport;
}

/**
 * Reads giftbot's JSON log lines one at a time and finds the problem patterns documented in docs/logging.md. Memory
 * stays bounded by what is open at once (held locks, feeds down, the last 429s) plus one summary per code and guild,
 * so a log of any size can be streamed through it. Each pattern has its own detector; this file routes lines to them.
 */
export function createLogAnalyser(options: LogCheckOptions): LogAnalyser {
  const lines = { total: 0, parsed: 0, malformed: 0, withoutEvent: 0, blank: 0 };
  let firstTime: number | null = null;
  let lastTime: number | null = null;
  const noteworthy: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const problems = createProblemList(options.maxEvidence);
  const summaries = createSummaries();
  const holds = createLockHolds(options, problems);
  const storms = createRateLimitStorms(options.storm, problems);
  const feeds = createFeedHealth(options, problems);
  const stuckRuns = createStuckRuns(problems);
  const configErrors = createConfigErrors(options, problems);
  const notRecorded = createAnswersNotRecorded(options, problems);

  function onRecord(record: LogRecord): void {
    const event = record.event!;
    const guildId = stringField(record, 'guildId');
    const code = stringField(record, 'code');
    const runId = numberField(record, 'runId');
    const hold = runId !== null ? holds.byRun(runId) : undefined;
    // Engine lines after run.started may omit the game: the run's hold remembers it.
    const game = stringField(record, 'game') ?? hold?.game ?? null;
    if (hold) {
      hold.last = record;
      hold.game ??= game;
    }
    if (NOTEWORTHY.includes(event)) bump(noteworthy, event);
    if (record.level === 'error' || record.level === 'fatal') bump(errors, event);
    if (record.level === 'fatal') {
      problems.report({ kind: 'fatal', message: `fatal: ${stringField(record, 'msg') ?? event}`, evidence: [evidence(record)] });
    }

    tally(summaries, record, guildId, code, game);

    switch (event) {
      case EVENTS.appStarting:
        holds.processStarted(record);
        break;
      case EVENTS.lockAcquired:
      case EVENTS.runStarted:
        if (guildId && code) holds.acquired(record, guildId, code);
        break;
      case EVENTS.lockReleased:
      case EVENTS.lockReleaseNotOwner:
        holds.released(record, guildId, code);
        break;
      case EVENTS.lockLost:
        holds.lost(record, guildId, code);
        break;
      case EVENTS.memberResult:
        if (hold) hold.results += 1;
        break;
      case EVENTS.configError:
        configErrors.configError(record, game);
        break;
      case EVENTS.answerNotRecorded:
        notRecorded.notRecorded(record);
        break;
      case EVENTS.apiRateLimited:
        storms.rateLimited(record);
        break;
      case EVENTS.feedStateChanged:
        feeds.stateChanged(record);
        break;
      case EVENTS.stuck:
        stuckRuns.stuck(record, guildId, code, runId);
        break;
    }
  }

  function finish(): LogReport {
    // The order problems are reported in breaks ties in the final sort: keep it.
    storms.finish();
    stuckRuns.finish();
    configErrors.finish();
    notRecorded.finish();
    const inProgress = holds.finish();
    feeds.finish();
    return {
      lines,
      firstTime: iso(firstTime),
      lastTime: iso(lastTime),
      problems: problems.sorted(),
      problemsOmitted: problems.omitted,
      inProgress,
      noteworthy,
      errors,
      codes: summaries.codes(),
      guilds: summaries.guilds(),
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
