import { setTimeout as sleep } from 'node:timers/promises';
import type { Game } from '../game/games.ts';
import type { GiftCode } from '../game/giftCode.ts';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import type { RunTrigger } from '../redeem/redeemOptions.ts';
import type { CodesDeps } from './codesDeps.ts';
import type { RetryPolicy } from '../pacing/retryPolicy.ts';
import type { RunSummary } from '../redeem/runSummary.ts';
import { FINAL_CODE_STATUSES, type CodeStatus, type Store } from '../store/types.ts';
import { fanOut } from './fanOut.ts';
import type { TestPlayer } from './testPlayer.ts';
import type { ValidationVia } from './validateCode.ts';
import { validateWithRetry, type Verdict } from './validateWithRetry.ts';

export interface CodeSubmission {
  /** Normalised by the source (feed parser, channel parser, command, CLI) where it entered giftbot. */
  code: GiftCode;
  game: Game;
  /** Where it came from, stored with the code: `feed:<name>`, `channel:<guildId>`, `cli`, `discord:<userId>`. */
  source: string;
}

// The check and its verdict live in validateWithRetry.ts; re-exported so the intake stays the one entry point.
export type { Verdict } from './validateWithRetry.ts';

export interface FanoutReport {
  game: Game;
  code: GiftCode;
  outcome: Verdict | 'config-error' | 'stopped';
  /** One run per auto-redeem alliance (empty when the code was dead, or the fan-out never started). */
  runs: RunSummary[];
  /** Every alliance has what it can get; a restart will not come back to this code. */
  finished: boolean;
}

export type SubmitResult =
  | { kind: 'known'; game: Game; code: GiftCode; status: CodeStatus; inProgress: boolean }
  | {
      kind: 'accepted';
      game: Game;
      code: GiftCode;
      /** new: never seen; reactivated: known dead, seen again, re-checked once; unfinished: known, never fanned out. */
      reason: 'new' | 'reactivated' | 'unfinished';
      /** Resolves once the check has answered (or could not, the first time). */
      verdict: Promise<Verdict>;
      /** Resolves when every alliance's run has ended. */
      done: Promise<FanoutReport>;
    };

export interface CodeIntake {
  /** The one path for every new code (normalised where it entered): de-duplicate, persist with its source, validate once, fan out. */
  submit(submission: CodeSubmission): Promise<SubmitResult>;
  /**
   * Takes up a code whose fan-out a stop or crash cut short (start-up). `interrupted`: runs left `running` per guild,
   * marked interrupted once the new run for that guild holds its lock (or the code turns out dead). A code already
   * being handled (a feed saw it first) keeps its fan-out and takes these runs over. Null after stop().
   */
  resume(
    game: Game,
    code: GiftCode,
    interrupted?: ReadonlyMap<string, readonly number[]>,
  ): Promise<FanoutReport> | null;
  /** Codes being validated or fanned out now. */
  inProgress(): { game: Game; code: GiftCode }[];
  /** Resolves when every code taken on so far is done. */
  idle(): Promise<void>;
  /** No new work; waits for validation are cut short. Runs already started end with the app's shutdown. */
  stop(): void;
}

export interface CodeIntakeOptions {
  testPlayers?: Partial<Record<Game, TestPlayer>>;
  /**
   * A dead code seen again is re-checked (once ever) only when it has been dead at least this long (default 1 h):
   * feeds keep listing expired codes for days, and a second feed or a channel post minutes later is not a reactivation.
   */
  recheckAfterMs?: number;
  /** Waits between checks that could not tell (default 5 s doubling to 5 min). */
  validationRetry?: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>;
}

interface Entry {
  game: Game;
  code: GiftCode;
  source: string;
  trigger: RunTrigger;
  /** performance.now() when this process first saw the code; null for resumed codes (seen by an earlier process). */
  seenAt: number | null;
  firstCallLogged: boolean;
  /** Run ids a dead process left `running`, per guild: this fan-out's runs replace them. */
  interrupted: Map<string, number[]>;
  settle: (verdict: Verdict) => void;
  verdict: Promise<Verdict>;
  done: Promise<FanoutReport> | null;
}

const DEFAULT_RETRY = { baseDelayMs: 5_000, maxDelayMs: 300_000 };

