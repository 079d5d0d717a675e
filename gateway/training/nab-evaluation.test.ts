import { describe, expect, it } from "vitest";
import type { NabSeries } from "./nab-data.js";
import { countAlarms, countEpisodes, countingRates, episodeRates, scoreAlarms } from "./nab-evaluation.js";

// 200 readings: probation is the first 30; windows at 100-120 and 150-160.
const series: NabSeries = {
  name: "s",
  timestampsMs: new Float64Array(200),
  values: new Float64Array(200),
  windows: [
    [100, 120],
    [150, 160],
  ],
};
const alarmsAt = (...indexes: number[]) => Array.from({ length: 200 }, (_, i) => indexes.includes(i));

describe("the counting rule", () => {
  it("counts a window once, an alarm outside windows as a false positive, and a missed window as a false negative", () => {
    // 101, 105 and 118 are one alarm in window 1; 50 and 190 are outside; window 2 is missed.
    const tally = countAlarms(alarmsAt(50, 101, 105, 118, 190), series);
    expect(tally).toEqual({ truePositives: 1, falsePositives: 2, falseNegatives: 1 });
    expect(countingRates(tally)).toMatchObject({ precision: 1 / 3, recall: 0.5, f1: 0.4 });
  });

  it("takes alarms within 32 readings of the previous one for the same alarm, even across a window's edge", () => {
    // 90 is a false positive; 100 follows within 32, so it does not detect window 1.
    expect(countAlarms(alarmsAt(90, 100), series)).toEqual({ truePositives: 0, falsePositives: 1, falseNegatives: 2 });
  });

  it("ignores alarms in probation", () => {
    expect(countAlarms(alarmsAt(10), series)).toEqual({ truePositives: 0, falsePositives: 0, falseNegatives: 2 });
  });
});

describe("window recall with episode precision", () => {
  it("counts runs of consecutive alarms as episodes, true when they touch a window", () => {
    // Episodes: 50-52 (outside), 95-101 (touches window 1), 105 (inside window 1), 170 (outside).
    const alarms = alarmsAt(50, 51, 52, 95, 96, 97, 98, 99, 100, 101, 105, 170);
    const tally = countEpisodes(alarms, series);
    expect(tally).toEqual({ windows: 2, windowsDetected: 1, episodes: 4, episodesInWindows: 2 });
    expect(episodeRates(tally)).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5 });
  });

  it("counts an episode touching two windows once, and detects both", () => {
    const alarms = Array.from({ length: 200 }, (_, i) => i >= 110 && i <= 155);
    expect(countEpisodes(alarms, series)).toEqual({ windows: 2, windowsDetected: 2, episodes: 1, episodesInWindows: 1 });
  });

  it("gives alarms in probation nothing, and starts an episode running out of probation at its end", () => {
    const alarms = Array.from({ length: 200 }, (_, i) => i >= 20 && i <= 40);
    expect(countEpisodes(alarms, series)).toEqual({ windows: 2, windowsDetected: 0, episodes: 1, episodesInWindows: 0 });
    expect(countEpisodes(alarmsAt(5), series)).toEqual({ windows: 2, windowsDetected: 0, episodes: 0, episodesInWindows: 0 });
  });

  it("does not count windows that end in probation", () => {
    const early: NabSeries = { ...series, windows: [[5, 20], ...series.windows] };
    expect(scoreAlarms(alarmsAt(10, 110, 155), early).episodes).toMatchObject({ windows: 2, windowsDetected: 2, f1: 1 });
  });
});
