import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { CliError } from '../../src/cli/cliError.ts';
import { membersCommand } from '../../src/cli/commands/membersCommand.ts';
import type { CoreHarness } from '../support/coreHarness.ts';
import { it } from '../support/fixtures.ts';

const GUILD = '920000000000000001';

describe('giftbot members import / export / list', () => {

  async function run(h: CoreHarness, args: string[]): Promise<{ code: number | CliError; lines: string[] }> {
    const lines: string[] = [];
    try {
      const code = await membersCommand(args, { app: h.app, out: (line) => lines.push(line) });
      return { code, lines };
    } catch (error) {
      if (error instanceof CliError) return { code: error, lines };
      throw error;
    }
  }

  it('imports nothing when a line is bad, names every rejected line, and imports the good ones only with --skip-invalid', async ({ startCore }) => {
    const h = await startCore();
    await h.app.store.guilds.upsert({ id: GUILD, game: 'wos', defaultState: 245, autoRedeem: true });
    await h.app.store.members.add(GUILD, { fid: '500', state: 245, name: 'already here' });
    const file = join(h.dir, 'roster.csv');
    writeFileSync(file, ['fid,state,name', '500,246,moved', '501,,no state', 'x12,245,typo', '502,245,fine', '502,245,twice'].join('\n'));

    const refused = await run(h, ['import', GUILD, file]);
    expect(refused.code).toBeInstanceOf(CliError);
    expect((refused.code as CliError).message).toBe('2 line(s) rejected; nothing was imported. Fix them, or pass --skip-invalid to import the 3 good line(s).');
    expect(refused.lines).toEqual(['line 4: "x12" is not a player id (digits only)  [x12,245,typo]', 'line 6: player 502 is already on line 5  [502,245,twice]']);
    // Nothing half-imported: the roster is as it was.
    expect((await h.app.store.members.list(GUILD)).map((m) => [m.fid, m.state, m.name])).toEqual([['500', 245, 'already here']]);

    const imported = await run(h, ['import', GUILD, file, '--skip-invalid']);
    expect(imported.code).toBe(0);
    expect(imported.lines).toContain('Imported 3 member(s) into guild 920000000000000001: 2 new, 1 updated, 2 rejected.');
    expect((await h.app.store.members.list(GUILD)).map((m) => [m.fid, m.state, m.name])).toEqual([
      ['500', 246, 'moved'],
      ['501', 245, 'no state'],
      ['502', 245, 'fine'],
    ]);

    // Export, then import the export into another alliance: the same roster.
    const exported = await run(h, ['export', GUILD]);
    const copy = join(h.dir, 'copy.csv');
    writeFileSync(copy, exported.lines.join('\n'));
    await h.app.store.guilds.upsert({ id: '920000000000000002', game: 'wos', defaultState: 245, autoRedeem: true });
    expect((await run(h, ['import', '920000000000000002', copy])).code).toBe(0);
    const strip = (ms: { fid: string; state: number | null; name: string | null }[]) => ms.map((m) => [m.fid, m.state, m.name]);
    expect(strip(await h.app.store.members.list('920000000000000002'))).toEqual(strip(await h.app.store.members.list(GUILD)));

    const empty = join(h.dir, 'empty.csv');
    writeFileSync(empty, 'fid,state,name\n\n');
    expect(((await run(h, ['import', GUILD, empty])).code as CliError).message).toContain('has no member lines');
  });

  it('adds many members all or nothing: a failure in the middle leaves no member behind', async ({ startCore }) => {
    const h = await startCore();
    await h.app.store.guilds.upsert({ id: GUILD, game: 'wos', defaultState: 245, autoRedeem: true });
    const batch = [{ fid: '600', state: 245 }, { fid: '601', state: 245 }, { fid: null as unknown as string, state: 245 }, { fid: '603', state: 245 }];
    await expect(h.app.store.members.addMany(GUILD, batch)).rejects.toThrow();
    expect(await h.app.store.members.list(GUILD)).toEqual([]);
  });

  it('lists unknown and refused states, with what the search has ruled out and what to run', async ({ startCore }) => {
    const h = await startCore();
    await h.app.store.guilds.upsert({ id: GUILD, game: 'wos', defaultState: 245, autoRedeem: true });
    await h.app.store.members.add(GUILD, { fid: '700', state: 245, name: 'fine' });
    await h.app.store.members.add(GUILD, { fid: '701', state: null, name: 'unknown' });
    await h.app.store.members.add(GUILD, { fid: '702', state: 245, name: 'refused' });
    await h.app.store.members.setState(GUILD, '702', 245, 'wrong');
    await h.app.store.wrongStates.record('wos', '701', 245);
    await h.app.store.wrongStates.record('wos', '701', 246);

    const listed = await run(h, ['list', GUILD]);
    expect(listed.lines).toEqual([
      '700          state 245          fine',
      '701          state unknown      unknown  (2 states ruled out so far)',
      '702          state 245 (wrong)  refused',
      `3 member(s). 1 with an unknown state, 1 with a state the game refused: giftbot members resolve ${GUILD}`,
    ]);
  });
});