/** The intake's state, shared by its steps below. */
interface Intake {
  deps: CodesDeps;
  testPlayers: Partial<Record<Game, TestPlayer>>;
  validationRetry: RetryPolicy;
  recheckAfterMs: number;
  stopController: AbortController;
  /** Stops validation waits: the intake's stop() or the process shutdown. */
  signal: AbortSignal;
  /** Codes being validated or fanned out now, by `game:code`. */
  entries: Map<string, Entry>;
  /** Games whose test player answered as misconfigured: members check their codes instead. */
  unusableTestPlayers: Set<Game>;
}

const keyOf = (game: Game, code: string) => `${game}:${code}`;

export function createCodeIntake(deps: CodesDeps, options: CodeIntakeOptions = {}): CodeIntake {
  const stopController = new AbortController();
  const intake: Intake = {
    deps,
    testPlayers: options.testPlayers ?? deps.config.discovery.testPlayers,
    validationRetry: { maxAttempts: Number.POSITIVE_INFINITY, ...DEFAULT_RETRY, ...options.validationRetry },
    recheckAfterMs: options.recheckAfterMs ?? 3_600_000,
    stopController,
    signal: AbortSignal.any([stopController.signal, deps.shutdownSignal]),
    entries: new Map(),
    unusableTestPlayers: new Set(),
  };
  const { entries, signal } = intake;
  return {
    submit: (submission) => submit(intake, submission),
    resume(game, code, interrupted = new Map()) {
      if (signal.aborted) return null;
      const existing = entries.get(keyOf(game, code));
      const entry = existing ?? newEntry(game, code, 'resume', 'resume', null);
      for (const [guildId, ids] of interrupted)
        entry.interrupted.set(guildId, [...(entry.interrupted.get(guildId) ?? []), ...ids]);
      if (!existing) return start(intake, entry);
      // Being handled already (a feed or a channel post got there first): that fan-out covers it. Its promise exists
      // once the store has answered the submission.
      return (async () => {
        while (!existing.done && entries.get(keyOf(game, code)) === existing) await sleep(5);
        return existing.done ?? { game, code, outcome: 'stopped' as const, runs: [], finished: false };
      })();
    },
    inProgress() {
      return [...entries.values()].map(({ game, code }) => ({ game, code }));
    },
    async idle() {
      while (entries.size > 0) {
        const pending = [...entries.values()].flatMap((entry) => (entry.done ? [entry.done] : []));
        // An entry is briefly without its promise while the store is asked about it.
        if (pending.length === 0) await sleep(5);
        else await Promise.allSettled(pending);
      }
    },
    stop() {
      stopController.abort(new Error('code discovery stopped'));
    },
  };
}

function newEntry(game: Game, code: GiftCode, source: string, trigger: RunTrigger, seenAt: number | null): Entry {
  let settle!: (verdict: Verdict) => void;
  const verdict = new Promise<Verdict>((resolve) => {
    settle = resolve;
  });
  return {
    game,
    code,
    source,
    trigger,
    seenAt,
    firstCallLogged: false,
    interrupted: new Map(),
    settle,
    verdict,
    done: null,
  };
}

function noteFirstCall(log: Logger, entry: Entry, via: ValidationVia | 'fanout'): void {
  if (entry.firstCallLogged || entry.seenAt === null) return;
  entry.firstCallLogged = true;
  log.info(
    {
      event: EVENTS.codeFirstRedeem,
      game: entry.game,
      code: entry.code,
      source: entry.source,
      via,
      latencyMs: Math.round(performance.now() - entry.seenAt),
    },
    'first redemption call for a new code',
  );
}

async function handle(intake: Intake, entry: Entry): Promise<FanoutReport> {
  const { deps } = intake;
  const { store, log } = deps;
  const { game, code } = entry;
  const report = (outcome: FanoutReport['outcome'], runs: RunSummary[] = [], finished = false): FanoutReport => ({
    game,
    code,
    outcome,
    runs,
    finished,
  });
  await store.codes.markFanoutStarted(game, code);
  const checked = await validateWithRetry(intake, {
    game,
    code,
    source: entry.source,
    onCall: (via) => noteFirstCall(log, entry, via),
    onInconclusive: () => entry.settle('unchecked'),
  });
  entry.settle(checked === 'valid' || checked === 'dead' ? checked : 'unchecked');
  if (checked === 'dead') {
    await store.codes.markFanoutDone(game, code);
    await markInterrupted(store, entry, [...entry.interrupted.keys()]);
    return report('dead', [], true);
  }
  if (checked === 'stopped' || checked === 'config-error') return report(checked);
  const result = await fanOut(
    {
      ...deps,
      trigger: entry.trigger,
      onRunStart: (guildId) => {
        noteFirstCall(log, entry, 'fanout');
        const old = entry.interrupted.get(guildId);
        if (old && old.length > 0) void store.runs.markInterrupted(old).catch(() => undefined);
      },
    },
    game,
    code,
  );
  // After a shutdown the store may be closing: leave the code as it is, the next start resumes it.
  if (deps.shutdownSignal.aborted) return report(checked, result.runs, false);
  if (result.finished) await store.codes.markFanoutDone(game, code);
  // A duplicate or deferred run may be another process's live run: its record is left alone.
  await markInterrupted(
    store,
    entry,
    result.runs.filter((run) => run.status !== 'duplicate' && run.status !== 'deferred').map((run) => run.guildId),
  );
  return report(checked, result.runs, result.finished);
}

