import { ApplicationCommandOptionType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { ADMIN_ONLY } from './adminOnly.ts';

export const GIFTCODE_COMMAND = {
  name: 'giftcode',
  description: "Gift codes giftbot knows for this alliance's game",
  ...ADMIN_ONLY,
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'add',
      description: 'Add a code by hand (auto-redeem then runs it for this alliance)',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'code',
          description: 'The gift code',
          required: true,
          max_length: 100,
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'list',
      description: 'Known codes: status, source, first seen, how many members have them',
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
