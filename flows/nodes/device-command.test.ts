import { afterEach, describe, expect, it } from "vitest";
import { FakeGateway, reading } from "../test/fake-gateway.js";
import { flowAround, loadNode, node, statuses, unloadFlow, until } from "../test/node-red-harness.js";
import deviceCommandNode from "./device-command.js";

const flow = (settings: Record<string, unknown>) =>
  flowAround("command", "intelledger-command", settings, { output: false, catchErrors: true });

afterEach(unloadFlow);

describe("device command node", () => {
  it("sends its configured command to the device of the reading it gets", async () => {
    const { gateway } = await loadNode(deviceCommandNode, flow({ action: "setSamplingInterval", intervalMs: "250" }));
    node("command").receive({ payload: 31.2, reading: reading({ deviceId: "oven-2" }) });
    await until(() => gateway.commands.length === 1);
    expect(gateway.commands[0]).toEqual({
      deviceId: "oven-2",
      action: { type: "setSamplingInterval", intervalMs: 250 },
      requestedBy: "node-red:command",
    });
  });

  it("takes the command from msg.command and the device from msg.deviceId", async () => {
    const { gateway } = await loadNode(deviceCommandNode, flow({ action: "msg" }));
    node("command").receive({ deviceId: "press-01", command: { type: "reboot" } });
    await until(() => gateway.commands.length === 1);
    expect(gateway.commands[0]?.action).toEqual({ type: "reboot" });
  });

  it("holds back a second command to the same device within the minimum interval", async () => {
    const { gateway } = await loadNode(deviceCommandNode, flow({ action: "reboot", minIntervalS: "60" }));
    node("command").receive({ deviceId: "press-01" });
    node("command").receive({ deviceId: "press-01" });
    node("command").receive({ deviceId: "press-02" });
    await until(() => gateway.commands.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(gateway.commands.map((command) => command.deviceId)).toEqual(["press-01", "press-02"]);
    expect(statuses("command").some((status) => status.text?.startsWith("held back: press-01"))).toBe(true);
  });

  it("reports a failed command to a catch node and in its status", async () => {
    const gateway = new FakeGateway();
    gateway.commandFailure = new Error("device press-01 cannot be reached now");
    const { caught } = await loadNode(deviceCommandNode, flow({ action: "reboot" }), gateway);
    node("command").receive({ deviceId: "press-01" });
    await until(() => caught.length === 1);
    // Node-RED gives catch nodes the error as text, "Error: <message>".
    expect(caught[0]?.error).toMatchObject({ message: "Error: device press-01 cannot be reached now" });
    expect(statuses("command").at(-1)).toMatchObject({ fill: "red", text: "device press-01 cannot be reached now" });
  });

  it("reports a command the device refused", async () => {
    const gateway = new FakeGateway();
    gateway.commandResult = "invalid";
    const { caught } = await loadNode(deviceCommandNode, flow({ action: "setSamplingInterval", intervalMs: "5" }), gateway);
    node("command").receive({ deviceId: "press-01" });
    await until(() => caught.length === 1);
    expect(caught[0]?.error).toMatchObject({ message: "Error: device press-01 refused command 1: invalid" });
  });

  it("refuses a message that names no device", async () => {
    const { caught } = await loadNode(deviceCommandNode, flow({ action: "reboot" }));
    node("command").receive({ payload: 1 });
    await until(() => caught.length === 1);
    expect(caught[0]?.error).toMatchObject({ message: expect.stringMatching(/^Error: no device:/) as unknown });
  });
});
