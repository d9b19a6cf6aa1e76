/**
 * A bot process under test, started by the bench with an IPC channel: giftbot's real engine (giftbotWorker.ts) or a
 * peer's pacing (peerWorker.ts). It sets up, says ready, waits for go, runs every alliance at once, and reports its own
 * timings, CPU, peak RSS and event-loop delay.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { prepareGiftbot } from './giftbotWorker.ts';
import { preparePeer } from './peerWorker.ts';
import type { BenchMessage, WorkerMessage, WorkerSetup } from './protocol.ts';

/** Sends to the bench; resolves (never rejects) also when the bench is gone. */
function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, undefined, () => resolve());
  });
}

// The bench went away (it failed, or was killed): nobody waits for this process's figures any more.
process.on('disconnect', () => {
  if (!finishing) process.exit(process.exitCode ?? 1);
});
let finishing = false;

const rssMb = () => Math.round((process.memoryUsage.rss() / 1024 / 1024) * 10) / 10;
const peakRssMb = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;

function nextMessage(): Promise<BenchMessage> {
  return new Promise((resolve) => process.once('message', (message) => resolve(message as BenchMessage)));
}

async function main(): Promise<void> {
  const setup = (await nextMessage()) as WorkerSetup;
  const setupStarted = performance.now();
  const prepared = setup.engine === 'giftbot' ? await prepareGiftbot(setup) : preparePeer(setup);
  const setupMs = performance.now() - setupStarted;
  if ('unsupported' in prepared) {
    await send({ type: 'unsupported', reason: prepared.unsupported });
    return;
  }
  await send({ type: 'ready', rssMb: rssMb(), setupMs });
  await nextMessage();

  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const cpuBefore = process.cpuUsage();
  const outcome = await prepared.run();
  const cpu = process.cpuUsage(cpuBefore);
  delay.disable();
  await send({
    type: 'result',
    ...outcome,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb: peakRssMb(),
    eventLoopP99Ms: Math.round((delay.percentile(99) / 1e6) * 10) / 10,
  });
}

main()
  .catch(async (error: unknown) => {
    await send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exitCode = 1;
  })
  .finally(() => {
    finishing = true;
    if (process.connected) process.disconnect();
  });
