import type { Game } from '../game/games.ts';
import { EVENTS } from '../log/events.ts';
import type { RunTrigger } from '../redeem/redeemOptions.ts';
import type { CodesDeps } from './codesDeps.ts';
import type { RunStatus, RunSummary } from '../redeem/runSummary.ts';
import type { GiftCode } from '../game/giftCode.ts';

export interface FanOutDeps extends Pick<CodesDeps, 'store' | 'engine' | 'log' | 'shutdownSignal'> {
  trigger: RunTrigger;
  /** Called when a guild's run holds its lock, right before its first call. */
  onRunStart: (guildId: string) => void;
}

export interface FanOutResult {
  runs: RunSummary[];
  /** Every alliance's run ended in a way that leaves nothing for a later fan-out. */
  finished: boolean;
}

/**
 * Outcomes after which the fan-out owes the alliance nothing: it has what it can get, or (deferred: the shared lock
 * did not answer) the deferred-run scheduler has recorded the run and retries it. Not among them: aborted (shutdown,
 * lost lock), failed, config-error — the next start's resume takes those up.
 */
const SETTLED: readonly RunStatus[] = ['completed', 'duplicate', 'code-invalid', 'refused', 'deferred'];

/**
 * Starts `processAutoRedeem` for every server with auto-redeem alliances of the game at once — one run per server,
 * covering those alliances — in fan-out priority order (a server's is its alliances' lowest). The runs share the
 * host's budget, which serves servers in turn (least recently served first): none waits for another's whole run.
 */
export async function fanOut(deps: FanOutDeps, game: Game, code: GiftCode): Promise<FanOutResult> {
  const servers = await autoRedeemServers(deps, game);
  const started = performance.now();
  const alliances = [...servers.values()].reduce((n, ids) => n + ids.length, 0);
  deps.log.info(
    {
      event: EVENTS.codeFanout,
      phase: 'started',
      game,
      code,
      trigger: deps.trigger,
      guilds: [...servers.keys()],
      alliances,
    },
    `redeeming ${code} for ${alliances} alliance(s) in ${servers.size} server(s)`,
  );
  // Started in one synchronous sweep, so their first budget requests queue up in priority order.
  const runs = await Promise.all(
    [...servers].map(([guildId, allianceIds]) =>
      deps.engine.processAutoRedeem(guildId, code, {
        trigger: deps.trigger,
        game,
        allianceIds,
        onStart: () => deps.onRunStart(guildId),
      }),
    ),
  );
  const finished = !deps.shutdownSignal.aborted && runs.every((run) => SETTLED.includes(run.status));
  const statuses = Object.fromEntries(runs.map((run) => [run.guildId, run.status]));
  const apiCalls = runs.reduce((n, run) => n + run.apiCalls, 0);
  deps.log[finished ? 'info' : 'warn'](
    {
      event: EVENTS.codeFanout,
      phase: 'finished',
      game,
      code,
      trigger: deps.trigger,
      finished,
      statuses,
      apiCalls,
      durationMs: Math.round(performance.now() - started),
    },
    finished
      ? `${code} redeemed for every alliance that has auto-redeem on`
      : `${code}: not every alliance's run finished; the rest resumes on the next start`,
  );
  return { runs, finished };
}

/** Auto-redeem alliances of the game by server, servers in the order of their first (lowest-priority) alliance. */
async function autoRedeemServers(deps: Pick<FanOutDeps, 'store'>, game: Game): Promise<Map<string, number[]>> {
  const servers = new Map<string, number[]>();
  for (const alliance of await deps.store.alliances.list({ game, autoRedeem: true })) {
    const ids = servers.get(alliance.guildId);
    if (ids) ids.push(alliance.id);
    else servers.set(alliance.guildId, [alliance.id]);
  }
  return servers;
}
