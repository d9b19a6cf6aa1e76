// The WebSocket gateway: HELLO, IDENTIFY (token and intents checked), heartbeat ACKs, READY + GUILD_CREATE,
// RESUME with replay, member chunk requests, and dispatch to sessions honouring intents and shards.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayCloseCodes, GatewayDispatchEvents, GatewayOpcodes } from 'discord-api-types/v10';
import type { GatewayReadyDispatchData } from 'discord-api-types/v10';
import { WebSocket, WebSocketServer } from 'ws';
import { sessionId as newSessionId } from './ids.ts';

export interface GatewaySession {
  readonly id: string;
  readonly intents: number;
  readonly shard: [number, number];
  seq: number;
  ws: WebSocket | null;
  /** sent dispatches kept for RESUME replay */
  readonly buffer: Array<{ s: number; frame: string }>;
  dead: boolean;
}

export interface GatewayHooks {
  token: string;
  heartbeatIntervalMs: number;
  /** READY data for a new session, less session-specific fields */
  ready(
    session: GatewaySession,
  ): Omit<GatewayReadyDispatchData, 'session_id' | 'resume_gateway_url' | 'shard' | 'guilds'>;
  guildIds(): string[];
  guildCreate(guildId: string, session: GatewaySession): unknown;
  guildMembers(guildId: string): Array<{ user: { id: string; username: string } }>;
  gatewayUrl(): string;
  error(message: string): void;
  /** Privileged intents the application may use; others are refused with 4014. */
  privilegedIntentsAllowed: number;
}

/** GuildMembers, GuildPresences, MessageContent: the Developer Portal switches. */
const PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15);

export interface DispatchRecord {
  t: string;
  s: number;
  sessionId: string;
}

const REPLAY_LIMIT = 1000;

/** Discord's shard formula. */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

