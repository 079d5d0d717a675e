/** Names both sides of the bridge use, without anything that would weigh on the renderer's bundle. */

export const DEVICE_ACTIONS = ["deactivate", "reactivate", "release", "decommission"] as const;

/** The steps of a USB provisioning run on the technician's computer, in order. */
export const PROVISIONING_STEPS = ["check", "exchange", "register"] as const;

/** The IPC channel names the preload and the main process share. */
export const IPC_INVOKE = "console:invoke";
export const IPC_EVENT = "console:event";
