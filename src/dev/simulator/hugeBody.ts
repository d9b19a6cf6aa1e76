import type { ServerResponse } from 'node:http';

const CHUNK = 64 * 1024;

/**
 * Streams a 200 of `sizeBytes` that starts like a SUCCESS and pads its `data` out, honouring back-pressure so the
 * simulator never holds more than a chunk: a client without a size cap would read (and believe) all of it.
 * `onDone` gets the bytes written before the client stopped reading or the body ended.
 */
export function streamHugeBody(
  res: ServerResponse,
  headers: Record<string, string | number>,
  sizeBytes: number,
  onDone: (bytes: number) => void,
): void {
  const head = '{"code":0,"msg":"SUCCESS","err_code":20000,"data":"';
  const tail = '"}';
  const padding = Math.max(0, sizeBytes - head.length - tail.length);
  res.writeHead(200, {
    ...headers,
    'content-type': 'application/json',
    'content-length': head.length + padding + tail.length,
  });
  let sent = 0;
  let left = padding;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    onDone(sent);
  };
  const chunk = Buffer.alloc(CHUNK, 'a');
  const pump = () => {
    while (!res.destroyed) {
      if (sent === 0) {
        res.write(head);
        sent += head.length;
      }
      if (left === 0) {
        res.end(tail, finish);
        sent += tail.length;
        return;
      }
      const piece = left >= CHUNK ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      sent += piece.length;
      if (!res.write(piece)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  res.once('close', finish);
  pump();
}
