import type { FieldIssue } from "../field-issues.js";
import { isDerivedDeviceId } from "../store/derived-store.js";
import type { AlertRule } from "./alert-rule-schema.js";

/**
 * Rules naming one device (no pattern) that the gateway does not know, each as an issue at
 * its field: a typo there would watch nothing and never fire. Patterns may match nothing
 * yet; flows' sources (flow.<name>) come into being when they first write.
 */
export function unknownRuleDevices(rules: readonly AlertRule[], isKnownDevice: (deviceId: string) => boolean): FieldIssue[] {
  return rules.flatMap((rule, i) =>
    rule.device.includes("*") || isDerivedDeviceId(rule.device) || isKnownDevice(rule.device)
      ? []
      : [{ path: `analytics.rules.${i}.device`, message: `no device ${rule.device} is registered on this gateway` }],
  );
}
