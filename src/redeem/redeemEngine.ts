import { setTimeout as sleep } from 'node:timers/promises';
import { Mutex } from 'async-mutex';
import { classifyAnswer, type Classification } from '../game/classifyAnswer.ts';
import type { Game } from '../game/games.ts';
import type { GiftCodeClient } from '../game/giftCodeClient.ts';
import { normalizeCode } from '../game/normalizeCode.ts';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import { FINAL_CODE_STATUSES, FINAL_LEDGER_STATUSES, type CodeStatus, type GuildRecord, type LedgerOutcome, type MemberRecord, type RunScope, type Store } from '../store/types.ts';
import { runKey, type ActiveRuns } from '../locks/activeRuns.ts';
import type { LockHandle, RunLock } from '../locks/runLock.ts';
import { createMemberQueue } from './memberQueue.ts';
import type { PlayerSpacing } from '../pacing/playerSpacing.ts';
import { PRIORITY, type RateBudget } from '../pacing/rateBudget.ts';
import { reportAnswerToBudget } from '../pacing/reportAnswerToBudget.ts';
import type { RedeemObserver } from './redeemObserver.ts';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from '../pacing/retryPolicy.ts';
import { countOutcomes, describeRun, emptyCounts, type MemberOutcome, type RunStatus, type RunSummary } from './runSummary.ts';

/** Why a run started. `validate`: code discovery trying a new code on one member before the fan-out. */
export type RunTrigger = 'auto' | 'validate' | 'manual' | 'cli' | 'resume' | 'catch-up' | 'rerun' | 'retry' | 'demo' | 'bench' | 'deferred';

export interface RedeemOptions {
  trigger: RunTrigger;
  /** Only these members (catch-up for new members, /redeem member:, "Retry failed"). */
  fids?: readonly string[];
  /** Run on the in-process lock alone when the cross-process lock cannot be reached (an admin's choice; the ledger keeps it safe). */
  forceLocal?: boolean;
  /** Called after every member's outcome, for live progress. */
  onProgress?: (progress: RunProgress) => void;
  /** Called once the run holds its locks, before the first call (Discord shows "started"). */
  onStart?: (info: { runId: number; total: number }) => void;
}

export interface RunProgress {
  runId: number;
  total: number;
  processed: number;
  success: number;
  already: number;
  failed: number;
  retrying: number;
}

export interface RedeemEngineDeps {
  store: Store;
  client: GiftCodeClient;
  /** The rate budget for a game's API host (shared by every run and probe in the process). */
  budgetFor: (game: Game) => RateBudget;
  spacing: PlayerSpacing;
  runLock: RunLock;
  /**
   * Told when a run could not start because the shared lock was unreachable, or stopped because it lost its lock, so
   * it is recorded and retried later (the deferred-run scheduler). Awaited: the deferral is recorded before the
   * caller hears 'deferred'. Must not throw.
   */
  onDeferred?: (request: { guildId: string; game: Game; code: string; trigger: RunTrigger; fids: readonly string[] | null; reason: string }) => Promise<void>;
  activeRuns: ActiveRuns;
  log: Logger;
  /** Identifies this process in run records and lock tokens. */
  instanceId: string;
  /** Calls in flight per run; the budget, not this, sets the pace. */
  concurrency?: number;
  retry?: RetryPolicy;
  /** Stops every run (graceful shutdown): no new calls, in-flight ones finish and are recorded. */
  shutdownSignal?: AbortSignal;
  /** Told about calls, results, duplicates, locks and finished runs (metrics); optional. */
  observer?: RedeemObserver;
}

export interface RedeemEngine {
  processAutoRedeem(guildId: string, code: string, options: RedeemOptions): Promise<RunSummary>;
  /** Resolves when every run started so far (including reruns) has ended. */
  idle(): Promise<void>;
}

const CODE_STATUS_FOR: Record<string, CodeStatus> = { expired: 'expired', 'not-found': 'invalid', 'used-up': 'used_up' };

type StopReason =
  | { kind: 'code-final'; classification: Classification }
  | { kind: 'config-error'; classification: Classification }
  | { kind: 'lock-lost' }
  | { kind: 'stale-fence' }
  | { kind: 'shutdown' };

