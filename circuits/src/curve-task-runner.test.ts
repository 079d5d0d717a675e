import { describe, expect, it } from "vitest";
import { loadSnarkjs } from "./batch-verifier.js";
import { curveTaskRunner, type CurveTaskRunner } from "./curve-task-runner.js";

interface Group {
  g: Uint8Array;
  timesScalar(point: Uint8Array, scalar: Uint8Array): Uint8Array;
  toAffine(point: Uint8Array): Uint8Array;
  multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>;
  eq(a: Uint8Array, b: Uint8Array): boolean;
}
interface Curve {
  G1: Group;
  G2: Group;
  Fr: {
    e(value: number): Uint8Array;
    fft(values: Uint8Array): Promise<Uint8Array>;
    ifft(values: Uint8Array): Promise<Uint8Array>;
  };
  tm: { code: Uint8Array; taskManager: CurveTaskRunner };
}

/** A single-thread BN254 curve of snarkjs, with ffjavascript's own task runner. */
async function singleThreadCurve(): Promise<Curve> {
  const snarkjs = (await loadSnarkjs()) as unknown as {
    curves: { getCurveFromName(name: string, options: { singleThread: boolean }): Promise<Curve> };
  };
  return snarkjs.curves.getCurveFromName("bn128", { singleThread: true });
}

/** `count` affine points of `group` (multiples of its generator) and as many 32-byte scalars, packed. */
function basesAndScalars(curve: Curve, group: Group, count: number): { bases: Uint8Array; scalars: Uint8Array } {
  const points = Array.from({ length: count }, (_, i) => group.toAffine(group.timesScalar(group.g, curve.Fr.e(i + 2))));
  const bases = new Uint8Array(count * points[0]!.byteLength);
  points.forEach((point, i) => bases.set(point, i * point.byteLength));
  const scalars = new Uint8Array(count * 32);
  for (let i = 0; i < count; i++) scalars.set(curve.Fr.e(1_000_003 * (i + 1)), i * 32);
  return { bases, scalars };
}

describe("curveTaskRunner", () => {
  it("computes what ffjavascript's own runner computes: multi-exponentiations in both groups and FFTs", async () => {
    const curve = await singleThreadCurve();
    const g1 = basesAndScalars(curve, curve.G1, 300);
    const g2 = basesAndScalars(curve, curve.G2, 40);
    const values = new Uint8Array(64 * 32);
    for (let i = 0; i < 64; i++) values.set(curve.Fr.e(i * i + 7), i * 32);
    const compute = async () => ({
      g1: await curve.G1.multiExpAffine(g1.bases, g1.scalars),
      g2: await curve.G2.multiExpAffine(g2.bases, g2.scalars),
      fft: await curve.Fr.fft(values),
      roundTrip: await curve.Fr.ifft(await curve.Fr.fft(values)),
    });

    const theirs = await compute();
    curve.tm.taskManager = await curveTaskRunner(curve.tm.code);
    const ours = await compute();

    expect(curve.G1.eq(ours.g1, theirs.g1)).toBe(true);
    expect(curve.G2.eq(ours.g2, theirs.g2)).toBe(true);
    expect(ours.fft).toEqual(theirs.fft);
    expect(ours.roundTrip).toEqual(values);
  }, 60_000);

  it("leaves no copy of a multi-exponentiation's inputs behind", async () => {
    const curve = await singleThreadCurve();
    curve.tm.taskManager = await curveTaskRunner(curve.tm.code);
    const { bases, scalars } = basesAndScalars(curve, curve.G1, 2_000);
    const before = process.memoryUsage().arrayBuffers;
    await curve.G1.multiExpAffine(bases, scalars);
    // ffjavascript slices its inputs once into chunks; its own runner copies them again once per
    // window of bits, 29 times here.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(3 * (bases.byteLength + scalars.byteLength));
  }, 60_000);
});
