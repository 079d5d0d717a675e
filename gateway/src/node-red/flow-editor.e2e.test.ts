import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, TEST_PASSWORD } from "../../test/gateway-client.js";
import { launchChromium } from "../../test/headless-chromium.js";
import { startTestGateway, type TestGateway } from "../../test/test-gateway.js";
import { SimulatedDevice } from "@intelledger/test-support";

/** The screenshot of the editor lands here (test-results/ is ignored by git). */
const SCREENSHOT = join(import.meta.dirname, "../../../test-results/node-red-editor.png");

/** What the test touches of a page's globals (the project's type check has no DOM types). */
interface BrowserPage {
  cspViolations: string[];
  document: {
    addEventListener(
      type: "securitypolicyviolation",
      listener: (event: { effectiveDirective: string; blockedURI: string }) => void,
    ): void;
  };
}

/** What the form test touches of the editor's API in the page. */
interface EditorPage {
  RED: {
    view: { importNodes(nodes: object[]): void };
    nodes: { node(id: string): object | null };
    editor: { edit(node: object | null): void };
  };
}

/** A node of each IntelLedger type, with settings its form must show, and fields its form must hide for those settings. */
const NODE_SETTINGS: { type: string; values: Record<string, string | number | boolean>; hidden?: string[] }[] = [
  { type: "intelledger-readings", values: { devices: "press-*", channel: "vibration", includeDerived: true, name: "vib" } },
  { type: "intelledger-anomalies", values: { devices: "press-01", channel: "temperature", minScore: "0.9", name: "hot" } },
  { type: "intelledger-alerts", values: { rules: "overheat", states: "firing", name: "alarms" } },
  {
    type: "intelledger-command",
    values: { device: "press-01", action: "setSamplingInterval", intervalMs: 500, minIntervalS: 30, name: "slow" },
  },
  { type: "intelledger-status", values: { intervalS: 15, name: "health" } },
  { type: "intelledger-series", values: { stream: "press-07/temperature/0", spanS: 120, resolution: "1m", name: "trend" } },
  {
    type: "intelledger-write",
    values: { mode: "reading", source: "rms", channel: "vibration", channelIndex: 2, scale: 1, name: "rms" },
    hidden: ["severity", "code"],
  },
  {
    type: "intelledger-write",
    values: { mode: "alert", source: "rms", severity: "critical", code: 7, name: "alarm" },
    hidden: ["channel", "channelIndex", "scale"],
  },
];

let running: TestGateway;
let device: SimulatedDevice;
let browser: Browser;
/** The editor's page, which the tests share as one user would. */
let page: Page;

beforeAll(async () => {
  running = await startTestGateway({ http: { host: "127.0.0.1", port: 0, nodeRed: { enabled: true } } });
  const { gateway } = running;
  const client = new GatewayClient(gateway.httpPort);
  const technician = await client.pair(gateway.pairingCode ?? "", "tech");
  await client.createAccount(technician, "ivy", "integrator");

  // A sensor node publishing real signed frames to the gateway's broker.
  device = new SimulatedDevice("press-01");
  gateway.devices.register(device.deviceId, device.publicKeyPoint);
  await device.connect(`mqtt://127.0.0.1:${gateway.mqttPort}`, gateway.devices.issueMqttCredentials(device.deviceId));
  device.run(50, () => {});

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await device?.stop();
  await running?.stop();
});

