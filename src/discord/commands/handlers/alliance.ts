import { MessageFlags, PermissionFlagsBits } from 'discord.js';
import { defaultAllianceName } from '../../../alliances/chooseAlliance.ts';
import { gameInfo, isGame } from '../../../game/games.ts';
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
      await interaction.reply({
        content: `${several ? `**${alliance.name}**: r` : 'R'}un progress and summaries go to <#${results.id}>.${codes ? ` Codes posted in <#${codes.id}> are picked up.` : ''}`,
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    case 'adminrole': {
      // The admin role is the server's: it covers every alliance here.
      await requireAlliances(store, guildId);
      // Only Manage Server may decide who else administers giftbot: the admin role cannot hand itself on.
      if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild))
        throw new UserError('Only members with **Manage Server** can change the admin role.');
      const role = interaction.options.getRole('role');
      if (role && role.id === guildId) throw new UserError('@everyone cannot be the admin role; pick a specific role.');
      await store.guilds.ensure({ id: guildId });
      await store.guilds.update(guildId, { adminRoleId: role?.id ?? null });
      await interaction.reply({
        content: role
          ? `Members with <@&${role.id}> can now use giftbot here, besides those with Manage Server.`
          : 'The admin role is removed: only members with Manage Server can use giftbot here.',
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    default:
      throw new UserError('Unknown /alliance action.');
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
  if (!isGame(game)) throw new UserError('The game must be Whiteout Survival or Kingshot.');
  const alliances = await store.alliances.list({ guildId });
  if (alliances.length > 1)
    throw new UserError(
      `This server has ${alliances.length} alliances: change one with \`/alliance edit alliance:<name> state:<state>\`, or add one with \`/alliance add\`.`,
    );
  const [existing] = alliances;
  if (existing && existing.game !== game) {
    throw new UserError(
      `This server already redeems ${gameInfo(existing.game).name} codes; one server serves one game. (\`/alliance setup\` sets up a server's one alliance and never changes its game.) To redeem ${gameInfo(game).name} codes here too, add a second alliance: \`/alliance add name:<name> game:${game} state:${state}\`.`,
    );
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
  await interaction.reply({
    content: [
      `${existing ? 'Updated' : 'Set up'}: this server redeems **${gameInfo(saved.game).name}** codes for state **${saved.defaultState}**; auto-redeem is **${saved.autoRedeem ? 'on' : 'off'}**.`,
      members === 0
        ? 'Next: add players with `/member add` or `/member import`, and pick a results channel with `/alliance channel`.'
        : `The roster has ${members} members.`,
      existing ? '' : `The alliance is named **${saved.name}**; rename it with \`/alliance edit name:\`.`,
    ]
      .filter(Boolean)
      .join('\n'),
    flags: MessageFlags.Ephemeral,
  });
};
