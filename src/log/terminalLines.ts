import type { DestinationStream } from 'pino';

/**
 * A pino destination for a person at a terminal (the CLI, the demo): one short line per log record instead of JSON,
 * `giftbot [warn] message (event)`. Needs no pino-pretty, which production installs do not have.
 */
export function terminalLines(stream: NodeJS.WritableStream = process.stderr): DestinationStream {
  return {
    write(line: string): void {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        stream.write(line);
        return;
      }
      const err = record.err as { message?: unknown } | string | undefined;
      const detail = typeof err === 'string' ? err : typeof err?.message === 'string' ? err.message : '';
      const event = typeof record.event === 'string' ? ` (${record.event})` : '';
      stream.write(
        `giftbot [${String(record.level)}] ${String(record.msg ?? '')}${detail ? `: ${detail}` : ''}${event}\n`,
      );
    },
  };
}
