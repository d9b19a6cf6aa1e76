import { GAMES } from '../game/games.ts';
import { EVENTS } from '../log/events.ts';
import type { Logger } from '../log/logger.ts';
import type { RedeemEngine } from '../redeem/engine.ts';
import type { RunSummary } from '../redeem/runSummary.ts';
import type { Store } from '../store/types.ts';

/** What catch-up uses: the roster and codes, the engine, and whether the process is stopping. */
export interface CatchUpDeps {
  store: Store;
  engine: Pick<RedeemEngine, 'processAutoRedeem'>;
  log: Logger;
  shutdownSignal: AbortSignal;
}

export interface CatchUpReport {
  guildId: string;
  fids: string[];
  /** One run per code that some of the members did not have yet. */
  runs: RunSummary[];
  /** Why nothing was done, when nothing was done. */
  skipped: string | null;
}

/**
 * Members new to an alliance get every still-live code of its game, through the engine like any run (so nobody is
 * called for a code they already have, and a code found dead stops after one call). Only for alliances with
 * auto-redeem on: elsewhere admins redeem by hand.
 */
export async function catchUpMembers(
  app: CatchUpDeps,
  guildId: string,
  fids: readonly string[],
): Promise<CatchUpReport> {
  const report: CatchUpReport = { guildId, fids: [...fids], runs: [], skipped: null };
  const alliances = await app.store.alliances.list({ guildId });
  if (alliances.length === 0) return { ...report, skipped: `guild ${guildId} is not set up` };
  const auto = new Map(alliances.filter((alliance) => alliance.autoRedeem).map((alliance) => [alliance.id, alliance]));
  // Members without a usable state cannot be called; state discovery catches them up once their state is found.
  const wanted = new Set(fids);
  const members = (await app.store.members.list(guildId)).filter((m) => wanted.has(m.fid));
  const onAuto = members.filter((m) => auto.has(m.allianceId));
  if (members.length > 0 && onAuto.length === 0) return { ...report, skipped: 'auto-redeem is off for this alliance' };
  const usable = onAuto.filter((m) => m.state !== null && m.stateStatus !== 'wrong');
  fids = usable.map((m) => m.fid);
  if (fids.length === 0) {
    if (auto.size === 0) return { ...report, skipped: 'auto-redeem is off for this alliance' };
    return { ...report, skipped: 'no member with a known state' };
  }
  // Per game (a server may hold alliances of both): that game's still-live codes, on those members' alliances.
  for (const game of GAMES) {
    const ofGame = usable.filter((m) => m.game === game);
    if (ofGame.length === 0) continue;
    const gameFids = ofGame.map((m) => m.fid);
    const allianceIds = [...new Set(ofGame.map((m) => m.allianceId))];
    // Newest first: the likeliest to be still live.
    const codes = await app.store.codes.list({ game, statuses: ['new', 'valid'] });
    for (const code of codes) {
      if (app.shutdownSignal.aborted) break;
      const final = await app.store.ledger.finalFids(game, code.code, gameFids);
      const pending = gameFids.filter((fid) => !final.has(fid));
      if (pending.length === 0) continue;
      const summary = await app.engine.processAutoRedeem(guildId, code.code, {
        trigger: 'catch-up',
        game,
        allianceIds,
        fids: pending,
      });
      report.runs.push(summary);
    }
  }
  app.log.info(
    {
      event: EVENTS.codeCatchUp,
      guildId,
      members: fids.length,
      codes: report.runs.length,
      statuses: Object.fromEntries(report.runs.map((run) => [run.code, run.status])),
      success: report.runs.reduce((n, run) => n + run.counts.success, 0),
    },
    `catch-up for ${fids.length} new member(s): ${report.runs.length} code(s) run`,
  );
  return report;
}

export function catchUpMember(app: CatchUpDeps, guildId: string, fid: string): Promise<CatchUpReport> {
  return catchUpMembers(app, guildId, [fid]);
}

/** Lines for the command line: what the catch-up did, one line per code. */
export function describeCatchUp(report: CatchUpReport): string[] {
  if (report.skipped) return [`Catch-up: nothing to do (${report.skipped}).`];
  if (report.runs.length === 0) return ['Catch-up: no still-valid code is missing for these members.'];
  return [
    `Catch-up: ${report.runs.length} still-valid code(s) run for the new member(s):`,
    ...report.runs.map((run) => `  ${run.code}: ${run.status} — ${run.message}`),
  ];
}
