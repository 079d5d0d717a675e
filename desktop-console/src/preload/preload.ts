import { contextBridge, ipcRenderer, type IpcRendererEvent } from "electron";
import { IPC_EVENT, IPC_INVOKE } from "../shared/bridge-constants.js";
import type { BridgeEvent, ConsoleBridge } from "../shared/bridge-types.js";

/**
 * The renderer's only way out: `window.consoleBridge`, two functions over two IPC channels.
 * No Electron or Node object crosses; the main process checks every request.
 */
const bridge: ConsoleBridge = {
  invoke: (channel, input) => ipcRenderer.invoke(IPC_INVOKE, channel, input),
  subscribe: (listener) => {
    const forward = (_event: IpcRendererEvent, event: BridgeEvent) => listener(event);
    ipcRenderer.on(IPC_EVENT, forward);
    return () => ipcRenderer.off(IPC_EVENT, forward);
  },
};

contextBridge.exposeInMainWorld("consoleBridge", bridge);
