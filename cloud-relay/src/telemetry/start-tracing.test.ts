import { describe, expect, it } from "vitest";
import { startTracing } from "./start-tracing.js";

const defaults = { serviceName: "intelledger-relay" };

describe("when the relay traces", () => {
  it("does not without an endpoint in its configuration or environment", async () => {
    expect(await startTracing(defaults, "host:1", {})).toBeUndefined();
  });

  it("does with telemetry.otlpEndpoint, or with the standard OTLP endpoint variables", async () => {
    for (const [telemetry, env] of [
      [{ ...defaults, otlpEndpoint: "http://127.0.0.1:4318" }, {}],
      [defaults, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }],
      [defaults, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:4318/v1/traces" }],
    ] as const) {
      const tracing = await startTracing(telemetry, "host:1", env);
      expect(tracing).toBeDefined();
      await tracing?.shutdown();
    }
  });

  it("does not when OTEL_SDK_DISABLED is true, whatever names an endpoint", async () => {
    const env = { OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" };
    expect(await startTracing({ ...defaults, otlpEndpoint: "http://127.0.0.1:4318" }, "host:1", env)).toBeUndefined();
  });
});
