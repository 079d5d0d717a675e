import { RelayRefusal } from "../errors.js";
import type { GatewayAccess, GatewayAccessLedger, RateLimit } from "../store/gateway-access.js";
import { addressAllowed, normaliseAddress } from "./cidr-allowlist.js";
import { GatewayRateLimiter } from "./rate-limiter.js";

interface Cached {
  access: GatewayAccess | undefined;
  loadedAtMs: number;
  refreshing: boolean;
}

/** Cached decisions kept before the old ones are dropped. */
const FORGET_ABOVE = 10_000;

/**
 * What operators decided about a gateway, applied to its calls: a revoked gateway and one
 * calling from outside its allowlist are refused (PERMISSION_DENIED), a gateway uploading
 * faster than its rate limit is told to come back later (RESOURCE_EXHAUSTED with
 * x-detail-retry-after-ms). Each call's start reads the decision from the database, so a
 * revocation through any replica holds on every replica from the gateway's next call; the
 * batches of a stream already open are checked against a copy at most `refreshMs` old.
 */
export class GatewayGate {
  private readonly options: {
    access: Pick<GatewayAccessLedger, "get">;
    /** The rate limit of gateways without their own; undefined: none. */
    defaultRateLimit: RateLimit | undefined;
    refreshMs: number;
  };
  private readonly cache = new Map<string, Cached>();
  private readonly limiter = new GatewayRateLimiter();

  constructor(options: GatewayGate["options"]) {
    this.options = options;
  }

  /** At a call's start: refuses a revoked gateway, or one calling from outside its allowlist. */
  async admit(gatewayId: string, address: string, nowMs = Date.now()): Promise<void> {
    const access = await this.options.access.get(gatewayId);
    this.remember(gatewayId, { access, loadedAtMs: nowMs, refreshing: false }, nowMs);
    checkAccess(gatewayId, address, access);
  }

  /**
   * For each batch of an open stream, without waiting for the database: the decision as of
   * the last read (refreshed in the background once older than refreshMs), and a token of the
   * gateway's rate limit. Throws the refusal that ends the stream.
   */
  admitBatch(gatewayId: string, address: string, nowMs = Date.now()): void {
    let cached = this.cache.get(gatewayId);
    if (!cached) {
      cached = { access: undefined, loadedAtMs: 0, refreshing: false };
      this.cache.set(gatewayId, cached);
    }
    if (!cached.refreshing && nowMs - cached.loadedAtMs > this.options.refreshMs) this.refresh(gatewayId, cached);
    const { access } = cached;
    checkAccess(gatewayId, address, access);
    const limit = access?.rateLimit ?? this.options.defaultRateLimit;
    if (!limit) return;
    const retryAfterMs = this.limiter.take(gatewayId, limit, nowMs);
    if (retryAfterMs > 0) {
      throw new RelayRefusal(
        "resource_exhausted",
        "rate_limited",
        `gateway uploads faster than its limit of ${limit.batchesPerSecond} batches per second (burst ${limit.burst}); send again in ${retryAfterMs} ms`,
        { retryAfterMs, batchesPerSecond: limit.batchesPerSecond, burst: limit.burst },
      );
    }
  }

  private refresh(gatewayId: string, cached: Cached): void {
    cached.refreshing = true;
    this.options.access.get(gatewayId).then(
      (access) => this.remember(gatewayId, { access, loadedAtMs: Date.now(), refreshing: false }, Date.now()),
      // The database did not answer: keep the copy and try again at the next batch.
      () => (cached.refreshing = false),
    );
  }

  private remember(gatewayId: string, cached: Cached, nowMs: number): void {
    this.cache.set(gatewayId, cached);
    if (this.cache.size <= FORGET_ABOVE) return;
    for (const [id, { loadedAtMs }] of this.cache) if (nowMs - loadedAtMs > 10 * this.options.refreshMs) this.cache.delete(id);
  }
}

function checkAccess(gatewayId: string, address: string, access: GatewayAccess | undefined): void {
  if (access?.revokedAtMs !== undefined) {
    const why = access.revokedReason === undefined ? "" : ` (${access.revokedReason})`;
    throw new RelayRefusal(
      "permission_denied",
      "gateway_revoked",
      `gateway ${gatewayId} was revoked at ${new Date(access.revokedAtMs).toISOString()}${why}: the relay refuses its certificate`,
      { revokedAtMs: access.revokedAtMs },
    );
  }
  if (access?.allowedCidrs !== undefined && !addressAllowed(address, access.allowedCidrs)) {
    throw new RelayRefusal(
      "permission_denied",
      "address_not_allowed",
      `gateway ${gatewayId} may not call from ${normaliseAddress(address)}: the address is outside its allowlist`,
      { address: normaliseAddress(address) },
    );
  }
}
