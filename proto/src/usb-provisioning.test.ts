import { provisionAnswer } from "@intelledger/test-support/provisioning-answer";
import { rejectionOf } from "@intelledger/test-support/rejection-of";
import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DeviceMessage, GatewayMessage, ProvisionResult, type ProvisionResponse } from "./device.js";
import { provisioningProof, ProvisioningError, type ProvisioningSettings } from "./provisioning.js";
import { exchangeProvisioning, type PacketChannel } from "./usb-provisioning.js";

function p256() {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  return {
    privateKey,
    point: Uint8Array.from([4, ...Buffer.from(jwk.x ?? "", "base64url"), ...Buffer.from(jwk.y ?? "", "base64url")]),
  };
}

const settings: ProvisioningSettings = {
  deviceId: "unit-01",
  gatewayCommandKey: p256().point,
  samplingIntervalMs: 1_000,
  link: { kind: "serial" },
};

/**
 * A channel to a device the test scripts: it records the requests it is sent and answers each
 * with what `answer` returns (nothing, or DeviceMessages).
 */
function scriptedDevice(answer: (request: Uint8Array, copy: number) => DeviceMessage[]) {
  const requests: Uint8Array[] = [];
  let listener: ((payload: Uint8Array) => void) | undefined;
  const channel: PacketChannel = {
    send: (payload) => {
      const body = GatewayMessage.decode(payload).body;
      if (body?.$case === "provisionRequest") {
        requests.push(body.value);
        for (const message of answer(body.value, requests.length)) listener?.(DeviceMessage.encode(message).finish());
      }
      return Promise.resolve();
    },
    subscribe: (next) => {
      listener = next;
      return () => (listener = undefined);
    },
  };
  return { channel, requests };
}

const key = p256();

function response(requestBytes: Uint8Array, overrides: Partial<ProvisionResponse> = {}): DeviceMessage {
  return provisionAnswer(
    requestBytes,
    { publicKey: key.point, signingKey: key.privateKey, firmwareVersion: "unit-1" },
    overrides,
  );
}

/** The typed error a provisioning call rejected with. */
const failure = (promise: Promise<unknown>) => rejectionOf(promise, ProvisioningError);

describe("the technician's side of USB provisioning", () => {
  it("sends the same request bytes again until an answer with its nonce arrives, ignoring frames and other answers", async () => {
    const frame: DeviceMessage = { body: { $case: "signedFrame", value: Uint8Array.of(1, 2, 3) } };
    const device = scriptedDevice((request, copy) => {
      if (copy < 3) return [frame, response(request, { nonce: new Uint8Array(32).fill(9) })];
      return [response(request)];
    });
    const provisioned = await exchangeProvisioning(device.channel, settings, { resendIntervalMs: 20, timeoutMs: 2_000 });
    expect(provisioned).toEqual({ deviceId: "unit-01", publicKey: key.point, firmwareVersion: "unit-1" });
    expect(device.requests).toHaveLength(3);
    expect(new Set(device.requests.map((request) => Buffer.from(request).toString("hex"))).size).toBe(1);
  });

  it("reports a device that keeps sending frames but never answers", async () => {
    const device = scriptedDevice(() => [{ body: { $case: "signedFrame", value: Uint8Array.of(7) } }]);
    const silent = await failure(exchangeProvisioning(device.channel, settings, { resendIntervalMs: 20, timeoutMs: 200 }));
    expect(silent.code).toBe("no_answer");
    expect(silent.details).toMatchObject({ frames: expect.any(Number) as number, timeoutMs: 200 });
    expect((silent.details.frames as number) > 0).toBe(true);
  });

  it("passes on a refusal with the device's result, detail and id", async () => {
    const device = scriptedDevice((request) => [
      response(request, {
        result: ProvisionResult.PROVISION_RESULT_LOCKED,
        deviceId: "owner-07",
        publicKey: new Uint8Array(),
        signature: new Uint8Array(),
        detail: "provisioned already: open the provisioning window",
      }),
    ]);
    const locked = await failure(exchangeProvisioning(device.channel, settings));
    expect(locked.code).toBe("refused");
    expect(locked.details).toEqual({
      result: "locked",
      detail: "provisioned already: open the provisioning window",
      deviceId: "owner-07",
    });
  });

  it("refuses an answer for another device id or with a signature over another request", async () => {
    const otherId = scriptedDevice((request) => [response(request, { deviceId: "unit-99" })]);
    expect((await failure(exchangeProvisioning(otherId.channel, settings))).code).toBe("bad_signature");
    const otherRequest = scriptedDevice((request) => [
      response(request, {
        signature: sign("sha256", provisioningProof(Uint8Array.of(1), key.point, "unit-1"), {
          key: key.privateKey,
          dsaEncoding: "ieee-p1363",
        }),
      }),
    ]);
    expect((await failure(exchangeProvisioning(otherRequest.channel, settings))).code).toBe("bad_signature");
  });

  it("checks the settings before anything is sent", async () => {
    const device = scriptedDevice(() => []);
    const invalid = await failure(
      exchangeProvisioning(device.channel, {
        ...settings,
        link: { kind: "wifiMqtt", wifiSsid: "plant", wifiPassword: "", mqttHost: "gw", mqttPort: 1883, mqttPassword: "token" },
      }),
    );
    expect(invalid.details).toEqual({ field: "wifi_mqtt.mqtt_password" });
    expect(device.requests).toEqual([]);
  });
});
