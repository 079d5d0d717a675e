import { describe, expect, it } from "vitest";
import { UploadFlowControl } from "./upload-flow-control.js";

function stream() {
  const told: number[] = [];
  return { told, setMaxInFlight: (value: number) => told.push(value) };
}

describe("UploadFlowControl", () => {
  it("splits the budget among open streams and tells them when it changes", () => {
    const control = new UploadFlowControl({ totalInFlight: 16, maxPerStream: 8 });
    const a = stream();
    const closeA = control.open(a);
    expect(a.told).toEqual([8]);
    const b = stream();
    control.open(b);
    const c = stream();
    const closeC = control.open(c);
    expect(a.told).toEqual([8, 5]);
    expect(c.told).toEqual([5]);
    closeC();
    closeA();
    expect(b.told).toEqual([8, 5, 8]);
  });

  it("never gives a stream less than one batch in flight", () => {
    const control = new UploadFlowControl({ totalInFlight: 64, maxPerStream: 8 });
    const streams = Array.from({ length: 200 }, stream);
    streams.forEach((s) => control.open(s));
    expect(streams[199]?.told).toEqual([1]);
    expect(control.share()).toBe(1);
  });
});
