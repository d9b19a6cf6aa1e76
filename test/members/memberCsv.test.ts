import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/cli/cliError.ts';
import { membersCommand } from '../../src/cli/commands/membersCommand.ts';
import { formatMemberCsv } from '../../src/members/formatMemberCsv.ts';
import { MemberCsvError, readMemberCsv } from '../../src/members/readMemberCsv.ts';
import { startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { addAlliance } from '../support/fixtures.ts';

const GUILD = '920000000000000001';

const read = (text: string | Buffer) => readMemberCsv([text]);

describe('readMemberCsv', () => {
  it('reads fid,state,name with a header, comments, BOM, CRLF and quotes; a last-column name keeps unquoted separators', async () => {
    const csv = [
      '\uFEFF# exported from the sheet',
      'FID,State,Name',
      '45379845,312,Alice',
      '45379846,,"Bob, the second"',
      '45379848,312,Dan, the, comma',
      '45379849, 245 , "Eve ""quoted"""',
      '',
      '45379850',
    ].join('\r\n');
    const parsed = await read(csv);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.members).toEqual([
      { fid: '45379845', state: 312, name: 'Alice' },
      { fid: '45379846', state: null, name: 'Bob, the second' },
      { fid: '45379848', state: 312, name: 'Dan, the, comma' },
      { fid: '45379849', state: 245, name: 'Eve "quoted"' },
      { fid: '45379850', state: null, name: null },
    ]);
  });

  it('reads the columns a header names, in any order and any case, and says which columns it ignored', async () => {
    const expected = [
      { fid: '100', state: 245, name: 'Alice' },
      { fid: '101', state: null, name: 'Bob' },
    ];
    expect((await read('FID,Name,State\n100,Alice,245\n101,Bob,\n')).members).toEqual(expected);
    expect((await read('name;Power;player id;KID\nAlice;9000;100;245\nBob;1;101;\n')).members).toEqual(expected);
    expect((await read('name;Power;player id;KID\nAlice;9000;100;245\n')).ignoredColumns).toEqual(['Power']);
    // No header: fid,state,name as always, with semicolons or tabs as well as commas.
    expect((await read('100;245;Alice\n101;;Bob\n')).members).toEqual(expected);
    expect((await read('100\t245\tAlice\n101\t\tBob\n')).members).toEqual(expected);
    await expect(read('Name,State\nAlice,245\n')).rejects.toThrow('The header "Name,State" has no player id column');
  });

  it('reports every bad line with its number and the reason, and keeps the first of two duplicates', async () => {
    const parsed = await read(
      [
        'fid,state,name',
        '100,245,ok',
        'abc,245,bad id',
        '101,0,bad state',
        '102,24x,bad state',
        '100,246,again',
        '0123,245,leading zero',
        '103,245,"never closed',
        '104,245,swallowed',
      ].join('\n'),
    );
    expect(parsed.members.map((m) => m.fid)).toEqual(['100']);
    expect(parsed.rejected.map(({ line, text, reason }) => ({ line, text, reason }))).toEqual([
      { line: 3, text: 'abc,245,bad id', reason: '"abc" is not a player id (digits only)' },
      { line: 4, text: '101,0,bad state', reason: '"0" is not a state number' },
      { line: 5, text: '102,24x,bad state', reason: '"24x" is not a state number' },
      { line: 6, text: '100,246,again', reason: 'player 100 is already on line 2' },
      { line: 7, text: '0123,245,leading zero', reason: '"0123" is not a player id (digits only)' },
      {
        line: 8,
        text: '',
        reason: 'a quote opens here and is never closed, so the rest of the file reads as one field',
      },
    ]);
    // The same reasons as catalogue keys and values, for Discord to say in the admin's language.
    expect(parsed.rejected.map((bad) => bad.problem)).toEqual([
      { key: 'upload.csv.notAPlayerId', vars: { cell: 'abc' } },
      { key: 'upload.csv.notAState', vars: { cell: '0' } },
      { key: 'upload.csv.notAState', vars: { cell: '24x' } },
      { key: 'upload.csv.duplicate', vars: { fid: '100', line: 2 } },
      { key: 'upload.csv.notAPlayerId', vars: { cell: '0123' } },
      { key: 'upload.csv.quoteNotClosed', vars: {} },
    ]);
    expect(parsed.rejectedCount).toBe(6);
  });

  it('describes the first 20 bad lines and counts the rest', async () => {
    const lines = ['fid,state,name', ...Array.from({ length: 500 }, (_, i) => `x${i},245,bad`), '100,245,good'];
    const parsed = await read(lines.join('\n'));
    expect(parsed.rejected).toHaveLength(20);
    expect(parsed.rejected.at(-1)).toMatchObject({ line: 21, reason: '"x19" is not a player id (digits only)' });
    expect(parsed.rejectedCount).toBe(500);
    expect(parsed.members).toEqual([{ fid: '100', state: 245, name: 'good' }]);
  });

  it('refuses a binary file with one clear error instead of a report per line', async () => {
    const zip = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64), Buffer.from('\n1,2,3\n'.repeat(1000))]);
    await expect(read(zip)).rejects.toThrow(
      new MemberCsvError(
        'The file contains NUL bytes: it is a binary file, not CSV. Save it as CSV (UTF-8) and try again.',
        { key: 'upload.csv.nulBytes', vars: {} },
      ),
    );
    await expect(read(Buffer.from([0x31, 0x30, 0x30, 0x2c, 0xe9, 0x2c, 0x41, 0x0a]))).rejects.toThrow(
      /^The file is not UTF-8 text/,
    );
    await expect(read(`100,245,${'x'.repeat(20_000)}\n`)).rejects.toThrow('Line 1 is longer than 10,000 characters');
  });

  it('strips control characters and terminal escape codes from names, keeping letters of every script', async () => {
    const csv = [
      'fid,state,name',
      '1,245,"\x1b[31mRed\x1b[0m Baron"',
      '2,245,"\x1b]0;pwned\x07Title"',
      '3,245,"李小龍 🐉 Ñandú ☕"',
      '4,245,"Bell\x07 and\x00 back\bspace\x9b2J"',
      '5,245,"two\nlines\ttab"',
      '6,245,"\x1b[2J\x1b[H"',
    ].join('\n');
    const parsed = await read(csv.replace('\x00', ''));
    expect(parsed.members.map((m) => m.name)).toEqual([
      'Red Baron',
      'Title',
      '李小龍 🐉 Ñandú ☕',
      'Bell and backspace',
      'two lines tab',
      null,
    ]);
  });

  it('reads back exactly what it exports, whatever the names contain', async () => {
    const members = [
      { fid: '1', state: 245, name: 'plain' },
      { fid: '2', state: null, name: 'comma, inside' },
      { fid: '3', state: 7, name: 'semi;colon and "tab"' },
      { fid: '4', state: 9, name: '"quoted", with \'both\'' },
      { fid: '5', state: 10, name: null },
      { fid: '6', state: 11, name: '# not a comment' },
      { fid: '7', state: 12, name: 'Ünïcødé 名前 🎁' },
    ];
    expect(await read(formatMemberCsv(members))).toEqual({
      members,
      rejected: [],
      rejectedCount: 0,
      ignoredColumns: [],
    });
    // A name stored with a line break (before names were cleaned) stays one record, its break read as a space.
    expect((await read(formatMemberCsv([{ fid: '8', state: 1, name: 'two\r\nlines' }]))).members).toEqual([
      { fid: '8', state: 1, name: 'two lines' },
    ]);
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
    const alliance = await addAlliance(h.app.store, {
      guildId: GUILD,
      game: 'wos',
      defaultState: 245,
      autoRedeem: true,
    });
    await h.app.store.members.add(alliance.id, { fid: '500', state: 245, name: 'already here' });
    const file = join(h.dir, 'roster.csv');
    writeFileSync(
      file,
      ['fid,state,name', '500,246,moved', '501,,no state', 'x12,245,typo', '502,245,fine', '502,245,twice'].join('\n'),
    );

    const refused = await run(['import', GUILD, file]);
    expect(refused.code).toBeInstanceOf(CliError);
    expect((refused.code as CliError).message).toBe(
      '2 line(s) rejected; nothing was imported. Fix them, or pass --skip-invalid to import the 3 good line(s).',
    );
    expect(refused.lines).toEqual([
      'line 4: "x12" is not a player id (digits only)  [x12,245,typo]',
      'line 6: player 502 is already on line 5  [502,245,twice]',
    ]);
    // Nothing half-imported: the roster is as it was.
    expect((await h.app.store.members.list(GUILD)).map((m) => [m.fid, m.state, m.name])).toEqual([
      ['500', 245, 'already here'],
    ]);

    const imported = await run(['import', GUILD, file, '--skip-invalid']);
    expect(imported.code).toBe(0);
    expect(imported.lines).toContain(
      'Imported 3 member(s) into guild 920000000000000001: 2 new, 1 updated, 2 rejected.',
    );
    expect((await h.app.store.members.list(GUILD)).map((m) => [m.fid, m.state, m.name])).toEqual([
      ['500', 246, 'moved'],
      ['501', 245, 'no state'],
      ['502', 245, 'fine'],
    ]);

    // Export, then import the export into another alliance: the same roster.
    const exported = await run(['export', GUILD]);
    const copy = join(h.dir, 'copy.csv');
    writeFileSync(copy, exported.lines.join('\n'));
    await addAlliance(h.app.store, { guildId: '920000000000000002', game: 'wos', defaultState: 245, autoRedeem: true });
    expect((await run(['import', '920000000000000002', copy])).code).toBe(0);
    const strip = (ms: { fid: string; state: number | null; name: string | null }[]) =>
      ms.map((m) => [m.fid, m.state, m.name]);
    expect(strip(await h.app.store.members.list('920000000000000002'))).toEqual(
      strip(await h.app.store.members.list(GUILD)),
    );

    const empty = join(h.dir, 'empty.csv');
    writeFileSync(empty, 'fid,state,name\n\n');
    expect(((await run(['import', GUILD, empty])).code as CliError).message).toContain('has no member lines');
  });

  it('round-trips export to import exactly, names with commas, quotes, line breaks and every script included', async () => {
    h = await startCoreHarness();
    const alliance = await addAlliance(h.app.store, {
      guildId: GUILD,
      game: 'wos',
      defaultState: 245,
      autoRedeem: false,
    });
    const names = [
      'Bo, the Second',
      '"Quoted" Queen',
      'She said ""hi""',
      'semi;colon',
      'Ünïcødé 名前 🎁',
      '#1 Player',
      'O\'Neil, "Junior"',
      null,
    ];
    await h.app.store.members.addMany(
      alliance.id,
      names.map((name, i) => ({ fid: String(900 + i), state: i % 2 === 0 ? 245 : null, name })),
    );
    // A line break can only be in a name stored before names were cleaned; it must not break the file either.
    await h.app.store.members.add(alliance.id, { fid: '999', state: 7, name: 'two\nlines, "both"' });
    const exported = await run(['export', GUILD]);
    const file = join(h.dir, 'export.csv');
    writeFileSync(file, `${exported.lines.join('\n')}\n`);
    const other = '920000000000000003';
    await addAlliance(h.app.store, { guildId: other, game: 'wos', defaultState: null, autoRedeem: false });
    const imported = await run(['import', other, file]);
    expect(imported.code).toBe(0);
    expect(imported.lines[0]).toBe('Imported 9 member(s) into guild 920000000000000003: 9 new, 0 updated, 0 rejected.');
    const strip = async (guildId: string) =>
      (await h!.app.store.members.list(guildId)).map((m) => [m.fid, m.state, m.name]);
    const original = await strip(GUILD);
    expect((await strip(other)).slice(0, 8)).toEqual(original.slice(0, 8));
    expect((await strip(other))[8]).toEqual(['999', 7, 'two lines, "both"']);
    // And the export of the import is the same file again, byte for byte, apart from that one cleaned name.
    expect((await run(['export', other])).lines.join('\n')).toBe(
      exported.lines.join('\n').replace('"two\nlines, ""both"""', '"two lines, ""both"""'),
    );
  });

  it('reads a header naming the columns in another order, and refuses a binary file with one line', async () => {
    h = await startCoreHarness();
    await addAlliance(h.app.store, { guildId: GUILD, game: 'wos', defaultState: 245, autoRedeem: false });
    const file = join(h.dir, 'sheet.csv');
    writeFileSync(file, 'FID,Name,State\n501,\x1b[31mRed\x1b[0m Baron,246\n502,Ana,\n');
    expect((await run(['import', GUILD, file])).code).toBe(0);
    expect((await h.app.store.members.list(GUILD)).map((m) => [m.fid, m.state, m.name])).toEqual([
      ['501', 246, 'Red Baron'],
      ['502', 245, 'Ana'],
    ]);
    const binary = join(h.dir, 'roster.xlsx');
    writeFileSync(
      binary,
      Buffer.concat([
        Buffer.from('PK\x03\x04\x14\x00\x06\x00'),
        Buffer.alloc(3_000_000, 0x41),
        Buffer.from('\n'.repeat(10_000)),
      ]),
    );
    const refused = await run(['import', GUILD, binary]);
    expect(refused.lines).toEqual([]);
    expect((refused.code as CliError).message).toBe(
      `${binary}: The file contains NUL bytes: it is a binary file, not CSV. Save it as CSV (UTF-8) and try again.`,
    );
    const added = await run(['add', GUILD, '503', '--name', '\x1b]0;owned\x07Zoë\r\x1b[2K', '--no-catch-up']);
    expect(added.lines).toEqual(['Added member 503 (Zoë) with state 245.']);
  });

  it('imports a 100,000-line roster and stores every row', async () => {
    h = await startCoreHarness();
    await addAlliance(h.app.store, { guildId: GUILD, game: 'wos', defaultState: 245, autoRedeem: false });
    const file = join(h.dir, 'big.csv');
    writeFileSync(
      file,
      `fid,state,name\n${Array.from({ length: 100_000 }, (_, i) => `${10_000_000 + i},${200 + (i % 50)},Player ${i}`).join('\n')}\n`,
    );
    const imported = await run(['import', GUILD, file, '--no-catch-up']);
    expect(imported.lines).toEqual([
      'Imported 100000 member(s) into guild 920000000000000001: 100000 new, 0 updated, 0 rejected.',
    ]);
    const members = await h.app.store.members.list(GUILD);
    expect(members).toHaveLength(100_000);
    expect(members.at(-1)).toMatchObject({ fid: '10099999', state: 249, name: 'Player 99999' });
  });

  it('adds many members all or nothing: a failure in the middle leaves no member behind', async () => {
    h = await startCoreHarness();
    const alliance = await addAlliance(h.app.store, {
      guildId: GUILD,
      game: 'wos',
      defaultState: 245,
      autoRedeem: true,
    });
    const batch = [
      { fid: '600', state: 245 },
      { fid: '601', state: 245 },
      { fid: null as unknown as string, state: 245 },
      { fid: '603', state: 245 },
    ];
    await expect(h.app.store.members.addMany(alliance.id, batch)).rejects.toThrow();
    expect(await h.app.store.members.list(GUILD)).toEqual([]);
  });

  it('lists unknown and refused states, with what the search has ruled out and what to run', async () => {
    h = await startCoreHarness();
    const alliance = await addAlliance(h.app.store, {
      guildId: GUILD,
      game: 'wos',
      defaultState: 245,
      autoRedeem: true,
    });
    await h.app.store.members.add(alliance.id, { fid: '700', state: 245, name: 'fine' });
    await h.app.store.members.add(alliance.id, { fid: '701', state: null, name: 'unknown' });
    await h.app.store.members.add(alliance.id, { fid: '702', state: 245, name: 'refused' });
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
