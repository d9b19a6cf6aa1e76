import { deadCodeText, isFinalCodeStatus } from '../game/codeStatus.ts';
import type { Game } from '../game/games.ts';
import type { GiftCode } from '../game/giftCode.ts';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import { runKey, type ActiveRun } from '../locks/activeRuns.ts';
import type { LockHandle } from '../locks/runLock.ts';
import type { AllianceRecord } from '../store/types.ts';
import { resolveAllianceScope } from './allianceScope.ts';
import { isAutomaticTrigger } from './exhaustedRetry.ts';
import type { DeferredRunRequest, DeferredRunScheduler } from './deferredRunScheduler.ts';
import type { RedeemEngineDeps } from './engineDeps.ts';
import type { RedeemOptions } from './redeemOptions.ts';
import { runHeld } from './run.ts';
import type { RunDeps } from './runContext.ts';
import type { RunListener } from './runListener.ts';
import { emptyCounts, type RunStatus, type RunSummary } from './runSummary.ts';
import type { RunWhy } from './runWhy.ts';

/**
 * Admission — what processAutoRedeem itself does for one (guild, code): resolve the game and the alliances the run
 * covers (allianceScope.ts), refuse what cannot run (no alliance, an ambiguous game, a dead code), take the in-process
 * active set, then the cross-process lock; run (run.ts) and release in `finally`. A second trigger is refused with a
 * log line, or queued as a rerun when it asks for alliances or members the run may not cover.
 */
export async function admit(
  a: Admission,
  guildId: string,
  code: GiftCode,
  options: RedeemOptions,
): Promise<RunSummary> {
  const { deps, log, listener } = a;
  const { store } = deps;
  await a.seedOnce();
  if (a.departed.has(guildId) && isAutomaticTrigger(options.trigger)) {
    return refuse(
      log,
      baseSummary(guildId, options.game ?? null, code, options.trigger, []),
      'refused',
      `The bot is no longer in this server (guild ${guildId}); automatic runs stay off until it is added again.`,
      { key: 'refused.departed', vars: { guildId } },
    );
  }
  const scope = await resolveAllianceScope(store, guildId, options);
  if (!scope.ok)
    return refuse(
      log,
      baseSummary(guildId, scope.game, code, options.trigger, []),
      'refused',
      scope.message,
      scope.why,
    );
  const { game, alliances } = scope;
  const allianceIds = alliances.map((alliance) => alliance.id);
  const summary = baseSummary(guildId, game, code, options.trigger, alliances);

  const known = await store.codes.get(game, code);
  if (known && isFinalCodeStatus(known.status)) {
    const dead = {
      ...summary,
      codeVerdict: { kind: 'dead', status: known.status, errCode: known.validationErrCode, msg: known.validationMsg },
    } satisfies RunSummary;
    return refuse(log, dead, 'code-invalid', `${code} ${deadCodeText(known.status)}; nothing was sent to the game.`, {
      key: `refused.dead.${known.status}`,
      vars: { code },
    });
  }
  if (!known) await store.codes.add(game, code, options.trigger);

  const key = runKey(guildId, game, code);
  const active = await deps.activeRuns.tryEnter({
    key,
    guildId,
    game,
    code,
    trigger: options.trigger,
    allianceIds,
    startedAt: Date.now(),
  });
  if (!active) return refuseDuplicate(a, summary, key, options, alliances);

  const started = performance.now();
  let handle: LockHandle | null = null;
  try {
    const attempt = await lockFor(a, { guildId, game }, code, options, summary);
    if ('summary' in attempt) return attempt.summary;
    handle = attempt.handle;
    return await runHeld(
      a.runDeps,
      {
        guildId,
        game,
        alliances,
        code,
        options,
        handle,
        active,
        instanceId: deps.instanceId,
        onLockLost: () => defer(a, game, summary, options, 'lock lost mid-run'),
      },
      summary,
    );
  } catch (error) {
    log.error({ event: EVENTS.runFailed, guildId, code, trigger: options.trigger, err: error }, 'run failed');
    return {
      ...summary,
      status: 'failed',
      message: `The run for ${code} failed: ${error instanceof Error ? error.message : String(error)}`,
      why: { key: 'failed', vars: { code, error: error instanceof Error ? error.message : String(error) } },
    };
  } finally {
    if (handle) await handle.release().catch(() => undefined);
    const left = await deps.activeRuns.leave(key);
    if (handle) {
      log.info(
        {
          event: EVENTS.lockReleased,
          guildId,
          code,
          game,
          runId: left?.runId,
          fence: left?.fence,
          heldMs: Math.round(performance.now() - started),
        },
        'lock released',
      );
      listener.lockEvent('released');
    }
    // Through the engine's own entry, so its listeners see the rerun like any run.
    if (left?.rerunRequested) void a.rerun(guildId, code, game, [...left.rerunAllianceIds]).catch(() => undefined);
  }
}

