// HTTP side of the fake: parses requests (JSON or multipart payload_json + files), records every REST call,
// authenticates, routes to the REST table, serves attachment content, and hands WebSocket upgrades to the gateway.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiError, notFound, unauthorized } from './errors.ts';
import type { HttpResult } from './errors.ts';
import type { Gateway } from './gateway.ts';
import type { MessageStore } from './messages.ts';
import type { RecordedFile, RestCall } from './types.ts';

export const API_PREFIX = '/api/v10';

export interface RouteContext {
  params: Record<string, string>;
  body: unknown;
  files: RecordedFile[];
  query: Record<string, string>;
  call: RestCall;
}

export interface Route {
  method: string;
  /** e.g. '/channels/:channelId/messages/:messageId' (segments are matched decoded) */
  pattern: string;
  /** requires `Authorization: Bot <token>`; webhook and interaction-callback routes do not */
  auth: boolean;
  handle(ctx: RouteContext): HttpResult | Promise<HttpResult>;
}

export interface ServerDeps {
  token: string;
  routes: () => Route[];
  gateway: Gateway;
  messages: MessageStore;
  calls: RestCall[];
  unhandled: RestCall[];
  error(message: string): void;
}

export interface RunningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 30 * 1024 * 1024;

export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((err: unknown) => {
      deps.error(`fake server error on ${req.method ?? '?'} ${req.url ?? '?'}: ${String(err)}`);
      if (!res.headersSent) send(res, apiError(500, 0, '500: Internal Server Error'));
      else res.destroy();
    });
  });
  server.on('upgrade', (req, socket, head) => deps.gateway.handleUpgrade(req, socket, head));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const raw = await readBody(req);

  if (method === 'GET' && url.pathname.startsWith('/attachments/')) {
    const id = url.pathname.split('/')[2] ?? '';
    const attachment = deps.messages.attachments.get(id);
    if (attachment) {
      res.writeHead(200, { 'content-type': attachment.contentType, 'content-length': attachment.data.length });
      res.end(attachment.data);
      return;
    }
  }

  const isApi = url.pathname.startsWith(`${API_PREFIX}/`);
  const rawPath = isApi ? url.pathname.slice(API_PREFIX.length) : url.pathname;
  const segments = rawPath
    .split('/')
    .filter((s) => s !== '')
    .map(safeDecode);
  const call: RestCall = {
    method,
    path: `/${segments.join('/')}`,
    query: Object.fromEntries(url.searchParams),
    body: undefined,
    files: [],
    at: Date.now(),
    status: 0,
  };
  const auth = req.headers.authorization;
  if (auth !== undefined) call.auth = auth;
  deps.calls.push(call);

  const finish = (result: HttpResult): void => {
    call.status = result.status;
    if (result.body !== undefined) call.response = result.body;
    send(res, result);
  };

  const parsed = await parseBody(req.headers['content-type'], raw);
  if ('error' in parsed) {
    finish(parsed.error);
    return;
  }
  call.body = parsed.body;
  call.files = parsed.files;

  const match = isApi ? findRoute(deps.routes(), method, segments) : undefined;
  if (!match) {
    deps.unhandled.push(call);
    finish(notFound());
    return;
  }
  if (match.route.auth && auth !== `Bot ${deps.token}`) {
    finish(unauthorized());
    return;
  }
  finish(
    await match.route.handle({ params: match.params, body: call.body, files: call.files, query: call.query, call }),
  );
}

function findRoute(
  routes: Route[],
  method: string,
  segments: string[],
): { route: Route; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.pattern.split('/').filter((s) => s !== '');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let matched = true;
    for (let i = 0; i < pattern.length; i++) {
      const p = pattern[i] as string;
      const s = segments[i] as string;
      if (p.startsWith(':')) params[p.slice(1)] = s;
      else if (p !== s) {
        matched = false;
        break;
      }
    }
    if (matched) return { route, params };
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function send(res: ServerResponse, result: HttpResult): void {
  if (result.status === 204 || result.body === undefined) {
    res.writeHead(result.status, { ...result.headers });
    res.end();
    return;
  }
  const text = JSON.stringify(result.body);
  res.writeHead(result.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...result.headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

async function parseBody(
  contentType: string | undefined,
  raw: Buffer,
): Promise<{ body: unknown; files: RecordedFile[] } | { error: HttpResult }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  const type = (contentType ?? '').toLowerCase();
  const invalidJson = { error: apiError(400, 50109, 'The request body contains invalid JSON.') };
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType ?? '' } }).formData();
    } catch {
      return { error: apiError(400, 50035, 'Invalid Form Body') };
    }
    let body: unknown;
    const files: RecordedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') {
          try {
            body = JSON.parse(value);
          } catch {
            return invalidJson;
          }
        }
        continue;
      }
      const data = Buffer.from(await value.arrayBuffer());
      files.push({
        field,
        filename: value.name,
        contentType: value.type,
        size: data.length,
        content: data.toString('utf8'),
        data,
      });
    }
    return { body, files };
  }
  try {
    return { body: JSON.parse(raw.toString('utf8')), files: [] };
  } catch {
    return invalidJson;
  }
}
