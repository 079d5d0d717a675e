// Stand-ins for hardware and infrastructure the gateway's tests and the demo need.
export { PrivateMosquitto } from "./private-mosquitto.js";
export { PtyPair } from "./pty-pair.js";
export { SimulatedBleCentral, SimulatedPeripheral } from "./simulated-ble.js";
export { SimulatedRadioCentral } from "./simulated-radio-central.js";
