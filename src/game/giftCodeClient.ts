import { Agent, errors, request, type Dispatcher } from 'undici';
import type { ApiAnswer } from './apiAnswer.ts';
import { gameInfo, type Game } from './games.ts';
import { stripInvisible } from './giftCode.ts';
import { signParams } from './sign.ts';

export interface GiftCodeClientOptions {
  /** API base per game; defaults to the real hosts. */
  apiBases?: Partial<Record<Game, string>>;
  /** Sign salt per game, when the game has changed it since config/games.json was written. */
  salts?: Partial<Record<Game, string>>;
  connectTimeoutMs?: number;
  /** Time allowed for the answer (headers and body each). */
  readTimeoutMs?: number;
  userAgent?: string;
  /** Clock for the `time` field (tests pin it). */
  now?: () => number;
  /** Largest answer body read, in bytes; default 1 MB like the feeds (a real answer is under 200 bytes). */
  maxBodyBytes?: number;
  /** EGRESS_ADDRESS: the local address to send from (the game counts its limit per client address). */
  localAddress?: string | null;
}

export interface RedeemRequest {
  game: Game;
  fid: string;
  kid: number;
  code: string;
  signal?: AbortSignal;
  /**
   * Asked synchronously at the last moment before the request is written to the socket (after any queueing or
   * connecting); false cancels it unsent (transportError kind 'aborted'). The run lock's "still held?" goes here: a
   * process frozen between its lock check and the write must not send once it resumes after losing the lock.
   */
  beforeSend?: () => boolean;
}

export interface GiftCodeClient {
  redeem(request: RedeemRequest): Promise<ApiAnswer>;
  apiBase(game: Game): string;
  close(): Promise<void>;
}

const BROWSER_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const MAX_TEXT = 2_000;
const MAX_BODY_BYTES = 1024 * 1024;

export function createGiftCodeClient(options: GiftCodeClientOptions = {}): GiftCodeClient {
  const connectTimeout = options.connectTimeoutMs ?? 10_000;
  const readTimeout = options.readTimeoutMs ?? 20_000;
  // A dispatcher of our own: discord.js uses the global one, and its limits must not shape ours (nor ours its).
  const dispatcher = new Agent({
    connect: { timeout: connectTimeout },
    // A Client option (undici hands it to its connector for every socket), not a `connect` one.
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    headersTimeout: readTimeout,
    bodyTimeout: readTimeout,
    keepAliveTimeout: 30_000,
    connections: 16,
  }).compose(lastMomentGate);
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const apiBase = (game: Game) => options.apiBases?.[game] ?? gameInfo(game).apiBase;

  return {
    apiBase,
    async redeem({ game, fid, kid, code, signal, beforeSend }) {
      const info = gameInfo(game);
      const params: Record<string, string> = {
        cdk: stripInvisible(code).trim(),
        fid: String(fid),
        kid: String(kid),
        time: String(Math.floor(now() / 1000)),
      };
      params.sign = signParams(params, options.salts?.[game] ?? info.salt);
      const started = performance.now();
      // A hard deadline on top of undici's own timeouts, so a server that trickles bytes cannot hold a member forever.
      const deadline = AbortSignal.timeout(connectTimeout + readTimeout);
      const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
      try {
        const response = await request(new URL('gift_code', apiBase(game)), {
          method: 'POST',
          dispatcher,
          signal: combined,
          ...(beforeSend ? { beforeSend } : {}),
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json, text/plain, */*',
            origin: info.site,
            referer: `${info.site}/`,
            'user-agent': options.userAgent ?? BROWSER_UA,
          },
          body: new URLSearchParams(params).toString(),
        });
        const read = await readCapped(response.body, maxBodyBytes);
        return {
          httpStatus: response.statusCode,
          // An oversized body is not parsed: its start may be valid JSON that says nothing true about the whole.
          body: read.tooLarge ? null : parseJson(read.text),
          text: read.text.slice(0, MAX_TEXT),
          rateLimit: readRateLimit(response.headers),
          durationMs: performance.now() - started,
          ...(read.tooLarge ? { tooLarge: { maxBytes: maxBodyBytes } } : {}),
        };
      } catch (error) {
        return {
          httpStatus: 0,
          body: null,
          text: '',
          rateLimit: {},
          transportError: describeTransportError(error, signal),
          durationMs: performance.now() - started,
        };
      }
    },
    async close() {
      await dispatcher.close();
    },
  };
}

/** Thrown into a request its caller's `beforeSend` refused: it was never written to the socket. */
class NotSentError extends Error {
  override name = 'NotSentError';
}

/**
 * An undici interceptor: undici calls a handler's onRequestStart synchronously right before writing the request, and
 * an abort there means nothing is written. The request's `beforeSend` option (passed through undici's options) is
 * asked at that moment.
 */
function lastMomentGate(dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] {
  return (opts, handler) => {
    const beforeSend = (opts as { beforeSend?: () => boolean }).beforeSend;
    if (!beforeSend) return dispatch(opts, handler);
    const gated = new Proxy(handler, {
      get(target, key) {
        if (key === 'onRequestStart') {
          return (controller: Dispatcher.DispatchController, context: unknown) => {
            if (!beforeSend()) {
              controller.abort(new NotSentError('not sent: the caller may no longer send it'));
              return;
            }
            return target.onRequestStart?.(controller, context);
          };
        }
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return dispatch(opts, gated);
  };
}

/**
 * Reads the body up to `maxBytes`: a server (or a proxy in front of it) that sends hundreds of megabytes must not
 * make every member's answer hold that much memory. Past the cap the socket is dropped and the answer is garbage.
 */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number,
): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > maxBytes) {
      chunks.push(chunk.subarray(0, Math.max(0, Math.min(chunk.length, MAX_TEXT - size))));
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: true };
    }
    size += chunk.length;
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: false };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readRateLimit(headers: Headers): ApiAnswer['rateLimit'] {
  const out: ApiAnswer['rateLimit'] = {};
  const limit = Number(header(headers, 'x-ratelimit-limit'));
  const remaining = Number(header(headers, 'x-ratelimit-remaining'));
  if (header(headers, 'x-ratelimit-limit') !== undefined && Number.isFinite(limit)) out.limit = limit;
  if (header(headers, 'x-ratelimit-remaining') !== undefined && Number.isFinite(remaining)) out.remaining = remaining;
  const retryAfter = parseRetryAfter(header(headers, 'retry-after'));
  if (retryAfter !== undefined) out.retryAfterMs = retryAfter;
  const reset = parseRateLimitReset(header(headers, 'x-ratelimit-reset'));
  if (reset !== undefined) out.resetInMs = reset;
  return out;
}

/** X-RateLimit-Reset: an epoch time in seconds (Laravel) or, from some servers, seconds from now. */
export function parseRateLimitReset(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.max(0, Math.round(seconds > 1e9 ? seconds * 1000 - nowMs : seconds * 1000));
}

/** Retry-After is seconds (whole or, from some proxies, fractional) or an HTTP date. */
export function parseRetryAfter(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, date - nowMs);
  return undefined;
}

function describeTransportError(error: unknown, callerSignal?: AbortSignal): NonNullable<ApiAnswer['transportError']> {
  if (callerSignal?.aborted) return { kind: 'aborted', message: 'the run was stopped' };
  if (error instanceof NotSentError) return { kind: 'aborted', message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  const timedOut =
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError ||
    (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'));
  return { kind: timedOut ? 'timeout' : 'network', message };
}
