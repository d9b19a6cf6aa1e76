import { setTimeout as sleep } from 'node:timers/promises';
import { escapeMarkdown, MessageFlags, type APIEmbed } from 'discord.js';
import { isFinalCodeStatus } from '../../../game/codeStatus.ts';
import { normalizeCode } from '../../../game/giftCode.ts';
import { gameInfo, isGame, type Game } from '../../../game/games.ts';
import { formatNames, t } from '../../../i18n/i18n.ts';
import type { Language } from '../../../i18n/languages.ts';
import { replyLanguage } from '../../../i18n/locale.ts';
import type { AllianceRecord, CodeRecord } from '../../../store/types.ts';
import type { BotContext } from '../../botContext.ts';
import { COLORS } from '../../embeds/colors.ts';
import { notACode } from '../../notACode.ts';
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
  const lang = replyLanguage(interaction);
  switch (interaction.options.getSubcommand()) {
    case 'add': {
      const game = gameOf(alliances, only, interaction.options.getString('game'));
      const targets = only ? [only] : alliances.filter((a) => a.game === game);
      // The code is checked once with the game before the answer: that can take a few seconds.
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.editReply({
        content: await addCode(
          interaction.options.getString('code', true),
          game,
          targets,
          interaction.user.id,
          ctx,
          lang,
        ),
      });
      return;
    }
    case 'history':
      return historyAttachment(interaction, ctx);
    case 'list':
      await interaction.reply({
        embeds: [await codeListEmbed(interaction.guildId, only ? [only] : alliances, ctx, lang)],
        flags: MessageFlags.Ephemeral,
      });
      return;
    default:
      throw UserError.fromCatalogue('giftcode.unknownAction');
  }
};

/** The game a typed code is for: the named alliance's, `game:`, or the only game the server's alliances play. */
function gameOf(alliances: readonly AllianceRecord[], only: AllianceRecord | null, raw: string | null): Game {
  if (raw !== null && !isGame(raw)) throw UserError.fromCatalogue('giftcode.badGame');
  const games = [...new Set(alliances.map((a) => a.game))];
  if (only) {
    if (raw !== null && raw !== only.game)
      throw UserError.fromCatalogue('giftcode.allianceOtherGame', {
        alliance: escapeMarkdown(only.name),
        game: gameInfo(only.game).name,
        wanted: gameInfo(raw).name,
      });
    return only.game;
  }
  if (raw !== null) {
    if (!games.includes(raw)) throw UserError.fromCatalogue('giftcode.noGameAlliance', { game: gameInfo(raw).name });
    return raw;
  }
  const [game] = games;
  if (games.length === 1 && game) return game;
  // Two games exist: "both" names exactly two.
  const [first = '', second = ''] = games.map((g) => gameInfo(g).name);
  throw UserError.fromCatalogue('giftcode.bothGames', { first, second });
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
  lang: Language,
): Promise<string> {
  // The edge where a typed code enters: normalised once here.
  const parsed = normalizeCode(raw);
  if (!parsed.ok) throw notACode(parsed.problem);
  const result = await ctx.discovery.intake.submit({ code: parsed.code, game, source: `discord:${userId}` });
  const code = result.code;
  const here = hereText(targets, code, lang);
  if (result.kind === 'known') {
    if (isFinalCodeStatus(result.status))
      throw UserError.fromCatalogue(`giftcode.knownDead.${result.status}`, { code });
    if (result.inProgress) return t(lang, 'giftcode.inProgress', { code, here });
    return t(lang, 'giftcode.known', { code, status: t(lang, `giftcode.status.${result.status}`) });
  }
  const verdict = await Promise.race([result.verdict, sleep(VERDICT_WAIT_MS, 'unchecked' as const)]);
  if (verdict === 'dead') {
    const record = await ctx.app.store.codes.get(game, code);
    const status = record && isFinalCodeStatus(record.status) ? record.status : 'invalid';
    throw UserError.fromCatalogue(`giftcode.gameSaysDead.${status}`, { code });
  }
  return t(lang, verdict === 'valid' ? 'giftcode.works' : 'giftcode.added', { code, game: gameInfo(game).name, here });
}

/** Where the admin sees the runs of the alliances concerned. */
function hereText(targets: readonly AllianceRecord[], code: string, lang: Language): string {
  const [one] = targets;
  if (targets.length === 1 && one)
    return !one.autoRedeem
      ? t(lang, 'giftcode.here.autoOff', { code })
      : one.resultChannelId
        ? t(lang, 'giftcode.here.channel', { channel: one.resultChannelId })
        : t(lang, 'giftcode.here.noChannel');
  const auto = targets.filter((a) => a.autoRedeem);
  if (auto.length === 0) return t(lang, 'giftcode.here.allOff', { code });
  return t(lang, 'giftcode.here.theirChannels', {
    names: escapeMarkdown(
      formatNames(
        lang,
        auto.map((a) => a.name),
      ),
    ),
  });
}

async function codeListEmbed(
  guildId: string,
  shown: readonly AllianceRecord[],
  ctx: BotContext,
  lang: Language,
): Promise<APIEmbed> {
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
          ? t(lang, 'giftcode.list.members', { have: n, total: roster.size })
          : `${escapeMarkdown(alliance.name)} ${n}/${roster.size}`;
      });
    const game = games.length > 1 ? ` · ${gameInfo(code.game).name}` : '';
    lines.push(
      `${STATUS_MARK[code.status]} **${code.code}**${game} · ${t(lang, `giftcode.status.${code.status}`)} · ${sourceText(code, guildId, lang)} · <t:${Math.floor(code.firstSeenAt / 1000)}:R> · ${counts.join(' · ')}`,
    );
  }
  if (codes.length > LIST_LIMIT) lines.push(t(lang, 'giftcode.list.more', { n: codes.length - LIST_LIMIT }));
  return {
    title: t(lang, 'giftcode.list.title', { games: games.map((g) => gameInfo(g).name).join(', ') }),
    color: COLORS.info,
    description: lines.length > 0 ? lines.join('\n').slice(0, 4000) : t(lang, 'giftcode.list.empty'),
    footer: { text: t(lang, shown.length === 1 ? 'giftcode.list.footerOne' : 'giftcode.list.footerMany') },
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
function sourceText(code: CodeRecord, guildId: string, lang: Language): string {
  const [kind = '', rest = ''] = code.source.split(/:(.*)/s);
  if (kind === 'channel') return t(lang, rest === guildId ? 'giftcode.source.ownChannel' : 'giftcode.source.channel');
  if (kind === 'discord') return t(lang, 'giftcode.source.discord');
  // A feed's name or a trigger: data, shown as it is.
  return code.source.replace(/[`*_~|<>@]/g, '').slice(0, 40) || t(lang, 'giftcode.source.unknown');
}
