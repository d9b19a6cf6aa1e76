import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/redeem/runSummary.ts';
import { createRedeemedNotifier, type DmResult } from '../../src/selfService/notifyRedeemed.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import type { Store } from '../../src/store/types.ts';
import { addAlliance } from '../support/alliances.ts';
import { captureLogs } from '../support/coreHarness.ts';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'giftbot-notify-'));
  store = openSqliteStore(join(dir, 'giftbot.sqlite'));
  const alliance = await addAlliance(store, { guildId: 'g1', game: 'wos', defaultState: 1 });
  for (const [fid, userId] of [
    ['101', 'u1'],
    ['102', 'u2'],
  ] as const) {
    await store.members.add(alliance.id, { fid, state: 1 });
    await store.memberLinks.link({ guildId: 'g1', game: 'wos', fid, userId });
  }
  await store.memberLinks.setNotify('g1', 'u1', true);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the engine tells its listeners when a run ends: here only who got the code matters. */
function ended(code: string, success: string[], failed: string[] = []): RunSummary {
  const member = (fid: string, outcome: 'success' | 'failed') => ({
    fid,
    name: `P${fid}`,
    outcome,
    reason: null,
    errCode: null,
    msg: null,
    attempts: 1,
  });
  return {
    game: 'wos',
    code,
    members: [...success.map((f) => member(f, 'success')), ...failed.map((f) => member(f, 'failed'))],
  } as unknown as RunSummary;
}

describe('DMs for redeemed codes', () => {
  it('codes that arrive together go into one message; only members who asked get one; a failure is not told', async () => {
    const sent: { userId: string; content: string }[] = [];
    const notifier = createRedeemedNotifier({
      store,
      log: captureLogs().log,
      batchMs: 60_000,
      send: async (userId, content): Promise<DmResult> => {
        sent.push({ userId, content });
        return 'sent';
      },
    });
    notifier.runEnded?.(ended('AAAA1', ['101', '102']));
    notifier.runEnded?.(ended('BBBB2', ['101'], ['102']));
    notifier.runEnded?.(ended('CCCC3', [], ['101']));
    await notifier.flush();
    expect(sent).toEqual([
      {
        userId: 'u1',
        content: 'Gift codes **AAAA1**, **BBBB2** were redeemed for P101 (101). Check your in-game mail.',
      },
    ]);
    notifier.stop();
  });

  it('closed DMs are noted once and not tried again until notify is turned on again', async () => {
    let attempts = 0;
    const notifier = createRedeemedNotifier({
      store,
      log: captureLogs().log,
      batchMs: 60_000,
      send: async (): Promise<DmResult> => {
        attempts += 1;
        return 'closed';
      },
    });
    notifier.runEnded?.(ended('AAAA1', ['101']));
    await notifier.flush();
    notifier.runEnded?.(ended('BBBB2', ['101']));
    await notifier.flush();
    expect(attempts).toBe(1);
    expect((await store.memberLinks.forUser('g1', 'u1'))?.dmClosedAt).not.toBeNull();
    await store.memberLinks.setNotify('g1', 'u1', true);
    notifier.runEnded?.(ended('CCCC3', ['101']));
    await notifier.flush();
    expect(attempts).toBe(2);
    notifier.stop();
  });
});
