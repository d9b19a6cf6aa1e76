import { redactUrl } from '../config/config.ts';

/**
 * A start-up failure whose cause is known and whose message says what to do (a bad DATABASE_PATH, a refused Discord
 * login): printed as one line, without a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: 'the host name is unknown (DNS)',
  EAI_AGAIN: 'the host name could not be looked up (DNS)',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENETUNREACH: 'the network is unreachable',
  EHOSTUNREACH: 'the host is unreachable',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
};

/** Start-up found Redis down: giftbot carries on alone, and the operator should know. */
export function describeRedisDown(redisUrl: string, lastError: string | null): string {
  // ioredis reports a command refused while it reconnects, not the socket's error; that says only "not connected".
  const reason = lastError === null || /Stream isn't writeable/.test(lastError) ? 'not connected' : lastError;
  return `REDIS_URL ${redactUrl(redisUrl)} does not answer (${reason}); running with this process's own lock and a share of the rate budget until it does`;
}

/** The error and its causes, outermost first (fetch wraps the socket's error in `cause`; AggregateError in `errors`). */
function chain(error: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && out.length < 10) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null) continue;
    const record = next as Record<string, unknown>;
    out.push(record);
    if (record.cause !== undefined) queue.push(record.cause);
    if (Array.isArray(record.errors)) queue.push(...(record.errors as unknown[]));
  }
  return out;
}

/** One line saying why giftbot could not start and what to change; `what` names the service (e.g. "Discord"). */
export function describeStartupError(error: unknown, what = 'start-up'): string {
  const errors = chain(error);
  const first = errors.find((e) => e instanceof StartupError);
  if (first) return String(first.message);
  const text = errors.map((e) => `${String(e.code ?? '')} ${String(e.message ?? '')}`).join(' ');
  if (/DisallowedIntents|disallowed intents|4014/i.test(text)) {
    return "Discord refused the bot's gateway intents (close code 4014): in the Developer Portal, open your application → Bot and turn on Message Content under Privileged Gateway Intents, then start giftbot again";
  }
  if (/TokenInvalid|invalid token|4004|401: Unauthorized/i.test(text)) {
    return 'Discord refused DISCORD_TOKEN (invalid token): copy it again from the Developer Portal (your application → Bot → Reset Token) into .env';
  }
  const network = errors.find((e) => typeof e.code === 'string' && e.code in NETWORK_CODES);
  if (network) {
    const where = [network.hostname ?? network.host ?? network.address, network.port]
      .filter((part) => part !== undefined && part !== null)
      .join(':');
    return `cannot reach ${what}${where ? ` at ${where}` : ''}: ${NETWORK_CODES[String(network.code)]} (${String(network.code)}); check the network, DNS and any firewall or proxy`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `${what} failed: ${message}`;
}
