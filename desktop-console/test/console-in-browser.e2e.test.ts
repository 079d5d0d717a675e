import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signKeyHandover } from "@intelledger/proto/key-handover";
import { generateDeviceKeys, SimulatedDevice } from "@intelledger/test-support";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rendererBuild } from "../scripts/build.js";
import { seriousViolations } from "./support/renderer-page.js";
import { TEST_PASSWORD } from "../../gateway/test/gateway-client.js";
import { launchChromium } from "../../gateway/test/headless-chromium.js";
import { startTestGateway } from "../../gateway/test/test-gateway.js";

/**
 * The console's screens served by the gateway at /console, in Chromium with no app around
 * them: the page logs in with the gateway's session cookie and reads the API and live stream
 * of the gateway that served it.
 */
const SCREENSHOTS = process.env["EDGE_CONSOLE_SCREENSHOTS"] ?? join(import.meta.dirname, "../../.data/console-screenshots");

let dir: string;
let running: Awaited<ReturnType<typeof startTestGateway>>;
let browser: Browser;
let page: Page;
const device = new SimulatedDevice("browser-1");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "console-browser-"));
  await build(rendererBuild(join(dir, "renderer")));
  running = await startTestGateway({ http: { host: "127.0.0.1", port: 0, consoleDir: join(dir, "renderer") } });
  running.gateway.devices.register(device.deviceId, device.publicKeyPoint);
  await device.connect(
    `mqtt://127.0.0.1:${running.gateway.mqttPort}`,
    running.gateway.devices.issueMqttCredentials(device.deviceId),
  );
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await device.stop();
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the console served by the gateway at /console", () => {
  it("pairs with the session cookie, shows the gateway's devices and live readings, and says USB needs the app", async () => {
    const response = await page.goto(`${running.url}/console`);
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");
    expect(page.url()).toBe(`${running.url}/console/`);
    const card = page.getByRole("button", { name: `Connect to 127.0.0.1:${running.gateway.httpPort}` });
    await card.click();
    await page.getByLabel("Pairing code").fill(running.gateway.pairingCode ?? "");
    await page.getByLabel("Account name").fill("tech");
    await page.getByLabel(/^Password/).fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Pair and connect" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    const cookies = await page.context().cookies();
    expect(cookies.map((cookie) => cookie.name)).toEqual(["intelledger_session"]);

    await page.getByText("Live stream: open").waitFor();
    await device.publishFrame();
    await page.locator('tr[data-stream^="browser-1/"]').first().waitFor({ timeout: 10_000 });
    // The gateway's supervised parts, each as the gateway's status reports it.
    const parts = running.gateway.snapshot().subsystems;
    expect(parts.length).toBeGreaterThan(0);
    for (const part of parts) {
      await page.locator(`tr[data-subsystem="${part.name}"][data-state="${part.state}"]`).waitFor({ timeout: 10_000 });
    }
    await page.screenshot({ path: join(SCREENSHOTS, "20-browser-dashboard.png"), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Devices" }).click();
    await page.locator('tr[data-device="browser-1"]').getByText("active").waitFor();

    // A key rotation: a handover the device's key did not sign is refused, the real one taken.
    const next = generateDeviceKeys();
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
    await page.getByRole("button", { name: "Rotate the key of browser-1" }).click();
    await page.getByLabel(/^New public key/).fill(hex(next.publicKeyPoint));
    await page.getByLabel(/^Handover signature/).fill(hex(signKeyHandover(next.privateKey, "browser-1", next.publicKeyPoint)));
    await page.getByRole("button", { name: "Rotate the key of browser-1" }).last().click();
    await page
      .getByRole("alert")
      .getByText(/signature/)
      .waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "22-browser-key-rotation-refused.png"), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page
      .getByLabel(/^Handover signature/)
      .fill(hex(signKeyHandover(device.keys.privateKey, "browser-1", next.publicKeyPoint)));
    await page.getByRole("button", { name: "Rotate the key of browser-1" }).last().click();
    await page.getByText("browser-1: key rotated").waitFor();
    expect(hex(running.gateway.devices.get("browser-1")?.publicKeyPoint ?? new Uint8Array())).toBe(hex(next.publicKeyPoint));

    // Node-RED is off on this gateway: the button says so instead of opening an empty window.
    expect(await page.getByRole("button", { name: "Node-RED editor (off on this gateway)" }).isDisabled()).toBe(true);

    await page.getByRole("button", { name: "Add device" }).click();
    await page
      .getByRole("alert")
      .getByText(/runs in the desktop app only/)
      .waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, "21-browser-usb-needs-the-app.png"), fullPage: true });

    // Logged out, the page's calls are refused again.
    await page.getByRole("button", { name: "Disconnect" }).click();
    await page.getByRole("heading", { name: "Connect to a gateway" }).waitFor();
    expect(await page.evaluate(async () => (await fetch("/api/devices")).status)).toBe(401);
  }, 120_000);
});
