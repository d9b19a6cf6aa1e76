import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { invitePermissions, inviteUrl, permissionNames } from '../../src/discord/invitePermissions.ts';

describe('the invite URL', () => {
  it('asks for what the bot uses: seeing channels, posting embeds, reacting to posted codes, and nothing more', () => {
    expect(permissionNames(invitePermissions()).sort()).toEqual([
      'AddReactions',
      'EmbedLinks',
      'ReadMessageHistory',
      'SendMessages',
      'ViewChannel',
    ]);
    const url = new URL(inviteUrl('123456789012345678'));
    expect(url.origin + url.pathname).toBe('https://discord.com/oauth2/authorize');
    expect(url.searchParams.get('client_id')).toBe('123456789012345678');
    expect(url.searchParams.get('scope')).toBe('bot applications.commands');
    expect(permissionNames(BigInt(url.searchParams.get('permissions')!))).toContain('ViewChannel');
  });

  it('is the one the README tells an admin to open', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const shown = readme.match(/https:\/\/discord\.com\/oauth2\/authorize\?\S+permissions=(\d+)/);
    expect(shown, 'README shows an invite URL').not.toBeNull();
    expect(permissionNames(BigInt(shown![1]!)).sort()).toEqual(permissionNames(invitePermissions()).sort());
    expect(readme).toContain(inviteUrl('APP_ID'));
  });
});
