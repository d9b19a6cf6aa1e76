import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { gameInfo, isGame, type Game } from '../../game/games.ts';
import { ANSWERS, styledAnswer, TOO_MANY_ATTEMPTS, type ApiAnswer } from './answers.ts';
import { FaultInjector, GARBAGE_BODY, HTML_PAGE, HUGE_BODY_BYTES, nginxErrorPage } from './faults.ts';
import { parseFields } from './formFields.ts';
import { streamHugeBody } from './hugeBody.ts';
import { FeedRegistry } from './feeds.ts';
import { FixedWindowBudget } from './fixedWindowBudget.ts';
import { GiftCodeWorld } from './giftCodeWorld.ts';
import { latencyFn } from './prng.ts';
import type { AnswerStyle, CodeOptions, CodeStatus, FaultSpec, FeedSpec, PlayerSpec, RateLimitSpec, SimulatorCall, SimulatorOptions } from './types.ts';

export type * from './types.ts';

export interface GameApiSimulator {
  /** 'http://127.0.0.1:PORT' */
  readonly url: string;
  /** `${url}/${game}/api/` */
  apiBase(game: Game): string;
  addPlayer(game: Game, p: PlayerSpec): void;
  addPlayers(game: Game, ps: readonly PlayerSpec[]): void;
  /** Adds a code, or replaces its options (keeping who already claimed it). */
  addCode(game: Game, code: string, o?: CodeOptions): void;
  setCodeStatus(game: Game, code: string, status: CodeStatus): void;
  injectFault(f: FaultSpec): void;
  clearFaults(): void;
  /** Replaces the rate limit (null disables it); every window starts afresh. */
  setRateLimit(r: RateLimitSpec | null): void;
  /** Spells the game's JSON answers this way from now on (null: the documented shape). */
  setAnswerStyle(style: AnswerStyle | null): void;
  /** Every request received, in arrival order. */
  readonly calls: readonly SimulatorCall[];
  resetCalls(): void;
  /** fids that got SUCCESS for that code, in order. */
  successes(game: Game, code: string): string[];
  /** Serves GET `${url}/feeds/${name}`. */
  setFeed(name: string, feed: FeedSpec): void;
  feedUrl(name: string): string;
  feedRequests(name: string): number;
  /** Stops listening and drops every connection (hanging requests included); never hangs. */
  close(): Promise<void>;
}

const DEFAULT_RATE_LIMIT: RateLimitSpec = { limit: 30, windowMs: 60_000 };
const MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_SLOW_MS = 3000;

export async function startGameApiSimulator(options: SimulatorOptions = {}): Promise<GameApiSimulator> {
  const sim = new Simulator(options);
  await sim.listen(options.port ?? 0);
  return sim;
}

type Headers = Record<string, string | number>;

class Simulator implements GameApiSimulator {
  private readonly server: Server;
  private readonly worlds = new Map<Game, GiftCodeWorld>();
  private readonly faults = new FaultInjector();
  private readonly feeds = new FeedRegistry();
  private budget: FixedWindowBudget | null;
  private readonly playerSpacingMs: number;
  private readonly latency: () => number;
  private readonly onCall: ((call: SimulatorCall) => void) | undefined;
  private answerStyle: AnswerStyle | null;
  private readonly unknownPlayer: SimulatorOptions['unknownPlayer'];
  private callLog: SimulatorCall[] = [];
  /** Answers held back by latency, slow faults or feed delays; cleared on close so nothing fires afterwards. */
  private readonly timers = new Set<NodeJS.Timeout>();
  private rateSpec: RateLimitSpec | null = null;
  private baseUrl = '';
  private closing: Promise<void> | undefined;

