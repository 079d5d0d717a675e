import { connect } from "node:net";
import { errorMessage } from "@intelledger/service-kit";
import type { RelayStore } from "../store/relay-store.js";

/** One check's outcome: ok, or what failed. */
export type CheckResult = { ok: true } | { ok: false; error: string };

export interface HealthReport {
  ok: boolean;
  checks: Record<string, CheckResult>;
}

const GRPC_CONNECT_TIMEOUT_MS = 1_000;

function failed(error: unknown): CheckResult {
  return { ok: false, error: errorMessage(error) };
}

/** Whether the gRPC listener accepts a connection. */
function grpcAccepts(host: string, port: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host, port });
    const done = (result: CheckResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(GRPC_CONNECT_TIMEOUT_MS, () =>
      done({ ok: false, error: `no connection within ${GRPC_CONNECT_TIMEOUT_MS} ms` }),
    );
    socket.once("connect", () => done({ ok: true }));
    socket.once("error", (error) => done(failed(error)));
  });
}

/**
 * What /healthz and /readyz report. Healthy: the database takes a write and the gRPC port
 * accepts connections. Ready: healthy, and the relay has started fully (its verification
 * threads loaded) and is not stopping.
 */
export class RelayHealth {
  private readonly options: {
    store: Pick<RelayStore, "checkWrites">;
    grpc: () => { host: string; port: number } | undefined;
    started: () => boolean;
    stopping: () => boolean;
  };

  constructor(options: RelayHealth["options"]) {
    this.options = options;
  }

  async health(): Promise<HealthReport> {
    const checks: Record<string, CheckResult> = {};
    try {
      await this.options.store.checkWrites(Date.now());
      checks.database = { ok: true };
    } catch (error) {
      checks.database = failed(error);
    }
    const grpc = this.options.grpc();
    checks.grpc = grpc ? await grpcAccepts(grpc.host, grpc.port) : { ok: false, error: "not listening" };
    return { ok: Object.values(checks).every((check) => check.ok), checks };
  }

  async readiness(): Promise<HealthReport> {
    const { checks } = await this.health();
    checks.started = this.options.started() ? { ok: true } : { ok: false, error: "still starting" };
    checks.accepting = this.options.stopping() ? { ok: false, error: "stopping" } : { ok: true };
    return { ok: Object.values(checks).every((check) => check.ok), checks };
  }
}
