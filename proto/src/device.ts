// Device wire format: what ESP32 nodes send over serial, MQTT and BLE.
export { Channel, DeviceFrame, Sample, SignedFrame } from "./gen/intelledger/device/v1/frame.js";
