// A gateway's side of the relay written from relay.proto and docs/wire-formats.md alone:
// messages come from the .proto through @grpc/proto-loader, batch signatures from the
// EIP-712 type read out of the docs, through ethers. Nothing of the project's wire code is used but
// the batch commitment (the readings root), which the circuits package defines.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  credentials,
  loadPackageDefinition,
  makeGenericClientConstructor,
  Metadata,
  type Client,
  type ClientDuplexStream,
  type GrpcObject,
  type ServiceClientConstructor,
  type ServiceError,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { BatchCommitment, fieldToBytes32, loadPoseidon, type CommittedReading } from "@intelledger/circuits";
import { documentedTypedData } from "@intelledger/test-support/documented-typed-data";
import { TypedDataEncoder, Wallet, getBytes, hexlify } from "ethers";

const PROTO_ROOT = join(import.meta.dirname, "../../proto");

/** The batch type exactly as docs/wire-formats.md gives it. */
export const DOCUMENTED_BATCH_DOMAIN = { name: "IntelLedger Edge", version: "1" };
export const DOCUMENTED_BATCH_TYPES = documentedTypedData("Batch");

export interface WireBatch {
  gatewayId: string;
  sequence: number;
  previousBatchHash: Uint8Array;
  readingsRoot: Uint8Array;
  sealedAtMs: number;
  readings: CommittedReading[];
  dataClass: number;
  readingCount: number;
  firstGatewaySeq: number;
  lastGatewaySeq: number;
}

export interface SignedWireBatch {
  batch: WireBatch;
  signature: Uint8Array;
}

const definition = loadSync(join(PROTO_ROOT, "intelledger/relay/v1/relay.proto"), {
  includeDirs: [PROTO_ROOT],
  longs: Number,
  enums: Number,
  defaults: true,
  oneofs: true,
});
const relayPackage = loadPackageDefinition(definition) as unknown as {
  intelledger: { relay: { v1: GrpcObject & { GatewayRelayService: ServiceClientConstructor } } };
};
const ServiceClient = relayPackage.intelledger.relay.v1.GatewayRelayService;
const receiptsPackage = loadPackageDefinition(
  loadSync(join(PROTO_ROOT, "intelledger/relay/v1/receipts.proto"), { includeDirs: [PROTO_ROOT], longs: Number, defaults: true }),
) as unknown as { intelledger: { relay: { v1: GrpcObject & { ReceiptService: ServiceClientConstructor } } } };
const ReceiptClient = receiptsPackage.intelledger.relay.v1.ReceiptService;

/** The EIP-712 digest of a batch header: its hash, which the next batch links to. */
export function documentedBatchHash(batch: WireBatch): Uint8Array {
  return getBytes(TypedDataEncoder.hash(DOCUMENTED_BATCH_DOMAIN, DOCUMENTED_BATCH_TYPES, documentedHeader(batch)));
}

function documentedHeader(batch: WireBatch) {
  return {
    gateway: batch.gatewayId,
    sequence: batch.sequence,
    previousBatchHash: hexlify(batch.previousBatchHash),
    readingsRoot: hexlify(batch.readingsRoot),
    dataClass: batch.dataClass,
    readingCount: batch.readingCount,
    firstGatewaySeq: batch.firstGatewaySeq,
    lastGatewaySeq: batch.lastGatewaySeq,
    sealedAtMs: batch.sealedAtMs,
  };
}

export async function signDocumentedBatch(signer: Wallet, batch: WireBatch): Promise<Uint8Array> {
  return getBytes(await signer.signTypedData(DOCUMENTED_BATCH_DOMAIN, DOCUMENTED_BATCH_TYPES, documentedHeader(batch)));
}

/** Readings of one temperature sensor with the given gateway_seq numbers. */
export function wireReadings(gatewaySeqs: readonly number[], startMs = Date.now()): CommittedReading[] {
  return gatewaySeqs.map((gatewaySeq, index) => ({
    gatewaySeq,
    deviceId: "esp32-test",
    frameCounter: gatewaySeq,
    channel: 1,
    channelIndex: 0,
    sampledAtMs: startMs + index,
    receivedAtMs: startMs + index,
    value: 2_000 + index,
    scale: 2,
    timeUncertain: false,
    receivedBoot: 1,
    receivedUptimeMs: 1_000 + index,
    anomalous: false,
  }));
}

