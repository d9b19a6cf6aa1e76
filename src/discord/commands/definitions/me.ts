import {
  ApplicationCommandOptionType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { allianceOption } from './allianceOption.ts';

/** `/me`: what every member may do for themselves (no Manage Server needed; answers are private). */
export const ME_COMMAND = {
  name: 'me',
  description: 'Your own gift codes: link your player, see your results, get a DM',
  // Every member sees it (no default_member_permissions), inside servers only.
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'link',
      description: 'Link your player id; the game checks it, then you get every new code',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'fid',
          description: 'Your player id (digits, shown in your game profile)',
          required: true,
          max_length: 20,
        },
        {
          type: ApplicationCommandOptionType.Integer,
          name: 'state',
          description: "Your state number (defaults to the alliance's)",
          min_value: 1,
          max_value: 999_999,
        },
        allianceOption('Your alliance (needed when the server has several)'),
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'status', description: 'Your player and recent codes' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'notify',
      description: 'A direct message when a code was redeemed for you',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'mode',
          description: 'on or off',
          required: true,
          choices: [
            { name: 'on', value: 'on' },
            { name: 'off', value: 'off' },
          ],
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'unlink',
      description: 'Remove the link to your player (its history is kept)',
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