  constructor(options: SimulatorOptions) {
    const rate = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit || null;
    this.budget = rate ? new FixedWindowBudget(rate.limit, rate.windowMs) : null;
    this.rateSpec = rate;
    this.playerSpacingMs = options.playerSpacingMs ?? 2000;
    this.latency = latencyFn(options.latencyMs ?? 0, options.seed ?? 1);
    this.onCall = options.onCall;
    this.answerStyle = options.answerStyle ?? null;
    this.unknownPlayer = options.unknownPlayer;
    this.server = createServer((req, res) => this.onRequest(req, res));
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}`;
  }

  get url(): string {
    return this.baseUrl;
  }

  get calls(): readonly SimulatorCall[] {
    return this.callLog;
  }

  apiBase(game: Game): string {
    return `${this.baseUrl}/${game}/api/`;
  }

  addPlayer(game: Game, p: PlayerSpec): void {
    this.world(game).addPlayer(p);
  }

  addPlayers(game: Game, ps: readonly PlayerSpec[]): void {
    for (const p of ps) this.addPlayer(game, p);
  }

  addCode(game: Game, code: string, o?: CodeOptions): void {
    this.world(game).addCode(code, o);
  }

  setCodeStatus(game: Game, code: string, status: CodeStatus): void {
    this.world(game).setCodeStatus(code, status);
  }

  injectFault(f: FaultSpec): void {
    this.faults.inject(f);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  setRateLimit(r: RateLimitSpec | null): void {
    this.budget = r ? new FixedWindowBudget(r.limit, r.windowMs) : null;
    this.rateSpec = r;
  }

  setAnswerStyle(style: AnswerStyle | null): void {
    this.answerStyle = style;
  }

  resetCalls(): void {
    this.callLog = [];
  }

  successes(game: Game, code: string): string[] {
    return this.world(game).successes(code);
  }

  setFeed(name: string, feed: FeedSpec): void {
    this.feeds.set(name, feed);
  }

  feedUrl(name: string): string {
    return `${this.baseUrl}/feeds/${encodeURIComponent(name)}`;
  }

  feedRequests(name: string): number {
    return this.feeds.requests(name);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      this.server.close(() => resolve());
      // Keep-alive sockets and hanging requests would otherwise keep close() waiting forever.
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private world(game: Game): GiftCodeWorld {
    if (!isGame(game)) throw new RangeError(`unknown game: ${String(game)}`);
    let world = this.worlds.get(game);
    if (!world) this.worlds.set(game, (world = new GiftCodeWorld(gameInfo(game).salt, this.unknownPlayer ? { unknownPlayer: this.unknownPlayer } : {})));
    return world;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
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
    this.callLog.push(call);

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
        this.answerJson(res, call, 413, {}, { message: 'Payload Too Large' }, 0);
        return;
      }
      try {
        this.route(req, res, call, Buffer.concat(chunks).toString('utf8'));
      } catch {
        // A simulator bug or a malformed path must fail this request, not the test process hosting the server.
        if (!res.headersSent) this.answerJson(res, call, 500, {}, { message: 'Server Error' }, 0);
      }
    });
  }

  private route(req: IncomingMessage, res: ServerResponse, call: SimulatorCall, body: string): void {
    const feed = /^\/feeds\/([^/]+)$/.exec(call.path);
    if (feed) {
      let name: string | undefined;
      try {
        name = decodeURIComponent(feed[1] as string);
      } catch {
        name = undefined; // malformed escape: no such feed
      }
      if (name === undefined) this.answerJson(res, call, 404, {}, { detail: 'Not Found' }, 0);
      else this.serveFeed(req, res, call, name);
      return;
    }
    const api = /^\/([^/]+)\/api\/(.*)$/.exec(call.path);
    const game = api?.[1];
    if (api && isGame(game)) {
      call.game = game;
      if (api[2] === 'gift_code') {
        if (call.method !== 'POST') {
          // Laravel answers a wrong method at routing, before the throttle middleware: not counted.
          this.answerJson(res, call, 405, { allow: 'POST' }, {
            message: `The ${call.method} method is not supported for route ${game}/api/gift_code. Supported methods: POST.`,
          }, this.latency());
          return;
        }
        this.redeem(req, res, call, game, body);
        return;
      }
    }
    this.answerJson(res, call, 404, {}, { message: 'Not Found' }, this.latency());
  }

  private redeem(req: IncomingMessage, res: ServerResponse, call: SimulatorCall, game: Game, body: string): void {
    const fields = parseFields(req.headers['content-type'], body);
    call.fid = fields.fid;
    call.kid = fields.kid;
    call.cdk = fields.cdk;

    // 1. Throttle per client IP and game; refused hits are not counted.
    const headers: Headers = {};
    const budget = this.budget;
    if (budget) {
      const decision = budget.hit(`${call.ip}|${game}`, performance.now());
      if (this.rateSpec?.headers !== false) {
        headers['x-ratelimit-limit'] = decision.limit;
        headers['x-ratelimit-remaining'] = decision.remaining;
      }
      if (!decision.allowed) {
        const mode = this.rateSpec?.retryAfter ?? 'reset';
        if (mode !== 'omit') {
          const retryAfter = typeof mode === 'number' ? mode : Math.max(1, Math.ceil(decision.resetInMs / 1000));
          headers['retry-after'] = retryAfter;
          headers['x-ratelimit-reset'] = Math.floor(Date.now() / 1000) + retryAfter;
        }
        call.msg = TOO_MANY_ATTEMPTS.message;
        this.answerJson(res, call, 429, headers, TOO_MANY_ATTEMPTS, this.latency());
        return;
      }
      call.counted = true;
    }

    // 2. Injected faults (they have already cost budget, as a real failed call would).
    const fault = this.faults.take({ game, fid: fields.fid });
    if (fault) call.fault = fault.kind;
    switch (fault?.kind) {
      case 'hang':
        // Never answer; close() drops the socket.
        this.notify(call);
        return;
      case 'reset':
        this.notify(call);
        this.later(this.latency(), () => res.destroy());
        return;
      case 'timeout-retry':
      case 'params-error':
        this.answerApi(res, call, headers, fault.kind === 'params-error' ? ANSWERS.paramsError : ANSWERS.timeoutRetry, this.latency());
        return;
      case 'http-502':
      case 'http-503':
      case 'http-504': {
        const status = Number(fault.kind.slice(5)) as 502 | 503 | 504;
        this.answerRaw(res, call, status, { ...headers, 'content-type': 'text/html' }, nginxErrorPage(status), this.latency());
        return;
      }
      case 'http-500':
      case 'http-404':
        this.answerJson(res, call, fault.kind === 'http-500' ? 500 : 404, headers, { message: fault.kind === 'http-500' ? 'Server Error' : 'Not Found' }, this.latency());
        return;
      case 'huge-body':
        call.httpStatus = 200;
        this.notify(call);
        this.later(this.latency(), () => {
          if (!res.destroyed && !res.writableEnded) streamHugeBody(res, headers, fault.sizeBytes ?? HUGE_BODY_BYTES, (n) => (call.bodyBytesSent = n));
        });
        return;
      case 'garbage':
        this.answerRaw(res, call, 200, { ...headers, 'content-type': 'application/json' }, GARBAGE_BODY, this.latency());
        return;
      case 'html':
        this.answerRaw(res, call, 200, { ...headers, 'content-type': 'text/html; charset=UTF-8' }, HTML_PAGE, this.latency());
        return;
      case 'empty':
        this.answerRaw(res, call, 200, { ...headers, 'content-type': 'application/json' }, '', this.latency());
        return;
      case 'slow':
      case undefined:
        break;
    }

    // 3–8. The game's own rules. A slow answer is decided now and only delivered late, like a server that redeemed
    // but answered after the client may have given up.
    const answer = this.world(game).redeem(fields, performance.now(), this.playerSpacingMs);
    const delay = this.latency() + (fault?.kind === 'slow' ? (fault.delayMs ?? DEFAULT_SLOW_MS) : 0);
    this.answerApi(res, call, headers, answer, delay);
  }

  private serveFeed(req: IncomingMessage, res: ServerResponse, call: SimulatorCall, name: string): void {
    if (call.method !== 'GET' && call.method !== 'HEAD') {
      this.answerJson(res, call, 405, { allow: 'GET' }, { detail: 'Method Not Allowed' }, 0);
      return;
    }
    const answer = this.feeds.answer(name, req.headers);
    this.answerRaw(res, call, answer.status, answer.headers, answer.body, answer.delayMs);
  }

  private answerApi(res: ServerResponse, call: SimulatorCall, headers: Headers, answer: ApiAnswer, delayMs: number): void {
    call.errCode = answer.err_code;
    call.msg = answer.msg;
    this.answerJson(res, call, 200, headers, styledAnswer(answer, this.answerStyle), delayMs);
  }

  private answerJson(res: ServerResponse, call: SimulatorCall, status: number, headers: Headers, value: unknown, delayMs: number): void {
    const body = JSON.stringify(value);
    this.answerRaw(res, call, status, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-cache, private' }, body, delayMs);
  }

  /** Records the decided status, then writes the answer after `delayMs` unless the client or the server is gone. */
  private answerRaw(res: ServerResponse, call: SimulatorCall, status: number, headers: Headers, body: string, delayMs: number): void {
    call.httpStatus = status;
    this.notify(call);
    this.later(delayMs, () => {
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  }

  private notify(call: SimulatorCall): void {
    try {
      this.onCall?.(call);
    } catch {
      // An observer's bug must not take the simulator down.
    }
  }

  private later(delayMs: number, fn: () => void): void {
    if (this.closing) return;
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
