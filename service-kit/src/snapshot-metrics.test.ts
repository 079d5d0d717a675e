import { afterEach, describe, expect, it, vi } from "vitest";
import { ageSeconds, labelledGauge, seriesPer, SnapshotMetrics } from "./snapshot-metrics.js";

describe("SnapshotMetrics", () => {
  it("reads counters, labelled counters and gauges from one snapshot per scrape", async () => {
    let snapshots = 0;
    const state = { frames: 12, rejected: { bad_signature: 3, replay: 1 }, backlog: 40 };
    const metrics = new SnapshotMetrics(() => {
      snapshots++;
      return state;
    })
      .counter("test_frames_total", "Frames.", (s) => s.frames)
      .labelledCounter("test_rejected_total", "Rejected.", "reason", (s) => s.rejected)
      .gauge("test_backlog", "Backlog.", (s) => s.backlog);

    const text = await metrics.registry.metrics();
    expect(text).toContain("test_frames_total 12");
    expect(text).toContain('test_rejected_total{reason="bad_signature"} 3');
    expect(text).toContain('test_rejected_total{reason="replay"} 1');
    expect(text).toContain("test_backlog 40");
    expect(snapshots).toBe(1);
  });

  it("takes a new snapshot once the cached one is older than the cache time", async () => {
    let frames = 1;
    const metrics = new SnapshotMetrics(() => ({ frames }), 0).counter("test_frames_total", "Frames.", (s) => s.frames);
    expect(await metrics.registry.metrics()).toContain("test_frames_total 1");
    frames = 5;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await metrics.registry.metrics()).toContain("test_frames_total 5");
  });

  it("reads one series per item of a list, labelled with the item's key", async () => {
    const state = {
      devices: [
        { id: "a", frames: 2 },
        { id: "b", frames: 7 },
      ],
      scale: 10,
    };
    const byDevice = seriesPer(
      (s: typeof state) => s.devices,
      (device) => device.id,
    );
    const metrics = new SnapshotMetrics(() => state).table("test_", {
      device_frames: labelledGauge(
        "Frames per device, scaled.",
        "device",
        byDevice((device, s) => device.frames * s.scale),
      ),
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('test_device_frames{device="a"} 20');
    expect(text).toContain('test_device_frames{device="b"} 70');
  });
});

describe("ageSeconds", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("counts the seconds since a time, and 0 while a wall clock stepped back is behind it", () => {
    vi.useFakeTimers({ now: 100_000, toFake: ["Date"] });
    expect(ageSeconds(98_500)).toBe(1.5);
    expect(ageSeconds(100_000)).toBe(0);
    expect(ageSeconds(160_000)).toBe(0);
  });
});
