import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Game } from '../../game/games.ts';
import { ANSWERS, TOO_MANY_ATTEMPTS } from './answers.ts';
import { GARBAGE_BODY, HTML_PAGE, HUGE_BODY_BYTES, nginxErrorPage } from './faults.ts';
import { parseFields } from './formFields.ts';
import { streamHugeBody } from './hugeBody.ts';
import type { Headers } from './responder.ts';
import { worldOf, type SimulatorState } from './simulatorState.ts';
import type { SimulatorCall } from './types.ts';

const DEFAULT_SLOW_MS = 3000;

/** POST /{game}/api/gift_code: the throttle, then any injected fault, then the game's own rules. */
export function redeemRequest(
  state: SimulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  call: SimulatorCall,
  game: Game,
  body: string,
): void {
  const { respond } = state;
  const fields = parseFields(req.headers['content-type'], body);
  call.fid = fields.fid;
  call.kid = fields.kid;
  call.cdk = fields.cdk;

  // 1. Throttle per client IP and game; refused hits are not counted.
  const headers: Headers = {};
  const budget = state.budget;
  if (budget) {
    const decision = budget.hit(`${call.ip}|${game}`, performance.now());
    if (state.rateSpec?.headers !== false) {
      headers['x-ratelimit-limit'] = decision.limit;
      headers['x-ratelimit-remaining'] = decision.remaining;
    }
    if (!decision.allowed) {
      const mode = state.rateSpec?.retryAfter ?? 'reset';
      if (mode !== 'omit') {
        const retryAfter = typeof mode === 'number' ? mode : Math.max(1, Math.ceil(decision.resetInMs / 1000));
        headers['retry-after'] = retryAfter;
        headers['x-ratelimit-reset'] = Math.floor(Date.now() / 1000) + retryAfter;
      }
      call.msg = TOO_MANY_ATTEMPTS.message;
      respond.json(res, call, 429, headers, TOO_MANY_ATTEMPTS, state.latency());
      return;
    }
    call.counted = true;
  }

  // 2. Injected faults (they have already cost budget, as a real failed call would).
  const fault = state.faults.take({ game, fid: fields.fid });
  if (fault) call.fault = fault.kind;
  switch (fault?.kind) {
    case 'hang':
      // Never answer; close() drops the socket.
      respond.notify(call);
      return;
    case 'reset':
      respond.notify(call);
      respond.later(state.latency(), () => res.destroy());
      return;
    case 'timeout-retry':
    case 'params-error':
      respond.api(
        res,
        call,
        headers,
        fault.kind === 'params-error' ? ANSWERS.paramsError : ANSWERS.timeoutRetry,
        state.latency(),
      );
      return;
    case 'http-502':
    case 'http-503':
    case 'http-504': {
      const status = Number(fault.kind.slice(5)) as 502 | 503 | 504;
      respond.raw(
        res,
        call,
        status,
        { ...headers, 'content-type': 'text/html' },
        nginxErrorPage(status),
        state.latency(),
      );
      return;
    }
    case 'http-500':
    case 'http-404':
      respond.json(
        res,
        call,
        fault.kind === 'http-500' ? 500 : 404,
        headers,
        { message: fault.kind === 'http-500' ? 'Server Error' : 'Not Found' },
        state.latency(),
      );
      return;
    case 'huge-body':
      call.httpStatus = 200;
      respond.notify(call);
      respond.later(state.latency(), () => {
        if (!res.destroyed && !res.writableEnded)
          streamHugeBody(res, headers, fault.sizeBytes ?? HUGE_BODY_BYTES, (n) => (call.bodyBytesSent = n));
      });
      return;
    case 'garbage':
      respond.raw(res, call, 200, { ...headers, 'content-type': 'application/json' }, GARBAGE_BODY, state.latency());
      return;
    case 'html':
      respond.raw(
        res,
        call,
        200,
        { ...headers, 'content-type': 'text/html; charset=UTF-8' },
        HTML_PAGE,
        state.latency(),
      );
      return;
    case 'empty':
      respond.raw(res, call, 200, { ...headers, 'content-type': 'application/json' }, '', state.latency());
      return;
    case 'slow':
    case undefined:
      break;
  }

  // 3–8. The game's own rules. A slow answer is decided now and only delivered late, like a server that redeemed
  // but answered after the client may have given up.
  const answer = worldOf(state, game).redeem(fields, performance.now(), state.playerSpacingMs);
  const delay = state.latency() + (fault?.kind === 'slow' ? (fault.delayMs ?? DEFAULT_SLOW_MS) : 0);
  respond.api(res, call, headers, answer, delay);
}
