import { escapeMarkdown, MessageFlags, type APIEmbed } from 'discord.js';
import { checkAllianceName } from '../../../alliances/chooseAlliance.ts';
import { gameInfo, isGame } from '../../../game/games.ts';
import { SELF_SERVICE_TEXT } from '../../../selfService/texts.ts';
import type { AllianceRecord, SelfJoinMode } from '../../../store/types.ts';
import type { BotContext } from '../../botContext.ts';
import { COLORS } from '../../embeds/colors.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';
import { checkCanPost, checkCodesChannel } from './channelChecks.ts';
import { resolveAlliance } from './resolveAlliance.ts';

type Interaction = Parameters<CommandHandler>[0];

/** `/alliance add name: game: state:` */
export const addAlliance: CommandHandler = async (interaction, guild, ctx) => {
  const { store } = ctx.app;
  const guildId = interaction.guildId;
  const checked = checkAllianceName(interaction.options.getString('name', true));
  if (!checked.ok) throw new UserError(`That name does not work: ${checked.reason}.`);
  const game = interaction.options.getString('game', true);
  if (!isGame(game)) throw new UserError('The game must be Whiteout Survival or Kingshot.');
  const state = interaction.options.getInteger('state', true);
  if (!guild) await store.guilds.ensure({ id: guildId, name: interaction.guild?.name ?? null });
  const added = await store.alliances.add({ guildId, name: checked.name, game, defaultState: state });
  if (!added.created)
    throw new UserError(
      `This server already has an alliance named **${escapeMarkdown(added.existing.name)}**; pick another name, or change that one with \`/alliance edit\`.`,
    );
  const { alliance } = added;
  const name = escapeMarkdown(alliance.name);
  await interaction.reply({
    content: [
      `Added alliance **${name}**: ${gameInfo(alliance.game).name}, state **${alliance.defaultState}**; auto-redeem is **${alliance.autoRedeem ? 'on' : 'off'}**.`,
      `Next: add players with \`/member add alliance:${alliance.name}\` or \`/member import\`, and pick its results channel with \`/alliance edit alliance:${alliance.name} results:\`.`,
    ].join('\n'),
    flags: MessageFlags.Ephemeral,
  });
};

/** `/alliance edit [alliance:] [name:] [state:] [auto:] [results:] [codes:] [priority:]` */
export async function editAlliance(interaction: Interaction, ctx: BotContext): Promise<void> {
  const { store } = ctx.app;
  const { options } = interaction;
  const alliance = await resolveAlliance(store, interaction.guildId, options.getString('alliance'));
  const changes: Partial<Omit<AllianceRecord, 'id' | 'guildId' | 'game'>> = {};
  const rawName = options.getString('name');
  if (rawName !== null) {
    const checked = checkAllianceName(rawName);
    if (!checked.ok) throw new UserError(`That name does not work: ${checked.reason}.`);
    const taken = await store.alliances.byName(interaction.guildId, checked.name);
    if (taken && taken.id !== alliance.id)
      throw new UserError(`This server already has an alliance named **${escapeMarkdown(taken.name)}**.`);
    changes.name = checked.name;
  }
  const state = options.getInteger('state');
  if (state !== null) changes.defaultState = state;
  const auto = options.getBoolean('auto');
  if (auto !== null) changes.autoRedeem = auto;
  const results = options.getChannel('results');
  const codes = options.getChannel('codes');
  for (const channel of [results, codes]) if (channel) checkCanPost(channel, ctx);
  if (results) changes.resultChannelId = results.id;
  if (codes) {
    await checkCodesChannel(store, alliance, codes.id);
    changes.codesChannelId = codes.id;
  }
  const priority = options.getInteger('priority');
  if (priority !== null) changes.fanoutPriority = priority;
  const selfJoin = options.getString('self_join');
  if (selfJoin !== null) changes.selfJoin = selfJoin as SelfJoinMode;
  if (Object.keys(changes).length === 0)
    throw new UserError(
      'Nothing to change: give `name:`, `state:`, `auto:`, `results:`, `codes:`, `priority:` or `self_join:`.',
    );
  const saved = await store.alliances.update(alliance.id, changes);
  if (!saved) throw new UserError('That alliance was removed meanwhile; nothing was changed.');
  await interaction.reply({
    content: `Updated alliance **${escapeMarkdown(saved.name)}**: ${settingsLine(saved)}${selfJoin !== null ? ` · ${SELF_SERVICE_TEXT.selfJoinMode(saved.selfJoin)}` : ''}.`,
    flags: MessageFlags.Ephemeral,
  });
}

/** `/alliance list` */
export async function listAlliances(interaction: Interaction, ctx: BotContext): Promise<void> {
  const { store } = ctx.app;
  const alliances = await store.alliances.list({ guildId: interaction.guildId });
  const lines: string[] = [];
  for (const alliance of alliances) {
    const members = (await store.members.list(interaction.guildId, { allianceIds: [alliance.id] })).length;
    lines.push(
      `**${escapeMarkdown(alliance.name)}** · ${members} member${members === 1 ? '' : 's'} · ${settingsLine(alliance)}`,
    );
  }
  const embed: APIEmbed = {
    title: `Alliances · ${alliances.length}`,
    color: COLORS.info,
    description:
      lines.length > 0
        ? lines.join('\n').slice(0, 4000)
        : 'No alliance yet. Add one with `/alliance add name:<name> game:<game> state:<state>`.',
  };
  await interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral });
}

function settingsLine(alliance: AllianceRecord): string {
  return [
    gameInfo(alliance.game).name,
    `state ${alliance.defaultState ?? 'not set'}`,
    `auto-redeem ${alliance.autoRedeem ? 'on' : 'off'}`,
    `results ${alliance.resultChannelId ? `<#${alliance.resultChannelId}>` : 'not set'}`,
    ...(alliance.codesChannelId ? [`codes <#${alliance.codesChannelId}>`] : []),
    `priority ${alliance.fanoutPriority}`,
  ].join(' · ');
}
