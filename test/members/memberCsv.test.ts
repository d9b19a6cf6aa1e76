import { describe, expect, it } from 'vitest';
import { formatMemberCsv, parseMemberCsv } from '../../src/members/parseMemberCsv.ts';

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
