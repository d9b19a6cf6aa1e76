import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { startCoreHarness, type CoreHarness } from '../support/coreHarness.ts';
import { runCommand } from '../support/runCommand.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const NODE = join(ROOT, 'node_modules/.bin/node');
const LAUNCHER = join(ROOT, 'bin/giftbot.mjs');
const KEEP = '900000000000000101';
const DROP = '900000000000000102';

let h: CoreHarness;
beforeAll(async () => {
  h = await startCoreHarness();
  await h.app.close();
});
afterAll(async () => h.close());

const cli = (...args: string[]) => runCommand(NODE, [LAUNCHER, ...args], { cwd: h.dir, env: h.env });

describe('giftbot guild', () => {
  it('add refuses an id that is not a Discord snowflake', async () => {
    for (const id of ['111', '12345678901234567890123']) {
      const result = await cli('guild', 'add', id, '--game', 'wos', '--state', '245');
      expect(result.code, id).toBe(2);
      expect(result.stderr).toContain('17 to 20 digits');
    }
    expect((await cli('guild', 'list')).stdout).toContain('No alliances yet');
  });

  it("remove explains and refuses without --yes, then removes one server's data and keeps who has which code", async () => {
    for (const id of [KEEP, DROP]) {
      expect((await cli('guild', 'add', id, '--game', 'wos', '--state', '245')).code).toBe(0);
      expect((await cli('members', 'add', id, id === KEEP ? '70000101' : '70000102', '--no-catch-up')).code).toBe(0);
    }
    h.sim.addPlayer('wos', { fid: '70000102', kid: 245 });
    h.sim.addCode('wos', 'GUILDGONE');
    expect((await cli('redeem', DROP, 'GUILDGONE')).code).toBe(0);

    const asked = await cli('guild', 'remove', DROP);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain('its 1 member(s) and its runs');
    expect(asked.stderr).toContain('--yes');
    expect((await cli('guild', 'list')).stdout).toContain(DROP);

    const removed = await cli('guild', 'remove', DROP, '--yes');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`Removed guild ${DROP}: 1 member(s) and 1 run(s)`);
    const list = (await cli('guild', 'list')).stdout;
    expect(list).not.toContain(DROP);
    expect(list).toContain(KEEP);
    expect((await cli('guild', 'remove', DROP, '--yes')).code).toBe(2);

    const store = openSqliteStore(h.env.DATABASE_PATH!);
    try {
      expect(await store.members.list(DROP)).toEqual([]);
      expect(await store.members.list(KEEP)).toHaveLength(1);
      expect((await store.ledger.countByStatus('wos', 'GUILDGONE')).success).toBe(1);
    } finally {
      await store.close();
    }
  });
});
