import { z } from "zod";

const MEASURED_CHANNELS = ["temperature", "humidity", "vibration", "analog"] as const;

/** A device id, or a pattern of one where `*` stands for any characters (`press-*`, `*`). */
const devicePattern = z
  .string()
  .regex(/^[A-Za-z0-9._*-]{1,31}$/, "must be a device id or a pattern of one with * (1 to 31 of A-Z a-z 0-9 . _ - *)");

const ruleBase = {
  /** Names the rule in alerts, state and the audit log; unique among the rules. */
  name: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, "must be 1 to 40 characters of A-Z a-z 0-9 . _ -"),
  /** The device the rule watches, or a pattern of devices; every device by default. */
  device: devicePattern.default("*"),
  severity: z.enum(["info", "warning", "critical"]).default("warning"),
  /** The alert code a firing is anchored with (its resolution: code + 1); by kind when unset. */
  code: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 2)
    .optional(),
};

/** Stream rules watch one channel (every measured channel by default), one index or all. */
const streamBase = {
  ...ruleBase,
  channel: z.enum(MEASURED_CHANNELS).optional(),
  index: z.number().int().min(0).optional(),
};

const thresholdRule = z
  .strictObject({
    ...streamBase,
    kind: z.literal("threshold"),
    /** Fires when a value is above this… */
    above: z.number().optional(),
    /** …or below this. */
    below: z.number().optional(),
    /** Resolves only once the value is back inside by this much (above - hysteresis, below + hysteresis). */
    hysteresis: z.number().min(0).default(0),
  })
  .refine((rule) => rule.above !== undefined || rule.below !== undefined, {
    message: "a threshold rule needs above, below or both",
    path: ["above"],
  })
  .refine((rule) => rule.above === undefined || rule.below === undefined || rule.below < rule.above, {
    message: "below must be less than above",
    path: ["below"],
  });

const rateRule = z.strictObject({
  ...streamBase,
  kind: z.literal("rate-of-change"),
  /** Fires when the value changes faster than this many units per second between consecutive samples. */
  maxPerSecond: z.number().positive(),
});

const noDataRule = z.strictObject({
  ...ruleBase,
  kind: z.literal("no-data"),
  /** Fires when nothing was received from a device for this long; resolves at its next reading. */
  seconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 86_400),
});

const anomaliesRule = z.strictObject({
  ...streamBase,
  kind: z.literal("anomalies"),
  /** Fires when this many anomalous readings fall in the sliding window; resolves once the window holds none. */
  count: z.number().int().min(1).max(10_000),
  windowSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 86_400),
});

export const alertRuleSchema = z.discriminatedUnion("kind", [thresholdRule, rateRule, noDataRule, anomaliesRule]);
export type AlertRule = z.infer<typeof alertRuleSchema>;
export type AlertRuleKind = AlertRule["kind"];

/** Alert codes of each kind when a rule sets none. */
export const DEFAULT_ALERT_CODES: Record<AlertRuleKind, number> = {
  threshold: 9100,
  "rate-of-change": 9200,
  "no-data": 9300,
  anomalies: 9400,
};

export const alertRulesSchema = z.array(alertRuleSchema).superRefine((rules, context) => {
  const seen = new Set<string>();
  for (const [i, rule] of rules.entries()) {
    if (seen.has(rule.name))
      context.addIssue({ code: "custom", message: `a rule named ${rule.name} comes earlier`, path: [i, "name"] });
    seen.add(rule.name);
  }
});

/** Whether a device id matches a rule's device pattern. */
export function matchesDevice(pattern: string, deviceId: string): boolean {
  if (!pattern.includes("*")) return pattern === deviceId;
  const expression = new RegExp(`^${pattern.replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`);
  return expression.test(deviceId);
}
