/**
 * One giftbot process for the multi-process tests and `npm run chaos`: the real `createCore` built from the
 * environment (SQLite file, simulator URLs, REDIS_URL, LOCK_TTL_MS…), driven by JSON lines on stdin and answering JSON
 * lines on stdout. Log lines (pino JSON, with a `level`) go to stdout too, so the parent reads them in order.
 *
 *   stdin:  {"op":"trigger","id":"t1","guildId":"…","code":"…","count":25,"trigger":"auto","forceLocal":false}
 *           {"op":"status","id":"s1"}
 *           {"op":"block","ms":1500}  {"op":"clock","ms":30000}   (faults for `npm run chaos`)
 *           {"op":"close"}
 *   stdout: {"type":"ready",…} {"type":"started","id":"t1","runId":3,"at":…} {"type":"result","id":"t1",…}
 *           {"type":"status","id":"s1","status":{…}} {"type":"closed"}
 */
import { createInterface } from 'node:readline';
import { createCore, openStore } from '../../../src/runtime.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { createDiscovery } from '../../../src/codes/createDiscovery.ts';
import { createLogger } from '../../../src/log/logger.ts';
import type { RunTrigger } from '../../../src/redeem/redeemOptions.ts';
import { startShardedDiscovery } from '../../../src/sharding/shardedDiscovery.ts';
import { giftCode } from '../../../src/game/giftCode.ts';
import { bindEgress, blockEventLoop, stepClock } from './workerFaults.ts';

export interface TriggerCommand {
  op: 'trigger';
  id: string;
  guildId: string;
  code: string;
  count?: number;
  trigger?: RunTrigger;
  forceLocal?: boolean;
  fids?: string[];
}
export type WorkerCommand =
  | TriggerCommand
  | { op: 'status'; id: string }
  | { op: 'block'; ms: number }
  | { op: 'clock'; ms: number }
  | { op: 'close' };

const send = (message: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(message)}\n`);
};

bindEgress(
  process.env.WORKER_LOCAL_ADDRESS,
  process.env.WOS_API_BASE ? new URL(process.env.WOS_API_BASE).port : undefined,
);
const loaded = loadConfig(process.env);
if (!loaded.ok) {
  send({ type: 'fatal', problems: loaded.problems });
  process.exit(1);
}
const config = loaded.config;
// Logs share stdout with the protocol messages: the parent reads them in the order they were written.
const log = createLogger({ level: process.env.LOG_LEVEL ?? 'info', destination: process.stdout });
const app = createCore({ config, log, store: await openStore(config, log) });
await app.start();
// WORKER_DISCOVERY=1: code discovery as the bot runs it (feeds polled by shard 0 only, shards follow each other's codes).
const discovery = process.env.WORKER_DISCOVERY === '1' ? createDiscovery(app) : null;
const sharded = discovery ? startShardedDiscovery(app, discovery) : null;
if (discovery) await discovery.resumeOnStartup();
const closeAll = async (): Promise<void> => {
  await sharded?.stop();
  await discovery?.stop();
  await app.close();
};
send({ type: 'ready', pid: process.pid, instanceId: config.instanceId, status: await app.status() });

async function trigger(command: TriggerCommand): Promise<void> {
  const count = command.count ?? 1;
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const sentAt = Date.now();
      const summary = await app.engine.processAutoRedeem(command.guildId, giftCode(command.code), {
        trigger: command.trigger ?? 'auto',
        ...(command.forceLocal ? { forceLocal: true } : {}),
        ...(command.fids ? { fids: command.fids } : {}),
        onStart: (info) => send({ type: 'started', id: command.id, index, runId: info.runId, at: Date.now() }),
      });
      const { status, runId, fence, apiCalls, rateLimited, counts, message, durationMs } = summary;
      send({
        type: 'result',
        id: command.id,
        index,
        sentAt,
        at: Date.now(),
        summary: { status, runId, fence, apiCalls, rateLimited, counts, message, durationMs },
      });
    }),
  );
}

let closing = false;
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  const command = JSON.parse(line) as WorkerCommand;
  if (command.op === 'trigger') {
    void trigger(command).catch((err: unknown) => send({ type: 'error', id: command.id, error: String(err) }));
  } else if (command.op === 'status') {
    void app.status().then((status) => send({ type: 'status', id: command.id, status }));
  } else if (command.op === 'block') {
    // After this line is read, so the parent knows the loop is about to block.
    setImmediate(() => blockEventLoop(command.ms));
  } else if (command.op === 'clock') {
    stepClock(command.ms);
  } else if (command.op === 'close' && !closing) {
    closing = true;
    void closeAll().then(() => {
      send({ type: 'closed' });
      process.exit(0);
    });
  }
});
// The parent went away: shut down cleanly rather than linger.
lines.on('close', () => {
  if (closing) return;
  closing = true;
  void closeAll().then(() => process.exit(0));
});
