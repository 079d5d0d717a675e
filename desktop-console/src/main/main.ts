import { hostname } from "node:os";
import { join } from "node:path";
import { app, BrowserWindow, ipcMain, safeStorage } from "electron";
import { IPC_EVENT, IPC_INVOKE } from "../shared/bridge-constants.js";
import { BridgeRouter } from "./bridge-router.js";
import { ConsoleServices } from "./console-services.js";
import { mayOpen } from "./window-policy.js";

/**
 * The Electron main process: one window whose renderer is sandboxed, isolated from Node and
 * limited by its Content-Security-Policy (index.html); it reaches the services here only
 * through the preload's bridge, whose every request the router checks.
 */
let window: BrowserWindow | undefined;

const services = new ConsoleServices({
  profilesFile: join(app.getPath("userData"), "connections.json"),
  secrets: safeStorage,
  emit: (event) => window?.webContents.send(IPC_EVENT, event),
  tokenLabel: `desktop console on ${hostname()}`,
});
const router = new BridgeRouter(services.handlers);

function createWindow(): void {
  window = new BrowserWindow({
    width: 1280,
    height: 860,
    title: "IntelLedger Edge console",
    webPreferences: {
      preload: join(import.meta.dirname, "preload.cjs"),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const pages = `file://${join(import.meta.dirname, "renderer")}`;
  window.webContents.on("will-navigate", (event, url) => {
    if (!url.startsWith(pages)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) =>
    mayOpen(url, services.connectedOrigin)
      ? {
          action: "allow",
          overrideBrowserWindowOptions: { webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false } },
        }
      : { action: "deny" },
  );
  void window.loadFile(join(import.meta.dirname, "renderer", "index.html"));
}

app.on("web-contents-created", (_event, contents) => {
  // A window the gateway's pages open may stay on the gateway, nowhere else.
  contents.on("will-navigate", (event, url) => {
    if (contents !== window?.webContents && !mayOpen(url, services.connectedOrigin)) event.preventDefault();
  });
  contents.on("will-attach-webview", (event) => event.preventDefault());
});

ipcMain.handle(IPC_INVOKE, (event, channel: unknown, input: unknown) => {
  if (event.sender !== window?.webContents) return { ok: false, error: { message: "not the console's window", code: "refused" } };
  return router.handle(channel, input);
});

app.on("window-all-closed", () => {
  services.close();
  app.quit();
});

void app.whenReady().then(createWindow);
