import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The NAB sample shipped with the training scripts (see data/nab/NOTICE.md). */
export const NAB_DIR = join(import.meta.dirname, "data/nab");

/** NAB scores no detection in the first 15% of a series: detectors learn there. */
export const PROBATION_FRACTION = 0.15;

export interface NabSeries {
  /** Path relative to the NAB folder, as combined_windows.json names it. */
  name: string;
  timestampsMs: Float64Array;
  values: Float64Array;
  /** Labelled anomaly windows as inclusive [first, last] indexes into the series. */
  windows: [number, number][];
}

const parseTime = (text: string) => Date.parse(`${text.trim().slice(0, 19).replace(" ", "T")}Z`);

export function probationEnd(series: Pick<NabSeries, "values">): number {
  return Math.floor(series.values.length * PROBATION_FRACTION);
}

/** Every series of the sample, in combined_windows.json's order sorted by name. */
export function loadNab(dir: string = NAB_DIR): NabSeries[] {
  const labels = JSON.parse(readFileSync(join(dir, "combined_windows.json"), "utf8")) as Record<string, [string, string][]>;
  return Object.keys(labels)
    .sort()
    .map((name) => {
      const rows = readFileSync(join(dir, name), "utf8").trim().split("\n").slice(1);
      const timestampsMs = new Float64Array(rows.length);
      const values = new Float64Array(rows.length);
      rows.forEach((row, i) => {
        const [time = "", value = ""] = row.split(",");
        timestampsMs[i] = parseTime(time);
        values[i] = Number(value);
      });
      const windows = (labels[name] ?? []).map(([from, to]): [number, number] => {
        const start = parseTime(from);
        const end = parseTime(to);
        let first = timestampsMs.findIndex((t) => t >= start);
        if (first < 0) first = rows.length;
        let last = first;
        while (last + 1 < rows.length && (timestampsMs[last + 1] ?? Infinity) <= end) last++;
        return [first, last];
      });
      return { name, timestampsMs, values, windows };
    });
}
