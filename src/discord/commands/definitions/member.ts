import { ApplicationCommandOptionType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { ADMIN_ONLY } from './adminOnly.ts';
import { allianceOption } from './allianceOption.ts';

const FID = {
  type: ApplicationCommandOptionType.String,
  name: 'fid',
  description: 'Player id (digits, shown in the game profile)',
  required: true,
  max_length: 20,
} as const;

export const MEMBER_COMMAND = {
  name: 'member',
  description: 'The alliance roster giftbot redeems for',
  ...ADMIN_ONLY,
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'add',
      description: 'Add a player (or update their state or name)',
      options: [
        FID,
        {
          type: ApplicationCommandOptionType.Integer,
          name: 'state',
          description: "Their state number (defaults to the alliance's)",
          min_value: 1,
          max_value: 999_999,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'name',
          description: 'A name to recognise them by',
          max_length: 64,
        },
        allianceOption('The alliance whose roster gets the player (needed when the server has several)'),
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'remove',
      description: 'Remove a player (their history is kept)',
      options: [FID],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'list',
      description: 'Show the roster (of one alliance, or of the whole server)',
      options: [allianceOption('Only this alliance')],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'resolve',
      description: 'Find the state of players whose state is unknown or refused by the game',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'fid', description: 'Only this player', max_length: 20 },
        {
          type: ApplicationCommandOptionType.Boolean,
          name: 'restart',
          description: 'Forget the states ruled out before and search again',
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'import',
      description: 'Import a roster from a CSV file: fid,state,name per line (an alliance column may say where)',
      options: [
        { type: ApplicationCommandOptionType.Attachment, name: 'file', description: 'The CSV file', required: true },
        {
          type: ApplicationCommandOptionType.Boolean,
          name: 'skip_invalid',
          description: 'Import the good lines even when some lines are bad',
        },
        allianceOption('The alliance for lines without an alliance column (needed when the server has several)'),
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'move',
      description: 'Move a player to another alliance of this server (their history moves along)',
      options: [FID, allianceOption('The alliance to move them to', true)],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'unlink',
      description: 'Free a player linked by a member with /me link (roster and history stay)',
      options: [FID],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
