import { setTimeout as sleep } from 'node:timers/promises';
import { MessageFlags, type APIEmbed } from 'discord.js';
import { deadCodeText, isFinalCodeStatus } from '../../../game/codeStatus.ts';
import { normalizeCode } from '../../../game/giftCode.ts';
import { gameInfo } from '../../../game/games.ts';
import type { CodeRecord, GuildRecord } from '../../../store/types.ts';
import type { BotContext } from '../../botContext.ts';
import { COLORS } from '../../embeds/colors.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';
import { requireAlliance } from './requireAlliance.ts';

const LIST_LIMIT = 20;

/** How long `/giftcode add` waits for the code's one check before answering "added, being checked". */
const VERDICT_WAIT_MS = 8_000;

/** `/giftcode add code:<code>` · `/giftcode list` */
export const handleGiftcode: CommandHandler = async (interaction, guild, ctx) => {
  const alliance = requireAlliance(guild);
  switch (interaction.options.getSubcommand()) {
    case 'add':
      // The code is checked once with the game before the answer: that can take a few seconds.
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.editReply({
        content: await addCode(interaction.options.getString('code', true), alliance, interaction.user.id, ctx),
      });
      return;
    case 'list':
      await interaction.reply({ embeds: [await codeListEmbed(alliance, ctx)], flags: MessageFlags.Ephemeral });
      return;
    default:
      throw new UserError('Unknown /giftcode action.');
  }
};

/**
 * Hands the code to code discovery — the one path every new code takes: checked once, then redeemed for every
 * alliance of the game with auto-redeem on (this one's runs show in its results channel). Returns the answer.
 */
async function addCode(raw: string, alliance: GuildRecord, userId: string, ctx: BotContext): Promise<string> {
  // The edge where a typed code enters: normalised once here.
  const parsed = normalizeCode(raw);
  if (!parsed.ok) throw new UserError(`That is not a gift code: ${parsed.reason}.`);
  const result = await ctx.discovery.intake.submit({
    code: parsed.code,
    game: alliance.game,
    source: `discord:${userId}`,
  });
  const code = result.code;
  const here = !alliance.autoRedeem
    ? `Auto-redeem is off here: run \`/redeem code:${code}\` to redeem it for this alliance.`
    : alliance.resultChannelId
      ? `Progress for this alliance in <#${alliance.resultChannelId}>.`
      : `Set a results channel with \`/alliance channel\` to see this alliance's progress.`;
  if (result.kind === 'known') {
    if (isFinalCodeStatus(result.status))
      throw new UserError(`**${code}** is already known and ${deadCodeText(result.status)}; it will not be redeemed.`);
    if (result.inProgress) return `**${code}** is being checked and redeemed right now. ${here}`;
    return `**${code}** is already known (${result.status}). Run \`/redeem code:${code}\` to redeem it now for anyone here who still lacks it.`;
  }
  const verdict = await Promise.race([result.verdict, sleep(VERDICT_WAIT_MS, 'unchecked' as const)]);
  if (verdict === 'dead') {
    const record = await ctx.app.store.codes.get(alliance.game, code);
    throw new UserError(
      `The game says **${code}** ${deadCodeText(record && isFinalCodeStatus(record.status) ? record.status : 'invalid')}; no alliance will run it.`,
    );
  }
  const what =
    verdict === 'valid' ? `**${code}** works: it is being redeemed` : `Added **${code}**: it is checked, then redeemed`;
  return `${what} for every ${gameInfo(alliance.game).name} alliance with auto-redeem on. ${here}`;
}

async function codeListEmbed(alliance: GuildRecord, ctx: BotContext): Promise<APIEmbed> {
  const { store } = ctx.app;
  const codes = (await store.codes.list({ game: alliance.game })).sort((a, b) => b.firstSeenAt - a.firstSeenAt);
  const roster = new Set((await store.members.list(alliance.id)).map((member) => member.fid));
  const lines: string[] = [];
  for (const code of codes.slice(0, LIST_LIMIT)) {
    const rows = await store.ledger.listForCode(alliance.game, code.code);
    // Only this alliance's members count here: other servers' rosters are none of its business.
    const have = rows.filter(
      (row) => roster.has(row.fid) && (row.status === 'success' || row.status === 'already'),
    ).length;
    lines.push(
      `${STATUS_MARK[code.status]} **${code.code}** · ${code.status.replace('_', ' ')} · ${sourceText(code, alliance.id)} · <t:${Math.floor(code.firstSeenAt / 1000)}:R> · ${have}/${roster.size} members`,
    );
  }
  if (codes.length > LIST_LIMIT) lines.push(`… and ${codes.length - LIST_LIMIT} older codes`);
  return {
    title: `Gift codes · ${gameInfo(alliance.game).name}`,
    color: COLORS.info,
    description:
      lines.length > 0
        ? lines.join('\n')
        : 'No codes known yet. Add one with `/giftcode add`, or wait for discovery to find one.',
    footer: { text: 'status · source · first seen · members of this alliance who have it' },
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
