import { ApplicationCommandOptionType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { ADMIN_ONLY } from './adminOnly.ts';
import { allianceOption } from './allianceOption.ts';

export const AUTOREDEEM_COMMAND = {
  name: 'autoredeem',
  description: 'Redeem new codes automatically for an alliance',
  ...ADMIN_ONLY,
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'on',
      description: 'Redeem every new code as soon as it appears',
      options: [allianceOption()],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'off',
      description: 'Only redeem when an admin runs /redeem',
      options: [allianceOption()],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'status',
      description: "Show the alliance's settings",
      options: [allianceOption()],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