async function logIn(page: Page): Promise<void> {
  await page.getByLabel("Username").fill("ivy");
  await page.getByLabel("Password").fill(TEST_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
}

/**
 * Selects a package's example in the import dialog, so that its Import button is enabled. The
 * dialog fills its examples tree as the list arrives, so a click before that may land on an
 * entry about to be replaced, fold the package, or leave the selection on the package: each
 * step is repeated until the button is enabled.
 */
async function selectExample(page: Page, packageName: string, exampleName: string): Promise<void> {
  const examples = page.locator("#red-ui-clipboard-dialog-import-tab-examples");
  const example = examples.getByText(exampleName, { exact: true });
  const importButton = page.locator("#red-ui-clipboard-dialog-ok");
  for (let attempt = 0; !(await importButton.isEnabled()); attempt++) {
    if (attempt === 10)
      throw new Error(`the example ${exampleName} of ${packageName} could not be selected in the import dialog`);
    if (await example.isVisible()) {
      await example.click();
      // A trial click only waits for the button to be clickable (enabled), and clicks nothing.
      await importButton.click({ trial: true, timeout: 3_000 }).catch(() => undefined);
    } else {
      await examples.getByText(packageName, { exact: true }).click();
      await example.waitFor({ state: "visible", timeout: 3_000 }).catch(() => undefined);
    }
  }
}

describe("the flow editor in a browser", () => {
  it("logs in, imports a shipped flow, deploys it, and the gateway stores the flow's derived readings", async () => {
    const base = running.url;
    // The gateway runs offline: everything the editor needs must come from the gateway.
    const elsewhere: string[] = [];
    await page.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.origin === base) return route.continue();
      elsewhere.push(url.href);
      return route.abort();
    });

    // The editor works under the Content-Security-Policy the gateway sends with it.
    await page.addInitScript(() => {
      const inPage = globalThis as unknown as BrowserPage;
      inPage.cspViolations = [];
      inPage.document.addEventListener("securitypolicyviolation", (event) => {
        inPage.cspViolations.push(`${event.effectiveDirective} ${event.blockedURI}`);
      });
    });

    await page.goto(`${base}/flows/`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await logIn(page);
    await page.waitForSelector(".red-ui-palette-node[data-palette-type='intelledger-write']", { timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe("/flows/");

    await page.click("#red-ui-header-button-sidemenu");
    await page.click("#menu-item-import");
    await page.locator("#red-ui-clipboard-dialog-import-tabs li", { hasText: "Examples" }).click();
    await selectExample(page, "node-red-contrib-intelledger", "vibration-rms-derived");
    await page.click("#red-ui-clipboard-dialog-ok");
    await page.locator(".red-ui-tab", { hasText: "Vibration RMS" }).click();
    await page.waitForSelector(".red-ui-flow-node-group[id] .red-ui-flow-node-label", { timeout: 10_000 });

    await page.click("#red-ui-header-button-deploy");
    await page.getByText("Successfully deployed").waitFor({ timeout: 15_000 });

    const derived = () =>
      running.gateway.readings.between(1, running.gateway.readings.lastSeq()).filter((r) => r.deviceId === "flow.press-01.rms");
    const deadline = Date.now() + 20_000;
    while (derived().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(derived()[0]).toMatchObject({ deviceId: "flow.press-01.rms", frameCounter: 1n, scale: 3 });

    // The function node's code editor (Monaco, with its workers) opens too.
    await page.locator(".red-ui-flow-node-group", { hasText: "RMS of 10" }).dblclick();
    await page.waitForSelector("#node-input-func-editor .monaco-editor", { timeout: 15_000 });
    await page.click("#node-dialog-cancel");

    // Let the nodes show their status, then keep a picture of the editor with the IntelLedger nodes.
    await page.getByText(/written, last to flow\.press-01\.rms/).waitFor({ timeout: 10_000 });
    await page.waitForFunction("document.querySelectorAll('.red-ui-notification').length === 0", undefined, { timeout: 15_000 });
    mkdirSync(join(SCREENSHOT, ".."), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(elsewhere).toEqual([]);
    expect(await page.evaluate(() => (globalThis as unknown as BrowserPage).cspViolations)).toEqual([]);
  }, 90_000);

  it("shows each IntelLedger node's settings in its form, every field labelled", async () => {
    const base = running.url;
    await page.goto(`${base}/flows/`);
    if (new URL(page.url()).pathname === "/login") await logIn(page);
    await page.waitForSelector(".red-ui-palette-node[data-palette-type='intelledger-write']", { timeout: 30_000 });
    const nodes = NODE_SETTINGS.map(({ type, values }, index) => ({
      id: `form-${index}`,
      type,
      x: 200,
      y: 60 + 40 * index,
      ...values,
    }));
    await page.evaluate((imported) => (globalThis as unknown as EditorPage).RED.view.importNodes(imported), nodes);

    for (const node of nodes) {
      await page.evaluate((id) => {
        const { RED } = globalThis as unknown as EditorPage;
        RED.editor.edit(RED.nodes.node(id));
      }, node.id);
      await page.waitForSelector("#node-input-gateway", { timeout: 10_000 });
      const { values, hidden = [] } = NODE_SETTINGS[Number(node.id.slice("form-".length))] ?? { values: {} };
      for (const [field, value] of Object.entries({ gateway: "", ...values })) {
        const input = page.locator(`#node-input-${field}`);
        expect(await page.locator(`label[for="node-input-${field}"]`).count(), `${node.type} ${field} label`).toBeGreaterThan(0);
        if (field === "gateway") continue;
        if (typeof value === "boolean") expect(await input.isChecked(), `${node.type} ${field}`).toBe(value);
        else expect(await input.inputValue(), `${node.type} ${field}`).toBe(String(value));
        expect(await input.isVisible(), `${node.type} ${field} shown`).toBe(true);
      }
      for (const field of hidden) {
        expect(await page.locator(`#node-input-${field}`).isVisible(), `${node.type} ${field} hidden`).toBe(false);
      }
      await page.click("#node-dialog-cancel");
      await page.waitForSelector("#node-input-gateway", { state: "detached", timeout: 10_000 });
    }
  }, 90_000);
});
