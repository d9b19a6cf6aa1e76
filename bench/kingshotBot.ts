import { setTimeout as sleep } from 'node:timers/promises';
import { classifyAnswer } from '../src/game/classifyAnswer.ts';
import type { Game } from '../src/game/games.ts';
import type { GiftCodeClient } from '../src/game/giftCodeClient.ts';
import type { BaselineMember, BaselineResult } from './baselineBot.ts';

/**
 * The Kingshot bot's pacing, the strongest peer's (issue 14), as the API notes describe it: header-driven. Each
 * alliance's run is a caller that calls its members one after another as fast as the server answers, with no pause of
 * its own; after a 429 or an answer with `X-RateLimit-Remaining: 0`, every caller of the process waits until the fixed
 * 60 s window has refilled — the bot cannot see when the window opened, so it waits 61 s from that answer. A member
 * refused with 429 is called again after the pause; one answered `TIMEOUT RETRY.` (or 5xx, a timeout) goes to the end
 * of its caller's queue, up to 10 tries. It sends the same requests as giftbot (our client and classifier).
 */
export interface KingshotBotOptions {
  client: GiftCodeClient;
  game: Game;
  code: string;
  /** One queue per caller (an alliance's run), in order. */
  queues: readonly (readonly BaselineMember[])[];
  /** The pause of every caller after a 429 or `X-RateLimit-Remaining: 0`. */
  pauseMs: number;
  maxTries?: number;
  onFinal?: (member: BaselineMember, outcome: 'success' | 'already' | 'failed') => void;
}

export async function runKingshotBot(options: KingshotBotOptions): Promise<BaselineResult> {
  const maxTries = options.maxTries ?? 10;
  let pausedUntil = 0;
  let apiCalls = 0;
  let codeDead = false;
  const unfinished: BaselineMember[] = [];

  async function caller(members: readonly BaselineMember[]): Promise<void> {
    const queue = members.map((member) => ({ member, tries: 0 }));
    while (queue.length > 0) {
      if (codeDead) {
        unfinished.push(...queue.map((entry) => entry.member));
        return;
      }
      // Every caller honours the pause, including one set while this caller's own call was in flight.
      const wait = pausedUntil - performance.now();
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      const entry = queue[0]!;
      const answer = await options.client.redeem({
        game: options.game,
        fid: entry.member.fid,
        kid: entry.member.kid,
        code: options.code,
      });
      apiCalls += 1;
      if (answer.httpStatus === 429 || answer.rateLimit.remaining === 0)
        pausedUntil = Math.max(pausedUntil, performance.now() + options.pauseMs);
      if (answer.httpStatus === 429) continue; // the same member again, after the pause
      queue.shift();
      const classification = classifyAnswer(answer);
      switch (classification.kind) {
        case 'success':
          options.onFinal?.(entry.member, 'success');
          break;
        case 'already-redeemed':
          options.onFinal?.(entry.member, 'already');
          break;
        case 'member-final':
          options.onFinal?.(entry.member, 'failed');
          break;
        case 'retry-later':
          entry.tries += 1;
          if (entry.tries < maxTries) queue.push(entry);
          else unfinished.push(entry.member);
          break;
        case 'code-final':
        case 'config-error':
          codeDead = true;
          unfinished.push(entry.member);
          break;
      }
    }
  }

  await Promise.all(options.queues.map((queue) => caller(queue)));
  return { apiCalls, unfinished };
}
