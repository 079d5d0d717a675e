// The Grafana dashboard and the Prometheus alert rules under cloud-relay/ops/ read metrics
// a running relay exports: every metric name in their PromQL, found by tokenizing each
// expression, is in the relay's /metrics (histograms by their _bucket, _sum and _count
// series), and both files have the structure Grafana and Prometheus load.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { exposes, promqlMetricNames } from "../../test/promql-metric-names.js";
import { ProtoRelayClient, signedWireBatch, wireReadings } from "../../test/proto-relay-client.js";
import { createRelayFixture, type RelayFixture } from "../../test/relay-fixture.js";
import type { Relay } from "../relay.js";

const OPS = join(import.meta.dirname, "../../ops");
/** Series Prometheus makes itself for every target; no exporter serves them. */
const MADE_BY_PROMETHEUS = new Set(["up"]);
const DURATION = /^\d+[smhdwy]$/;

interface AlertRule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}
interface Dashboard {
  uid?: unknown;
  title?: unknown;
  panels?: { id?: unknown; type?: unknown; title?: unknown; targets?: { expr?: unknown; refId?: unknown }[] }[];
  templating?: { list?: { type?: unknown; query?: unknown }[] };
}

const rules = parse(readFileSync(join(OPS, "relay-alerts.yml"), "utf8")) as {
  groups?: { name?: unknown; rules?: AlertRule[] }[];
};
const dashboard = JSON.parse(readFileSync(join(OPS, "relay-dashboard.json"), "utf8")) as Dashboard;

function ruleList(): AlertRule[] {
  return (rules.groups ?? []).flatMap((group) => group.rules ?? []);
}

function dashboardExpressions(): string[] {
  const panels = (dashboard.panels ?? []).flatMap((panel) => (panel.targets ?? []).map((target) => String(target.expr)));
  // A query variable's label_values(<metric>, <label>) names a metric too.
  const variables = (dashboard.templating?.list ?? []).flatMap((variable) => {
    const query = typeof variable.query === "object" ? (variable.query as { query?: unknown }).query : variable.query;
    const metric = /^label_values\((\w+),/.exec(String(query))?.[1];
    return metric ? [metric] : [];
  });
  return [...panels, ...variables];
}

let fixture: RelayFixture;
let relay: Relay;
let exposition: string;

beforeAll(async () => {
  fixture = await createRelayFixture();
  relay = await fixture.startRelay();
  // A gateway with a stored batch, so per-gateway series and the ack histogram have values.
  const signer = new Wallet(Wallet.createRandom().privateKey);
  const client = new ProtoRelayClient(`127.0.0.1:${relay.port}`, await fixture.gatewayTls(signer.address));
  await client.register(signer);
  const batch = await signedWireBatch(signer, {
    sequence: 1,
    previousBatchHash: new Uint8Array(32),
    readings: wireReadings([1]),
  });
  const stream = client.openUpload();
  stream.sendBatch(batch);
  await stream.next((answer) => answer.message === "ack");
  stream.end();
  await stream.ended;
  client.close();
  await relay.snapshot();
  const token = readFileSync(join(fixture.config().dataDir, "api.token"), "utf8").trim();
  exposition = await (
    await fetch(`http://127.0.0.1:${relay.apiPort}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  ).text();
}, 180_000);

afterAll(() => fixture?.close());

describe("reading metric names from PromQL", () => {
  it("skips functions, aggregations, groupings, matchers, ranges, offsets and Grafana variables", () => {
    expect(
      promqlMetricNames(
        'histogram_quantile(0.99, sum by (le, job) (rate(a_seconds_bucket{job=~"$job", x="by(y)"}[$__rate_interval])))' +
          " / on (job) group_left (instance) b_total offset 5m and ignoring (reason) max without (gateway) (c) > bool 1e3",
      ).sort(),
    ).toEqual(["a_seconds_bucket", "b_total", "c"]);
    expect(promqlMetricNames("sum(x:recorded:rate5m) - count(y)")).toEqual(["x:recorded:rate5m", "y"]);
    expect(() => promqlMetricNames("sum(rate(x[5m])")).toThrow(/unbalanced/);
  });

  it("finds a histogram's series by its base name and nothing the exposition lacks", () => {
    const text = '# TYPE h histogram\nh_bucket{le="1"} 1\n# TYPE c_total counter\nc_total 1\n';
    expect(["h_bucket", "h_sum", "h_count", "c_total"].every((name) => exposes(text, name))).toBe(true);
    expect(exposes(text, "c_total_bucket")).toBe(false);
    expect(exposes(text, "h")).toBe(true);
    expect(exposes(text, "missing")).toBe(false);
  });
});

describe("the relay's dashboard and alert rules", () => {
  it("name only metrics a running relay exports", () => {
    const expressions = [...dashboardExpressions(), ...ruleList().map((rule) => String(rule.expr))];
    const names = new Set(expressions.flatMap(promqlMetricNames));
    // The dashboard covers lag, anchor age, leadership, upload rate, refusals, latency and memory.
    for (const covered of [
      "intelledger_relay_gateway_lag_seconds",
      "intelledger_relay_anchor_age_seconds",
      "intelledger_relay_anchoring_leader",
      "intelledger_relay_readings_stored_total",
      "intelledger_relay_refusals_total",
      "intelledger_relay_batch_ack_seconds_bucket",
      "process_resident_memory_bytes",
    ]) {
      expect(names).toContain(covered);
    }
    const missing = [...names].filter((name) => !MADE_BY_PROMETHEUS.has(name) && !exposes(exposition, name));
    expect(missing).toEqual([]);
  });

  it("has alert rules Prometheus loads: groups of named rules with an expression, a duration, a severity and a runbook", () => {
    expect(rules.groups?.length).toBeGreaterThan(0);
    for (const group of rules.groups ?? []) expect(typeof group.name).toBe("string");
    const all = ruleList();
    expect(new Set(all.map((rule) => rule.alert)).size).toBe(all.length);
    for (const rule of all) {
      expect(String(rule.alert)).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(
        Object.keys(rule).every((key) => ["alert", "expr", "for", "labels", "annotations"].includes(key)),
        String(rule.alert),
      ).toBe(true);
      expect(typeof rule.expr).toBe("string");
      if (rule.for !== undefined) expect(rule.for).toMatch(DURATION);
      expect(["critical", "warning"]).toContain(rule.labels?.severity);
      expect(typeof rule.annotations?.summary).toBe("string");
      expect(String(rule.annotations?.runbook).length).toBeGreaterThan(20);
    }
  });

  it("is a dashboard Grafana imports: a uid, and panels with unique ids, each querying Prometheus", () => {
    expect(dashboard.uid).toBe("intelledger-relay");
    expect(typeof dashboard.title).toBe("string");
    const panels = dashboard.panels ?? [];
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    for (const panel of panels) {
      expect(typeof panel.title).toBe("string");
      expect(panel.targets?.length, String(panel.title)).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(typeof target.expr).toBe("string");
    }
  });
});
