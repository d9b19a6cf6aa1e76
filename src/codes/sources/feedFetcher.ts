import { Agent, request } from 'undici';
import { errorText } from './feedParsers.ts';
import type { FeedSource } from './feedSource.ts';

/** What the last good answer said about its version, sent back so an unchanged feed answers 304. */
export interface FeedValidators {
  etag: string | null;
  lastModified: string | null;
}

export type FetchOutcome = { changed: true; body: string; validators: FeedValidators } | { changed: false };

export type FeedErrorKind = 'http' | 'timeout' | 'network' | 'too-large' | 'malformed';

/** A poll that got no usable answer; `message` is safe to log (no key, no full URL). */
export class FeedError extends Error {
  readonly kind: FeedErrorKind;
  constructor(kind: FeedErrorKind, message: string) {
    super(message);
    this.name = 'FeedError';
    this.kind = kind;
  }
}

export interface FeedFetcher {
  fetch(source: FeedSource, validators: FeedValidators, signal?: AbortSignal): Promise<FetchOutcome>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

export function createFeedFetcher(options: { timeoutMs: number; maxBytes?: number }): FeedFetcher {
  const { timeoutMs } = options;
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  // A dispatcher per feed: discord.js shares the global one, and feeds on one host shared a pool of 4 connections,
  // so hung feeds held every connection and healthy feeds on that host queued behind them until their own deadline
  // passed. A feed polls one request at a time: one connection of its own is all it needs.
  const dispatchers = new Map<string, Agent>();
  const dispatcherFor = (source: FeedSource): Agent => {
    let dispatcher = dispatchers.get(source.name);
    if (!dispatcher) {
      dispatcher = new Agent({
        connect: { timeout: timeoutMs },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        keepAliveTimeout: 10_000,
        connections: 1,
      });
      dispatchers.set(source.name, dispatcher);
    }
    return dispatcher;
  };

  return {
    async fetch(source, validators, signal) {
      // One deadline for the whole request: a server that trickles bytes cannot hold a poll open.
      const deadline = AbortSignal.timeout(timeoutMs);
      const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
      const headers: Record<string, string> = {
        accept: 'application/json, text/plain;q=0.9, */*;q=0.5',
        'user-agent': 'giftbot (code feed poller)',
      };
      if (source.apiKey) headers['x-api-key'] = source.apiKey;
      if (validators.etag) headers['if-none-match'] = validators.etag;
      if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
      try {
        const response = await request(source.url, {
          method: 'GET',
          dispatcher: dispatcherFor(source),
          signal: combined,
          headers,
        });
        if (response.statusCode === 304) {
          await response.body.dump();
          return { changed: false };
        }
        const body = await readCapped(response.body, maxBytes);
        if (response.statusCode < 200 || response.statusCode >= 300) {
          let said: string | null = null;
          try {
            said = errorText(JSON.parse(body));
          } catch {
            said = body.trim() ? body.trim().slice(0, 80) : null;
          }
          const hint = response.statusCode === 401 || response.statusCode === 403 ? " (check the feed's apiKey)" : '';
          throw new FeedError('http', `HTTP ${response.statusCode}${said ? `: ${said}` : ''}${hint}`);
        }
        return {
          changed: true,
          body,
          validators: {
            etag: header(response.headers, 'etag'),
            lastModified: header(response.headers, 'last-modified'),
          },
        };
      } catch (error) {
        if (error instanceof FeedError) throw error;
        if (deadline.aborted && !signal?.aborted)
          throw new FeedError('timeout', `no complete answer within ${timeoutMs} ms`);
        const err = error as Error & { code?: string };
        const timedOut = err.name === 'TimeoutError' || /Timeout/.test(err.code ?? '') || /timeout/i.test(err.name);
        if (timedOut) throw new FeedError('timeout', `no complete answer within ${timeoutMs} ms`);
        throw new FeedError('network', err.code ? `${err.code}: ${err.message}` : err.message);
      }
    },
    async close() {
      await Promise.all([...dispatchers.values()].map((dispatcher) => dispatcher.destroy()));
      dispatchers.clear();
    },
  };
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw new FeedError('too-large', `the answer is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first && first.trim() ? first : null;
}
