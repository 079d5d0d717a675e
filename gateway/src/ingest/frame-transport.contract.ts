// The contract every frame transport keeps, as a test suite each transport's tests run with
// a factory of their own (MQTT with the embedded broker, MQTT through an external broker, and
// so on): the device keeps a frame until the gateway has it durably or refused it for good,
// a "not now" is retried and arrives once, and a gateway restart loses nothing.
import { describe, expect, it } from "vitest";
import type { SimulatedDevice } from "@intelledger/test-support";
import { decodeSignedFrame } from "../acceptance/frame-decoding.js";
import { GatewayError } from "../errors.js";
import type { FrameHandler, FrameTransport, IngestOutcome } from "./frame-transport.js";

/** A device on the transport's link, sending as the firmware does. */
export interface ContractDevice {
  /**
   * Sends one signed frame and keeps it until the link is done with it (acknowledged, or
   * refused for good), sending it again after a "not now" or a lost link; resolves then.
   */
  deliver(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** What the contract needs of a transport. */
export interface TransportUnderTest {
  /** A new instance of the transport on the same endpoint: each start of one is a gateway (re)start. */
  createTransport(): FrameTransport;
  /** Connects a device to the link; called while a transport instance is started. */
  connectDevice(device: SimulatedDevice): Promise<ContractDevice>;
  /**
   * Whether the device's acknowledgement itself waits for the gateway (true for the embedded
   * broker, serial and BLE); false where a broker takes the frame in between and the gateway
   * acknowledges it to the broker.
   */
  deviceAckMeansDurable: boolean;
  close(): Promise<void>;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The gateway side of the contract: a durable store of frame counters that survives
 * transport restarts (as the database does), with frames that can be held before they are
 * durable, refused for good, or refused "not now" a number of times.
 */
class ContractGateway {
  readonly stored: bigint[] = [];
  /** How often each counter reached the gateway. */
  readonly seen = new Map<bigint, number>();
  private readonly holds = new Map<bigint, Deferred>();
  private readonly refusals = new Set<bigint>();
  private readonly notNow = new Map<bigint, number>();

  readonly handle: FrameHandler = async ({ bytes }) => {
    const { deviceId, counter } = decodeSignedFrame(bytes).frame;
    this.seen.set(counter, (this.seen.get(counter) ?? 0) + 1);
    if (this.stored.includes(counter)) return this.refused(deviceId, "replayed");
    if (this.refusals.has(counter)) return this.refused(deviceId, "invalid_sample");
    const deferrals = this.notNow.get(counter) ?? 0;
    if (deferrals > 0) {
      this.notNow.set(counter, deferrals - 1);
      throw new GatewayError("frame not taken now: rate limited", { deviceId });
    }
    await this.holds.get(counter)?.promise;
    this.stored.push(counter);
    return { accepted: true, deviceId };
  };

  private refused(deviceId: string, reason: "replayed" | "invalid_sample"): IngestOutcome {
    return { accepted: false, reason, detail: "refused by the contract", deviceId };
  }

  hold(counter: bigint): Deferred {
    const hold = deferred();
    this.holds.set(counter, hold);
    return hold;
  }

  /** The gateway died before the held frames were durable. */
  dropHolds(): void {
    for (const hold of this.holds.values()) hold.reject(new GatewayError("the gateway stopped before the frame was durable"));
    this.holds.clear();
  }

  refuse(counter: bigint): void {
    this.refusals.add(counter);
  }

  deferTimes(counter: bigint, times: number): void {
    this.notNow.set(counter, times);
  }

  seenTimes(counter: bigint): number {
    return this.seen.get(counter) ?? 0;
  }
}

/** A gateway that starts and restarts instances of the transport around one ContractGateway. */
class Restartable {
  readonly gateway = new ContractGateway();
  private transport: FrameTransport | undefined;
  private readonly underTest: TransportUnderTest;

  constructor(underTest: TransportUnderTest) {
    this.underTest = underTest;
  }

  async start(): Promise<void> {
    this.transport = this.underTest.createTransport();
    await this.transport.start(this.gateway.handle);
  }

  async restart(): Promise<void> {
    await this.transport?.stop();
    this.gateway.dropHolds();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.transport?.stop();
    this.gateway.dropHolds();
  }
}

/**
 * Runs the frame-transport contract against a transport. `setUp` makes a fresh endpoint
 * (a free port, a broker, a serial line) and a device; it is called once per test.
 */
export function frameTransportContract(
  name: string,
  setUp: () => Promise<{ underTest: TransportUnderTest; device: SimulatedDevice }>,
): void {
  const withTransport =
    (
      test: (context: {
        gateway: Restartable;
        device: SimulatedDevice;
        link: ContractDevice;
        durableAck: boolean;
      }) => Promise<void>,
    ) =>
    async () => {
      const { underTest, device } = await setUp();
      const gateway = new Restartable(underTest);
      let link: ContractDevice | undefined;
      try {
        await gateway.start();
        link = await underTest.connectDevice(device);
        await test({ gateway, device, link, durableAck: underTest.deviceAckMeansDurable });
      } finally {
        await link?.close();
        await gateway.stop();
        await underTest.close();
      }
    };

  describe(`the frame-transport contract: ${name}`, () => {
    it(
      "acknowledges a frame only once it is durable; a gateway that stops before that gets it again",
      withTransport(async ({ gateway, device, link, durableAck }) => {
        const bytes = device.nextFrameBytes();
        const counter = BigInt(device.counter);
        gateway.gateway.hold(counter);
        let delivered = false;
        const delivery = link.deliver(bytes).then(() => (delivered = true));
        await until(() => gateway.gateway.seenTimes(counter) === 1, "the frame at the gateway");
        await new Promise((resolve) => setTimeout(resolve, 200));
        if (durableAck) expect(delivered).toBe(false);
        expect(gateway.gateway.stored).toEqual([]);
        await gateway.restart();
        await delivery;
        await until(() => gateway.gateway.stored.length === 1, "the frame stored");
        expect(gateway.gateway.stored).toEqual([counter]);
        expect(gateway.gateway.seenTimes(counter)).toBeGreaterThanOrEqual(2);
      }),
      60_000,
    );

    it(
      "gives a refused frame its final refusal: it is not sent again, even across a restart",
      withTransport(async ({ gateway, device, link }) => {
        const refused = device.nextFrameBytes();
        const refusedCounter = BigInt(device.counter);
        gateway.gateway.refuse(refusedCounter);
        await link.deliver(refused);
        await until(() => gateway.gateway.seenTimes(refusedCounter) === 1, "the refused frame at the gateway");
        await gateway.restart();
        await link.deliver(device.nextFrameBytes());
        await until(() => gateway.gateway.stored.length === 1, "the next frame stored");
        expect(gateway.gateway.seenTimes(refusedCounter)).toBe(1);
        expect(gateway.gateway.stored).toEqual([BigInt(device.counter)]);
      }),
      60_000,
    );

    it(
      'has a frame refused "not now" sent again until it is taken, and stored once',
      withTransport(async ({ gateway, device, link }) => {
        const bytes = device.nextFrameBytes();
        const counter = BigInt(device.counter);
        gateway.gateway.deferTimes(counter, 2);
        await link.deliver(bytes);
        await until(() => gateway.gateway.stored.length === 1, "the frame stored");
        expect(gateway.gateway.seenTimes(counter)).toBe(3);
        expect(gateway.gateway.stored).toEqual([counter]);
      }),
      60_000,
    );

    it(
      "loses nothing across gateway restarts while a device sends",
      withTransport(async ({ gateway, device, link }) => {
        const FRAMES = 30;
        const sending = (async () => {
          for (let i = 0; i < FRAMES; i++) await link.deliver(device.nextFrameBytes());
        })();
        for (const after of [5, 12, 20]) {
          await until(() => gateway.gateway.stored.length >= after, `${after} frames stored`);
          await gateway.restart();
        }
        await sending;
        await until(() => gateway.gateway.stored.length === FRAMES, "every frame stored");
        expect(gateway.gateway.stored).toEqual(Array.from({ length: FRAMES }, (_, i) => BigInt(i + 1)));
      }),
      120_000,
    );
  });
}
