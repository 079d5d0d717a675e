import { pino } from "pino";
import { FramedDeviceEnd, SimulatedBleCentral, SimulatedPeripheral, until } from "@intelledger/test-support";
import { BleTransport } from "./ble-transport.js";
import { describeFrameTransportContract } from "../../test/frame-transport-contract.js";
import { framedContractDevice } from "../../test/framed-contract-device.js";

describeFrameTransportContract("BLE through the simulated peripheral", () => {
  // One central for every transport made: the radio outlives a gateway restart.
  const central = new SimulatedBleCentral();
  return Promise.resolve({
    createTransport: () => new BleTransport({ central, logger: pino({ level: "silent" }) }),
    attachDevice(device) {
      // The smallest MTU: every packet spans several notifications and writes.
      const peripheral = new SimulatedPeripheral(device.deviceId);
      const end = new FramedDeviceEnd((bytes) => peripheral.notify(bytes));
      peripheral.onWrite((chunk) => end.push(chunk));
      central.advertise(peripheral);
      return Promise.resolve(framedContractDevice(end, () => Promise.resolve()));
    },
    reachable: (transport, device) =>
      until(() => (transport as BleTransport).connectedDevices.includes(device.deviceId), "the central to connect"),
    answersGiveReasons: true,
    close: () => Promise.resolve(),
  });
});
