import { EVENTS } from '../../log/events.ts';
import { createAnswersNotRecorded, type AnswersNotRecorded } from './answersNotRecorded.ts';
import { createConfigErrors, type ConfigErrors } from './configErrors.ts';
import { createFeedHealth, type FeedHealth } from './feedHealth.ts';
import type { Hold } from './hold.ts';
import { createLockHolds, type LockHolds } from './lockHolds.ts';
import { numberField, parseLogLine, stringField, type LogRecord } from './logRecord.ts';
import type { LogCheckOptions, LogReport } from './logReport.ts';
import { createProblemList, evidence, iso, type ProblemList } from './problemList.ts';
import { createRateLimitStorms, type RateLimitStorms } from './rateLimitStorm.ts';
import { createStuckRuns, type StuckRuns } from './stuckRuns.ts';
import { bump, createSummaries, tally, type Summaries } from './summaries.ts';

// The report's shapes live in logReport.ts; callers keep importing them from here.
export { DEFAULT_LOG_CHECK_OPTIONS } from './logReport.ts';
export type {
  CodeSummary,
  Evidence,
  GuildSummary,
  InProgress,
  LogCheckOptions,
  LogReport,
  Problem,
  ProblemKind,
} from './logReport.ts';

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

/** One analysis's state: the counts so far and the detector of each pattern. */
interface Analysis {
  /** Line counts for the report's header (how much of the file was readable). */
  readonly lines: LogReport['lines'];
  /** The time span the log covers, from the lines that carry a time. */
  firstTime: number | null;
  lastTime: number | null;
  /** Counts of the expected-but-worth-a-look events (NOTEWORTHY). */
  readonly noteworthy: Record<string, number>;
  /** Counts of error and fatal lines, by event. */
  readonly errors: Record<string, number>;
  /** Every detector reports here; the report lists them sorted. */
  readonly problems: ProblemList;
  /** One summary per code and per guild. */
  readonly summaries: Summaries;
  /** The detectors, one per pattern of docs/logging.md. */
  readonly holds: LockHolds;
  readonly storms: RateLimitStorms;
  readonly feeds: FeedHealth;
  readonly stuckRuns: StuckRuns;
  readonly configErrors: ConfigErrors;
  readonly notRecorded: AnswersNotRecorded;
}

/**
 * Reads giftbot's JSON log lines one at a time and finds the problem patterns documented in docs/logging.md. Memory
 * stays bounded by what is open at once (held locks, feeds down, the last 429s) plus one summary per code and guild,
 * so a log of any size can be streamed through it. Each pattern has its own detector; this file routes lines to them.
 */
export function createLogAnalyser(options: LogCheckOptions): LogAnalyser {
  const problems = createProblemList(options.maxEvidence);
  const analysis: Analysis = {
    lines: { total: 0, parsed: 0, malformed: 0, withoutEvent: 0, blank: 0 },
    firstTime: null,
    lastTime: null,
    noteworthy: {},
    errors: {},
    problems,
    summaries: createSummaries(),
    holds: createLockHolds(options, problems),
    storms: createRateLimitStorms(options.storm, problems),
    feeds: createFeedHealth(options, problems),
    stuckRuns: createStuckRuns(problems),
    configErrors: createConfigErrors(options, problems),
    notRecorded: createAnswersNotRecorded(options, problems),
  };
  return {
    addLine: (line: string) => addLine(analysis, line),
    finish: () => finish(analysis),
  };
}

function addLine(analysis: Analysis, line: string): void {
  const { lines } = analysis;
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
    analysis.firstTime ??= record.time;
    analysis.lastTime = analysis.lastTime === null ? record.time : Math.max(analysis.lastTime, record.time);
  }
  if (record.event === null) {
    lines.withoutEvent += 1;
    return;
  }
  onRecord(analysis, record);
}

function onRecord(analysis: Analysis, record: LogRecord): void {
  const event = record.event!;
  const guildId = stringField(record, 'guildId');
  const code = stringField(record, 'code');
  const runId = numberField(record, 'runId');
  const hold = runId !== null ? analysis.holds.byRun(runId) : undefined;
  // Engine lines after run.started may omit the game: the run's hold remembers it.
  const game = stringField(record, 'game') ?? hold?.game ?? null;
  if (hold) {
    hold.last = record;
    hold.game ??= game;
  }
  if (NOTEWORTHY.includes(event)) bump(analysis.noteworthy, event);
  if (record.level === 'error' || record.level === 'fatal') bump(analysis.errors, event);
  if (record.level === 'fatal') {
    analysis.problems.report({
      kind: 'fatal',
      message: `fatal: ${stringField(record, 'msg') ?? event}`,
      evidence: [evidence(record)],
    });
  }

  tally(analysis.summaries, record, guildId, code, game);
  route(analysis, record, { event, guildId, code, runId, game, hold });
}

/** Hands a line to the detector its event concerns. */
function route(
  analysis: Analysis,
  record: LogRecord,
  {
    event,
    guildId,
    code,
    runId,
    game,
    hold,
  }: {
    event: string;
    guildId: string | null;
    code: string | null;
    runId: number | null;
    game: string | null;
    hold: Hold | undefined;
  },
): void {
  const { holds } = analysis;
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
      analysis.configErrors.configError(record, game);
      break;
    case EVENTS.answerNotRecorded:
      analysis.notRecorded.notRecorded(record);
      break;
    case EVENTS.apiRateLimited:
      analysis.storms.rateLimited(record);
      break;
    case EVENTS.feedStateChanged:
      analysis.feeds.stateChanged(record);
      break;
    case EVENTS.stuck:
      analysis.stuckRuns.stuck(record, guildId, code, runId);
      break;
  }
}

function finish(analysis: Analysis): LogReport {
  const { problems } = analysis;
  // The order problems are reported in breaks ties in the final sort: keep it.
  analysis.storms.finish();
  analysis.stuckRuns.finish();
  analysis.configErrors.finish();
  analysis.notRecorded.finish();
  const inProgress = analysis.holds.finish();
  analysis.feeds.finish();
  return {
    lines: analysis.lines,
    firstTime: iso(analysis.firstTime),
    lastTime: iso(analysis.lastTime),
    problems: problems.sorted(),
    problemsOmitted: problems.omitted,
    inProgress,
    noteworthy: analysis.noteworthy,
    errors: analysis.errors,
    codes: analysis.summaries.codes(),
    guilds: analysis.summaries.guilds(),
  };
}
