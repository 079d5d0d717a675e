// Stand-ins for hardware and infrastructure that tests, benchmarks and the demo need.
export { CommandChecker } from "./command-checker.js";
export type { CheckedCommand } from "./command-checker.js";
export { generateDeviceKeys, signFrame } from "./frame-signer.js";
export type { DeviceKeys, FrameToSign } from "./frame-signer.js";
export { FramedDeviceEnd } from "./framed-device-end.js";
export { freePort } from "./free-port.js";
export { InterruptibleProxy } from "./interruptible-proxy.js";
export { MqttSessionTap } from "./mqtt-session-tap.js";
export { NotifySocket } from "./notify-socket.js";
export { PrivateMosquitto } from "./private-mosquitto.js";
export { PtyPair } from "./pty-pair.js";
export { seededRandom } from "./seeded-random.js";
export { referenceSensors, sampleAll } from "./sensor-signals.js";
export type { SensorSignal } from "./sensor-signals.js";
export { SimulatedBleCentral, SimulatedPeripheral } from "./simulated-ble.js";
export { SimulatedDevice } from "./simulated-device.js";
export { SimulatedRadioCentral } from "./simulated-radio-central.js";
