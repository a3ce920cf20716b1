import { CopyLines } from './copy-lines';

describe('CopyLines', () => {
  it('writes lines as UTF-8, growing past the room it started with', () => {
    const lines = new CopyLines(4);
    const written = ['1\tabc\n', '2\tnaïve €\n', `3\t${'x'.repeat(100)}\n`];
    for (const l of written) lines.write(l);
    expect(Buffer.from(lines.bytes()).toString('utf8')).toBe(written.join(''));
  });

  it('answers a buffer of its own, never a slice of the shared pool (so it can be moved)', () => {
    const lines = new CopyLines(64);
    lines.write('1\ta\n');
    const bytes = lines.bytes();
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(64);
  });

  it('writes into a buffer handed back for reuse when it has the room', () => {
    const reuse = new ArrayBuffer(128);
    const lines = new CopyLines(64, reuse);
    lines.write('7\tb\n');
    expect(lines.bytes().buffer).toBe(reuse);
    expect(Buffer.from(reuse, 0, 4).toString()).toBe('7\tb\n');
  });

  it('leaves a buffer too small for the room asked for', () => {
    const reuse = new ArrayBuffer(8);
    const lines = new CopyLines(64, reuse);
    lines.write('7\tb\n');
    expect(lines.bytes().buffer).not.toBe(reuse);
    expect(lines.bytes().buffer.byteLength).toBe(64);
  });
});
