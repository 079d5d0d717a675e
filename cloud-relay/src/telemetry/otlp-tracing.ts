import { ROOT_CONTEXT, SpanStatusCode, trace, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { BatchTrace, TracedBatchId, UploadTracing } from "./upload-tracing.js";

/** Batches stored but not yet anchored whose upload span this replica remembers, at most. */
const MAX_AWAITING_ANCHOR = 200_000;
/** Anchors with open spans, at most: one never confirmed here (leadership moved on) is ended unconfirmed. */
const MAX_OPEN_ANCHORS = 1_000;

function keyOf(batch: TracedBatchId): string {
  return `${batch.gatewayId}:${batch.sequence}`;
}

function endWith(span: Span | undefined, error?: unknown): void {
  if (!span) return;
  if (error !== undefined) {
    const failure = error instanceof Error ? error : new Error(JSON.stringify(error));
    span.recordException(failure);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
  }
  span.end();
}

const getter = {
  keys: (carrier: Readonly<Record<string, string>>) => Object.keys(carrier),
  get: (carrier: Readonly<Record<string, string>>, key: string) => carrier[key],
};

/**
 * Traces over OTLP/HTTP (JSON): per batch an upload span (arrival to ack) with verify and
 * store spans under it, and once an anchor this replica created covers the batch and is
 * confirmed, an anchor span under it too. Attributes: `intelledger.gateway.id`,
 * `intelledger.batch.sequence`, `intelledger.request.id`, and on anchor spans the anchor's
 * id, term, transaction and block.
 */
export class OtlpTracing implements UploadTracing {
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();
  /** Upload spans' contexts of stored batches, until an anchor covers them (oldest dropped first). */
  private readonly awaitingAnchor = new Map<string, Context>();
  private readonly anchorSpans = new Map<number, Span[]>();

  /** `url`: the OTLP/HTTP traces endpoint; undefined lets the exporter read the standard OTEL_EXPORTER_OTLP_* variables. */
  constructor(options: { url: string | undefined; serviceName: string; instanceId: string }) {
    const exporter = new OTLPTraceExporter(options.url === undefined ? {} : { url: options.url });
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName, "service.instance.id": options.instanceId }),
      spanProcessors: [new BatchSpanProcessor({ exporter })],
    });
    this.tracer = this.provider.getTracer("intelledger-relay");
  }

  batchArrived(batch: Parameters<UploadTracing["batchArrived"]>[0]): BatchTrace {
    const parent = this.propagator.extract(ROOT_CONTEXT, batch.carrier, getter);
    const attributes = {
      "intelledger.gateway.id": batch.gatewayId,
      "intelledger.batch.sequence": batch.sequence,
      "intelledger.request.id": batch.requestId,
    };
    const upload = this.tracer.startSpan(
      "relay.upload",
      { attributes: { ...attributes, "intelledger.batch.readings": batch.readingCount } },
      parent,
    );
    const under = trace.setSpan(parent, upload);
    let verify: Span | undefined = this.tracer.startSpan("relay.verify", { attributes }, under);
    let store: Span | undefined;
    const awaitingAnchor = this.awaitingAnchor;
    return {
      verified(error) {
        endWith(verify, error);
        verify = undefined;
      },
      storing: () => {
        store = this.tracer.startSpan("relay.store", { attributes }, under);
      },
      stored(error) {
        endWith(store, error);
        store = undefined;
        if (error !== undefined) return;
        awaitingAnchor.set(keyOf(batch), under);
        if (awaitingAnchor.size > MAX_AWAITING_ANCHOR) awaitingAnchor.delete(awaitingAnchor.keys().next().value as string);
      },
      acked: () => upload.end(),
      failed(error) {
        endWith(verify, error);
        endWith(store, error);
        endWith(upload, error);
      },
    };
  }

  anchorCreated(anchorId: number, batches: readonly TracedBatchId[], term: number): void {
    const spans: Span[] = [];
    for (const batch of batches) {
      const under = this.awaitingAnchor.get(keyOf(batch));
      if (!under) continue;
      this.awaitingAnchor.delete(keyOf(batch));
      spans.push(
        this.tracer.startSpan(
          "relay.anchor",
          {
            attributes: {
              "intelledger.gateway.id": batch.gatewayId,
              "intelledger.batch.sequence": batch.sequence,
              "intelledger.anchor.id": anchorId,
              "intelledger.anchor.term": term,
              "intelledger.anchor.batches": batches.length,
            },
          },
          under,
        ),
      );
    }
    if (spans.length === 0) return;
    this.anchorSpans.set(anchorId, spans);
    if (this.anchorSpans.size <= MAX_OPEN_ANCHORS) return;
    const [oldest, unconfirmed] = this.anchorSpans.entries().next().value as [number, Span[]];
    for (const span of unconfirmed) endWith(span, new Error("the anchor was not confirmed while this replica led"));
    this.anchorSpans.delete(oldest);
  }

  anchorConfirmed(anchorId: number, confirmed: { txHash: string; blockNumber: number }): void {
    for (const span of this.anchorSpans.get(anchorId) ?? []) {
      span.setAttributes({ "intelledger.anchor.tx_hash": confirmed.txHash, "intelledger.anchor.block": confirmed.blockNumber });
      span.end();
    }
    this.anchorSpans.delete(anchorId);
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
