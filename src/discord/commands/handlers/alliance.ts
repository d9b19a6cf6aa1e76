import { MessageFlags, PermissionFlagsBits } from 'discord.js';
import { defaultAllianceName } from '../../../alliances/chooseAlliance.ts';
import { gameInfo, isGame } from '../../../game/games.ts';
import { t } from '../../../i18n/i18n.ts';
import { replyLanguage } from '../../../i18n/locale.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';
import { addAlliance, editAlliance, listAlliances } from './allianceManage.ts';
import { askToRemoveAlliance } from './allianceRemove.ts';
import { checkCanPost, checkCodesChannel } from './channelChecks.ts';
import { requireAlliances, resolveAlliance } from './resolveAlliance.ts';

/** `/alliance add|edit|remove|list|setup|channel|adminrole` */
export const handleAlliance: CommandHandler = async (interaction, guild, ctx) => {
  const { store } = ctx.app;
  const guildId = interaction.guildId;
  switch (interaction.options.getSubcommand()) {
    case 'add':
      return addAlliance(interaction, guild, ctx);
    case 'edit':
      return editAlliance(interaction, ctx);
    case 'remove':
      return askToRemoveAlliance(interaction, ctx);
    case 'list':
      return listAlliances(interaction, ctx);
    case 'setup':
      return setupOnlyAlliance(interaction, guild, ctx);
    case 'channel': {
      const alliance = await resolveAlliance(store, guildId, interaction.options.getString('alliance'));
      const results = interaction.options.getChannel('results', true);
      const codes = interaction.options.getChannel('codes');
      for (const channel of [results, codes]) if (channel) checkCanPost(channel, ctx);
      if (codes) await checkCodesChannel(store, alliance, codes.id);
      await store.alliances.update(alliance.id, {
        resultChannelId: results.id,
        ...(codes ? { codesChannelId: codes.id } : {}),
      });
      const several = (await store.alliances.list({ guildId })).length > 1;
      const lang = replyLanguage(interaction);
      const where = several
        ? t(lang, 'alliance.channelSetFor', { name: alliance.name, results: results.id })
        : t(lang, 'alliance.channelSet', { results: results.id });
      await interaction.reply({
        content: codes ? `${where} ${t(lang, 'alliance.channelCodes', { codes: codes.id })}` : where,
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    case 'adminrole': {
      // The admin role is the server's: it covers every alliance here.
      await requireAlliances(store, guildId);
      // Only Manage Server may decide who else administers giftbot: the admin role cannot hand itself on.
      if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild))
        throw UserError.fromCatalogue('alliance.adminRoleManageOnly');
      const role = interaction.options.getRole('role');
      if (role && role.id === guildId) throw UserError.fromCatalogue('alliance.adminRoleEveryone');
      await store.guilds.ensure({ id: guildId });
      await store.guilds.update(guildId, { adminRoleId: role?.id ?? null });
      await interaction.reply({
        content: role
          ? t(replyLanguage(interaction), 'alliance.adminRoleSet', { role: role.id })
          : t(replyLanguage(interaction), 'alliance.adminRoleRemoved'),
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    default:
      throw UserError.fromCatalogue('alliance.unknownAction');
  }
};

/**
 * `/alliance setup game: state:` — today's one-alliance set-up, kept for servers with one alliance: creates the
 * server's alliance (named after the server) or changes its state. A server with several uses `/alliance edit`.
 */
const setupOnlyAlliance: CommandHandler = async (interaction, guild, ctx) => {
  const { store } = ctx.app;
  const guildId = interaction.guildId;
  const game = interaction.options.getString('game', true);
  const state = interaction.options.getInteger('state', true);
  if (!isGame(game)) throw UserError.fromCatalogue('alliance.badGame');
  const alliances = await store.alliances.list({ guildId });
  if (alliances.length > 1) throw UserError.fromCatalogue('alliance.setupSeveral', { count: alliances.length });
  const [existing] = alliances;
  if (existing && existing.game !== game) {
    throw UserError.fromCatalogue('alliance.setupOtherGame', {
      game: gameInfo(existing.game).name,
      newGame: gameInfo(game).name,
      gameId: game,
      state,
    });
  }
  let saved;
  if (existing) {
    saved = (await store.alliances.update(existing.id, { defaultState: state })) ?? existing;
  } else {
    const serverName = interaction.guild?.name ?? null;
    if (!guild) await store.guilds.ensure({ id: guildId, name: serverName });
    const added = await store.alliances.add({
      guildId,
      name: defaultAllianceName(serverName),
      game,
      defaultState: state,
    });
    saved = added.created ? added.alliance : added.existing;
  }
  const members = (await store.members.list(guildId, { allianceIds: [saved.id] })).length;
  const lang = replyLanguage(interaction);
  await interaction.reply({
    content: [
      t(lang, existing ? 'alliance.setupUpdated' : 'alliance.setupDone', {
        game: gameInfo(saved.game).name,
        state: saved.defaultState ?? '-',
        auto: t(lang, saved.autoRedeem ? 'alliance.on' : 'alliance.off'),
      }),
      members === 0 ? t(lang, 'alliance.setupNext') : t(lang, 'alliance.setupRoster', { count: members }),
      existing ? '' : t(lang, 'alliance.setupNamed', { name: saved.name }),
    ]
      .filter(Boolean)
      .join('\n'),
    flags: MessageFlags.Ephemeral,
  });
};
