import { ApplicationCommandOptionType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { ADMIN_ONLY } from './adminOnly.ts';

export const GIFTBOT_COMMAND = {
  name: 'giftbot',
  description: 'The bot itself',
  ...ADMIN_ONLY,
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'status',
      description: 'Runs in progress, rate budget, queue and recent errors',
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
