import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allianceCommand } from '../../src/cli/commands/allianceCommand.ts';
import { CliError } from '../../src/cli/cliError.ts';
import { historyCommand } from '../../src/cli/commands/historyCommand.ts';
import { giftCode } from '../../src/game/giftCode.ts';
import type { AllianceRecord } from '../../src/store/types.ts';
import { addAlliance } from '../support/alliances.ts';
import { startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';

const GUILD = '920000000000000001';
let h: CoreHarness;
let frost: AllianceRecord;

beforeAll(async () => {
  h = await startCoreHarness();
  const { store } = h.app;
  frost = await addAlliance(store, { guildId: GUILD, name: 'Frost', game: 'wos', defaultState: 245 });
  const ember = await addAlliance(store, { guildId: GUILD, name: 'Ember', game: 'wos', defaultState: 245 });
  h.sim.addPlayers('wos', [
    { fid: '81000001', kid: 245 },
    { fid: '81000002', kid: 245, stoveLv: 5 },
    { fid: '81000003', kid: 245 },
  ]);
  await store.members.add(frost.id, { fid: '81000001', state: 245, name: 'Ann, "the" Boss' });
  await store.members.add(frost.id, { fid: '81000002', state: 245, name: '=SUM(A1)' });
  await store.members.add(ember.id, { fid: '81000003', state: 245, name: 'Cid' });
  h.sim.addCode('wos', 'HIST1', { minStoveLv: 10 });
  h.sim.addCode('wos', 'HIST2');
  for (const code of ['HIST1', 'HIST2'])
    await h.app.engine.processAutoRedeem(GUILD, giftCode(code), { trigger: 'cli' });
});
afterAll(async () => {
  await h?.close();
});

async function run(command: typeof historyCommand, args: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await command(args, { app: h.app, out: (line) => out.push(line) });
  return { code, out };
}

describe('giftbot history export', () => {
  it('prints a CSV on standard output that matches the ledger row for row', async () => {
    const { code, out } = await run(historyCommand, ['export', GUILD]);
    expect(code).toBe(0);
    const [header, ...lines] = out.join('\n').split('\n');
    expect(header).toBe('code,player,name,alliance,status,reason,err_code,answer,time');
    const ledger = [
      ...(await h.app.store.ledger.listForCode('wos', 'HIST1')),
      ...(await h.app.store.ledger.listForCode('wos', 'HIST2')),
    ].sort((a, b) => a.code.localeCompare(b.code) || a.fid.localeCompare(b.fid));
    expect(lines).toHaveLength(ledger.length);
    expect(ledger).toHaveLength(6);
    const names: Record<string, string> = {
      '81000001': '"Ann, ""the"" Boss",Frost',
      '81000002': "'=SUM(A1),Frost",
      '81000003': 'Cid,Ember',
    };
    expect(lines).toEqual(
      ledger.map(
        (row) =>
          `${row.code},${row.fid},${names[row.fid]},${row.status},${row.reason ?? ''},${row.errCode ?? ''},${row.msg ?? ''},${new Date(row.finishedAt ?? row.updatedAt).toISOString()}`,
      ),
    );
    expect(lines.find((l) => l.startsWith('HIST1,81000002'))).toContain(',failed,furnace-too-low,40006,');
  });

  it('--code narrows to one code; --out writes the file', async () => {
    const file = join(h.dir, 'hist2.csv');
    const { code, out } = await run(historyCommand, ['export', GUILD, '--code', 'HIST2', '--out', file]);
    expect(code).toBe(0);
    expect(out).toEqual([`Wrote 3 row(s) to ${file}.`]);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['HIST2', 'HIST2', 'HIST2']);
  });

  it('an unknown server or code is a clear error', async () => {
    await expect(run(historyCommand, ['export', '920000000000000999'])).rejects.toThrow(
      new CliError('giftbot knows no server 920000000000000999.'),
    );
    await expect(run(historyCommand, ['export', GUILD, '--code', 'NOPE99'])).rejects.toThrow(
      'giftbot has never seen the code NOPE99.',
    );
    await expect(run(historyCommand, ['export', GUILD, '--code', 'a b'])).rejects.toThrow('is not a gift code');
    await expect(run(historyCommand, ['export'])).rejects.toThrow('a Discord server id is required');
    await expect(run(historyCommand, ['dump', GUILD])).rejects.toThrow('Unknown history action "dump"');
  });
});

describe('giftbot alliance edit --self-join', () => {
  it('sets who may join with /me link; bad input is a clear error', async () => {
    const { code, out } = await run(allianceCommand, ['edit', GUILD, '--name', 'frost', '--self-join', 'open']);
    expect(code).toBe(0);
    expect(out).toEqual([`Alliance "Frost" of guild ${GUILD}: self-join open.`]);
    expect((await h.app.store.alliances.get(frost.id))?.selfJoin).toBe('open');
    await expect(run(allianceCommand, ['edit', GUILD, '--name', 'Frost', '--self-join', 'maybe'])).rejects.toThrow(
      '--self-join must be open, approve or off (not "maybe")',
    );
    await expect(run(allianceCommand, ['edit', GUILD, '--self-join', 'off'])).rejects.toThrow(
      'say which one with --name <alliance>',
    );
    await expect(run(allianceCommand, ['edit', GUILD, '--name', 'Frost'])).rejects.toThrow('Nothing to change');
  });

  it("--language sets the language of the alliance's Discord posts; auto gives it back to the server", async () => {
    const frost = (await h.app.store.alliances.byName(GUILD, 'Frost'))!;
    const set = await run(allianceCommand, ['edit', GUILD, '--name', 'Frost', '--language', 'pt-BR']);
    expect(set.out).toEqual([`Alliance "Frost" of guild ${GUILD}: language pt-BR.`]);
    expect((await h.app.store.alliances.get(frost.id))?.language).toBe('pt-BR');
    const both = await run(allianceCommand, [
      'edit',
      GUILD,
      '--name',
      'Frost',
      '--language',
      'auto',
      '--self-join',
      'off',
    ]);
    expect(both.out).toEqual([`Alliance "Frost" of guild ${GUILD}: self-join off, language auto (the server's).`]);
    expect((await h.app.store.alliances.get(frost.id))?.language).toBeNull();
    // A language giftbot does not speak is refused, with the ones it does; nothing changes.
    await expect(run(allianceCommand, ['edit', GUILD, '--name', 'Frost', '--language', 'klingon'])).rejects.toThrow(
      '--language must be one of auto, en, de, fr, es, pt-BR, tr, ru (not "klingon")',
    );
    expect((await h.app.store.alliances.get(frost.id))?.selfJoin).toBe('off');
  });
});
