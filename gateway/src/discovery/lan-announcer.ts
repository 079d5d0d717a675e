import { Bonjour } from "bonjour-service";
import type { Logger } from "pino";

/** The DNS-SD service type gateways announce themselves with. */
export const SERVICE_TYPE = "intelledger";

export interface LanAnnouncer {
  stop(): Promise<void>;
}

/**
 * Announces the gateway on the LAN by multicast DNS-SD as `_intelledger._tcp`, with TXT
 * records `id` (its address), `version` and `http` (its HTTP port), so the console finds it
 * without an address typed in. A network without multicast only means nobody hears it.
 */
export function announceOnLan(options: {
  name: string;
  gatewayId: string;
  version: string;
  httpPort: number;
  logger: Logger;
}): LanAnnouncer {
  const bonjour = new Bonjour({}, (error: unknown) => options.logger.warn({ err: error }, "DNS-SD announcement failed"));
  const service = bonjour.publish({
    name: options.name,
    type: SERVICE_TYPE,
    port: options.httpPort,
    txt: { id: options.gatewayId, version: options.version, http: String(options.httpPort) },
  });
  service.on("error", (error: unknown) => options.logger.warn({ err: error }, "DNS-SD announcement failed"));
  options.logger.info({ name: options.name, type: `_${SERVICE_TYPE}._tcp` }, "announcing the gateway on the LAN");
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        bonjour.unpublishAll(() => bonjour.destroy(() => resolve()));
      }),
  };
}
