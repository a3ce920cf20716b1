import { OrderedBatches } from './ordered-batches';

/** A batch run that finishes when the test says so. */
function controlled<R>() {
  const runs: { batch: number; resolve: (r: R) => void; reject: (e: Error) => void }[] = [];
  const run = (batch: number) => new Promise<R>((resolve, reject) => runs.push({ batch, resolve, reject }));
  return { runs, run };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('OrderedBatches', () => {
  it('takes results in submission order, whatever order the runs finish in', async () => {
    const { runs, run } = controlled<string>();
    const taken: string[] = [];
    const batches = new OrderedBatches(run, (r: string) => void taken.push(r), 3);
    await batches.submit(1);
    await batches.submit(2);
    const third = batches.submit(3); // the third untaken batch: waits for room
    await tick();
    runs[2]!.resolve('c');
    runs[1]!.resolve('b');
    await tick();
    expect(taken).toEqual([]); // the first is not done: nothing can be taken
    runs[0]!.resolve('a');
    await third;
    await batches.drain();
    expect(taken).toEqual(['a', 'b', 'c']);
  });

  it('takes the head as soon as it is done, without waiting for the queue to fill or for another submission', async () => {
    const { runs, run } = controlled<string>();
    const taken: string[] = [];
    const batches = new OrderedBatches(run, (r: string) => void taken.push(r), 4);
    await batches.submit(1);
    runs[0]!.resolve('a');
    await tick();
    expect(taken).toEqual(['a']);
  });

  it('holds a submission while inFlight batches are untaken (backpressure), and frees it when the head is taken', async () => {
    const { runs, run } = controlled<number>();
    const batches = new OrderedBatches(run, () => undefined, 2);
    await batches.submit(1);
    let returned = false;
    const second = batches.submit(2).then(() => (returned = true));
    await tick();
    expect(returned).toBe(false);
    runs[1]!.resolve(2); // not the head: still two untaken
    await tick();
    expect(returned).toBe(false);
    runs[0]!.resolve(1);
    await second;
    expect(returned).toBe(true);
  });

  it('waits for a slow take before the next one', async () => {
    const { runs, run } = controlled<number>();
    const events: string[] = [];
    let finishTake: () => void = () => undefined;
    const take = (r: number) => {
      events.push(`take ${r}`);
      if (r === 1) return new Promise<void>((resolve) => (finishTake = () => (events.push('took 1'), resolve())));
    };
    const batches = new OrderedBatches(run, take, 4);
    await batches.submit(1);
    await batches.submit(2);
    runs[0]!.resolve(1);
    runs[1]!.resolve(2);
    await tick();
    expect(events).toEqual(['take 1']);
    finishTake();
    await batches.drain();
    expect(events).toEqual(['take 1', 'took 1', 'take 2']);
  });

  it('stops taking at the first failed run and rejects the next submit and drain with it', async () => {
    const { runs, run } = controlled<number>();
    const taken: number[] = [];
    const batches = new OrderedBatches(run, (r: number) => void taken.push(r), 4);
    await batches.submit(1);
    await batches.submit(2);
    await batches.submit(3);
    runs[0]!.resolve(1);
    runs[1]!.reject(new Error('thread died'));
    runs[2]!.resolve(3);
    await expect(batches.drain()).rejects.toThrow('thread died');
    expect(taken).toEqual([1]);
    await expect(batches.submit(4)).rejects.toThrow('thread died');
    expect(runs).toHaveLength(3); // nothing more is run
  });

  it('fails a submission waiting for room when a take fails', async () => {
    const { runs, run } = controlled<number>();
    const batches = new OrderedBatches(
      run,
      () => {
        throw new Error('COPY failed');
      },
      1,
    );
    const first = batches.submit(1);
    await tick();
    runs[0]!.resolve(1);
    await expect(first).rejects.toThrow('COPY failed');
    await expect(batches.settled()).resolves.toBeUndefined();
  });

  it('takes nothing more once stopped', async () => {
    const { runs, run } = controlled<number>();
    const taken: number[] = [];
    const batches = new OrderedBatches(run, (r: number) => void taken.push(r), 4);
    await batches.submit(1);
    await batches.submit(2);
    runs[0]!.resolve(1);
    await tick();
    batches.stop();
    runs[1]!.resolve(2);
    await batches.settled();
    expect(taken).toEqual([1]);
  });

  it('turns a run that throws at once into a failure of the batch', async () => {
    const batches = new OrderedBatches(
      () => {
        throw new Error('no thread');
      },
      () => undefined,
      2,
    );
    await batches.submit(1);
    await expect(batches.drain()).rejects.toThrow('no thread');
  });
});
