import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { isGame } from '../../game/games.ts';
import { redeemRequest } from './redeemRequest.ts';
import type { SimulatorState } from './simulatorState.ts';
import type { SimulatorCall } from './types.ts';

const MAX_BODY_BYTES = 64 * 1024;

/** Every HTTP request the simulator gets: logged as a call, its body read (capped), then routed. */
export function handleRequest(state: SimulatorState, req: IncomingMessage, res: ServerResponse): void {
  let path: string;
  try {
    path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  } catch {
    path = req.url ?? '/';
  }
  const call: SimulatorCall = {
    at: Date.now(),
    atMono: performance.now(),
    game: null,
    method: req.method ?? 'GET',
    path,
    ip: req.socket.remoteAddress ?? 'unknown',
    httpStatus: 0,
    counted: false,
  };
  state.callLog.push(call);

  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('error', () => {
    /* the client went away; the call keeps httpStatus 0 */
  });
  req.on('end', () => {
    if (tooLarge) {
      state.respond.json(res, call, 413, {}, { message: 'Payload Too Large' }, 0);
      return;
    }
    try {
      route(state, req, res, call, Buffer.concat(chunks).toString('utf8'));
    } catch {
      // A simulator bug or a malformed path must fail this request, not the test process hosting the server.
      if (!res.headersSent) state.respond.json(res, call, 500, {}, { message: 'Server Error' }, 0);
    }
  });
}

function route(
  state: SimulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  call: SimulatorCall,
  body: string,
): void {
  const feed = /^\/feeds\/([^/]+)$/.exec(call.path);
  if (feed) {
    let name: string | undefined;
    try {
      name = decodeURIComponent(feed[1] as string);
    } catch {
      name = undefined; // malformed escape: no such feed
    }
    if (name === undefined) state.respond.json(res, call, 404, {}, { detail: 'Not Found' }, 0);
    else serveFeed(state, req, res, call, name);
    return;
  }
  const api = /^\/([^/]+)\/api\/(.*)$/.exec(call.path);
  const game = api?.[1];
  if (api && isGame(game)) {
    call.game = game;
    if (api[2] === 'gift_code') {
      if (call.method !== 'POST') {
        // Laravel answers a wrong method at routing, before the throttle middleware: not counted.
        state.respond.json(
          res,
          call,
          405,
          { allow: 'POST' },
          {
            message: `The ${call.method} method is not supported for route ${game}/api/gift_code. Supported methods: POST.`,
          },
          state.latency(),
        );
        return;
      }
      redeemRequest(state, req, res, call, game, body);
      return;
    }
  }
  state.respond.json(res, call, 404, {}, { message: 'Not Found' }, state.latency());
}

function serveFeed(
  state: SimulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  call: SimulatorCall,
  name: string,
): void {
  if (call.method !== 'GET' && call.method !== 'HEAD') {
    state.respond.json(res, call, 405, { allow: 'GET' }, { detail: 'Method Not Allowed' }, 0);
    return;
  }
  const answer = state.feeds.answer(name, req.headers);
  state.respond.raw(res, call, answer.status, answer.headers, answer.body, answer.delayMs);
}
