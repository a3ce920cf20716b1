import { move, transferableSymbol, valueSymbol } from 'piscina';

/**
 * Lines of `COPY … FROM STDIN` text, written as UTF-8 straight into one buffer that grows by
 * doubling: no string per batch to build, keep alive and encode later. The buffer is its own
 * ArrayBuffer (never a slice of Buffer's shared pool), so that a worker thread can move it to the
 * thread that runs the COPY (see movedResult), and that thread can hand it back to be written
 * again (`reuse`) once the COPY has sent it.
 */
export class CopyLines {
  private out: Buffer<ArrayBuffer>;
  private length = 0;

  /** `bytes`: the room to start with; `reuse`: a buffer to write into instead, if it has that room. */
  constructor(bytes: number, reuse?: ArrayBuffer) {
    this.out = reuse && reuse.byteLength >= bytes ? Buffer.from(reuse) : Buffer.allocUnsafeSlow(Math.max(bytes, 1));
  }

  /** Appends a line (it ends with its own `\n`). */
  write(line: string): void {
    const most = line.length * 3; // UTF-8 bytes per UTF-16 unit, at most
    if (this.length + most > this.out.length) {
      const bigger = Buffer.allocUnsafeSlow(2 * this.out.length + most);
      this.out.copy(bigger, 0, 0, this.length);
      this.out = bigger;
    }
    this.length += this.out.write(line, this.length);
  }

  /** The bytes written so far: a view of the buffer, not a copy. */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.out.subarray(0, this.length);
  }
}

/**
 * A pool task's answer whose `copy` bytes (CopyLines.bytes) are moved to the calling thread
 * instead of copied: return it from the task; the pool's caller receives `result` itself.
 */
export function movedResult<T extends { copy: Uint8Array }>(result: T) {
  return move({ [transferableSymbol]: [result.copy.buffer], [valueSymbol]: result });
}