/** A signed batch of `readings`, linked to `previousBatchHash`. */
export async function signedWireBatch(
  signer: Wallet,
  options: {
    sequence: number;
    previousBatchHash: Uint8Array;
    readings: CommittedReading[];
    dataClass?: number;
    sealedAtMs?: number;
  },
): Promise<SignedWireBatch> {
  const hasher = await loadPoseidon();
  const { readings } = options;
  const root = BatchCommitment.build(hasher, { gatewayId: signer.address, readings }).root;
  const batch: WireBatch = {
    gatewayId: signer.address,
    sequence: options.sequence,
    previousBatchHash: options.previousBatchHash,
    readingsRoot: fieldToBytes32(root),
    sealedAtMs: options.sealedAtMs ?? Date.now(),
    readings,
    dataClass: options.dataClass ?? 1,
    readingCount: readings.length,
    firstGatewaySeq: readings[0]?.gatewaySeq ?? 0,
    lastGatewaySeq: readings.at(-1)?.gatewaySeq ?? 0,
  };
  return { batch, signature: await signDocumentedBatch(signer, batch) };
}

/** The software version this client reports in its registrations and heartbeats. */
export const PROTO_CLIENT_VERSION = "proto-client 1.0";

/** What the relay answered a call that failed: its status, message, x-detail-* metadata and its x-request-id. */
export interface Refusal {
  code: number;
  details: string;
  metadata: Record<string, string>;
}

export function refusalOf(error: ServiceError): Refusal {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(error.metadata?.getMap() ?? {})) {
    if (key.startsWith("x-detail-") || key === "x-request-id") metadata[key] = String(value);
  }
  return { code: error.code, details: error.details, metadata };
}

/** How the relay refused `call`; fails when it was not refused. */
export async function refusalOfCall(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (error) {
    return refusalOf(error as ServiceError);
  }
  throw new Error("the call was not refused");
}

type UnaryCallback = (error: ServiceError | null, response: Record<string, unknown>) => void;
type DynamicClient = Client &
  Record<string, (request: object, metadata: Metadata, callback: UnaryCallback) => void> & {
    upload(metadata?: Metadata): ClientDuplexStream<object, UploadAnswer>;
  };

/** What the relay sends down the upload stream, as proto-loader decodes it. */
export interface UploadAnswer {
  message: "ack" | "flowControl" | "proofAck";
  ack?: { sequence: number; batchHash: Buffer };
  flowControl?: { maxInFlight: number };
  proofAck?: { sequence: number; valid: boolean; alreadyRecorded: boolean };
}

export interface ClientTls {
  caCertFile: string;
  certFile?: string;
  keyFile?: string;
}

function channelCredentials(tls: ClientTls) {
  return credentials.createSsl(
    readFileSync(tls.caCertFile),
    tls.keyFile === undefined ? null : readFileSync(tls.keyFile),
    tls.certFile === undefined ? null : readFileSync(tls.certFile),
  );
}

const CHANNEL_OPTIONS = {
  "grpc.ssl_target_name_override": "localhost",
  "grpc.max_send_message_length": -1,
  "grpc.max_receive_message_length": -1,
};

/** A client of GatewayRelayService and ReceiptService from the .proto files, over mutual TLS (or without a client certificate, to be refused). */
export class ProtoRelayClient {
  private readonly client: DynamicClient;
  readonly address: string;
  private readonly tls: ClientTls;

  constructor(address: string, tls: ClientTls) {
    this.address = address;
    this.tls = tls;
    this.client = new ServiceClient(address, channelCredentials(tls), CHANNEL_OPTIONS) as unknown as DynamicClient;
  }

