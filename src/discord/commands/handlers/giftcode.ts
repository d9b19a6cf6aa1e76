import { setTimeout as sleep } from 'node:timers/promises';
import { escapeMarkdown, MessageFlags, type APIEmbed } from 'discord.js';
import { deadCodeText, isFinalCodeStatus } from '../../../game/codeStatus.ts';
import { normalizeCode } from '../../../game/giftCode.ts';
import { listNames } from '../../../alliances/chooseAlliance.ts';
import { gameInfo, isGame, type Game } from '../../../game/games.ts';
import type { AllianceRecord, CodeRecord } from '../../../store/types.ts';
import type { BotContext } from '../../botContext.ts';
import { COLORS } from '../../embeds/colors.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';
import { historyAttachment } from './giftcodeHistory.ts';
import { requireAlliances, resolveAlliance } from './resolveAlliance.ts';

const LIST_LIMIT = 20;

/** How long `/giftcode add` waits for the code's one check before answering "added, being checked". */
const VERDICT_WAIT_MS = 8_000;

/** `/giftcode add code:<code> [game:] [alliance:]` · `/giftcode list [alliance:]` */
export const handleGiftcode: CommandHandler = async (interaction, _guild, ctx) => {
  const alliances = await requireAlliances(ctx.app.store, interaction.guildId);
  const named = interaction.options.getString('alliance');
  const only = named === null ? null : await resolveAlliance(ctx.app.store, interaction.guildId, named);
  switch (interaction.options.getSubcommand()) {
    case 'add': {
      const game = gameOf(alliances, only, interaction.options.getString('game'));
      const targets = only ? [only] : alliances.filter((a) => a.game === game);
      // The code is checked once with the game before the answer: that can take a few seconds.
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.editReply({
        content: await addCode(interaction.options.getString('code', true), game, targets, interaction.user.id, ctx),
      });
      return;
    }
    case 'history':
      return historyAttachment(interaction, ctx);
    case 'list':
      await interaction.reply({
        embeds: [await codeListEmbed(interaction.guildId, only ? [only] : alliances, ctx)],
        flags: MessageFlags.Ephemeral,
      });
      return;
    default:
      throw new UserError('Unknown /giftcode action.');
  }
};

/** The game a typed code is for: the named alliance's, `game:`, or the only game the server's alliances play. */
function gameOf(alliances: readonly AllianceRecord[], only: AllianceRecord | null, raw: string | null): Game {
  if (raw !== null && !isGame(raw)) throw new UserError('The game must be Whiteout Survival or Kingshot.');
  const games = [...new Set(alliances.map((a) => a.game))];
  if (only) {
    if (raw !== null && raw !== only.game)
      throw new UserError(
        `**${escapeMarkdown(only.name)}** plays ${gameInfo(only.game).name}, not ${gameInfo(raw).name}; nothing was added.`,
      );
    return only.game;
  }
  if (raw !== null) {
    if (!games.includes(raw))
      throw new UserError(
        `No alliance of this server plays ${gameInfo(raw).name}; add one with \`/alliance add\` first. Nothing was added.`,
      );
    return raw;
  }
  const [game] = games;
  if (games.length === 1 && game) return game;
  throw new UserError(
    `This server has alliances of both games (${games.map((g) => gameInfo(g).name).join(' and ')}): say which game the code is for with \`game:\` (or name an alliance with \`alliance:\`). Nothing was added.`,
  );
}

/**
 * Hands the code to code discovery — the one path every new code takes: checked once, then redeemed for every
 * alliance of the game with auto-redeem on (these alliances' runs show in their results channels). Returns the answer.
 */
async function addCode(
  raw: string,
  game: Game,
  targets: readonly AllianceRecord[],
  userId: string,
  ctx: BotContext,
): Promise<string> {
  // The edge where a typed code enters: normalised once here.
  const parsed = normalizeCode(raw);
  if (!parsed.ok) throw new UserError(`That is not a gift code: ${parsed.reason}.`);
  const result = await ctx.discovery.intake.submit({ code: parsed.code, game, source: `discord:${userId}` });
  const code = result.code;
  const here = hereText(targets, code);
  if (result.kind === 'known') {
    if (isFinalCodeStatus(result.status))
      throw new UserError(`**${code}** is already known and ${deadCodeText(result.status)}; it will not be redeemed.`);
    if (result.inProgress) return `**${code}** is being checked and redeemed right now. ${here}`;
    return `**${code}** is already known (${result.status}). Run \`/redeem code:${code}\` to redeem it now for anyone here who still lacks it.`;
  }
  const verdict = await Promise.race([result.verdict, sleep(VERDICT_WAIT_MS, 'unchecked' as const)]);
  if (verdict === 'dead') {
    const record = await ctx.app.store.codes.get(game, code);
    throw new UserError(
      `The game says **${code}** ${deadCodeText(record && isFinalCodeStatus(record.status) ? record.status : 'invalid')}; no alliance will run it.`,
    );
  }
  const what =
    verdict === 'valid' ? `**${code}** works: it is being redeemed` : `Added **${code}**: it is checked, then redeemed`;
  return `${what} for every ${gameInfo(game).name} alliance with auto-redeem on. ${here}`;
}

