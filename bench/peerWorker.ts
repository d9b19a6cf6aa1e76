/**
 * The peers in a bench bot process: the oldest bots' fixed pacing (baselineBot.ts) or the Kingshot bot's header-driven
 * pacing (kingshotBot.ts), sending the same requests as giftbot through its game client, with the same bookkeeping.
 */
import { createGiftCodeClient } from '../src/game/giftCodeClient.ts';
import { seededRandom } from '../src/dev/simulator/prng.ts';
import { runBaseline, type BaselineMember, type BaselineResult } from './baselineBot.ts';
import { runKingshotBot } from './kingshotBot.ts';
import type { Prepared } from './prepared.ts';
import type { WorkerSetup } from './protocol.ts';

const GAME = 'wos' as const;

type Pacing = (
  client: ReturnType<typeof createGiftCodeClient>,
  onFinal: (member: BaselineMember, outcome: 'success' | 'already' | 'failed') => void,
) => Promise<BaselineResult>;

export function preparePeer(setup: WorkerSetup): Prepared {
  const queues: BaselineMember[][] = setup.alliances.map((a) =>
    a.fids.map((fid) => ({ guildId: a.guildId, fid, kid: a.state })),
  );
  const pacing: Pacing =
    setup.engine === 'kingshot-bot'
      ? // One caller per alliance's run, sharing the process's pause.
        (client, onFinal) =>
          runKingshotBot({
            client,
            game: GAME,
            code: setup.code,
            queues,
            pauseMs: setup.profile.kingshotPauseMs,
            onFinal,
          })
      : // One queue for every alliance, alliance after alliance.
        (client, onFinal) =>
          runBaseline({
            client,
            game: GAME,
            code: setup.code,
            members: queues.flat(),
            pauseMs: setup.profile.baselinePauseMs,
            requeueMs: setup.profile.baselineRequeueMs,
            random: seededRandom(setup.seed),
            onFinal,
          });
  return timedPeerRun(setup, pacing);
}

function timedPeerRun(setup: WorkerSetup, pacing: Pacing): Prepared {
  const client = createGiftCodeClient({
    apiBases: { wos: setup.env.WOS_API_BASE!, kingshot: setup.env.KINGSHOT_API_BASE! },
    connectTimeoutMs: Number(setup.env.API_CONNECT_TIMEOUT_MS ?? 10_000),
    readTimeoutMs: Number(setup.env.API_READ_TIMEOUT_MS ?? 20_000),
    localAddress: setup.env.EGRESS_ADDRESS ?? null,
  });
  return {
    async run() {
      const started = performance.now();
      const first = new Map<string, number>();
      const last = new Map<string, number>();
      const success = new Map<string, number>();
      const result = await pacing(client, (member, outcome) => {
        const at = performance.now() - started;
        last.set(member.guildId, at);
        if (outcome === 'success') {
          success.set(member.guildId, (success.get(member.guildId) ?? 0) + 1);
          if (!first.has(member.guildId)) first.set(member.guildId, at);
        }
      });
      const wallMs = performance.now() - started;
      await client.close();
      const unfinished = new Map<string, number>();
      for (const member of result.unfinished) unfinished.set(member.guildId, (unfinished.get(member.guildId) ?? 0) + 1);
      return {
        wallMs,
        apiCalls: result.apiCalls,
        ledger: null,
        alliances: setup.alliances.map((a) => ({
          guildId: a.guildId,
          firstSuccessMs: first.get(a.guildId) ?? null,
          // An alliance with members left over is done only when the whole run gives up.
          finishedMs: unfinished.has(a.guildId) ? wallMs : (last.get(a.guildId) ?? wallMs),
          success: success.get(a.guildId) ?? 0,
          unfinished: unfinished.get(a.guildId) ?? 0,
          status: unfinished.has(a.guildId) ? 'incomplete' : 'completed',
        })),
      };
    },
  };
}