  private unary(method: "register" | "heartbeat", request: object): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) =>
      this.client[method]?.(request, new Metadata(), (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  register(signer: Wallet, timestampMs = Date.now()): Promise<Record<string, unknown>> {
    return signer.signMessage(`IntelLedger Edge registration ${signer.address} ${timestampMs}`).then((signature) =>
      this.unary("register", {
        gatewayId: signer.address,
        timestampMs,
        signature: getBytes(signature),
        boot: 1,
        uptimeMs: 1_000,
        softwareVersion: PROTO_CLIENT_VERSION,
      }),
    );
  }

  /** A heartbeat; `clockOffsetMs` sets the client's clock that far from this machine's. */
  heartbeat(gatewayId: string, backlogReadings: number, clockOffsetMs = 0): Promise<Record<string, unknown>> {
    return this.unary("heartbeat", {
      gatewayId,
      sentAtMs: Date.now() + clockOffsetMs,
      backlogReadings,
      backlogBatches: 1,
      boot: 1,
      uptimeMs: 2_000,
      softwareVersion: PROTO_CLIENT_VERSION,
    });
  }

  /** An upload stream, with `metadata` sent as its request headers; its answers and its end (status) are collected. */
  openUpload(metadata: Readonly<Record<string, string>> = {}): UploadStream {
    const headers = new Metadata();
    for (const [key, value] of Object.entries(metadata)) headers.set(key, value);
    return new UploadStream(this.client.upload(headers));
  }

  /** An upload stream sending raw bytes as its messages, to send what no encoder would. */
  openRawUpload(): UploadStream {
    const Raw = makeGenericClientConstructor(
      {
        upload: {
          path: "/intelledger.relay.v1.GatewayRelayService/Upload",
          requestStream: true,
          responseStream: true,
          requestSerialize: (bytes: Buffer) => bytes,
          requestDeserialize: (bytes: Buffer) => bytes,
          responseSerialize: (bytes: Buffer) => bytes,
          responseDeserialize: (bytes: Buffer) => bytes,
        },
      },
      "RawUpload",
    );
    const raw = new Raw(this.address, channelCredentials(this.tls), CHANNEL_OPTIONS) as unknown as {
      upload(): ClientDuplexStream<object, UploadAnswer>;
      close(): void;
    };
    return new UploadStream(raw.upload(), () => raw.close());
  }

  /** ReceiptService.FetchReceipt: the receipt of one of this gateway's readings, its JSON parsed. */
  fetchReceipt(gatewayId: string, gatewaySeq: number): Promise<Record<string, unknown>> {
    const client = new ReceiptClient(this.address, channelCredentials(this.tls), CHANNEL_OPTIONS) as unknown as DynamicClient;
    return new Promise<Record<string, unknown>>((resolve, reject) =>
      client["fetchReceipt"]?.({ gatewayId, gatewaySeq }, new Metadata(), (error, response) =>
        error ? reject(error) : resolve(JSON.parse(response["receiptJson"] as string) as Record<string, unknown>),
      ),
    ).finally(() => client.close());
  }

  close(): void {
    this.client.close();
  }
}

/** One upload stream: what it received, and how it ended. */
export class UploadStream {
  readonly answers: UploadAnswer[] = [];
  /** The response headers the relay sent first (its x-request-id among them). */
  readonly headers: Promise<Record<string, string>>;
  private readonly waiters = new Set<() => void>();
  /** Settles with the refusal that ended the stream, or undefined when it ended normally. */
  readonly ended: Promise<Refusal | undefined>;
  private readonly stream: ClientDuplexStream<object, UploadAnswer>;
  private readonly onEnd: (() => void) | undefined;

  constructor(stream: ClientDuplexStream<object, UploadAnswer>, onEnd?: () => void) {
    this.stream = stream;
    this.onEnd = onEnd;
    stream.on("data", (answer: UploadAnswer) => {
      this.answers.push(answer);
      for (const wake of this.waiters) wake();
    });
    this.headers = new Promise((resolve) =>
      stream.on("metadata", (metadata: Metadata) =>
        resolve(Object.fromEntries(Object.entries(metadata.getMap()).map(([key, value]) => [key, String(value)]))),
      ),
    );
    this.ended = new Promise((resolve) => {
      stream.on("error", (error: ServiceError) => resolve(refusalOf(error)));
      stream.on("status", (status: { code: number }) => {
        if (status.code === 0) resolve(undefined);
      });
    });
    void this.ended.then(() => this.onEnd?.());
  }

  sendBatch(signed: SignedWireBatch): void {
    this.stream.write({ batch: signed });
  }

  sendProof(sequence: number, proof: string, publicSignals: string[]): void {
    this.stream.write({ proof: { sequence, proof: Buffer.from(proof), publicSignals } });
  }

  /** Writes bytes as they are (on a stream from openRawUpload). */
  sendRaw(bytes: Buffer): void {
    this.stream.write(bytes);
  }

  /** Resolves with the first answer that `match` accepts, or the refusal that ended the stream first. */
  async next(match: (answer: UploadAnswer) => boolean, timeoutMs = 60_000): Promise<UploadAnswer> {
    const deadline = Date.now() + timeoutMs;
    let refusal: Refusal | undefined;
    let ended = false;
    void this.ended.then((value) => {
      refusal = value;
      ended = true;
    });
    for (;;) {
      const found = this.answers.find(match);
      if (found) return found;
      if (ended) throw new Error(`stream ended before the answer: ${JSON.stringify(refusal)}`);
      if (Date.now() > deadline) throw new Error("no such answer in time");
      // Woken by the next answer, or after a while to look at the end and the deadline.
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 50);
        this.waiters.add(wake);
      });
    }
  }

  end(): void {
    this.stream.end();
  }

  cancel(): void {
    this.stream.cancel();
  }
}

/** A new gateway: a fresh key, and a client of the relay at `address` with the certificate `certify` issues to its address. */
export async function newGateway(address: string, certify: (gatewayId: string) => Promise<ClientTls>) {
  const signer = new Wallet(Wallet.createRandom().privateKey);
  const tls = await certify(signer.address);
  return { signer, tls, client: new ProtoRelayClient(address, tls) };
}
