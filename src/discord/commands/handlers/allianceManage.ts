import { escapeMarkdown, MessageFlags, type APIEmbed } from 'discord.js';
import { checkAllianceName, MAX_ALLIANCE_NAME } from '../../../alliances/chooseAlliance.ts';
import { gameInfo, isGame } from '../../../game/games.ts';
import { t } from '../../../i18n/i18n.ts';
import { isLanguage, type Language } from '../../../i18n/languages.ts';
import { replyLanguage } from '../../../i18n/locale.ts';
import type { AllianceRecord, SelfJoinMode } from '../../../store/types.ts';
import type { BotContext } from '../../botContext.ts';
import { COLORS } from '../../embeds/colors.ts';
import { postLanguage } from '../../postLanguage.ts';
import { UserError } from '../../userError.ts';
import type { CommandHandler } from '../commandHandler.ts';
import { checkCanPost, checkCodesChannel } from './channelChecks.ts';
import { resolveAlliance } from './resolveAlliance.ts';

type Interaction = Parameters<CommandHandler>[0];

/** `/alliance add name: game: state:` */
export const addAlliance: CommandHandler = async (interaction, guild, ctx) => {
  const { store } = ctx.app;
  const guildId = interaction.guildId;
  const lang = replyLanguage(interaction);
  const name = checkedName(interaction.options.getString('name', true));
  const game = interaction.options.getString('game', true);
  if (!isGame(game)) throw UserError.fromCatalogue('alliance.badGame');
  const state = interaction.options.getInteger('state', true);
  if (!guild) await store.guilds.ensure({ id: guildId, name: interaction.guild?.name ?? null });
  const added = await store.alliances.add({ guildId, name, game, defaultState: state });
  if (!added.created)
    throw UserError.fromCatalogue('alliance.nameTaken', { name: escapeMarkdown(added.existing.name) });
  const { alliance } = added;
  await interaction.reply({
    content: [
      t(lang, 'alliance.added', {
        name: escapeMarkdown(alliance.name),
        game: gameInfo(alliance.game).name,
        state: alliance.defaultState ?? '-',
        auto: t(lang, alliance.autoRedeem ? 'alliance.on' : 'alliance.off'),
      }),
      t(lang, 'alliance.addedNext', { raw: alliance.name }),
    ].join('\n'),
    flags: MessageFlags.Ephemeral,
  });
};

/** `/alliance edit [alliance:] [name:] [state:] [auto:] [results:] [codes:] [priority:] [self_join:] [language:]` */
export async function editAlliance(interaction: Interaction, ctx: BotContext): Promise<void> {
  const { store } = ctx.app;
  const { options } = interaction;
  const lang = replyLanguage(interaction);
  const alliance = await resolveAlliance(store, interaction.guildId, options.getString('alliance'));
  const changes: Partial<Omit<AllianceRecord, 'id' | 'guildId' | 'game'>> = {};
  const rawName = options.getString('name');
  if (rawName !== null) {
    const name = checkedName(rawName);
    const taken = await store.alliances.byName(interaction.guildId, name);
    if (taken && taken.id !== alliance.id)
      throw UserError.fromCatalogue('alliance.nameTakenShort', { name: escapeMarkdown(taken.name) });
    changes.name = name;
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
  // `auto`: the server's preferred locale (the alliance keeps no language of its own).
  const language = options.getString('language');
  if (language !== null) changes.language = isLanguage(language) ? language : null;
  if (Object.keys(changes).length === 0) throw UserError.fromCatalogue('alliance.nothingToChange');
  const saved = await store.alliances.update(alliance.id, changes);
  if (!saved) throw UserError.fromCatalogue('alliance.removedMeanwhile');
  const extra = [
    ...(selfJoin !== null ? [t(lang, `alliance.selfJoin.${saved.selfJoin}`)] : []),
    // A language just set back to the server's: say which one that is today.
    ...(language !== null && saved.language === null
      ? [
          t(lang, 'alliance.settings.languageServer', {
            language: languageName(lang, postLanguage(ctx.client, saved.guildId, saved)),
          }),
        ]
      : []),
  ];
  await interaction.reply({
    content: t(lang, 'alliance.updated', {
      name: escapeMarkdown(saved.name),
      settings: [settingsLine(saved, lang), ...extra].join(' · '),
    }),
    flags: MessageFlags.Ephemeral,
  });
}

/** `/alliance list` */
export async function listAlliances(interaction: Interaction, ctx: BotContext): Promise<void> {
  const { store } = ctx.app;
  const lang = replyLanguage(interaction);
  const alliances = await store.alliances.list({ guildId: interaction.guildId });
  const lines: string[] = [];
  for (const alliance of alliances) {
    const members = (await store.members.list(interaction.guildId, { allianceIds: [alliance.id] })).length;
    lines.push(
      t(lang, 'alliance.listLine', {
        name: escapeMarkdown(alliance.name),
        count: members,
        settings: settingsLine(alliance, lang),
      }),
    );
  }
  const embed: APIEmbed = {
    title: t(lang, 'alliance.listTitle', { n: alliances.length }),
    color: COLORS.info,
    description: lines.length > 0 ? lines.join('\n').slice(0, 4000) : t(lang, 'alliance.listEmpty'),
  };
  await interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral });
}

/** An alliance name as typed, trimmed; a name that does not work is the member's to fix. */
export function checkedName(raw: string): string {
  const checked = checkAllianceName(raw);
  if (checked.ok) return checked.name;
  throw UserError.fromCatalogue(`alliance.badName.${checked.problem}`, { max: MAX_ALLIANCE_NAME });
}

/** A language by its own name ("Deutsch"), as a person picks it. */
function languageName(lang: Language, language: Language): string {
  return t(lang, `language.${language}`);
}

function settingsLine(alliance: AllianceRecord, lang: Language): string {
  const channel = (id: string) => `<#${id}>`;
  return [
    gameInfo(alliance.game).name,
    alliance.defaultState !== null
      ? t(lang, 'alliance.settings.state', { state: alliance.defaultState })
      : t(lang, 'alliance.settings.stateNotSet'),
    t(lang, alliance.autoRedeem ? 'alliance.settings.autoOn' : 'alliance.settings.autoOff'),
    alliance.resultChannelId
      ? t(lang, 'alliance.settings.results', { channel: channel(alliance.resultChannelId) })
      : t(lang, 'alliance.settings.resultsNotSet'),
    ...(alliance.codesChannelId
      ? [t(lang, 'alliance.settings.codes', { channel: channel(alliance.codesChannelId) })]
      : []),
    t(lang, 'alliance.settings.priority', { priority: alliance.fanoutPriority }),
    // Shown when chosen: an alliance without one posts in the server's language, as every alliance did before.
    ...(alliance.language
      ? [t(lang, 'alliance.settings.language', { language: languageName(lang, alliance.language) })]
      : []),
  ].join(' · ');
}
