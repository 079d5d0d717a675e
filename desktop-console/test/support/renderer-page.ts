import { readFileSync } from "node:fs";
import { extname, join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";
import type { BridgeRouter } from "../../src/main/bridge-router.js";
import type { BridgeEvent } from "../../src/shared/bridge-types.js";

/** The origin the built renderer is served from in the browser, as Electron serves it from its files. */
export const CONSOLE_ORIGIN = "http://console.test";

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".map": "application/json",
};

/**
 * Serves the built renderer to a Chromium page and wires `window.consoleBridge` to the main
 * process's router in this process, as the preload wires it to IPC in the app: the same
 * channels, the same checks, JSON across the boundary. Returns how to push events to the page.
 */
export async function openRenderer(page: Page, builtDir: string, router: BridgeRouter): Promise<(event: BridgeEvent) => void> {
  await page.route(`${CONSOLE_ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    const file = join(builtDir, path === "/" ? "index.html" : path);
    try {
      return route.fulfill({
        status: 200,
        contentType: TYPES[extname(file)] ?? "application/octet-stream",
        body: readFileSync(file),
      });
    } catch {
      return route.fulfill({ status: 404, body: "not found" });
    }
  });
  await page.exposeFunction("__consoleInvoke", (channel: unknown, input: unknown) => router.handle(channel, input));
  await page.addInitScript(() => {
    type Listener = (event: unknown) => void;
    const listeners = new Set<Listener>();
    const global = globalThis as unknown as Record<string, unknown>;
    global["consoleBridge"] = {
      invoke: (channel: unknown, input: unknown) =>
        (global["__consoleInvoke"] as (channel: unknown, input: unknown) => Promise<unknown>)(channel, input),
      subscribe: (listener: Listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    global["__consoleEmit"] = (event: unknown) => {
      for (const listener of listeners) listener(event);
    };
  });
  return (event) => {
    void page
      .evaluate((pushed) => (globalThis as unknown as { __consoleEmit: (event: unknown) => void }).__consoleEmit(pushed), event)
      .catch(() => undefined);
  };
}

/** The serious and critical accessibility violations axe finds on the page as it is. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(" ")).join(", ")})`,
    );
}

/** The little of the DOM the in-page checks use (this package's types are Node's, not the browser's). */
interface PageElement {
  disabled?: boolean;
  offsetParent: unknown;
  dataset: Record<string, string | undefined>;
  outerHTML: string;
  id: string;
  textContent: string | null;
  tagName: string;
  getAttribute(name: string): string | null;
  blur(): void;
}
export type PageGlobals = {
  document: { querySelectorAll(selector: string): Iterable<PageElement>; activeElement: PageElement | null };
};

/**
 * Tabs through the page from the top and answers the enabled, visible controls the keyboard
 * never reached, described by their label or text.
 */
export async function unreachableByKeyboard(page: Page): Promise<string[]> {
  const controls = await page.evaluate(
    () =>
      [
        ...(globalThis as unknown as PageGlobals).document.querySelectorAll("button, input, select, textarea, summary, a[href]"),
      ].filter((element) => !element.disabled && element.offsetParent !== null).length,
  );
  await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.blur());
  for (let press = 0; press < controls + 5; press++) {
    await page.keyboard.press("Tab");
    await page.evaluate(() => {
      const element = (globalThis as unknown as PageGlobals).document.activeElement;
      if (element) element.dataset["tabbed"] = "yes";
    });
  }
  return page.evaluate(() =>
    [...(globalThis as unknown as PageGlobals).document.querySelectorAll("button, input, select, textarea, summary, a[href]")]
      .filter((element) => !element.disabled && element.offsetParent !== null && element.dataset["tabbed"] !== "yes")
      .map((element) => element.getAttribute("aria-label") ?? (element.id || element.textContent || element.tagName)),
  );
}
