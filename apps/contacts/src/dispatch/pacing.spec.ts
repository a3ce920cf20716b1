import { intervalMs, paceAfter, paceAllowance, PaceState, wakeDelay, windowCap } from './pacing';

const TICK_MS = 100;
const MAX_BATCH = 2_000;

/** A seeded generator (mulberry32), so a failure replays. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  /** [time, contacts] of every dispatch. */
  sends: [number, number][];
  state: PaceState;
}

/**
 * Drives the pacer as the dispatcher does: tick, dispatch the allowance, sleep `wakeDelay`, plus
 * the given lateness of each wake-up (timer jitter, a busy event loop, a stall).
 */
function simulate(options: { rate: number | ((t: number) => number); durationMs: number; late: (t: number) => number; state?: PaceState; start?: number }): Run {
  const rateAt = typeof options.rate === 'function' ? options.rate : () => options.rate as number;
  const run: Run = { sends: [], state: options.state ?? { nextDueAt: null, recent: [] } };
  const t0 = options.start ?? 1_000_000;
  for (let now = t0; now < t0 + options.durationMs; ) {
    const rate = rateAt(now - t0);
    const { allowance, wakeAt } = paceAllowance(run.state, now, rate, MAX_BATCH);
    if (allowance > 0) run.sends.push([now, allowance]);
    run.state = paceAfter(run.state, now, rate, allowance);
    const next = allowance > 0 ? paceAllowance(run.state, now, rate, MAX_BATCH).wakeAt : wakeAt;
    now += wakeDelay(next, now, rate, TICK_MS) + options.late(now);
  }
  return run;
}

/** Contacts per full minute, minutes counted from the first dispatch. */
function perMinute(sends: [number, number][], durationMs: number, t0 = 1_000_000): number[] {
  const first = sends[0]![0];
  const minutes = Math.floor((t0 + durationMs - first) / 60_000);
  const counts = new Array<number>(minutes).fill(0);
  for (const [at, n] of sends) {
    const m = Math.floor((at - first) / 60_000);
    if (m < minutes) counts[m]! += n;
  }
  return counts;
}

/** Smooth: no one-second window above 1.1× the per-second rate, in whole messages. */
function expectSmooth(sends: [number, number][], rate: number) {
  expect(largestSecond(sends)).toBeLessThanOrEqual(Math.max(1, Math.ceil((1.1 * rate) / 60 - 1e-9)));
}

/** The most contacts any one-second window [a, a + 1 s) holds. */
function largestSecond(sends: [number, number][]): number {
  let best = 0;
  let sum = 0;
  let lo = 0;
  for (let hi = 0; hi < sends.length; hi++) {
    sum += sends[hi]![1];
    while (sends[hi]![0] - sends[lo]![0] >= 1_000) sum -= sends[lo++]![1];
    best = Math.max(best, sum);
  }
  return best;
}

