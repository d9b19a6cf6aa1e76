import { ApplicationCommandOptionType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { ADMIN_ONLY } from './adminOnly.ts';
import { allianceOption, GAME_CHOICES } from './allianceOption.ts';

export const GIFTCODE_COMMAND = {
  name: 'giftcode',
  description: "Gift codes giftbot knows for this server's games",
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
        {
          type: ApplicationCommandOptionType.String,
          name: 'game',
          description: "The code's game (needed when the server has alliances of both games)",
          choices: GAME_CHOICES,
        },
        allianceOption("An alliance of the code's game (names the game)"),
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'list',
      description: 'Known codes: status, source, first seen, how many members of each alliance have them',
      options: [allianceOption('Only this alliance')],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'history',
      description: "This server's redemption history as a CSV file (player, name, alliance, status, answer, time)",
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'code',
          description: 'Only this code',
          max_length: 100,
        },
      ],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
