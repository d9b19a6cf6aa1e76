import type { Game } from '../../game/games.ts';
import { EVENTS } from '../../log/events.ts';
import type { Logger } from '../../log/logger.ts';
import type { ImportBatchResult, Store } from '../../store/types.ts';
import type { ImportProblem } from '../importProblems.ts';
import { planWhiteoutBotImport, type PlannedAlliance } from './planWhiteoutBotImport.ts';
import { readWhiteoutBot } from './readWhiteoutBot.ts';

export interface WhiteoutBotImportOptions {
  /** Show what would change; write nothing. */
  dryRun?: boolean;
  /** The game the old bot redeemed for (it is a Whiteout Survival bot; forks exist for Kingshot). */
  game?: Game;
  /** alliance id → Discord server id, for alliances the old bot has no server for. */
  guildFor?: ReadonlyMap<string, string>;
  log?: Logger;
}

export interface WhiteoutBotImportReport {
  folder: string;
  dryRun: boolean;
  game: Game;
  read: { alliances: number; users: number; codes: number; redemptions: number };
  /** The alliances the import brings (or, for a dry run, would create or match), one per alliance of the old bot. */
  alliances: PlannedAlliance[];
  /** Redemption rows left out because the old bot's answer was not final, by that answer: giftbot redeems those. */
  historyNotFinal: Record<string, number>;
  problems: ImportProblem[];
  /** About the source: optional tables or columns this version of the bot lacks, a bot still running… */
  sourceNotes: string[];
  /** What was (or, for a dry run, would be) written. */
  result: ImportBatchResult;
}

/**
 * `giftbot import whiteout-bot <folder>`: reads the Python bot's databases (read-only) and brings its alliances,
 * members, codes and redemption history into giftbot in one transaction. Broken rows are reported, not fatal; an
 * import run twice changes nothing the second time.
 */
export async function importWhiteoutBot(
  store: Store,
  folder: string,
  options: WhiteoutBotImportOptions = {},
): Promise<WhiteoutBotImportReport> {
  const game = options.game ?? 'wos';
  const dryRun = options.dryRun ?? false;
  const log = options.log;
  const data = readWhiteoutBot(folder);
  const plan = planWhiteoutBotImport(data, { game, ...(options.guildFor ? { guildFor: options.guildFor } : {}) });
  log?.info(
    { event: EVENTS.importStarted, source: 'whiteout-bot', folder: data.dbFolder, dryRun, read: plan.read },
    'import started',
  );
  // Read before the import, so a dry run can say which alliances it would create.
  for (const alliance of plan.alliances) {
    const existing = await store.alliances.byName(alliance.guildId, alliance.name);
    alliance.action = !existing ? 'create' : existing.game === game ? 'match' : 'skip';
  }
  let result: ImportBatchResult;
  try {
    result = await store.importBatch(plan.batch, { dryRun });
  } catch (error) {
    log?.error(
      { event: EVENTS.importFailed, source: 'whiteout-bot', folder: data.dbFolder, dryRun, err: error },
      'import failed: nothing was written',
    );
    throw error;
  }
  const report: WhiteoutBotImportReport = {
    folder: data.dbFolder,
    dryRun,
    game,
    read: plan.read,
    alliances: plan.alliances,
    historyNotFinal: plan.historyNotFinal,
    problems: plan.problems.list(),
    sourceNotes: data.notes,
    result,
  };
  log?.info(
    {
      event: EVENTS.importFinished,
      source: 'whiteout-bot',
      folder: data.dbFolder,
      dryRun,
      guilds: result.guilds,
      alliances: result.alliances,
      members: result.members,
      codes: result.codes,
      ledger: result.ledger,
      problems: Object.fromEntries(report.problems.map((p) => [p.kind, p.count])),
    },
    dryRun ? 'import dry run finished: nothing was written' : 'import finished',
  );
  return report;
}
