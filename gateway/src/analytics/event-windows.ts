/**
 * Event-time windows: a reading belongs to windows by the time its sample was taken, not
 * by when it arrived, so readings a device buffered through an outage land where they
 * belong. Windows are half-open, [startMs, endMs).
 */
export interface EventWindow {
  startMs: number;
  endMs: number;
}

function checkSpan(name: string, ms: number): void {
  if (!Number.isInteger(ms) || ms <= 0) throw new RangeError(`${name} must be a positive whole number of milliseconds`);
}

/** The one tumbling window of `sizeMs` (aligned to the epoch) holding `timeMs`. */
export function tumblingWindow(timeMs: number, sizeMs: number): EventWindow {
  checkSpan("sizeMs", sizeMs);
  const startMs = Math.floor(timeMs / sizeMs) * sizeMs;
  return { startMs, endMs: startMs + sizeMs };
}

/** Every sliding window of `sizeMs`, starting each `slideMs` (aligned to the epoch), that holds `timeMs`; oldest first. */
export function slidingWindows(timeMs: number, sizeMs: number, slideMs: number): EventWindow[] {
  checkSpan("sizeMs", sizeMs);
  checkSpan("slideMs", slideMs);
  const windows: EventWindow[] = [];
  const lastStart = Math.floor(timeMs / slideMs) * slideMs;
  for (let startMs = lastStart; startMs > timeMs - sizeMs; startMs -= slideMs) windows.push({ startMs, endMs: startMs + sizeMs });
  return windows.reverse();
}

export type Timeliness = "on-time" | "late";

/**
 * How far event time has got in one stream (the newest sample time seen) and whether a
 * sample is late: older than the watermark by more than the allowed lateness. A window is
 * closed once the watermark has passed its end by the allowed lateness; what arrives for
 * it afterwards is late.
 */
export class EventTimeWatermark {
  private newestMs: number;
  readonly allowedLatenessMs: number;

  constructor(allowedLatenessMs: number, watermarkMs = Number.NEGATIVE_INFINITY) {
    if (!(allowedLatenessMs >= 0)) throw new RangeError("allowedLatenessMs must be zero or more");
    this.allowedLatenessMs = allowedLatenessMs;
    this.newestMs = watermarkMs;
  }

  get watermarkMs(): number {
    return this.newestMs;
  }

  /** Takes a sample's time into the watermark and says whether it came late. */
  observe(timeMs: number): Timeliness {
    const timeliness = this.classify(timeMs);
    if (timeMs > this.newestMs) this.newestMs = timeMs;
    return timeliness;
  }

  classify(timeMs: number): Timeliness {
    return timeMs < this.newestMs - this.allowedLatenessMs ? "late" : "on-time";
  }

  isClosed(window: EventWindow): boolean {
    return window.endMs + this.allowedLatenessMs <= this.newestMs;
  }
}

/**
 * Counts events in the sliding window of `sizeMs` ending at the newest event time seen,
 * (newest - size, newest], whatever order the events come in. It keeps at most `keep`
 * event times (the newest), enough to tell whether `keep` of them fall in the window.
 */
export class SlidingEventCount {
  private readonly sizeMs: number;
  private readonly keep: number;
  /** Event times, ascending. */
  private readonly times: number[];
  private newestMs = Number.NEGATIVE_INFINITY;

  constructor(sizeMs: number, keep: number, times: readonly number[] = [], newestMs = Number.NEGATIVE_INFINITY) {
    checkSpan("sizeMs", sizeMs);
    this.sizeMs = sizeMs;
    this.keep = keep;
    this.times = [...times].sort((a, b) => a - b);
    this.newestMs = Math.max(newestMs, this.times.at(-1) ?? Number.NEGATIVE_INFINITY);
  }

  /** Moves the window's end up to `timeMs` (an event that is not counted, such as a normal reading). */
  advance(timeMs: number): void {
    if (timeMs > this.newestMs) this.newestMs = timeMs;
    this.forgetOld();
  }

  add(timeMs: number): void {
    let at = this.times.length;
    while (at > 0 && (this.times[at - 1] as number) > timeMs) at--;
    this.times.splice(at, 0, timeMs);
    if (this.times.length > this.keep) this.times.shift();
    this.advance(timeMs);
  }

  get count(): number {
    return this.times.length;
  }

  /** What to persist to carry the count across a restart. */
  get state(): { times: number[]; newestMs: number } {
    return { times: [...this.times], newestMs: this.newestMs };
  }

  private forgetOld(): void {
    const from = this.newestMs - this.sizeMs;
    while (this.times.length > 0 && (this.times[0] as number) <= from) this.times.shift();
  }
}
