import { ApplicationCommandOptionType } from 'discord.js';

/**
 * `alliance:` on every command that acts on one alliance: the server's alliance names are offered by autocomplete.
 * Optional for Discord; the handler asks for it when the server has more than one alliance.
 */
export function allianceOption(description = 'Which alliance (needed when the server has several)', required = false) {
  return {
    type: ApplicationCommandOptionType.String,
    name: 'alliance',
    description,
    required,
    autocomplete: true,
    max_length: 32,
  } as const;
}

export const GAME_CHOICES = [
  { name: 'Whiteout Survival', value: 'wos' },
  { name: 'Kingshot', value: 'kingshot' },
];
