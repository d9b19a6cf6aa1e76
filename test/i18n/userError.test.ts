// A mistake the member can fix is answered in their language when it comes from the catalogue; the log keeps English.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/discord/userError.ts';

describe('UserError in a language', () => {
  it('a catalogue error reads German for de, and its message (for the log) stays English', () => {
    const error = UserError.fromCatalogue('errors.unknownCommand', { command: 'frobnicate' });
    expect(error.message).toBe(
      'I do not know /frobnicate (any more). An admin can run `npm run deploy-commands` to refresh the command list.',
    );
    expect(error.messageIn('de')).toBe(
      'Ich kenne /frobnicate (nicht mehr). Ein Admin kann `npm run deploy-commands` ausführen, um die Befehlsliste zu aktualisieren.',
    );
    expect(error.messageIn('en')).toBe(error.message);
  });

  it('an error made from plain text answers that text in any language', () => {
    expect(new UserError('No alliance here yet.').messageIn('ru')).toBe('No alliance here yet.');
  });
});
