import { chromium, type Browser } from "playwright-core";

/**
 * The machine's Chromium, headless: without the sandbox (tests run as root in containers) or a
 * GPU, and without the browser's own traffic (first-run pages, background networking, component
 * updates, sync, QUIC), so a test sees only what its pages ask for.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
