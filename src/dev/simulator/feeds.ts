import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { FeedSpec } from './types.ts';

export interface FeedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** How long to hold the answer back. */
  delayMs: number;
}

interface Feed {
  spec: FeedSpec;
  /** DD.MM.YYYY (UTC) of the setFeed call, appended to community entries that carry no date. */
  date: string;
  requests: number;
}

/** Code feeds served at `GET /feeds/{name}`: the community bot's API and plainer list/text sources. */
export class FeedRegistry {
  private readonly feeds = new Map<string, Feed>();

  set(name: string, spec: FeedSpec): void {
    const previous = this.feeds.get(name);
    this.feeds.set(name, {
      spec: { ...spec, codes: [...spec.codes] },
      date: ddmmyyyy(new Date()),
      requests: previous?.requests ?? 0,
    });
  }

  requests(name: string): number {
    return this.feeds.get(name)?.requests ?? 0;
  }

  answer(name: string, headers: Readonly<Record<string, string | string[] | undefined>>): FeedAnswer {
    const feed = this.feeds.get(name);
    if (!feed) return json(404, { detail: 'Not Found' }, 0);
    feed.requests += 1;
    const { spec } = feed;
    const delayMs = spec.delayMs ?? 0;

    if (spec.apiKey !== undefined && header(headers, 'x-api-key') !== spec.apiKey) {
      return json(401, { error: 'Invalid API key' }, delayMs);
    }
    if (spec.status !== undefined && spec.body === undefined) {
      return json(spec.status, { detail: STATUS_CODES[spec.status] ?? 'Error' }, delayMs);
    }

    const { body, contentType } =
      spec.body !== undefined ? { body: spec.body, contentType: 'application/json' } : render(feed);
    const status = spec.status ?? 200;
    if (status !== 200) return { status, headers: { 'content-type': contentType }, body, delayMs };

    // A strong ETag over the exact bytes: pollers send it back and get 304 while nothing changed.
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 20)}"`;
    const ifNoneMatch = header(headers, 'if-none-match');
    if (ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
      return { status: 304, headers: { etag }, body: '', delayMs };
    }
    return { status: 200, headers: { 'content-type': contentType, etag, 'cache-control': 'no-cache' }, body, delayMs };
  }
}

function render(feed: Feed): { body: string; contentType: string } {
  const { format, codes } = feed.spec;
  switch (format) {
    case 'community':
      return {
        body: JSON.stringify({ codes: codes.map((c) => (c.includes(' ') ? c : `${c} ${feed.date}`)) }),
        contentType: 'application/json',
      };
    case 'list':
      return { body: JSON.stringify(codes), contentType: 'application/json' };
    case 'text':
      return { body: codes.map((c) => `${c}\n`).join(''), contentType: 'text/plain; charset=utf-8' };
  }
}

function json(status: number, value: unknown, delayMs: number): FeedAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value), delayMs };
}

function header(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function ddmmyyyy(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`;
}
