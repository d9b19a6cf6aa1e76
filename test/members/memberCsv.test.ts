import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cliError.ts';
import { membersCommand } from '../../src/cli/commands/membersCommand.ts';
import { formatMemberCsv, parseMemberCsv } from '../../src/members/parseMemberCsv.ts';
import { startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';

const GUILD = '920000000000000001';

describe('parseMemberCsv', () => {
  it('reads fid,state,name with a header, comments, BOM, CRLF, quotes and other separators', () => {
    const csv = [
      '\uFEFF# exported from the sheet',
      'FID;State;Name',
      '45379845;312;Alice',
      '45379846,,"Bob, the second"',
      '45379847\t245\tCarol',
      '45379848;312;Dan; the; semicolon',
      '45379849, 245 , "Eve ""quoted"""',
      '',
      '45379850',
    ].join('\r\n');
    const parsed = parseMemberCsv(csv);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.members).toEqual([
      { fid: '45379845', state: 312, name: 'Alice' },
      { fid: '45379846', state: null, name: 'Bob, the second' },
      { fid: '45379847', state: 245, name: 'Carol' },
      { fid: '45379848', state: 312, name: 'Dan; the; semicolon' },
      { fid: '45379849', state: 245, name: 'Eve "quoted"' },
      { fid: '45379850', state: null, name: null },
    ]);
  });

  it('reports every bad line with its number and the reason, and keeps the first of two duplicates', () => {
    const parsed = parseMemberCsv(['fid,state,name', '100,245,ok', 'abc,245,bad id', '101,0,bad state', '102,24x,bad state', '100,246,again', '0123,245,leading zero'].join('\n'));
    expect(parsed.members.map((m) => m.fid)).toEqual(['100']);
    expect(parsed.rejected).toEqual([
      { line: 3, text: 'abc,245,bad id', reason: '"abc" is not a player id (digits only)' },
      { line: 4, text: '101,0,bad state', reason: '"0" is not a state number' },
      { line: 5, text: '102,24x,bad state', reason: '"24x" is not a state number' },
      { line: 6, text: '100,246,again', reason: 'player 100 is already on line 2' },
      { line: 7, text: '0123,245,leading zero', reason: '"0123" is not a player id (digits only)' },
    ]);
  });

  it('reads back exactly what it exports, whatever the names contain', () => {
    const members = [
      { fid: '1', state: 245, name: 'plain' },
      { fid: '2', state: null, name: 'comma, inside' },
      { fid: '3', state: 7, name: 'semi;colon\tand tab' },
      { fid: '4', state: 9, name: '"quoted"' },
      { fid: '5', state: 10, name: null },
    ];
    expect(parseMemberCsv(formatMemberCsv(members))).toEqual({ members, rejected: [] });
  });
});

describe('giftbot members import / export / list', () => {
  let h: CoreHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function run(args: string[]): Promise<{ code: number | CliError; lines: string[] }> {
    const lines: string[] = [];
    try {
      const code = await membersCommand(args, { app: h!.app, out: (line) => lines.push(line) });
      return { code, lines };
    } catch (error) {
      if (error instanceof CliError) return { code: error, lines };
      throw error;
    }
  }

  it('imports nothing when a line is bad, names every rejected line, and imports the good ones only with --skip-invalid', async () => {
    h = await startCoreHarness();
    await h.app.store.guilds.upsert({ id: GUILD, game: 'wos', defaultState: 245, autoRedeem: true });
    await h.app.store.members.add(GUILD, { fid: '500', state: 245, name: 'already here' });
    const file = join(h.dir, 'roster.csv');
    writeFileSync(file, ['fid,state,name', '500,246,moved', '501,,no state', 'x12,245,typo', '502,245,fine', '502,245,twice'].join('\n'));

    const refused = await run(['import', GUILD, file]);
    expect(refused.code).toBeInstanceOf(CliError);
    expect((refused.code as CliError).message).toBe('2 line(s) rejected; nothing was imported. Fix them, or pass --skip-invalid to import the 3 good line(s).');
    expect(refused.lines).toEqual(['line 4: "x12" is not a player id (digits only)  [x12,245,typo]', 'line 6: player 502 is already on line 5  [502,245,twice]']);
    // Nothing half-imported: the roster is as it was.
    expect((await h.app.store.members.list(GUILD)).map((m) => [m.fid, m.state, m.name])).toEqual([['500', 245, 'already here']]);

    const imported = await run(['import', GUILD, file, '--skip-invalid']);
    expect(imported.code).toBe(0);
    expect(imported.lines).toContain('Imported 3 member(s) into guild 920000000000000001: 2 new, 1 updated, 2 rejected.');
    expect((await h.app.store.members.list(GUILD)).map((m) => [m.fid, m.state, m.name])).toEqual([
      ['500', 246, 'moved'],
      ['501', 245, 'no state'],
      ['502', 245, 'fine'],
    ]);

    // Export, then import the export into another alliance: the same roster.
    const exported = await run(['export', GUILD]);
    const copy = join(h.dir, 'copy.csv');
    writeFileSync(copy, exported.lines.join('\n'));
    await h.app.store.guilds.upsert({ id: '920000000000000002', game: 'wos', defaultState: 245, autoRedeem: true });
    expect((await run(['import', '920000000000000002', copy])).code).toBe(0);
    const strip = (ms: { fid: string; state: number | null; name: string | null }[]) => ms.map((m) => [m.fid, m.state, m.name]);
    expect(strip(await h.app.store.members.list('920000000000000002'))).toEqual(strip(await h.app.store.members.list(GUILD)));

    const empty = join(h.dir, 'empty.csv');
    writeFileSync(empty, 'fid,state,name\n\n');
    expect(((await run(['import', GUILD, empty])).code as CliError).message).toContain('has no member lines');
  });

  it('adds many members all or nothing: a failure in the middle leaves no member behind', async () => {
    h = await startCoreHarness();
    await h.app.store.guilds.upsert({ id: GUILD, game: 'wos', defaultState: 245, autoRedeem: true });
    const batch = [{ fid: '600', state: 245 }, { fid: '601', state: 245 }, { fid: null as unknown as string, state: 245 }, { fid: '603', state: 245 }];
    await expect(h.app.store.members.addMany(GUILD, batch)).rejects.toThrow();
    expect(await h.app.store.members.list(GUILD)).toEqual([]);
  });

  it('lists unknown and refused states, with what the search has ruled out and what to run', async () => {
    h = await startCoreHarness();
    await h.app.store.guilds.upsert({ id: GUILD, game: 'wos', defaultState: 245, autoRedeem: true });
    await h.app.store.members.add(GUILD, { fid: '700', state: 245, name: 'fine' });
    await h.app.store.members.add(GUILD, { fid: '701', state: null, name: 'unknown' });
    await h.app.store.members.add(GUILD, { fid: '702', state: 245, name: 'refused' });
    await h.app.store.members.setState(GUILD, '702', 245, 'wrong');
    await h.app.store.wrongStates.record('wos', '701', 245);
    await h.app.store.wrongStates.record('wos', '701', 246);

    const listed = await run(['list', GUILD]);
    expect(listed.lines).toEqual([
      '700          state 245          fine',
      '701          state unknown      unknown  (2 states ruled out so far)',
      '702          state 245 (wrong)  refused',
      `3 member(s). 1 with an unknown state, 1 with a state the game refused: giftbot members resolve ${GUILD}`,
    ]);
  });
});
