import { z } from "zod";
import { LIVE_EVENT_TYPES, type LiveEvent, type LiveEvents } from "../live/live-events.js";
import type { ApiRoutes, RouteGroup } from "./api-routes.js";

const HEARTBEAT_MS = 15_000;
const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .max(2_000)
    .transform((text) => text.split(",").filter((part) => part !== ""))
    .pipe(z.array(item));

/**
 * GET /api/live: Server-Sent Events for live screens. Readings can be narrowed to devices
 * and channels and are limited per client (the rest are counted and reported in a `dropped`
 * event each second); a client that reads too slowly loses readings, never the other events.
 */
export function liveRoutes(api: ApiRoutes, events: LiveEvents): RouteGroup {
  const routes = api.under("/api/live");

  routes.add({
    method: "get",
    path: "/",
    summary: "Live events (Server-Sent Events): reading, anomaly, alert, device, batch, proof, ack, dropped",
    description:
      "Each event's data is one JSON object (see the LiveEvent type in gateway/README.md). Query: types (comma-separated, " +
      "all by default), devices and channels (comma-separated; narrow readings and anomalies), maxReadingsPerSecond (50).",
    access: "viewer",
    produces: "text/event-stream",
    query: z.strictObject({
      types: list(z.enum(LIVE_EVENT_TYPES)).optional(),
      devices: list(z.string().min(1).max(64)).optional(),
      channels: list(z.string().min(1).max(32)).optional(),
      maxReadingsPerSecond: z.coerce.number().int().min(1).max(5_000).default(50),
    }),
    handle: ({ query, req, res }) => {
      const types = new Set(query.types ?? LIVE_EVENT_TYPES);
      const devices = query.devices && new Set(query.devices);
      const channels = query.channels && new Set(query.channels);
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      res.write(": connected\n\n");
      let budget = query.maxReadingsPerSecond;
      let dropped = 0;
      let congested = false;
      const send = (name: string, data: unknown) => {
        if (!res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`)) congested = true;
      };
      res.on("drain", () => (congested = false));
      const wanted = (event: LiveEvent): boolean => {
        if (!types.has(event.type)) return false;
        if (event.type !== "reading" && event.type !== "anomaly") return true;
        return (!devices || devices.has(event.deviceId)) && (!channels || channels.has(event.channel));
      };
      const unsubscribe = events.subscribe((event) => {
        if (!wanted(event)) return;
        if (event.type === "reading") {
          if (budget < 1 || congested) {
            dropped++;
            return;
          }
          budget--;
        }
        send(event.type, event);
      });
      const everySecond = setInterval(() => {
        budget = query.maxReadingsPerSecond;
        if (dropped > 0) send("dropped", { readings: dropped });
        dropped = 0;
      }, 1_000);
      const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), HEARTBEAT_MS);
      req.on("close", () => {
        unsubscribe();
        clearInterval(everySecond);
        clearInterval(heartbeat);
      });
    },
  });

  return routes;
}
