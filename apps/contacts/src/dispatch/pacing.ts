/**
 * Campaign pacing, as pure arithmetic: how many contacts a run may dispatch now, and the state
 * after it did. The state lives on the run's `dispatch_run` row and `now` is the database's clock,
 * so every contacts instance paces a campaign from the same figures (one instance holds a
 * campaign's advisory lock per tick; whichever it is continues where the other left off).
 *
 * Two rules, each for one promise:
 * - **A schedule, for the rate.** Contact n of a run is due at `start + n × 60,000 / messagesPerMinute`
 *   ms: `nextDueAt` is the slot of the next contact and advances by one interval per contact
 *   dispatched, so rounding never accumulates and a change of rate applies from the next contact.
 *   Debt (slots that passed while a tick was late) is caught up, but at most `CATCH_UP_MS` of it:
 *   a longer stall loses the excess instead of bursting, which keeps every minute within
 *   `CATCH_UP_MS / 60 s` of the rate.
 * - **A sliding one-second window, for smoothness.** A tick never lets the last second's
 *   dispatches exceed `BURST ×` the per-second rate, rounded up to whole messages (at least 1),
 *   so catching up is spread out and no one-second window ever holds more than that, whatever the
 *   ticks' timing. Rounding up matters at low rates: at 60/min a window may hold 2 (a late message
 *   made up by the next one), where 1 would make every late message push all later ones back.
 */

/** The pacing state of one run, kept on its `dispatch_run` row. */
export interface PaceState {
  /** When the next contact's slot opens (epoch ms); null before the run's first dispatch. */
  nextDueAt: number | null;
  /** Dispatches of the last second, oldest first: `[epoch ms, contacts]`. */
  recent: [number, number][];
}

export const WINDOW_MS = 1_000;
/** Most a one-second window may hold, relative to the per-second rate. */
export const BURST = 1.1;
/** Most sending time a late tick may catch up. */
export const CATCH_UP_MS = 1_000;

export const intervalMs = (messagesPerMinute: number) => 60_000 / messagesPerMinute;

/** Most contacts any one-second window may hold at this rate: BURST × the per-second rate, in whole messages. */
export function windowCap(messagesPerMinute: number): number {
  return Math.max(1, Math.ceil((BURST * messagesPerMinute) / 60 - 1e-9));
}

/** The start of the schedule that `now` counts from: catch-up is limited to CATCH_UP_MS. */
function scheduleStart(state: PaceState, now: number): number {
  return Math.max(state.nextDueAt ?? now, now - CATCH_UP_MS);
}

function inWindow(recent: [number, number][], now: number): [number, number][] {
  return recent.filter(([at]) => at > now - WINDOW_MS);
}

export interface Allowance {
  /** Contacts that may be dispatched now (0 or more). */
  allowance: number;
  /** When at least one more contact may go (epoch ms, `now` if `allowance > 0`). */
  wakeAt: number;
}

/** How many contacts may be dispatched at `now` (capped by `maxBatch`), and when the next may go. */
export function paceAllowance(state: PaceState, now: number, messagesPerMinute: number, maxBatch: number): Allowance {
  const interval = intervalMs(messagesPerMinute);
  const start = scheduleStart(state, now);
  // The epsilon keeps a slot that opens exactly now from being lost to floating-point rounding.
  const due = now >= start ? Math.floor((now - start) / interval + 1e-9) + 1 : 0;
  const window = inWindow(state.recent, now);
  const cap = windowCap(messagesPerMinute);
  const used = window.reduce((n, [, count]) => n + count, 0);
  const allowance = Math.max(0, Math.min(due, cap - used, maxBatch));
  if (allowance > 0) return { allowance, wakeAt: now };
  // The window frees a place once enough of its oldest dispatches are a second old.
  let windowFreeAt = now;
  let held = used;
  for (const [at, count] of window) {
    if (held < cap) break;
    held -= count;
    windowFreeAt = at + WINDOW_MS;
  }
  return { allowance: 0, wakeAt: Math.max(due > 0 ? now : start, windowFreeAt) };
}

/** The state after `dispatched` contacts went at `now` (0 leaves the schedule where it was). */
export function paceAfter(state: PaceState, now: number, messagesPerMinute: number, dispatched: number): PaceState {
  const recent = inWindow(state.recent, now);
  if (dispatched <= 0) return { nextDueAt: state.nextDueAt, recent };
  return { nextDueAt: scheduleStart(state, now) + dispatched * intervalMs(messagesPerMinute), recent: [...recent, [now, dispatched]] };
}

/**
 * How long the dispatcher may sleep before a run needs it again. A run whose slots are at least a
 * tick apart is woken at its slot (so 1/min is one message every 60 s, not every 60 s plus up to a
 * tick); faster runs are served on the tick's cadence, in batches.
 */
export function wakeDelay(wakeAt: number, now: number, messagesPerMinute: number, tickMs: number): number {
  if (intervalMs(messagesPerMinute) < tickMs) return tickMs;
  return Math.min(tickMs, Math.max(1, Math.ceil(wakeAt - now)));
}
