import type { ServerResponse } from 'node:http';
import { styledAnswer, type ApiAnswer } from './answers.ts';
import type { AnswerStyle, SimulatorCall } from './types.ts';

export type Headers = Record<string, string | number>;

/**
 * Writes the simulator's answers: records the decided status on the call, tells the observer, then delivers the body
 * after the answer's delay. Held-back answers are timers, cleared by `close()` so nothing fires afterwards.
 */
export class Responder {
  /** How the JSON answers are spelled (null: the documented shape); the admin API changes it. */
  answerStyle: AnswerStyle | null;
  private readonly onCall: ((call: SimulatorCall) => void) | undefined;
  /** Answers held back by latency, slow faults or feed delays. */
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(onCall: ((call: SimulatorCall) => void) | undefined, answerStyle: AnswerStyle | null) {
    this.onCall = onCall;
    this.answerStyle = answerStyle;
  }

  /** Drops every held-back answer; later answers are never written. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  api(res: ServerResponse, call: SimulatorCall, headers: Headers, answer: ApiAnswer, delayMs: number): void {
    call.errCode = answer.err_code;
    call.msg = answer.msg;
    this.json(res, call, 200, headers, styledAnswer(answer, this.answerStyle), delayMs);
  }

  json(
    res: ServerResponse,
    call: SimulatorCall,
    status: number,
    headers: Headers,
    value: unknown,
    delayMs: number,
  ): void {
    const body = JSON.stringify(value);
    this.raw(
      res,
      call,
      status,
      { ...headers, 'content-type': 'application/json', 'cache-control': 'no-cache, private' },
      body,
      delayMs,
    );
  }

  /** Records the decided status, then writes the answer after `delayMs` unless the client or the server is gone. */
  raw(res: ServerResponse, call: SimulatorCall, status: number, headers: Headers, body: string, delayMs: number): void {
    call.httpStatus = status;
    this.notify(call);
    this.later(delayMs, () => {
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  }

  notify(call: SimulatorCall): void {
    try {
      this.onCall?.(call);
    } catch {
      // An observer's bug must not take the simulator down.
    }
  }

  later(delayMs: number, fn: () => void): void {
    if (this.closed) return;
    if (delayMs <= 0) {
      fn();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, delayMs);
    this.timers.add(timer);
  }
}
