import type { Logger } from "pino";
import { ListenerFeed } from "../feeds/listener-feed.js";
import type { RuleAlertMessage } from "./alert-delivery.js";

/**
 * Rule alerts once stored, for flows: it outlives the analytics part, which restarts when
 * its configuration changes, so a flow's subscription does too. A listener that throws is
 * logged and never reaches the delivery.
 */
export class RuleAlertFeed extends ListenerFeed<RuleAlertMessage> {
  constructor(logger: Logger) {
    super(logger, { message: "a rule alert listener failed", context: (alert) => ({ alert: alert.alertGatewaySeq }) });
  }
}
