export interface AdmissionOptions {
  /** Sustained frames per second a device may send. */
  framesPerSecond: number;
  /** Frames a device may send at once above that rate. */
  burst: number;
  /** Failures within `failureWindowMs` that put a device in quarantine. */
  maxFailures: number;
  failureWindowMs: number;
  quarantineMs: number;
  now?: () => number;
}

interface DeviceState {
  tokens: number;
  refilledAtMs: number;
  failures: number[];
  quarantinedUntilMs: number;
}

/**
 * Per-device rate limit (a token bucket) and quarantine: a device whose frames keep
 * failing is refused outright for a while, which also spares the gateway the cost of
 * checking its signatures. Kept in memory: a restart lifts quarantines.
 */
export class DeviceAdmission {
  private options: AdmissionOptions;
  private readonly now: () => number;
  private readonly devices = new Map<string, DeviceState>();
  private readonly listeners = new Set<(deviceId: string, change: "quarantined" | "released") => void>();

  constructor(options: AdmissionOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** New limits, from the next frame on; quarantines in force run their course. */
  reconfigure(options: Omit<AdmissionOptions, "now">): void {
    this.options = { ...this.options, ...options };
  }

  private state(deviceId: string): DeviceState {
    let state = this.devices.get(deviceId);
    if (!state) {
      state = { tokens: this.options.burst, refilledAtMs: this.now(), failures: [], quarantinedUntilMs: 0 };
      this.devices.set(deviceId, state);
    }
    return state;
  }

  /**
   * Calls `listener` when a device is put in quarantine and when one is released (a quarantine
   * that runs out is seen only by asking: see quarantined()). Returns how to stop.
   */
  onChange(listener: (deviceId: string, change: "quarantined" | "released") => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Milliseconds of quarantine left for the device, 0 if it is not quarantined. */
  quarantineLeftMs(deviceId: string): number {
    const until = this.devices.get(deviceId)?.quarantinedUntilMs ?? 0;
    return Math.max(0, until - this.now());
  }

  /** Milliseconds until the device has a token for its next frame; 0 when it has one. */
  tokenWaitMs(deviceId: string): number {
    const state = this.devices.get(deviceId);
    if (!state || state.tokens >= 1) return 0;
    return Math.ceil(((1 - state.tokens) * 1000) / this.options.framesPerSecond);
  }

  /** Takes a token for one frame; false when the device is over its rate. */
  takeToken(deviceId: string): boolean {
    const state = this.state(deviceId);
    const now = this.now();
    const { framesPerSecond, burst } = this.options;
    state.tokens = Math.min(burst, state.tokens + ((now - state.refilledAtMs) * framesPerSecond) / 1000);
    state.refilledAtMs = now;
    if (state.tokens < 1) return false;
    state.tokens -= 1;
    return true;
  }

  /** Records a failed frame; returns true when this failure put the device in quarantine. */
  recordFailure(deviceId: string): boolean {
    const state = this.state(deviceId);
    const now = this.now();
    state.failures = state.failures.filter((at) => now - at < this.options.failureWindowMs);
    state.failures.push(now);
    if (state.failures.length < this.options.maxFailures || state.quarantinedUntilMs > now) return false;
    state.quarantinedUntilMs = now + this.options.quarantineMs;
    state.failures = [];
    for (const listener of this.listeners) listener(deviceId, "quarantined");
    return true;
  }

  /** Ends the device's quarantine and forgets its failures; false when it was not in quarantine. */
  release(deviceId: string): boolean {
    const state = this.devices.get(deviceId);
    if (!state || state.quarantinedUntilMs <= this.now()) return false;
    state.quarantinedUntilMs = 0;
    state.failures = [];
    for (const listener of this.listeners) listener(deviceId, "released");
    return true;
  }

  /** Devices in quarantine now. */
  quarantined(): string[] {
    const now = this.now();
    return [...this.devices].filter(([, state]) => state.quarantinedUntilMs > now).map(([deviceId]) => deviceId);
  }
}
