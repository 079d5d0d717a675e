import type { UploadResponse } from "@intelledger/proto/relay";
import type { Logger } from "pino";
import type { GatewayChain, UploadPort } from "./gateway-chain.js";
import type { UploadMessage } from "./upload-request-decoder.js";

/** Who an upload stream is, for its log lines and traces. */
export interface UploadIdentity {
  requestId: string;
  /** Carries the request id (and gateway) on every line. */
  logger: Logger;
  /** The W3C trace context the stream's metadata carried (empty when none). */
  traceCarrier: Readonly<Record<string, string>>;
}

/**
 * One upload stream of a gateway: hands what comes up to the gateway's chain and answers
 * down the stream, until the first refusal, which ends the stream with its status; the
 * gateway then registers again and resumes where the relay's record stands.
 */
export class UploadSession implements UploadPort {
  private readonly chain: GatewayChain;
  private readonly stream: { send(response: UploadResponse): void; refuse(error: unknown): void };
  readonly requestId: string;
  readonly logger: Logger;
  readonly traceCarrier: Readonly<Record<string, string>>;
  private refused = false;

  constructor(chain: GatewayChain, stream: UploadSession["stream"], identity: UploadIdentity) {
    this.chain = chain;
    this.stream = stream;
    this.requestId = identity.requestId;
    this.logger = identity.logger;
    this.traceCarrier = identity.traceCarrier;
  }

  get failed(): boolean {
    return this.refused;
  }

  receive(message: UploadMessage): void {
    if (this.refused) return;
    if (message.kind === "batch") this.chain.receive(this, message.batch);
    else if (message.kind === "proof") this.chain.receiveProof(this, message.proof);
    else this.fail(message.refusal);
  }

  send(response: UploadResponse): void {
    if (!this.refused) this.stream.send(response);
  }

  fail(error: unknown): void {
    if (this.refused) return;
    this.refused = true;
    this.stream.refuse(error);
  }

  /** Resolves once everything this stream sent has been answered; true unless the stream was refused. */
  async settled(): Promise<boolean> {
    await this.chain.settled();
    return !this.refused;
  }
}