/** What admission needs of the engine: its parts, shared by every run of the process. */
export interface Admission {
  deps: RedeemEngineDeps;
  log: Logger;
  listener: Required<RunListener>;
  deferredRuns: DeferredRunScheduler;
  runDeps: RunDeps;
  /** Servers the bot was removed from (Discord): automatic triggers are refused there. */
  departed: ReadonlySet<string>;
  /** Once per process, before the first run: the player spacing learns each player's last call. */
  seedOnce: () => Promise<void>;
  /** Starts the rerun a trigger with new work (members, alliances) asked for while the run was active. */
  rerun: (guildId: string, code: GiftCode, game: Game, allianceIds: readonly number[]) => Promise<RunSummary>;
}

function refuse(log: Logger, summary: RunSummary, status: RunStatus, message: string, why: RunWhy): RunSummary {
  log.warn(
    {
      event: EVENTS.runRefused,
      guildId: summary.guildId,
      code: summary.code,
      trigger: summary.trigger,
      status,
      reason: message,
    },
    'run refused',
  );
  return { ...summary, status, message, why };
}

function refuseDuplicate(
  a: Admission,
  summary: RunSummary,
  key: string,
  options: RedeemOptions,
  alliances: readonly AllianceRecord[],
): RunSummary {
  const { deps, log, listener } = a;
  const { guildId, code, game } = summary;
  const running: ActiveRun | undefined = deps.activeRuns.get(key);
  // Alliances the running run does not cover (another /redeem alliance:, a fan-out after a manual run): queued.
  const uncovered = running ? alliances.filter((alliance) => !running.allianceIds.includes(alliance.id)) : [];
  // A trigger for specific members (new ones) carries work the current run may not have seen: run once more after it.
  const newMembers = options.fids !== undefined && options.fids.length > 0;
  if (running && (uncovered.length > 0 || newMembers)) {
    running.rerunRequested = true;
    for (const alliance of uncovered.length > 0 ? uncovered : alliances) running.rerunAllianceIds.add(alliance.id);
    log.info(
      {
        event: EVENTS.rerunQueued,
        guildId,
        code,
        trigger: options.trigger,
        runId: running.runId,
        allianceIds: [...running.rerunAllianceIds],
      },
      'rerun queued after the active run',
    );
  }
  if (running && uncovered.length > 0) {
    return {
      ...summary,
      status: 'duplicate',
      runId: running.runId,
      message: `${code} is being redeemed for another alliance of this server right now; ${uncovered.map((alliance) => alliance.name).join(', ')} will get it right after that run.`,
      why: { key: 'duplicate.queued', vars: { code, names: uncovered.map((alliance) => alliance.name).join(', ') } },
    };
  }
  log.warn(
    {
      event: EVENTS.duplicateSkipped,
      guildId,
      code,
      game,
      trigger: options.trigger,
      layer: 'local',
      activeTrigger: running?.trigger,
      runId: running?.runId,
    },
    'duplicate trigger skipped: this code is already running for this guild',
  );
  if (game) listener.duplicateRefused({ game, layer: 'local' });
  return {
    ...summary,
    status: 'duplicate',
    runId: running?.runId ?? null,
    message: `${code} is already being redeemed for this alliance; no second run was started.`,
    why: { key: 'duplicate.here', vars: { code } },
  };
}