export function createRedeemEngine(deps: RedeemEngineDeps): RedeemEngine {
  const { store, log } = deps;
  const observer: RedeemObserver = deps.observer ?? {};
  const concurrency = deps.concurrency ?? 8;
  const retryPolicy = deps.retry ?? DEFAULT_RETRY_POLICY;
  const inFlightRuns = new Set<Promise<unknown>>();
  // Per `game:code`: codes the game has shown to exist, and the gate that lets one probe call through at a time before.
  const provenCodes = new Set<string>();
  const probeGates = new Map<string, Mutex>();
  const probeGateFor = (codeKey: string): Mutex => {
    let gate = probeGates.get(codeKey);
    if (!gate) {
      gate = new Mutex();
      probeGates.set(codeKey, gate);
    }
    return gate;
  };

  function baseSummary(guildId: string, game: Game | null, code: string, trigger: string): RunSummary {
    return {
      status: 'refused',
      guildId,
      game,
      code,
      trigger,
      runId: null,
      fence: null,
      counts: emptyCounts(),
      byReason: {},
      members: [],
      apiCalls: 0,
      rateLimited: 0,
      durationMs: 0,
      message: '',
    };
  }

  function refuse(summary: RunSummary, status: RunStatus, message: string): RunSummary {
    log.warn({ event: EVENTS.runRefused, guildId: summary.guildId, code: summary.code, trigger: summary.trigger, status, reason: message }, 'run refused');
    return { ...summary, status, message };
  }

  async function processAutoRedeem(guildId: string, rawCode: string, options: RedeemOptions): Promise<RunSummary> {
    const normalized = normalizeCode(rawCode);
    if (!normalized.ok) return refuse(baseSummary(guildId, null, rawCode, options.trigger), 'refused', `Not a valid gift code: ${normalized.reason}.`);
    const code = normalized.code;
    const guild = await store.guilds.get(guildId);
    if (!guild) return refuse(baseSummary(guildId, null, code, options.trigger), 'refused', `This server has no alliance set up yet (guild ${guildId}).`);
    const summary = baseSummary(guildId, guild.game, code, options.trigger);

    const known = await store.codes.get(guild.game, code);
    if (known && FINAL_CODE_STATUSES.includes(known.status)) {
      return refuse(summary, 'code-invalid', `${code} is ${codeStatusText(known.status)}; nothing was sent to the game.`);
    }
    if (!known) await store.codes.add(guild.game, code, options.trigger);

    const key = runKey(guildId, guild.game, code);
    const active = await deps.activeRuns.tryEnter({ key, guildId, game: guild.game, code, trigger: options.trigger, startedAt: Date.now() });
    if (!active) {
      const running = deps.activeRuns.get(key);
      // A trigger for specific members (new ones) carries work the current run may not have seen: run once more after it.
      if (running && options.fids && options.fids.length > 0) {
        running.rerunRequested = true;
        log.info({ event: EVENTS.rerunQueued, guildId, code, trigger: options.trigger, runId: running.runId }, 'rerun queued after the active run');
      }
      log.warn(
        { event: EVENTS.duplicateSkipped, guildId, code, game: guild.game, trigger: options.trigger, layer: 'local', activeTrigger: running?.trigger, runId: running?.runId },
        'duplicate trigger skipped: this code is already running for this guild',
      );
      observer.duplicateRefused?.({ game: guild.game, layer: 'local' });
      return { ...summary, status: 'duplicate', runId: running?.runId ?? null, message: `${code} is already being redeemed for this alliance; no second run was started.` };
    }

    const started = performance.now();
    let handle: LockHandle | null = null;
    let result: RunSummary;
    try {
      const attempt = await deps.runLock.acquire({ guildId, game: guild.game, code });
      if (attempt.status === 'busy') {
        log.warn({ event: EVENTS.duplicateSkipped, guildId, code, game: guild.game, trigger: options.trigger, layer: 'redis' }, 'duplicate trigger skipped: another process holds the lock');
        observer.lockEvent?.('busy');
        observer.duplicateRefused?.({ game: guild.game, layer: 'redis' });
        return { ...summary, status: 'duplicate', message: `${code} is already being redeemed for this alliance by another bot process; no second run was started.` };
      }
      if (attempt.status === 'unavailable') {
        observer.lockEvent?.('unavailable');
        if (!options.forceLocal) {
          log.warn({ event: EVENTS.runDeferred, guildId, code, trigger: options.trigger, reason: attempt.reason }, 'run deferred: the shared lock cannot be reached');
          await deps.onDeferred?.({ guildId, game: guild.game, code, trigger: options.trigger, fids: options.fids ?? null, reason: `lock unavailable: ${attempt.reason}` });
          return { ...summary, status: 'deferred', message: `The shared lock service cannot be reached (${attempt.reason}); the run for ${code} waits until it answers.` };
        }
        log.warn({ event: EVENTS.lockUnavailable, guildId, code, trigger: options.trigger, reason: attempt.reason }, 'lock service unreachable: running on the local lock as the admin asked');
        const local = new AbortController();
        handle = { signal: local.signal, isHeld: () => !local.signal.aborted, release: async () => local.abort() };
      } else {
        handle = attempt.handle;
      }
      result = await runHeld(guild, code, options, summary, handle, active);
    } catch (error) {
      log.error({ event: EVENTS.runFailed, guildId, code, trigger: options.trigger, err: error }, 'run failed');
      result = { ...summary, status: 'failed', message: `The run for ${code} failed: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      if (handle) await handle.release().catch(() => undefined);
      const left = await deps.activeRuns.leave(key);
      if (handle) {
        log.info({ event: EVENTS.lockReleased, guildId, code, game: guild.game, runId: left?.runId, fence: left?.fence, heldMs: Math.round(performance.now() - started) }, 'lock released');
        observer.lockEvent?.('released');
      }
      // Through the public object: whatever decorates it (the results-channel reporter, metrics) sees reruns too.
      if (left?.rerunRequested) void engine.processAutoRedeem(guildId, code, { trigger: 'rerun' }).catch(() => undefined);
    }
    return result;
  }

  async function runHeld(
    guild: GuildRecord,
    code: string,
    options: RedeemOptions,
    summary: RunSummary,
    handle: LockHandle,
    active: { runId: number | null; fence: number | null; progress: { processed: number; total: number }; lastProgressAt: number },
  ): Promise<RunSummary> {
    const game = guild.game;
    const started = performance.now();
    const fence = await store.ledger.nextFence(guild.id, game, code);
    const run = await store.runs.start({ guildId: guild.id, game, code, trigger: options.trigger, fence, owner: deps.instanceId });
    active.runId = run.id;
    active.fence = fence;
    const scope: RunScope = { guildId: guild.id, game, code, fence, runId: run.id };
    const ctx = { guildId: guild.id, code, game, runId: run.id, fence, trigger: options.trigger };
    log.info({ event: EVENTS.lockAcquired, ...ctx }, 'lock acquired');
    observer.lockEvent?.('acquired');

    let members = await store.members.list(guild.id);
    if (options.fids) {
      const wanted = new Set(options.fids);
      members = members.filter((member) => wanted.has(member.fid));
    }
    const outcomes = new Map<string, MemberOutcome>();
    const setOutcome = (member: MemberRecord, outcome: Omit<MemberOutcome, 'fid' | 'name'>) =>
      outcomes.set(member.fid, { fid: member.fid, name: member.name, ...outcome });

    // One read of the code's ledger: members with a final row (from any earlier run or alliance) are not called.
    const ledgerRows = new Map((await store.ledger.listForCode(game, code)).map((row) => [row.fid, row]));
    const toCall: MemberRecord[] = [];
    for (const member of members) {
      const row = ledgerRows.get(member.fid);
      if (row && FINAL_LEDGER_STATUSES.includes(row.status)) {
        setOutcome(member, { outcome: 'skipped', reason: 'already-final', errCode: row.errCode, msg: row.msg, attempts: 0 });
      } else if (member.state === null) {
        setOutcome(member, { outcome: 'skipped', reason: 'state-unknown', errCode: null, msg: null, attempts: 0 });
      } else if (member.stateStatus === 'wrong') {
        setOutcome(member, { outcome: 'skipped', reason: 'state-wrong', errCode: null, msg: null, attempts: 0 });
      } else {
        toCall.push(member);
      }
    }
    log.info({ event: EVENTS.runStarted, ...ctx, members: members.length, toCall: toCall.length, skipped: members.length - toCall.length }, 'run started');
    options.onStart?.({ runId: run.id, total: members.length });

    const budget = deps.budgetFor(game);
    const queue = createMemberQueue(toCall);
    // Until the game has shown the code exists (any answer that checks the code), one call at a time across every run
    // of this code in the process: an expired or unknown code then costs exactly one call, not one per worker or per
    // alliance started at the same moment.
    const codeKey = `${game}:${code}`;
    const known = await store.codes.get(game, code);
    let codeProven = known?.status === 'valid' || provenCodes.has(codeKey);
    const probeGate = probeGateFor(codeKey);
    const attempts = new Map<string, number>();
    let stop: StopReason | null = null;
    let apiCalls = 0;
    let rateLimited = 0;
    const stopController = new AbortController();
    const stopRun = (reason: StopReason) => {
      if (!stop) stop = reason;
      stopController.abort(new Error(reason.kind));
    };
    const signals = [handle.signal, stopController.signal, ...(deps.shutdownSignal ? [deps.shutdownSignal] : [])];
    const runSignal = AbortSignal.any(signals);

    const progress = (): void => {
      const values = [...outcomes.values()];
      active.progress = { processed: values.length, total: members.length };
      active.lastProgressAt = Date.now();
      options.onProgress?.({
        runId: run.id,
        total: members.length,
        processed: values.length,
        success: values.filter((o) => o.outcome === 'success').length,
        already: values.filter((o) => o.outcome === 'already' || (o.outcome === 'skipped' && o.reason === 'already-final')).length,
        failed: values.filter((o) => o.outcome === 'failed').length,
        retrying: [...attempts.entries()].filter(([fid]) => !outcomes.has(fid)).length,
      });
    };
    progress();

    const noteStop = (): boolean => {
      if (stop) return true;
      if (deps.shutdownSignal?.aborted) stopRun({ kind: 'shutdown' });
      else if (handle.signal.aborted || !handle.isHeld()) {
        stopRun({ kind: 'lock-lost' });
        observer.lockEvent?.('lost');
      }
      return stop !== null;
    };

    // Another alliance's run (in this process or another) may learn first that the code is dead: every run of the
    // code stops at its next member instead of spending its own calls to find out.
    const codeDiedElsewhere = async (): Promise<boolean> => {
      const current = await store.codes.get(game, code);
      if (!current || !FINAL_CODE_STATUSES.includes(current.status)) return false;
      const reason = current.status === 'expired' ? 'expired' : current.status === 'used_up' ? 'used-up' : 'not-found';
      stopRun({ kind: 'code-final', classification: { kind: 'code-final', reason, errCode: current.validationErrCode, msg: current.validationMsg, httpStatus: 200 } });
      return true;
    };

    const record = async (member: MemberRecord, outcome: LedgerOutcome): Promise<boolean> => {
      const result = await store.ledger.record(scope, member.fid, outcome);
      if (result === 'stale-fence') {
        log.error({ event: EVENTS.staleFence, ...ctx, fid: member.fid, stage: 'record' }, 'write refused: a newer run owns this code now; stopping');
        stopRun({ kind: 'stale-fence' });
        observer.lockEvent?.('stale-fence');
        return false;
      }
      return true;
    };

    const callOne = async (member: MemberRecord): Promise<void> => {
      const spacingKey = `${game}:${member.fid}`;
      const spacingWait = deps.spacing.waitFor(spacingKey);
      if (spacingWait > 0) {
        queue.push(member, performance.now() + spacingWait);
        return;
      }
      // The lock must still be ours before the claim is written (and again right before the call).
      if (noteStop() || (await codeDiedElsewhere())) {
        queue.push(member);
        return;
      }
      const claim = await store.ledger.claim(scope, member.fid);
      if (claim === 'stale-fence') {
        log.error({ event: EVENTS.staleFence, ...ctx, fid: member.fid, stage: 'claim' }, 'claim refused: a newer run owns this code now; stopping');
        stopRun({ kind: 'stale-fence' });
        observer.lockEvent?.('stale-fence');
        queue.push(member);
        return;
      }
      if (claim === 'final') {
        const row = await store.ledger.get(game, member.fid, code);
        setOutcome(member, { outcome: 'skipped', reason: 'already-final', errCode: row?.errCode ?? null, msg: row?.msg ?? null, attempts: attempts.get(member.fid) ?? 0 });
        return;
      }
      if (claim === 'claimed-elsewhere') {
        // Another alliance's run is calling this player right now; its result will count for this one too.
        queue.push(member, performance.now() + 5_000);
        return;
      }

      const attempt = (attempts.get(member.fid) ?? 0) + 1;
      attempts.set(member.fid, attempt);
      const call = async () => {
        // The budget slot is taken last, right before sending: a slot granted and then held up (by a claim waiting
        // for the database, or at the probe gate) would reach the server later than the shared budget accounted for.
        try {
          // Alliances take turns for slots: one started later is not queued behind another's whole set of workers.
          await budget.acquire({ priority: PRIORITY.redeem, signal: runSignal, share: `guild:${guild.id}` });
        } catch {
          noteStop();
          return null;
        }
        // The lock must still be ours, by the monotonic deadline, right before the call.
        if (noteStop()) return null;
        deps.spacing.mark(spacingKey);
        // Asked once more by the HTTP client at the moment it writes the request (after queueing or connecting): a
        // process frozen between the check above and the write must not send after it resumes without its lock.
        let refused = false;
        const answer = await deps.client.redeem({
          game,
          fid: member.fid,
          kid: member.state!,
          code,
          beforeSend: () => {
            refused = noteStop();
            return !refused;
          },
        });
        if (refused) return null;
        apiCalls += 1;
        reportAnswerToBudget(budget, answer, log);
        const classification = classifyAnswer(answer);
        observer.apiCall?.({ game, httpStatus: answer.httpStatus, durationMs: answer.durationMs, kind: classification.kind, reason: 'reason' in classification ? classification.reason : null });
        if (provesCodeExists(classification)) {
          codeProven = true;
          provenCodes.add(codeKey);
        }
        // Stop at once, inside the gate, so no waiting worker sends another call for a dead code.
        if (classification.kind === 'code-final') stopRun({ kind: 'code-final', classification });
        if (classification.kind === 'config-error') stopRun({ kind: 'config-error', classification });
        return { answer, classification };
      };
      // Waiting at the gate, another worker's probe may have stopped the run: then this member is not called.
      const gated = codeProven
        ? 'proven'
        : await probeGate.runExclusive(async () => {
            // Another run's probe may have settled the code while this one waited: then the call is made outside the
            // gate, or every worker of every run queued here would call one after another.
            if (provenCodes.has(codeKey)) return 'proven' as const;
            if (stop || (await codeDiedElsewhere())) return null;
            return call();
          });
      if (gated === 'proven') codeProven = true;
      const result = gated === 'proven' ? await call() : gated;
      if (!result) {
        // Nothing was sent: the claim is withdrawn, so the row does not read as a call that may have reached the game
        // (which would hold other alliances' runs off this player, and count an attempt never made).
        await store.ledger.unclaim(scope, member.fid);
        // Not attempted, so not "retrying" in the progress counts either.
        if (attempt > 1) attempts.set(member.fid, attempt - 1);
        else attempts.delete(member.fid);
        queue.push(member);
        return;
      }
      const { answer, classification } = result;
      const raw = { errCode: classification.errCode, msg: classification.msg };
      const callCtx = { ...ctx, fid: member.fid, attempt, httpStatus: answer.httpStatus, err_code: classification.errCode, err_msg: classification.msg, durationMs: Math.round(answer.durationMs) };
      log.debug({ event: EVENTS.apiCall, ...callCtx, kind: classification.kind }, 'api call');

      switch (classification.kind) {
        case 'success':
        case 'already-redeemed':
        case 'member-final': {
          const status = classification.kind === 'success' ? 'success' : classification.kind === 'already-redeemed' ? 'already' : 'failed';
          const reason = classification.kind === 'success' ? null : classification.reason;
          if (!(await record(member, { status, reason, ...raw }))) return;
          if (classification.kind === 'member-final' && classification.reason === 'wrong-state') {
            await store.members.flagWrongState(game, member.fid);
          }
          setOutcome(member, { outcome: status, reason, ...raw, attempts: attempt });
          log.info({ event: EVENTS.memberResult, ...callCtx, outcome: status, reason }, 'member result');
          observer.memberOutcome?.({ game, outcome: status });
          break;
        }
        case 'code-final': {
          // Not the member's fault: the row stays open, the code is marked, and the whole run stops.
          await record(member, { status: 'retry', reason: `code-${classification.reason}`, ...raw });
          setOutcome(member, { outcome: 'not-called', reason: `code-${classification.reason}`, ...raw, attempts: attempt });
          const status = CODE_STATUS_FOR[classification.reason] ?? 'invalid';
          await store.codes.setStatus(game, code, status, raw);
          log.warn({ event: EVENTS.codeInvalidated, ...callCtx, status, reason: classification.reason }, 'code invalidated: stopping the run');
          stopRun({ kind: 'code-final', classification });
          break;
        }
        case 'config-error': {
          await record(member, { status: 'retry', reason: classification.reason, ...raw });
          log.error({ event: EVENTS.configError, ...callCtx, reason: classification.reason }, 'the game API refused our request as malformed: stopping the run');
          stopRun({ kind: 'config-error', classification });
          queue.push(member);
          break;
        }
        case 'retry-later': {
          if (classification.reason === 'rate-limited') rateLimited += 1;
          if (answer.transportError?.kind === 'aborted') {
            await record(member, { status: 'retry', reason: 'aborted', ...raw });
            queue.push(member);
            break;
          }
          if (!(await record(member, { status: 'retry', reason: classification.reason, ...raw }))) return;
          if (attempt >= retryPolicy.maxAttempts) {
            setOutcome(member, { outcome: 'retry-exhausted', reason: classification.reason, ...raw, attempts: attempt });
            log.warn({ event: EVENTS.memberResult, ...callCtx, outcome: 'retry-exhausted', reason: classification.reason }, 'member left for a later run');
            observer.memberOutcome?.({ game, outcome: 'retry-exhausted' });
            break;
          }
          const delay = retryDelayMs(retryPolicy, attempt, classification.delayMs);
          log.info({ event: EVENTS.memberRetry, ...callCtx, reason: classification.reason, delayMs: delay }, 'member will be retried');
          queue.push(member, performance.now() + delay);
          break;
        }
      }
      progress();
    };

    const worker = async (): Promise<void> => {
      for (;;) {
        if (noteStop()) return;
        const next = queue.take(performance.now());
        if ('done' in next) return;
        if ('waitMs' in next) {
          try {
            await sleep(Math.min(next.waitMs, 1_000), undefined, { signal: runSignal });
          } catch {
            /* stopped: the loop head notices */
          }
          continue;
        }
        await callOne(next.item);
      }
    };

    const workers = Math.max(1, Math.min(concurrency, toCall.length));
    await Promise.all(Array.from({ length: workers }, () => worker()));

    // Members never called (the run stopped) are reported as such; their rows stay open for the next run.
    for (const member of queue.drain()) {
      if (!outcomes.has(member.fid)) {
        setOutcome(member, { outcome: 'not-called', reason: stop ? stopReasonText(stop) : 'stopped', errCode: null, msg: null, attempts: attempts.get(member.fid) ?? 0 });
      }
    }
    const ordered = members.map((member) => outcomes.get(member.fid)).filter((o): o is MemberOutcome => o !== undefined);
    const { counts, byReason } = countOutcomes(ordered);
    const finalStop = stop as StopReason | null;
    const status: RunStatus = !finalStop
      ? 'completed'
      : finalStop.kind === 'code-final'
        ? 'code-invalid'
        : finalStop.kind === 'config-error'
          ? 'config-error'
          : 'aborted';
    const detail = describeStop(finalStop, code);
    if (finalStop?.kind === 'lock-lost') {
      // The members not reached are still open: retry once the lock can be had again.
      await deps.onDeferred?.({ guildId: guild.id, game, code, trigger: options.trigger, fids: options.fids ?? null, reason: 'lock lost mid-run' });
    }
    const message = describeRun({ status, code, counts, byReason }, detail);
    const durationMs = Math.round(performance.now() - started);
    const outcome = status === 'completed' ? 'completed' : status === 'code-invalid' ? 'code_invalid' : status === 'config-error' ? 'config_error' : finalStop?.kind === 'shutdown' ? 'interrupted' : 'aborted';
    await store.runs.finish(run.id, outcome, { ...counts, apiCalls, rateLimited, durationMs }, message);
    const level = status === 'completed' ? 'info' : status === 'config-error' ? 'error' : 'warn';
    // Once the code is settled (live, or dead and marked), later runs never wait at its gate: let it go.
    if ((codeProven || finalStop?.kind === 'code-final') && !probeGate.isLocked()) probeGates.delete(codeKey);
    if (codeProven) {
      const current = await store.codes.get(game, code);
      if (current?.status === 'new') await store.codes.setStatus(game, code, 'valid');
    }
    log[level]({ event: EVENTS.runFinished, ...ctx, status, counts, byReason, apiCalls, rateLimited, durationMs }, message);
    return { ...summary, status, runId: run.id, fence, counts, byReason, members: ordered, apiCalls, rateLimited, durationMs, message };
  }

  function track(promise: Promise<unknown>): void {
    inFlightRuns.add(promise);
    void promise.finally(() => inFlightRuns.delete(promise));
  }

  const engine: RedeemEngine = {
    processAutoRedeem(guildId, code, options) {
      const promise = processAutoRedeem(guildId, code, options);
      if (observer.runEnded) void promise.then(observer.runEnded, () => undefined);
      track(promise);
      return promise;
    },
    async idle() {
      while (inFlightRuns.size > 0) await Promise.allSettled(inFlightRuns);
    },
  };
  return engine;
}

/** Answers the game gives only after finding the code: the code exists and is live. */
function provesCodeExists(classification: Classification): boolean {
  switch (classification.kind) {
    case 'success':
    case 'already-redeemed':
      return true;
    case 'member-final':
      return classification.reason !== 'wrong-state' && classification.reason !== 'no-such-player';
    default:
      return false;
  }
}

function codeStatusText(status: CodeStatus): string {
  switch (status) {
    case 'expired':
      return 'expired';
    case 'invalid':
      return 'not a code the game knows';
    case 'used_up':
      return 'used up (its claim limit was reached)';
    default:
      return status;
  }
}

function stopReasonText(stop: StopReason): string {
  switch (stop.kind) {
    case 'code-final':
      return `code-${stop.classification.kind === 'code-final' ? stop.classification.reason : 'invalid'}`;
    case 'config-error':
      return 'config-error';
    default:
      return stop.kind;
  }
}

function describeStop(stop: StopReason | null, code: string): string | undefined {
  if (!stop) return undefined;
  switch (stop.kind) {
    case 'code-final': {
      const c = stop.classification;
      const reason = c.kind === 'code-final' ? c.reason : 'invalid';
      const text = reason === 'expired' ? 'has expired' : reason === 'not-found' ? 'does not exist' : 'is used up';
      return `The game says ${code} ${text} (${c.msg ?? ''} ${c.errCode ?? ''}); the run stopped and the code will not be tried again.`;
    }
    case 'config-error':
      return `The game refused our request as malformed (${stop.classification.msg}); the run stopped. Check the API settings (salt, base URL) — this is not the members' fault.`;
    case 'lock-lost':
      return 'The run lost its lock and stopped; the next run finishes the rest.';
    case 'stale-fence':
      return 'A newer run took over this code; this one stopped without writing.';
    case 'shutdown':
      return 'The bot is shutting down; the rest resumes on the next start.';
  }
}
