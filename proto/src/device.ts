// Device wire format: what ESP32 nodes and the gateway exchange over serial, MQTT and BLE.
export {
  Channel,
  ChannelThreshold,
  CommandAck,
  CommandResult,
  DeviceCommand,
  DeviceFrame,
  DeviceState,
  DeviceStatus,
  Reboot,
  Sample,
  SetSamplingInterval,
  SetThresholds,
  SignedCommand,
  SignedFrame,
} from "./gen/intelledger/device/v1/frame.js";