/** The cross-process lock: a handle, or the summary of a run that cannot start (busy elsewhere, or deferred). */
async function lockFor(
  a: Admission,
  guild: { guildId: string; game: Game },
  code: string,
  options: RedeemOptions,
  summary: RunSummary,
): Promise<{ handle: LockHandle } | { summary: RunSummary }> {
  const { deps, log, listener } = a;
  const fields = { guildId: guild.guildId, code, trigger: options.trigger };
  const attempt = await deps.runLock.acquire({ guildId: guild.guildId, game: guild.game, code });
  if (attempt.status === 'acquired') return { handle: attempt.handle };
  if (attempt.status === 'busy') {
    log.warn(
      { event: EVENTS.duplicateSkipped, ...fields, game: guild.game, layer: 'redis' },
      'duplicate trigger skipped: another process holds the lock',
    );
    listener.lockEvent('busy');
    listener.duplicateRefused({ game: guild.game, layer: 'redis' });
    return {
      summary: {
        ...summary,
        status: 'duplicate',
        message: `${code} is already being redeemed for this alliance by another bot process; no second run was started.`,
        why: { key: 'duplicate.elsewhere', vars: { code } },
      },
    };
  }
  listener.lockEvent('unavailable');
  if (!options.forceLocal) {
    log.warn(
      { event: EVENTS.runDeferred, ...fields, reason: attempt.reason },
      'run deferred: the shared lock cannot be reached',
    );
    await defer(a, guild.game, summary, options, `lock unavailable: ${attempt.reason}`);
    return {
      summary: {
        ...summary,
        status: 'deferred',
        message: `The shared lock service cannot be reached (${attempt.reason}); the run for ${code} waits until it answers.`,
        why: { key: 'deferred', vars: { code, reason: attempt.reason } },
      },
    };
  }
  log.warn(
    { event: EVENTS.lockUnavailable, ...fields, reason: attempt.reason },
    'lock service unreachable: running on the local lock as the admin asked',
  );
  const local = new AbortController();
  const held = () => !local.signal.aborted;
  return {
    handle: { signal: local.signal, isHeld: held, confirm: async () => held(), release: async () => local.abort() },
  };
}

/** Recorded before the caller hears 'deferred', and retried later by the scheduler. */
function defer(a: Admission, game: Game, summary: RunSummary, options: RedeemOptions, reason: string): Promise<void> {
  const request: DeferredRunRequest = {
    guildId: summary.guildId,
    game,
    code: summary.code,
    trigger: options.trigger,
    fids: options.fids ?? null,
    // Named alliances are kept; otherwise null: every alliance of the code's game in the server when it runs.
    allianceIds: options.allianceIds ? summary.alliances.map((alliance) => alliance.allianceId) : null,
    reason,
  };
  return a.deferredRuns.defer(request);
}

function baseSummary(
  guildId: string,
  game: Game | null,
  code: string,
  trigger: string,
  alliances: readonly AllianceRecord[],
): RunSummary {
  return {
    status: 'refused',
    guildId,
    game,
    code,
    trigger,
    alliances: alliances.map((alliance) => ({
      allianceId: alliance.id,
      name: alliance.name,
      resultChannelId: alliance.resultChannelId,
      counts: emptyCounts(),
      byReason: {},
      message: '',
    })),
    runId: null,
    fence: null,
    counts: emptyCounts(),
    byReason: {},
    members: [],
    apiCalls: 0,
    rateLimited: 0,
    answersNotRecorded: 0,
    durationMs: 0,
    retryAt: null,
    message: '',
    codeVerdict: null,
  };
}
