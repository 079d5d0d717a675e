import type { Logger } from "pino";
import type { RuleAlertMessage } from "./alert-delivery.js";

/**
 * Rule alerts once stored, for flows: it outlives the analytics part, which restarts when
 * its configuration changes, so a flow's subscription does too. A listener that throws is
 * logged and never reaches the delivery.
 */
export class RuleAlertFeed {
  private readonly listeners = new Set<(alert: RuleAlertMessage) => void>();
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  subscribe(listener: (alert: RuleAlertMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(alert: RuleAlertMessage): void {
    for (const listener of this.listeners) {
      try {
        listener(alert);
      } catch (error) {
        this.logger.warn({ err: error, alert: alert.alertGatewaySeq }, "a rule alert listener failed");
      }
    }
  }
}
