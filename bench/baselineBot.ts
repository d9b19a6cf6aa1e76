import { setTimeout as sleep } from 'node:timers/promises';
import { classifyAnswer } from '../src/game/classifyAnswer.ts';
import type { Game } from '../src/game/games.ts';
import type { GiftCodeClient } from '../src/game/giftCodeClient.ts';
import type { Range } from './timeProfile.ts';

/**
 * The pacing of the existing bots, as the API notes describe the best-known one: one member at a time, a jittered
 * ~1 s pause after every call, and a member whose call was refused (429) or busy (TIMEOUT RETRY) goes back into the
 * queue for another cycle 60 s later, up to 10 cycles. It sends the same requests as giftbot (our client and
 * classifier), so only the pacing differs. It is given the benefit of the doubt on every other transient answer
 * (5xx, timeouts, garbage): those are requeued too, rather than given up.
 */
export interface BaselineMember {
  guildId: string;
  fid: string;
  kid: number;
}

export interface BaselineOptions {
  client: GiftCodeClient;
  game: Game;
  code: string;
  /** In queue order (alliance after alliance, as one bot serves its alliances from one queue). */
  members: readonly BaselineMember[];
  pauseMs: Range;
  requeueMs: number;
  maxCycles?: number;
  random: () => number;
  /** Called when a member gets a final answer. */
  onFinal?: (member: BaselineMember, outcome: 'success' | 'already' | 'failed') => void;
}

export interface BaselineResult {
  apiCalls: number;
  /** Members left without a final answer (cycles exhausted, or the code turned out dead). */
  unfinished: BaselineMember[];
}

export async function runBaseline(options: BaselineOptions): Promise<BaselineResult> {
  const maxCycles = options.maxCycles ?? 10;
  let queue = options.members.map((member) => ({ member, notBefore: 0 }));
  let apiCalls = 0;
  const pause = () => options.pauseMs.min + options.random() * (options.pauseMs.max - options.pauseMs.min);

  for (let cycle = 1; cycle <= maxCycles && queue.length > 0; cycle += 1) {
    const requeued: typeof queue = [];
    for (const [index, entry] of queue.entries()) {
      const wait = entry.notBefore - performance.now();
      if (wait > 0) await sleep(wait);
      const { member } = entry;
      const answer = await options.client.redeem({
        game: options.game,
        fid: member.fid,
        kid: member.kid,
        code: options.code,
      });
      apiCalls += 1;
      const classification = classifyAnswer(answer);
      switch (classification.kind) {
        case 'success':
          options.onFinal?.(member, 'success');
          break;
        case 'already-redeemed':
          options.onFinal?.(member, 'already');
          break;
        case 'member-final':
          options.onFinal?.(member, 'failed');
          break;
        case 'retry-later':
          requeued.push({ member, notBefore: performance.now() + options.requeueMs });
          break;
        case 'code-final':
        case 'config-error':
          // Nothing more can succeed: the rest of the queue stays unfinished.
          return { apiCalls, unfinished: [...requeued, ...queue.slice(index)].map((e) => e.member) };
      }
      await sleep(pause());
    }
    queue = requeued;
  }
  return { apiCalls, unfinished: queue.map((entry) => entry.member) };
}