describe('pacing', () => {
  const jitter = (seed: number, maxMs: number) => {
    const r = random(seed);
    return () => r() * maxMs;
  };

  it.each([1, 7, 60, 100, 600, 6_000, 60_000])('%i/min: every full minute within ±2%% of the rate, and smooth', (rate) => {
    const durationMs = rate < 60 ? 10 * 60_000 : 5 * 60_000;
    const { sends } = simulate({ rate, durationMs, late: jitter(rate, 30) });
    const minutes = perMinute(sends, durationMs);
    expect(minutes.length).toBeGreaterThanOrEqual(4);
    for (const n of minutes) expect(Math.abs(n - rate)).toBeLessThanOrEqual(rate * 0.02);
    expectSmooth(sends, rate);
  });

  // A busy machine: every wake-up late by up to lateMs. A late message is made up by the next ones
  // (within the window) instead of pushing every later one back.
  it.each([
    [60, 300],
    [600, 100],
    [6_000, 100],
    [60_000, 100],
  ])('%i/min with wake-ups up to %i ms late: every full minute still within ±2%%, and smooth', (rate, lateMs) => {
    const { sends } = simulate({ rate, durationMs: 5 * 60_000, late: jitter(rate + 1, lateMs) });
    for (const n of perMinute(sends, 5 * 60_000)) expect(Math.abs(n - rate)).toBeLessThanOrEqual(rate * 0.02);
    expectSmooth(sends, rate);
  });

  it('a starved dispatcher (ticks up to 700 ms apart) stays smooth and loses rate rather than bursting', () => {
    const { sends } = simulate({ rate: 6_000, durationMs: 3 * 60_000, late: jitter(9, 600) });
    expectSmooth(sends, 6_000);
    for (const n of perMinute(sends, 3 * 60_000)) expect(n).toBeLessThan(6_000);
  });

  it('1/min: one message every 60 s, evenly, whatever the tick', () => {
    const { sends } = simulate({ rate: 1, durationMs: 10 * 60_000 + 100, late: jitter(1, 40) });
    expect(sends).toHaveLength(11);
    expect(sends.every(([, n]) => n === 1)).toBe(true);
    const gaps = sends.slice(1).map(([at], i) => at - sends[i]![0]);
    for (const gap of gaps) expect(Math.abs(gap - 60_000)).toBeLessThanOrEqual(45);
  });

  it('does not burst at start: the first tick of a run dispatches one contact, and the first second holds the per-second rate', () => {
    const state: PaceState = { nextDueAt: null, recent: [] };
    expect(paceAllowance(state, 5_000, 60_000, MAX_BATCH).allowance).toBe(1);
    const { sends } = simulate({ rate: 60_000, durationMs: 1_000, late: () => 0 });
    expect(sends.reduce((n, [, c]) => n + c, 0)).toBeLessThanOrEqual(1_000);
  });

  it('catches up a stalled tick without a burst, and keeps the minute within 2%', () => {
    // Every 10 s the event loop stalls for 600 ms.
    const { sends } = simulate({ rate: 6_000, durationMs: 3 * 60_000, late: (t) => (Math.floor(t / 10_000) !== Math.floor((t + 100) / 10_000) ? 600 : 5) });
    expect(largestSecond(sends)).toBeLessThanOrEqual(110);
    for (const n of perMinute(sends, 3 * 60_000)) expect(Math.abs(n - 6_000)).toBeLessThanOrEqual(120);
  });

  it('after a long idle spell (paused, audience empty) saves up no burst', () => {
    const before = simulate({ rate: 60_000, durationMs: 10_000, late: () => 0 });
    // Ten minutes later the state still says the next slot was ten minutes ago.
    const resumed = simulate({ rate: 60_000, durationMs: 10_000, late: () => 0, state: before.state, start: 1_000_000 + 610_000 });
    expect(windowCap(60_000)).toBe(1_100);
    expect(largestSecond(resumed.sends)).toBeLessThanOrEqual(1_100);
    expect(resumed.sends[0]![1]).toBeLessThanOrEqual(1_100);
  });

  it('a change of rate mid-run applies from the next contact, without a jump', () => {
    const { sends } = simulate({ rate: (t) => (t < 60_000 ? 1_200 : 6_000), durationMs: 3 * 60_000, late: jitter(3, 20) });
    const minutes = perMinute(sends, 3 * 60_000);
    expect(Math.abs(minutes[0]! - 1_200)).toBeLessThanOrEqual(24);
    expect(Math.abs(minutes[2]! - 6_000)).toBeLessThanOrEqual(120);
    expect(largestSecond(sends)).toBeLessThanOrEqual(110);
  });

  it('two instances taking turns on the shared state do not double the rate', () => {
    // Instances A and B each tick every 100 ms, out of phase; the state is the run row's.
    let state: PaceState = { nextDueAt: null, recent: [] };
    const sends: [number, number][] = [];
    for (let now = 0; now < 120_000; now += 50) {
      const { allowance } = paceAllowance(state, now, 600, MAX_BATCH);
      if (allowance > 0) sends.push([now, allowance]);
      state = paceAfter(state, now, 600, allowance);
    }
    const total = sends.reduce((n, [, c]) => n + c, 0);
    expect(Math.abs(total - 1_200)).toBeLessThanOrEqual(2);
    expect(largestSecond(sends)).toBeLessThanOrEqual(11);
  });

  it('never exceeds the batch limit, and leaves what it could not send due (caught up within CATCH_UP_MS)', () => {
    const state: PaceState = { nextDueAt: 0, recent: [] };
    const { allowance } = paceAllowance(state, 1_000, 6_000_000, 2_000);
    expect(allowance).toBe(2_000);
    const after = paceAfter(state, 1_000, 6_000_000, 2_000);
    expect(after.nextDueAt).toBeCloseTo(0 + 2_000 * intervalMs(6_000_000), 6);
  });

  it('wakes a slow run at its slot, a fast one on the tick', () => {
    expect(wakeDelay(1_030, 1_000, 60, 100)).toBe(30);
    expect(wakeDelay(5_000, 1_000, 1, 100)).toBe(100);
    expect(wakeDelay(1_000.2, 1_000, 60_000, 100)).toBe(100);
  });
});