export class Gateway {
  readonly wss = new WebSocketServer({ noServer: true });
  readonly sessions = new Map<string, GatewaySession>();
  readonly dispatched: DispatchRecord[] = [];
  private readonly hooks: GatewayHooks;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(hooks: GatewayHooks) {
    this.hooks = hooks;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/gateway' && url.pathname !== '/gateway/') {
      this.hooks.error(`websocket upgrade on unexpected path ${url.pathname}`);
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, url));
  }

  /** Identified sessions with an open socket. */
  get connected(): number {
    return [...this.sessions.values()].filter((s) => !s.dead && s.ws?.readyState === WebSocket.OPEN).length;
  }

  /** Sessions that are alive (connected, or disconnected but resumable). */
  get live(): GatewaySession[] {
    return [...this.sessions.values()].filter((s) => !s.dead);
  }

  /**
   * Sends a dispatch to every live session (buffered for resume when disconnected). `intent` filters by the
   * session's intents; `guildId` by its shard; `data` may be a function to tailor the payload per session.
   */
  dispatch(
    t: string,
    data: unknown | ((session: GatewaySession) => unknown),
    opts: { intent?: number; guildId?: string } = {},
  ): number {
    let sent = 0;
    for (const session of this.live) {
      if (opts.intent !== undefined && (session.intents & opts.intent) !== opts.intent) continue;
      if (opts.guildId !== undefined && shardOf(opts.guildId, session.shard[1]) !== session.shard[0]) continue;
      const d = typeof data === 'function' ? (data as (s: GatewaySession) => unknown)(session) : data;
      this.sendDispatch(session, t, d);
      sent++;
    }
    return sent;
  }

  private sendDispatch(session: GatewaySession, t: string, d: unknown): void {
    const s = ++session.seq;
    const frame = JSON.stringify({ op: GatewayOpcodes.Dispatch, t, s, d });
    session.buffer.push({ s, frame });
    if (session.buffer.length > REPLAY_LIMIT) session.buffer.shift();
    this.dispatched.push({ t, s, sessionId: session.id });
    if (session.ws?.readyState === WebSocket.OPEN) session.ws.send(frame);
  }

  private onConnection(ws: WebSocket, url: URL): void {
    let session: GatewaySession | null = null;
    const fail = (code: number, message: string): void => {
      this.hooks.error(message);
      if (ws.readyState === WebSocket.OPEN) ws.close(code, message.slice(0, 120));
    };
    if (url.searchParams.get('v') !== '10') {
      fail(GatewayCloseCodes.InvalidAPIVersion, `gateway connected with v=${url.searchParams.get('v') ?? '(none)'}`);
      return;
    }
    const encoding = url.searchParams.get('encoding') ?? 'json';
    if (encoding !== 'json' || url.searchParams.has('compress')) {
      fail(
        GatewayCloseCodes.DecodeError,
        `gateway connected with unsupported encoding=${encoding} compress=${url.searchParams.get('compress') ?? ''}`,
      );
      return;
    }
    const send = (payload: unknown): void => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
    };
    send({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.hooks.heartbeatIntervalMs }, s: null, t: null });

    ws.on('message', (raw, isBinary) => {
      if (isBinary) {
        fail(
          GatewayCloseCodes.DecodeError,
          'gateway received a binary frame (compression is not supported by the fake)',
        );
        return;
      }
      let payload: { op?: unknown; d?: unknown };
      try {
        payload = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
      } catch {
        fail(GatewayCloseCodes.DecodeError, 'gateway received invalid JSON');
        return;
      }
      const d = (payload.d ?? {}) as Record<string, unknown>;
      switch (payload.op) {
        case GatewayOpcodes.Heartbeat:
          send({ op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null });
          return;
        case GatewayOpcodes.Identify: {
          if (session) {
            fail(GatewayCloseCodes.AlreadyAuthenticated, 'IDENTIFY sent twice on one connection');
            return;
          }
          if (d.token !== this.hooks.token) {
            fail(GatewayCloseCodes.AuthenticationFailed, 'IDENTIFY with a bad token');
            return;
          }
          if (typeof d.intents !== 'number') {
            fail(GatewayCloseCodes.InvalidIntents, 'IDENTIFY without intents');
            return;
          }
          if ((d.intents & PRIVILEGED_INTENTS & ~this.hooks.privilegedIntentsAllowed) !== 0) {
            fail(GatewayCloseCodes.DisallowedIntents, 'IDENTIFY with privileged intents the application may not use');
            return;
          }
          const shard = Array.isArray(d.shard) ? (d.shard as [number, number]) : ([0, 1] as [number, number]);
          if (!(shard[1] >= 1 && shard[0] >= 0 && shard[0] < shard[1])) {
            fail(GatewayCloseCodes.InvalidShard, `IDENTIFY with invalid shard ${JSON.stringify(d.shard)}`);
            return;
          }
          session = {
            id: newSessionId(),
            intents: d.intents,
            shard,
            seq: 0,
            ws,
            buffer: [],
            dead: false,
          };
          this.sessions.set(session.id, session);
          this.identified(session);
          return;
        }
        case GatewayOpcodes.Resume: {
          if (session) {
            fail(GatewayCloseCodes.AlreadyAuthenticated, 'RESUME on an identified connection');
            return;
          }
          if (d.token !== this.hooks.token) {
            fail(GatewayCloseCodes.AuthenticationFailed, 'RESUME with a bad token');
            return;
          }
          const old = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
          if (!old || old.dead) {
            send({ op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
            return;
          }
          if (old.ws && old.ws !== ws && old.ws.readyState === WebSocket.OPEN) old.ws.terminate();
          old.ws = ws;
          session = old;
          const seq = typeof d.seq === 'number' ? d.seq : 0;
          for (const entry of old.buffer) if (entry.s > seq) ws.send(entry.frame);
          this.sendDispatch(old, GatewayDispatchEvents.Resumed, null);
          return;
        }
        case GatewayOpcodes.PresenceUpdate:
        case GatewayOpcodes.VoiceStateUpdate:
          if (!session) fail(GatewayCloseCodes.NotAuthenticated, `op ${String(payload.op)} before IDENTIFY`);
          return;
        case GatewayOpcodes.RequestGuildMembers: {
          if (!session) {
            fail(GatewayCloseCodes.NotAuthenticated, 'op 8 before IDENTIFY');
            return;
          }
          this.memberChunk(session, d);
          return;
        }
        default:
          fail(GatewayCloseCodes.UnknownOpcode, `gateway received unexpected op ${JSON.stringify(payload.op)}`);
      }
    });

    ws.on('close', (code) => {
      if (session && session.ws === ws) {
        session.ws = null;
        // Discord invalidates a session the client closed normally (client.destroy()).
        if (code === 1000 || code === 1001) session.dead = true;
      }
    });
    ws.on('error', (err) => this.hooks.error(`gateway socket error: ${err.message}`));
  }

  private identified(session: GatewaySession): void {
    const guildIds = this.hooks.guildIds().filter((id) => shardOf(id, session.shard[1]) === session.shard[0]);
    const ready: GatewayReadyDispatchData = {
      ...this.hooks.ready(session),
      guilds: guildIds.map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.hooks.gatewayUrl(),
      shard: session.shard,
    };
    this.sendDispatch(session, GatewayDispatchEvents.Ready, ready);
    // Separate frames a moment later, as on Discord: @discordjs/ws handles frames concurrently, and a GUILD_CREATE
    // processed before READY would leave the client waiting for that guild until waitGuildTimeout.
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (session.dead) return;
      for (const id of guildIds) {
        if (this.hooks.guildIds().includes(id)) {
          this.sendDispatch(session, GatewayDispatchEvents.GuildCreate, this.hooks.guildCreate(id, session));
        }
      }
    }, 5);
    this.timers.add(timer);
  }

  private memberChunk(session: GatewaySession, d: Record<string, unknown>): void {
    const guildIds = Array.isArray(d.guild_id) ? (d.guild_id as string[]) : [String(d.guild_id)];
    for (const guildId of guildIds) {
      let members = this.hooks.guildMembers(guildId);
      const userIds = d.user_ids === undefined ? undefined : ([] as string[]).concat(d.user_ids as string | string[]);
      if (userIds) members = members.filter((m) => userIds.includes(m.user.id));
      else if (typeof d.query === 'string' && d.query !== '') {
        const q = d.query.toLowerCase();
        members = members.filter((m) => m.user.username.toLowerCase().startsWith(q));
      }
      if (typeof d.limit === 'number' && d.limit > 0) members = members.slice(0, d.limit);
      const chunk: Record<string, unknown> = { guild_id: guildId, members, chunk_index: 0, chunk_count: 1 };
      if (userIds) chunk.not_found = userIds.filter((id) => !members.some((m) => m.user.id === id));
      if (d.nonce !== undefined) chunk.nonce = d.nonce;
      this.sendDispatch(session, GatewayDispatchEvents.GuildMembersChunk, chunk);
    }
  }

  /** Simulates a network drop: sockets die, sessions stay resumable. */
  dropConnections(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
