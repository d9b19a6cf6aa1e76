import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../runtime.ts';
import { formatSummary } from '../../cli/commands/redeemCommand.ts';
import { loadConfig } from '../../config/config.ts';
import type { Logger } from '../../log/logger.ts';
import { startGameApiSimulator } from '../simulator/gameApiSimulator.ts';
import { giftCode } from '../../game/giftCode.ts';

const GUILD = '100000000000000001';
const STATE = 245;
const MEMBERS = 36;
/** The demo's budget: 600 calls a minute (20 per 2 s window), so it finishes in seconds; the real API allows ~30. */
const DEMO_RATE = { limit: 20, windowMs: 2_000 };

/**
 * The offline demo: a local game-API simulator, an alliance of a few dozen members, and the engine doing what it does
 * in production — one run per code, duplicates refused, an expired code stopping after one call.
 */
export async function runDemo({
  log,
  out = (line: string) => process.stdout.write(`${line}\n`),
}: {
  log: Logger;
  out?: (line: string) => void;
}): Promise<number> {
  const sim = await startGameApiSimulator({
    rateLimit: DEMO_RATE,
    playerSpacingMs: 2_000,
    latencyMs: { min: 20, max: 80 },
  });
  const dir = mkdtempSync(join(tmpdir(), 'giftbot-demo-'));
  const loaded = loadConfig({
    DATABASE_PATH: join(dir, 'demo.sqlite'),
    WOS_API_BASE: sim.apiBase('wos'),
    KINGSHOT_API_BASE: sim.apiBase('kingshot'),
    RATE_LIMIT_PER_MINUTE: String(DEMO_RATE.limit),
    RATE_LIMIT_WINDOW_MS: String(DEMO_RATE.windowMs),
    LOG_LEVEL: 'warn',
  });
  if (!loaded.ok) throw new Error(`demo configuration: ${loaded.problems.join('; ')}`);
  const app = createCore({ config: loaded.config, log });
  try {
    out(
      `Game-API simulator on ${sim.url} (budget ${DEMO_RATE.limit} calls per ${DEMO_RATE.windowMs / 1000} s, 2 s between two calls for one player).`,
    );
    await app.store.guilds.ensure({ id: GUILD, name: 'Demo Alliance' });
    const added = await app.store.alliances.add({
      guildId: GUILD,
      name: 'Demo Alliance',
      game: 'wos',
      defaultState: STATE,
      autoRedeem: true,
    });
    const alliance = added.created ? added.alliance : added.existing;
    for (let i = 0; i < MEMBERS; i += 1) {
      const fid = String(40_000_001 + i);
      // A few members the game will refuse, as in every real alliance.
      const realState = i === 7 ? 246 : STATE;
      if (i !== 13) sim.addPlayer('wos', { fid, kid: realState, stoveLv: i === 21 ? 8 : 30 });
      await app.store.members.add(alliance.id, { fid, state: STATE, name: `Member ${i + 1}`, addedBy: 'demo' });
    }
    sim.addCode('wos', 'WOSDEMO2026', { minStoveLv: 10 });
    sim.addCode('wos', 'OLDCODE2025', { status: 'expired' });
    // Member 5's first call meets a busy server and is retried after a pause, without holding up the others.
    out(`Alliance "Demo Alliance" (guild ${GUILD}): ${MEMBERS} members in state ${STATE}.\n`);
    sim.injectFault({ kind: 'timeout-retry', fid: '40000005', count: 1 });

    out('1) A new code, WOSDEMO2026, triggered twice at the same moment (auto-redeem and an admin):');
    const [first, second] = await Promise.all([
      app.engine.processAutoRedeem(GUILD, giftCode('WOSDEMO2026'), { trigger: 'demo' }),
      // As an admin would paste it: with a zero-width space and a trailing blank, normalised where it enters.
      app.engine.processAutoRedeem(GUILD, giftCode('\u200bWOSDEMO2026 '), { trigger: 'manual' }),
    ]);
    for (const line of formatSummary(first)) out(`   ${line}`);
    out(`   second trigger: ${second.status} — ${second.message}`);
    const callsForCode = sim.calls.filter((c) => c.cdk === 'WOSDEMO2026').length;
    out(`   the simulator saw ${callsForCode} calls for ${MEMBERS} members (one retry after "TIMEOUT RETRY.").\n`);

    out('2) The same code again (say, after a restart):');
    const again = await app.engine.processAutoRedeem(GUILD, giftCode('WOSDEMO2026'), { trigger: 'demo' });
    out(`   ${again.message} API calls: ${again.apiCalls}.\n`);

    out('3) An expired code:');
    const before = sim.calls.length;
    const expired = await app.engine.processAutoRedeem(GUILD, giftCode('OLDCODE2025'), { trigger: 'demo' });
    for (const line of formatSummary(expired).slice(0, 2)) out(`   ${line}`);
    out(`   API calls: ${sim.calls.length - before}. Triggering it once more:`);
    const expiredAgain = await app.engine.processAutoRedeem(GUILD, giftCode('OLDCODE2025'), { trigger: 'demo' });
    out(`   ${expiredAgain.status}: ${expiredAgain.message}\n`);

    const ok =
      first.status === 'completed' && second.status === 'duplicate' && again.apiCalls === 0 && expired.apiCalls === 1;
    out(
      ok
        ? 'Demo finished: every member was called once, the duplicate and the expired code cost nothing extra.'
        : 'Demo finished with unexpected results (see above).',
    );
    return ok ? 0 : 1;
  } finally {
    await app.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
