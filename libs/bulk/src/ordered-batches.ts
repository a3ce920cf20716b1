/**
 * Batches checked on a thread pool (`run`), at most `inFlight` of them not yet taken, whose results
 * go to `take` one at a time in the order the batches were submitted, whatever order the pool
 * finishes them in: counts, rejections and output are the same with any number of threads. A
 * result is taken as soon as it and every result before it are there, without waiting for the
 * next submission (an upload that pauses still has what was checked so far taken).
 *
 * The first failure (a batch's run, or `take`) stops the taking: `submit` and `drain` reject with it.
 */
export class OrderedBatches<B, R> {
  /** Submitted and not yet taken (nor dropped after a failure). */
  private untaken = 0;
  /** Settles once every result submitted so far was taken; rejects after a failure. */
  private tail: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  private stopped = false;
  private waiter: (() => void) | undefined;

  constructor(
    private readonly run: (batch: B) => R | Promise<R>,
    private readonly take: (result: R) => void | Promise<void>,
    private readonly inFlight: number,
  ) {
    if (!(inFlight >= 1)) throw new RangeError(`inFlight must be at least 1, not ${inFlight}`);
  }

  /** Sends a batch to `run`; resolves once fewer than `inFlight` batches are untaken, so that backpressure reaches the caller. */
  async submit(batch: B): Promise<void> {
    this.throwIfFailed();
    const result = Promise.resolve().then(() => this.run(batch));
    result.catch(() => undefined); // taken in turn below; a failure then stops the taking
    this.untaken++;
    this.tail = this.tail
      .then(async () => {
        const r = await result;
        if (!this.stopped) await this.take(r);
      })
      .catch((error: unknown) => {
        this.failure ??= { error };
        throw error;
      })
      .finally(() => {
        this.untaken--;
        this.wake();
      });
    this.tail.catch(() => undefined); // the failure is answered by submit, drain and settled
    while (this.untaken >= this.inFlight && !this.failure) await new Promise<void>((resolve) => (this.waiter = resolve));
    this.throwIfFailed();
  }

  /** Resolves once every submitted batch's result was taken; rejects with the first failure. */
  async drain(): Promise<void> {
    await this.tail;
  }

  /** No result is taken any more (the caller failed): the batches still on the pool are dropped. */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves once no `take` is under way (after a failure too). */
  async settled(): Promise<void> {
    await this.tail.catch(() => undefined);
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