async function markInterrupted(store: Store, entry: Entry, guildIds: readonly string[]): Promise<void> {
  const ids = guildIds.flatMap((guildId) => entry.interrupted.get(guildId) ?? []);
  if (ids.length > 0) await store.runs.markInterrupted(ids);
}

function start(intake: Intake, entry: Entry): Promise<FanoutReport> {
  const { entries } = intake;
  const { log } = intake.deps;
  const key = keyOf(entry.game, entry.code);
  entries.set(key, entry);
  entry.done = handle(intake, entry)
    .catch((error: unknown): FanoutReport => {
      log.error(
        { event: EVENTS.codeFanout, phase: 'failed', game: entry.game, code: entry.code, err: error },
        'code discovery failed for this code; it resumes on the next start',
      );
      return { game: entry.game, code: entry.code, outcome: 'stopped', runs: [], finished: false };
    })
    .finally(() => {
      entry.settle('unchecked');
      entries.delete(key);
    });
  return entry.done;
}

/** The one path for every new code (normalised where it entered): de-duplicate, persist with its source, validate once, fan out. */
async function submit(intake: Intake, { code, game, source }: CodeSubmission): Promise<SubmitResult> {
  const { store, log } = intake.deps;
  const { entries, signal } = intake;
  const seenAt = performance.now();
  const key = keyOf(game, code);
  if (entries.has(key)) {
    log.debug({ event: EVENTS.codeKnown, game, code, source, inProgress: true }, 'code already being handled');
    const record = await store.codes.get(game, code);
    return { kind: 'known', game, code, status: record?.status ?? 'new', inProgress: true };
  }
  // Claimed before the first await: the same code from two feeds and a channel at once is taken on once.
  const entry = newEntry(game, code, source, 'auto', seenAt);
  entries.set(key, entry);
  let reason: 'new' | 'reactivated' | 'unfinished';
  try {
    const { created, code: record } = await store.codes.add(game, code, source);
    if (created) reason = 'new';
    else if (
      FINAL_CODE_STATUSES.includes(record.status) &&
      Date.now() - record.statusChangedAt >= intake.recheckAfterMs &&
      (await store.codes.reopenForRecheck(game, code))
    ) {
      reason = 'reactivated';
    } else if (!FINAL_CODE_STATUSES.includes(record.status) && record.fanoutDoneAt === null) reason = 'unfinished';
    else {
      entries.delete(key);
      log.debug({ event: EVENTS.codeKnown, game, code, source, status: record.status }, 'code already known');
      return { kind: 'known', game, code, status: record.status, inProgress: false };
    }
  } catch (error) {
    entries.delete(key);
    throw error;
  }
  if (reason === 'unfinished') entry.seenAt = null;
  log.info(
    { event: EVENTS.codeDiscovered, game, code, source, reason },
    reason === 'reactivated'
      ? `${code} seen again after it was dead: checking it once more`
      : `new code ${code} from ${source}`,
  );
  if (signal.aborted) {
    // Recorded, not lost: the next start takes it up.
    entries.delete(key);
    await store.codes.markFanoutStarted(game, code).catch(() => undefined);
    const report: FanoutReport = { game, code, outcome: 'stopped', runs: [], finished: false };
    return {
      kind: 'accepted',
      game,
      code,
      reason,
      verdict: Promise.resolve('unchecked'),
      done: Promise.resolve(report),
    };
  }
  const done = start(intake, entry);
  return { kind: 'accepted', game, code, reason, verdict: entry.verdict, done };
}
