import { z } from "zod";
import { commandResultName, type AuditedCommands } from "../commands/audited-commands.js";
import { deviceActionSchema, toDeviceAction } from "../node-red/flow-api.js";
import type { ApiRoutes, RouteGroup } from "./api-routes.js";
import { deviceId } from "./device-admin-routes.js";

/**
 * One action, checked as flows' actions are; a flat strict object first, so that a field no
 * action has is named.
 */
const commandBody = z
  .strictObject({
    type: z.enum(deviceActionSchema.options.map((option) => option.shape.type.value)),
    intervalMs: z.number().optional(),
    thresholds: z.array(z.unknown()).optional(),
  })
  .transform((body, context) => {
    const parsed = deviceActionSchema.safeParse(body);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) context.addIssue({ code: "custom", message: issue.message, path: issue.path });
    return z.NEVER;
  });

/** /api/devices/:deviceId/commands: a command sent to a device now, answered with what the device said. */
export function commandRoutes(api: ApiRoutes, commands: AuditedCommands): RouteGroup {
  const routes = api.under("/api/devices");

  routes.add({
    method: "post",
    path: "/:deviceId/commands",
    summary: "Sends a signed command to an active device and answers what the device said (audited as device.command)",
    description:
      "The body is one action: {type: setSamplingInterval, intervalMs}, {type: reboot}, or {type: setThresholds, thresholds: " +
      "[{channel, index, min, max, scale}]}. The gateway signs it with its command key, sends it over the device's current " +
      "link and waits commands.timeoutMs (10 s) for the acknowledgement. result: applied, bad_signature, replayed, " +
      "wrong_device or invalid. 400 when the device is unknown, not active, cannot be reached now or does not answer in time.",
    access: "technician",
    params: z.strictObject({ deviceId }),
    body: commandBody,
    response: z.object({ deviceId: z.string(), commandId: z.number(), result: z.string() }),
    handle: async ({ params, body, principal }) => {
      const outcome = await commands.send(params.deviceId, toDeviceAction(body), principal.username);
      return { deviceId: params.deviceId, commandId: outcome.commandId, result: commandResultName(outcome.result) };
    },
  });

  return routes;
}
