import type { WorkerResult } from './protocol.ts';

/** A bot set up and waiting for go: `run` redeems the code for every alliance and reports what it measured itself. */
export interface Prepared {
  run(): Promise<Omit<WorkerResult, 'type' | 'peakRssMb' | 'eventLoopP99Ms' | 'cpuMs'>>;
}
