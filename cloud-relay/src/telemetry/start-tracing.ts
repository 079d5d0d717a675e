import type { RelayConfig } from "../config.js";
import type { UploadTracing } from "./upload-tracing.js";

/**
 * Tracing when configured: `telemetry.otlpEndpoint` in the configuration, or the standard
 * OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT in the environment (and
 * OTEL_SDK_DISABLED=true turns it off whatever is set). Otherwise undefined, and the
 * OpenTelemetry packages are not even loaded.
 */
export async function startTracing(
  telemetry: RelayConfig["telemetry"],
  instanceId: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<UploadTracing | undefined> {
  if (env.OTEL_SDK_DISABLED === "true") return undefined;
  const fromEnvironment = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (telemetry.otlpEndpoint === undefined && !fromEnvironment) return undefined;
  const { OtlpTracing } = await import("./otlp-tracing.js");
  return new OtlpTracing({
    // The configured endpoint is a base URL, as OTEL_EXPORTER_OTLP_ENDPOINT is: traces go to /v1/traces under it.
    url: telemetry.otlpEndpoint === undefined ? undefined : `${telemetry.otlpEndpoint.replace(/\/+$/, "")}/v1/traces`,
    serviceName: env.OTEL_SERVICE_NAME ?? telemetry.serviceName,
    instanceId,
  });
}
