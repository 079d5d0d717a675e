import { pino } from "pino";
import { FramedDeviceEnd } from "@intelledger/test-support";
import { SimulatedBleCentral, SimulatedPeripheral } from "@intelledger/test-support";
import { BleTransport } from "./ble-transport.js";
import { contractAnswer } from "./framed-contract-answer.js";
import { describeFrameTransportContract, type ContractDevice } from "./frame-transport-contract.js";

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeFrameTransportContract("BLE through the simulated peripheral", async () => {
  // One central for every transport made: the radio outlives a gateway restart.
  const central = new SimulatedBleCentral();
  return Promise.resolve({
    createTransport: () => new BleTransport({ central, logger: pino({ level: "silent" }) }),
    async attachDevice(deviceId): Promise<ContractDevice> {
      // The smallest MTU: every packet spans several notifications and writes.
      const peripheral = new SimulatedPeripheral(deviceId);
      const end = new FramedDeviceEnd((bytes) => peripheral.notify(bytes));
      peripheral.onWrite((chunk) => end.push(chunk));
      central.advertise(peripheral);
      await Promise.resolve();
      return {
        deviceId,
        send: (signedFrame) => {
          const sent = end.sendFrame(signedFrame);
          return { answered: async (timeoutMs) => contractAnswer(await sent.answered(timeoutMs)) };
        },
        nextCommand: (timeoutMs) => end.nextCommand(timeoutMs),
      };
    },
    reachable: (transport, device) =>
      until(() => (transport as BleTransport).connectedDevices.includes(device.deviceId), "the central to connect"),
    close: () => Promise.resolve(),
  });
});
