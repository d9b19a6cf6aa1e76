import {
  ApplicationCommandOptionType,
  ChannelType,
  type ApplicationCommandOptionAllowedChannelType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { ADMIN_ONLY } from './adminOnly.ts';
import { allianceOption, GAME_CHOICES } from './allianceOption.ts';

const TEXT_CHANNELS: ApplicationCommandOptionAllowedChannelType[] = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
];

/** Each language by its own name; `auto` follows the server's preferred locale. */
const LANGUAGE_CHOICES = [
  { name: "Server's language", value: 'auto' },
  { name: 'English', value: 'en' },
  { name: 'Deutsch', value: 'de' },
  { name: 'Français', value: 'fr' },
  { name: 'Español', value: 'es' },
  { name: 'Português (Brasil)', value: 'pt-BR' },
  { name: 'Türkçe', value: 'tr' },
  { name: 'Русский', value: 'ru' },
];

const STATE = {
  type: ApplicationCommandOptionType.Integer,
  name: 'state',
  description: "The alliance's state number",
  min_value: 1,
  max_value: 999_999,
} as const;

export const ALLIANCE_COMMAND = {
  name: 'alliance',
  description: "This server's alliances: add, change, remove, list",
  ...ADMIN_ONLY,
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'add',
      description: 'Add an alliance to this server',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'name',
          description: 'Its name, unique in this server (what people type in alliance:)',
          required: true,
          max_length: 32,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'game',
          description: 'The game',
          required: true,
          choices: GAME_CHOICES,
        },
        { ...STATE, required: true },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'edit',
      description: "Change an alliance's settings: name, state, auto-redeem, channels, priority, self-join, language",
      options: [
        allianceOption(),
        {
          type: ApplicationCommandOptionType.String,
          name: 'name',
          description: 'A new name',
          max_length: 32,
        },
        STATE,
        { type: ApplicationCommandOptionType.Boolean, name: 'auto', description: 'Redeem new codes automatically' },
        {
          type: ApplicationCommandOptionType.Channel,
          name: 'results',
          description: 'Channel for run progress and summaries',
          channel_types: TEXT_CHANNELS,
        },
        {
          type: ApplicationCommandOptionType.Channel,
          name: 'codes',
          description: 'Channel where gift codes are posted (watched for new codes)',
          channel_types: TEXT_CHANNELS,
        },
        {
          type: ApplicationCommandOptionType.Integer,
          name: 'priority',
          description: 'New codes reach lower numbers first (default 100)',
          min_value: 0,
          max_value: 999_999,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'self_join',
          description: 'Who may join with /me link: open, approve (an admin approves) or off',
          choices: [
            { name: 'open', value: 'open' },
            { name: 'approve', value: 'approve' },
            { name: 'off', value: 'off' },
          ],
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'language',
          description: "The language of the alliance's posts (run progress, summaries, approvals)",
          choices: LANGUAGE_CHOICES,
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'remove',
      description: 'Remove an alliance and its roster (history is kept); asks to confirm',
      options: [allianceOption('The alliance to remove')],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: "This server's alliances" },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'setup',
      description: "Set up this server's one alliance: the game and the state",
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'game',
          description: 'The game',
          required: true,
          choices: GAME_CHOICES,
        },
        { ...STATE, required: true },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'channel',
      description: 'Where giftbot posts run results (and where it watches for codes)',
      options: [
        {
          type: ApplicationCommandOptionType.Channel,
          name: 'results',
          description: 'Channel for run progress and summaries',
          required: true,
          channel_types: TEXT_CHANNELS,
        },
        {
          type: ApplicationCommandOptionType.Channel,
          name: 'codes',
          description: 'Channel where gift codes are posted (watched for new codes)',
          channel_types: TEXT_CHANNELS,
        },
        allianceOption(),
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'adminrole',
      description: 'A role whose members may use giftbot besides Manage Server (leave empty to remove it)',
      options: [{ type: ApplicationCommandOptionType.Role, name: 'role', description: 'The role' }],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
