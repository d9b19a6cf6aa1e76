import {
  ApplicationCommandOptionType,
  ChannelType,
  type ApplicationCommandOptionAllowedChannelType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { ADMIN_ONLY } from './adminOnly.ts';

const TEXT_CHANNELS: ApplicationCommandOptionAllowedChannelType[] = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
];

export const ALLIANCE_COMMAND = {
  name: 'alliance',
  description: "Set up this server's alliance",
  ...ADMIN_ONLY,
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'setup',
      description: "Choose the game and the alliance's state",
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'game',
          description: 'The game',
          required: true,
          choices: [
            { name: 'Whiteout Survival', value: 'wos' },
            { name: 'Kingshot', value: 'kingshot' },
          ],
        },
        {
          type: ApplicationCommandOptionType.Integer,
          name: 'state',
          description: "The alliance's state number",
          required: true,
          min_value: 1,
          max_value: 999_999,
        },
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
