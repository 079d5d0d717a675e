import { readFileSync } from "node:fs";

/** The gateway's release, from its package; shown in the API description and announced on the LAN. */
export const GATEWAY_VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
