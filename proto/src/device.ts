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
export { DeviceMessage, FrameAck, FrameAckResult, FrameRefusal, GatewayMessage } from "./gen/intelledger/device/v1/link.js";
export {
  BleLinkSettings,
  ProvisionRequest,
  ProvisionResponse,
  ProvisionResult,
  SerialLinkSettings,
  WifiMqttLinkSettings,
} from "./gen/intelledger/device/v1/provisioning.js";
export { frameSha256 } from "./frame-digest.js";
