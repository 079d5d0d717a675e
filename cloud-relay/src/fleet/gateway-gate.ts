import { TokenBuckets } from "@intelledger/service-kit";
import { RelayRefusal } from "../errors.js";
import type { GatewayAccess, GatewayAccessLedger, RateLimit } from "../store/gateway-access.js";
import { addressAllowed, normaliseAddress } from "./cidr-allowlist.js";

/**
 * What operators decided about a gateway, applied to its calls: a revoked gateway and one
 * calling from outside its allowlist are refused (PERMISSION_DENIED), a gateway uploading
 * faster than its rate limit is told to come back later (RESOURCE_EXHAUSTED with
 * x-detail-retry-after-ms). Each call's start reads the gateway's decision from the database,
 * so a revocation through any replica holds on every replica from the gateway's next call.
 * The batches of an open stream are checked against this replica's copy of every decision,
 * read again every fleet.accessRefreshMs (see `refresh`), without waiting for the database;
 * an open stream of a gateway the copy finds revoked (or outside its allowlist) is ended then,
 * whether or not it sends anything.
 */
export class GatewayGate {
  private readonly options: {
    access: Pick<GatewayAccessLedger, "get" | "all">;
    /** The rate limit of gateways without their own; undefined: none. */
    defaultRateLimit: RateLimit | undefined;
  };
  private decisions = new Map<string, GatewayAccess>();
  /** A bucket per gateway, in this replica's memory: each replica holds a gateway to its limit on the uploads it takes. */
  private readonly buckets = new TokenBuckets();
  private readonly watched = new Map<string, Set<{ address: string; end: (refusal: unknown) => void }>>();

  constructor(options: GatewayGate["options"]) {
    this.options = options;
  }

  /** Reads every decision again; the relay calls it every fleet.accessRefreshMs. */
  async refresh(): Promise<void> {
    const all = await this.options.access.all();
    this.decisions = new Map(all.map((access) => [access.gatewayId, access]));
    for (const [gatewayId, streams] of this.watched) {
      for (const stream of streams) {
        try {
          checkAccess(gatewayId, stream.address, this.decisions.get(gatewayId));
        } catch (refusal) {
          streams.delete(stream);
          stream.end(refusal);
        }
      }
    }
  }

  /**
   * Follows an open stream of the gateway: `end` is called with the refusal once a refresh
   * finds the gateway revoked or its address outside its allowlist. Returns the function that
   * stops following it.
   */
  watch(gatewayId: string, address: string, end: (refusal: unknown) => void): () => void {
    const stream = { address, end };
    let streams = this.watched.get(gatewayId);
    if (!streams) {
      streams = new Set();
      this.watched.set(gatewayId, streams);
    }
    streams.add(stream);
    return () => {
      const current = this.watched.get(gatewayId);
      current?.delete(stream);
      if (current?.size === 0) this.watched.delete(gatewayId);
    };
  }

  /** At a call's start: refuses a revoked gateway, or one calling from outside its allowlist. */
  async admit(gatewayId: string, address: string): Promise<void> {
    const access = await this.options.access.get(gatewayId);
    if (access) this.decisions.set(gatewayId, access);
    else this.decisions.delete(gatewayId);
    checkAccess(gatewayId, address, access);
  }

  /** For each batch of an open stream: the gateway's decision as last read, and a token of its rate limit. Throws the refusal that ends the stream. */
  admitBatch(gatewayId: string, address: string, nowMs = Date.now()): void {
    const access = this.decisions.get(gatewayId);
    checkAccess(gatewayId, address, access);
    const limit = access?.rateLimit ?? this.options.defaultRateLimit;
    if (!limit) return;
    const retryAfterMs = this.buckets.take(gatewayId, { perSecond: limit.batchesPerSecond, burst: limit.burst }, nowMs);
    if (retryAfterMs > 0) {
      throw new RelayRefusal(
        "resource_exhausted",
        "rate_limited",
        `gateway uploads faster than its limit of ${limit.batchesPerSecond} batches per second (burst ${limit.burst}); send again in ${retryAfterMs} ms`,
        { retryAfterMs, batchesPerSecond: limit.batchesPerSecond, burst: limit.burst },
      );
    }
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
