import { GAMES, gameInfo, type Game } from '../game/games.ts';
import type { AllianceRecord, Store } from '../store/types.ts';
import type { RedeemOptions } from './redeemOptions.ts';
import type { RunWhy, ScopeWhyKey } from './runWhy.ts';

/** Which alliances of a server one run covers, and so its game. */
export type AllianceScope =
  | { ok: true; game: Game; alliances: AllianceRecord[] }
  /** Nothing may run; `message` says why and what to name instead (English), `why` the same as data. */
  | { ok: false; game: Game | null; message: string; why: RunWhy<ScopeWhyKey> };

/**
 * Admission's first question: the game is `options.game`, else the named alliances' game, else the only game the
 * server's alliances have. A server with alliances of both games and nothing named is refused (a code is per game,
 * and a wrong guess would cost a call to the other game's API). Without `allianceIds`, the run covers every alliance
 * of that game in the server.
 */
export async function resolveAllianceScope(
  store: Pick<Store, 'alliances'>,
  guildId: string,
  options: Pick<RedeemOptions, 'game' | 'allianceIds'>,
): Promise<AllianceScope> {
  const all = await store.alliances.list({ guildId });
  if (all.length === 0) {
    return {
      ok: false,
      game: options.game ?? null,
      message: `This server has no alliance set up yet (guild ${guildId}).`,
      why: { key: 'refused.noAlliance', vars: { guildId } },
    };
  }
  const named = options.allianceIds ? [...new Set(options.allianceIds)] : null;
  if (named?.length === 0)
    return {
      ok: false,
      game: options.game ?? null,
      message: 'No alliance was named.',
      why: { key: 'refused.noneNamed', vars: {} },
    };
  if (named) {
    const byId = new Map(all.map((alliance) => [alliance.id, alliance]));
    const missing = named.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      return {
        ok: false,
        game: options.game ?? null,
        message: `Alliance ${missing.join(', ')} is not an alliance of this server (it may have been removed).`,
        why: { key: 'refused.missing', vars: { ids: missing.join(', ') } },
      };
    }
    const alliances = named.map((id) => byId.get(id)!);
    const games = new Set(alliances.map((alliance) => alliance.game));
    const wrong = options.game ? alliances.filter((alliance) => alliance.game !== options.game) : [];
    if (wrong.length > 0) {
      return {
        ok: false,
        game: options.game ?? null,
        message: `${names(wrong)} ${wrong.length === 1 ? 'is a' : 'are'} ${gameName(wrong[0]!.game)} alliance${wrong.length === 1 ? '' : 's'}, not ${gameName(options.game!)}: a code is for one game.`,
        why: {
          key: 'refused.wrongGame',
          vars: {
            names: names(wrong),
            count: wrong.length,
            game: gameName(wrong[0]!.game),
            wanted: gameName(options.game!),
          },
        },
      };
    }
    if (games.size > 1) {
      return {
        ok: false,
        game: null,
        message: `${names(alliances)} are alliances of different games: a code is for one game, so name alliances of one game.`,
        why: { key: 'refused.mixedGames', vars: { names: names(alliances) } },
      };
    }
    return { ok: true, game: alliances[0]!.game, alliances: sorted(alliances) };
  }
  const games = GAMES.filter((game) => all.some((alliance) => alliance.game === game));
  const game = options.game ?? (games.length === 1 ? games[0]! : null);
  if (!game) {
    const choices = games.map((g) => `${gameName(g)}: ${names(all.filter((alliance) => alliance.game === g))}`);
    return {
      ok: false,
      game: null,
      message: `This server has alliances of both games (${choices.join('; ')}): say which game the code is for (game: wos or kingshot), or name the alliance.`,
      why: { key: 'refused.bothGames', vars: { choices: choices.join('; ') } },
    };
  }
  const alliances = all.filter((alliance) => alliance.game === game);
  if (alliances.length === 0) {
    return {
      ok: false,
      game,
      message: `This server has no ${gameName(game)} alliance (its alliances: ${names(all)}).`,
      why: { key: 'refused.noGameAlliance', vars: { game: gameName(game), names: names(all) } },
    };
  }
  return { ok: true, game, alliances };
}

export function gameName(game: Game): string {
  return gameInfo(game).name;
}

function names(alliances: readonly AllianceRecord[]): string {
  return alliances.map((alliance) => `"${alliance.name}"`).join(', ');
}

/** The store's order (fan-out priority, creation, id), so a summary lists alliances the same way everywhere. */
function sorted(alliances: AllianceRecord[]): AllianceRecord[] {
  return alliances.sort((a, b) => a.fanoutPriority - b.fanoutPriority || a.id - b.id);
}
