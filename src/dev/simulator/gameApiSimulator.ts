import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Game } from '../../game/games.ts';
import { FaultInjector } from './faults.ts';
import { FeedRegistry } from './feeds.ts';
import { FixedWindowBudget } from './fixedWindowBudget.ts';
import { handleRequest } from './handleRequest.ts';
import { latencyFn } from './prng.ts';
import { Responder } from './responder.ts';
import { worldOf, type SimulatorState } from './simulatorState.ts';
import type {
  AnswerStyle,
  CodeOptions,
  CodeStatus,
  FaultSpec,
  FeedSpec,
  PlayerSpec,
  RateLimitSpec,
  SimulatorCall,
  SimulatorOptions,
} from './types.ts';

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

export async function startGameApiSimulator(options: SimulatorOptions = {}): Promise<GameApiSimulator> {
  const sim = new Simulator(options);
  await sim.listen(options.port ?? 0);
  return sim;
}

/**
 * The simulator's server and admin API (what tests set up and inspect). Requests are handled in handleRequest.ts and
 * redeemRequest.ts over the shared state; answers are written by responder.ts.
 */
class Simulator implements GameApiSimulator {
  private readonly server: Server;
  private readonly state: SimulatorState;
  private baseUrl = '';
  private closing: Promise<void> | undefined;

  constructor(options: SimulatorOptions) {
    const rate = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit || null;
    this.state = {
      worlds: new Map(),
      faults: new FaultInjector(),
      feeds: new FeedRegistry(),
      budget: rate ? new FixedWindowBudget(rate.limit, rate.windowMs) : null,
      rateSpec: rate,
      playerSpacingMs: options.playerSpacingMs ?? 2000,
      latency: latencyFn(options.latencyMs ?? 0, options.seed ?? 1),
      callLog: [],
      respond: new Responder(options.onCall, options.answerStyle ?? null),
      unknownPlayer: options.unknownPlayer,
    };
    this.server = createServer((req, res) => handleRequest(this.state, req, res));
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
    return this.state.callLog;
  }

  apiBase(game: Game): string {
    return `${this.baseUrl}/${game}/api/`;
  }

  addPlayer(game: Game, p: PlayerSpec): void {
    worldOf(this.state, game).addPlayer(p);
  }

  addPlayers(game: Game, ps: readonly PlayerSpec[]): void {
    for (const p of ps) this.addPlayer(game, p);
  }

  addCode(game: Game, code: string, o?: CodeOptions): void {
    worldOf(this.state, game).addCode(code, o);
  }

  setCodeStatus(game: Game, code: string, status: CodeStatus): void {
    worldOf(this.state, game).setCodeStatus(code, status);
  }

  injectFault(f: FaultSpec): void {
    this.state.faults.inject(f);
  }

  clearFaults(): void {
    this.state.faults.clear();
  }

  setRateLimit(r: RateLimitSpec | null): void {
    this.state.budget = r ? new FixedWindowBudget(r.limit, r.windowMs) : null;
    this.state.rateSpec = r;
  }

  setAnswerStyle(style: AnswerStyle | null): void {
    this.state.respond.answerStyle = style;
  }

  resetCalls(): void {
    this.state.callLog = [];
  }

  successes(game: Game, code: string): string[] {
    return worldOf(this.state, game).successes(code);
  }

  setFeed(name: string, feed: FeedSpec): void {
    this.state.feeds.set(name, feed);
  }

  feedUrl(name: string): string {
    return `${this.baseUrl}/feeds/${encodeURIComponent(name)}`;
  }

  feedRequests(name: string): number {
    return this.state.feeds.requests(name);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.state.respond.close();
      this.server.close(() => resolve());
      // Keep-alive sockets and hanging requests would otherwise keep close() waiting forever.
      this.server.closeAllConnections();
    });
    return this.closing;
  }
}
