import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between a client and a server (here: giftbot's Redis client and a real redis-server), to lose a reply
 * the way a network does: the request reaches the server and is applied, the answer never comes back, the connection
 * drops, and reconnecting takes a while.
 */
export interface TcpProxy {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  /**
   * The next bytes the server sends back (on any connection) are dropped, that connection is cut, and new
   * connections are refused for `reconnectAfterMs`. Resolves once the reply has been dropped.
   */
  dropNextReply(reconnectAfterMs: number): Promise<void>;
  /** As `dropNextReply`, for the reply to the first request (on any connection) whose bytes contain `marker`. */
  dropReplyTo(marker: string, reconnectAfterMs: number): Promise<void>;
  /**
   * A network partition for `ms`: nothing moves either way (bytes wait, as TCP's retransmits would), connections
   * stay open, then everything queued is delivered. Resolves when the partition heals.
   */
  partition(ms: number): Promise<void>;
  /** Connections accepted so far (a reconnect adds one). */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let refuseUntil = 0;
  let dropArmed: (() => void) | undefined;
  let dropOnRequest: { marker: string; done: () => void } | undefined;
  let connections = 0;
  let partitioned = false;

  const server: Server = createServer((client) => {
    if (Date.now() < refuseUntil) {
      client.destroy();
      return;
    }
    connections += 1;
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    const pair: { client: Socket; upstream: Socket; dropReply?: (() => void) | undefined } = { client, upstream };
    pairs.add(pair);
    if (partitioned) {
      client.pause();
      upstream.pause();
    }
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (chunk: Buffer) => {
      if (dropOnRequest && chunk.includes(dropOnRequest.marker)) {
        pair.dropReply = dropOnRequest.done;
        dropOnRequest = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const dropped = pair.dropReply ?? dropArmed;
      if (pair.dropReply) pair.dropReply = undefined;
      if (dropped) {
        if (dropped === dropArmed) dropArmed = undefined;
        end();
        dropped();
        return;
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    dropNextReply(reconnectAfterMs) {
      return new Promise((resolve) => {
        dropArmed = () => {
          refuseUntil = Date.now() + reconnectAfterMs;
          resolve();
        };
      });
    },
    dropReplyTo(marker, reconnectAfterMs) {
      return new Promise((resolve) => {
        dropOnRequest = {
          marker,
          done: () => {
            refuseUntil = Date.now() + reconnectAfterMs;
            resolve();
          },
        };
      });
    },
    async partition(ms) {
      partitioned = true;
      for (const { client, upstream } of pairs) {
        client.pause();
        upstream.pause();
      }
      await new Promise((resolve) => setTimeout(resolve, ms));
      partitioned = false;
      for (const { client, upstream } of pairs) {
        client.resume();
        upstream.resume();
      }
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
