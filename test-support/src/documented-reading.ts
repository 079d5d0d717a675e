/**
 * A reading's committed fields, as docs/wire-formats.md lists them (the `Reading` message of
 * relay.proto): what a client written from the docs sends in a batch or finds in a receipt.
 * `FrameCounter` is how its carrier writes the uint64 counter (JSON may use a string).
 */
export interface DocumentedReading<FrameCounter = number> {
  gatewaySeq: number;
  deviceId: string;
  frameCounter: FrameCounter;
  channel: number;
  channelIndex: number;
  sampledAtMs: number;
  receivedAtMs: number;
  value: number;
  scale: number;
  timeUncertain: boolean;
  receivedBoot: number;
  receivedUptimeMs: number;
  /** False when absent. */
  anomalous?: boolean;
}
