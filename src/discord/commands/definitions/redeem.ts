import { ApplicationCommandOptionType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { ADMIN_ONLY } from './adminOnly.ts';

export const REDEEM_COMMAND = {
  name: 'redeem',
  description: 'Redeem a gift code now for every alliance of its game here (or one alliance, or one member)',
  ...ADMIN_ONLY,
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'code',
      description: 'The gift code, e.g. VIP888',
      required: true,
      max_length: 100,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'alliance',
      description: 'Only this alliance of the server',
      max_length: 100,
      autocomplete: true,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'game',
      description: 'The code’s game (needed only when this server has alliances of both games)',
      choices: [
        { name: 'Whiteout Survival', value: 'wos' },
        { name: 'Kingshot', value: 'kingshot' },
      ],
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'member',
      description: 'Only this player id (fid) of the roster',
      max_length: 20,
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
