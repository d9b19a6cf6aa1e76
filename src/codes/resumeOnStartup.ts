import type { Game } from '../game/games.ts';
import { EVENTS } from '../log/events.ts';
import { runKey } from '../locks/activeRuns.ts';
import type { RunSummary } from '../redeem/runSummary.ts';
import { FINAL_CODE_STATUSES, type RunRecord } from '../store/types.ts';
import { createCodeIntake, type CodeIntake, type FanoutReport } from './codeIntake.ts';
import type { CodesDeps } from './codesDeps.ts';

export interface ResumeReport {
  /** Codes whose fan-out was cut short, taken up again. */
  codes: { game: Game; code: string }[];
  /** Runs left `running` by a process that is gone, run again for the rest of their members. */
  runs: RunRecord[];
  /** Runs left `running` that are only marked interrupted (code dead, alliance gone, or auto-redeem off). */
  notResumed: RunRecord[];
  /** Resolves when everything resumed has ended. */
  done: Promise<{ fanouts: FanoutReport[]; runs: RunSummary[] }>;
}

/**
 * At start-up: finishes what a stop or crash cut short — fan-outs started but not done, and runs still marked
 * `running` — with trigger `resume`. The ledger keeps it exact: members with a result are not called again, and a
 * code whose fan-out finished is never taken up again. Returns once everything is started.
 */
export async function resumeOnStartup(
  deps: CodesDeps,
  intake: CodeIntake = createCodeIntake(deps),
): Promise<ResumeReport> {
  const { store, log } = deps;
  // Runs of this process are live (a feed may have started some already); every other `running` record is stale.
  const live = new Set(deps.activeRuns.list().map((run) => run.runId));
  const stale = (await store.runs.listRunning()).filter((run) => !live.has(run.id));
  const codes = (await store.codes.list({ statuses: ['new', 'valid'] })).filter(
    (c) => c.fanoutStartedAt !== null && c.fanoutDoneAt === null,
  );

  // Auto-redeem alliances by game and server: what a fan-out covers, and what a stale run may be resumed for.
  const autoOn = new Map<string, number[]>();
  for (const alliance of await store.alliances.list({ autoRedeem: true })) {
    const key = `${alliance.game}:${alliance.guildId}`;
    autoOn.set(key, [...(autoOn.get(key) ?? []), alliance.id]);
  }
  const serversOf = (game: Game) =>
    [...autoOn.keys()].filter((key) => key.startsWith(`${game}:`)).map((key) => key.slice(game.length + 1));

  const fanouts: Promise<FanoutReport>[] = [];
  const covered = new Set<string>();
  const resumedCodes: { game: Game; code: string }[] = [];
  for (const code of codes) {
    const interrupted = new Map<string, number[]>();
    for (const run of stale) {
      if (run.game !== code.game || run.code !== code.code) continue;
      interrupted.set(run.guildId, [...(interrupted.get(run.guildId) ?? []), run.id]);
    }
    // Null only once discovery is stopping; a code a feed already took up joins that fan-out.
    const done = intake.resume(code.game, code.code, interrupted);
    if (!done) continue;
    fanouts.push(done);
    resumedCodes.push({ game: code.game, code: code.code });
    // The fan-out runs every auto-redeem alliance of the game: their stale runs are taken care of there.
    for (const guildId of serversOf(code.game)) covered.add(runKey(guildId, code.game, code.code));
  }

  const byKey = new Map<string, RunRecord[]>();
  for (const run of stale) {
    const key = runKey(run.guildId, run.game, run.code);
    if (covered.has(key)) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), run]);
  }
  const resumedRuns: RunRecord[] = [];
  const notResumed: RunRecord[] = [];
  const runs: Promise<RunSummary>[] = [];
  for (const group of byKey.values()) {
    const first = group[0]!;
    const ids = group.map((run) => run.id);
    const code = await store.codes.get(first.game, first.code);
    // An admin's run in an alliance without auto-redeem is not re-run behind their back (it may have been for a
    // few members only); it is marked interrupted and the admin sees it in the run history. A run from before
    // alliances (no list) covered the server's alliances of its game.
    const auto = autoOn.get(`${first.game}:${first.guildId}`) ?? [];
    const asked = new Set(group.flatMap((run) => run.allianceIds));
    const allianceIds = asked.size === 0 ? auto : auto.filter((id) => asked.has(id));
    if (allianceIds.length === 0 || (code && FINAL_CODE_STATUSES.includes(code.status))) {
      await store.runs.markInterrupted(ids);
      notResumed.push(...group);
      continue;
    }
    resumedRuns.push(...group);
    const interrupt = () => void store.runs.markInterrupted(ids).catch(() => undefined);
    runs.push(
      deps.engine
        .processAutoRedeem(first.guildId, first.code, {
          trigger: 'resume',
          game: first.game,
          allianceIds,
          onStart: interrupt,
        })
        .then(async (summary) => {
          // A run refused before taking the lock (the code died meanwhile, say) still leaves nothing running.
          if (summary.status !== 'duplicate' && summary.status !== 'deferred' && !deps.shutdownSignal.aborted)
            await store.runs.markInterrupted(ids);
          return summary;
        }),
    );
  }

  log.info(
    {
      event: EVENTS.codeResumed,
      codes: resumedCodes.map((c) => `${c.game}:${c.code}`),
      runs: resumedRuns.map((run) => run.id),
      notResumed: notResumed.map((run) => run.id),
    },
    resumedCodes.length + resumedRuns.length === 0
      ? 'nothing to resume'
      : `resuming ${resumedCodes.length} fan-out(s) and ${resumedRuns.length} run(s) cut short`,
  );
  const done = Promise.all([Promise.all(fanouts), Promise.all(runs)]).then(([f, r]) => ({ fanouts: f, runs: r }));
  return { codes: resumedCodes, runs: resumedRuns, notResumed, done };
}