/** Where the admin sees the runs of the alliances concerned. */
function hereText(targets: readonly AllianceRecord[], code: string): string {
  const [one] = targets;
  if (targets.length === 1 && one)
    return !one.autoRedeem
      ? `Auto-redeem is off here: run \`/redeem code:${code}\` to redeem it for this alliance.`
      : one.resultChannelId
        ? `Progress for this alliance in <#${one.resultChannelId}>.`
        : `Set a results channel with \`/alliance channel\` to see this alliance's progress.`;
  const auto = targets.filter((a) => a.autoRedeem);
  if (auto.length === 0)
    return `Auto-redeem is off for these alliances: run \`/redeem code:${code}\` to redeem it for them.`;
  return `Progress for ${escapeMarkdown(listNames(auto.map((a) => a.name)))} in their results channels.`;
}

async function codeListEmbed(guildId: string, shown: readonly AllianceRecord[], ctx: BotContext): Promise<APIEmbed> {
  const { store } = ctx.app;
  const games = [...new Set(shown.map((a) => a.game))];
  const codes = (await Promise.all(games.map((game) => store.codes.list({ game }))))
    .flat()
    .sort((a, b) => b.firstSeenAt - a.firstSeenAt);
  // Only this server's members count here: other servers' rosters are none of its business.
  const rosters = new Map<number, Set<string>>();
  for (const alliance of shown)
    rosters.set(
      alliance.id,
      new Set((await store.members.list(guildId, { allianceIds: [alliance.id] })).map((m) => m.fid)),
    );
  const lines: string[] = [];
  for (const code of codes.slice(0, LIST_LIMIT)) {
    const have = new Set(
      (await store.ledger.listForCode(code.game, code.code))
        .filter((row) => row.status === 'success' || row.status === 'already')
        .map((row) => row.fid),
    );
    const counts = shown
      .filter((alliance) => alliance.game === code.game)
      .map((alliance) => {
        const roster = rosters.get(alliance.id) ?? new Set<string>();
        const n = [...roster].filter((fid) => have.has(fid)).length;
        return shown.length === 1
          ? `${n}/${roster.size} members`
          : `${escapeMarkdown(alliance.name)} ${n}/${roster.size}`;
      });
    const game = games.length > 1 ? ` · ${gameInfo(code.game).name}` : '';
    lines.push(
      `${STATUS_MARK[code.status]} **${code.code}**${game} · ${code.status.replace('_', ' ')} · ${sourceText(code, guildId)} · <t:${Math.floor(code.firstSeenAt / 1000)}:R> · ${counts.join(' · ')}`,
    );
  }
  if (codes.length > LIST_LIMIT) lines.push(`… and ${codes.length - LIST_LIMIT} older codes`);
  return {
    title: `Gift codes · ${games.map((g) => gameInfo(g).name).join(', ')}`,
    color: COLORS.info,
    description:
      lines.length > 0
        ? lines.join('\n').slice(0, 4000)
        : 'No codes known yet. Add one with `/giftcode add`, or wait for discovery to find one.',
    footer: {
      text:
        shown.length === 1
          ? 'status · source · first seen · members of this alliance who have it'
          : 'status · source · first seen · members of each alliance who have it',
    },
  };
}

const STATUS_MARK: Record<CodeRecord['status'], string> = {
  new: '🆕',
  valid: '🟢',
  expired: '⌛',
  invalid: '⛔',
  'used-up': '🈵',
};

/** Where a code came from, without another server's or member's ids. */
function sourceText(code: CodeRecord, guildId: string): string {
  const [kind = '', rest = ''] = code.source.split(/:(.*)/s);
  if (kind === 'channel') return rest === guildId ? "this server's codes channel" : 'a codes channel';
  if (kind === 'discord') return 'added in Discord';
  return code.source.replace(/[`*_~|<>@]/g, '').slice(0, 40) || 'unknown';
}
