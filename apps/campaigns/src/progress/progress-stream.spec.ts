import { Reading, SharedPoll } from './progress-stream';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SharedPoll', () => {
  it('reads a key once per interval however many subscribe, and gives a late subscriber the last reading at once', async () => {
    const reads: string[] = [];
    const poll = new SharedPoll<number>(40, async (key) => {
      reads.push(key);
      return reads.length;
    });
    const seen: Reading<number>[][] = [[], [], []];
    const stop = [0, 1].map((i) => poll.subscribe('c1', (r) => seen[i]!.push(r)));
    await tick(10);
    stop.push(poll.subscribe('c1', (r) => seen[2]!.push(r)));
    expect(seen[2]).toEqual([{ value: 1 }]); // the last reading, without another read
    await tick(100);
    const n = reads.length;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThanOrEqual(4); // ~every 40 ms, not once per subscriber
    expect(new Set(reads)).toEqual(new Set(['c1']));
    expect(seen[0]).toEqual(seen[1]);
    for (const s of stop) s();
    expect(poll.size).toBe(0);
    await tick(100);
    expect(reads.length).toBe(n); // nobody left: no more reads
  });

  it('polls each key on its own and hands a failed read to the subscribers as an error', async () => {
    let fail = true;
    const poll = new SharedPoll<string>(20, async (key) => {
      if (key === 'bad' && fail) throw new Error('database down');
      return key;
    });
    const good: Reading<string>[] = [];
    const bad: Reading<string>[] = [];
    const stops = [poll.subscribe('good', (r) => good.push(r)), poll.subscribe('bad', (r) => bad.push(r))];
    expect(poll.size).toBe(2);
    await tick(5);
    expect(good[0]).toEqual({ value: 'good' });
    expect(bad[0]).toEqual({ error: new Error('database down') });
    fail = false;
    await tick(40);
    expect(bad.at(-1)).toEqual({ value: 'bad' }); // goes on polling after a failure
    for (const s of stops) s();
  });
});
