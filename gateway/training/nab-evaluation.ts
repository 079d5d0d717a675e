import { probationEnd, type NabSeries } from "./nab-data.js";

/**
 * The two rules a detector's alarms on a NAB series are judged by. Both ignore alarms in
 * probation (the first 15% of a series, where detectors learn) and count only labelled
 * windows that end after it.
 */

/** Readings within this many of the previous alarm belong to the same alarm (the counting rule). */
export const SAME_ALARM_READINGS = 32;

/** The counting rule's tallies. */
export interface CountingTally {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

/** Window recall with episode precision: the tallies. */
export interface EpisodeTally {
  /** Labelled windows that end after probation. */
  windows: number;
  /** Of those, the windows with at least one alarm inside. */
  windowsDetected: number;
  /** Alarm episodes after probation: runs of consecutive alarming readings. */
  episodes: number;
  /** Of those, the episodes with at least one reading inside a labelled window. */
  episodesInWindows: number;
}

export interface Rates {
  precision: number;
  recall: number;
  f1: number;
}

/** A detector's alarms on a series, one entry per reading: truthy where it alarms. */
export type Alarms = ArrayLike<boolean | number>;

const windowsAfterProbation = (series: NabSeries) => {
  const start = probationEnd(series);
  return series.windows.filter(([, last]) => last >= start);
};
const windowOf = (windows: readonly [number, number][], i: number) =>
  windows.findIndex(([first, last]) => i >= first && i <= last);

/**
 * The counting rule (the project's first): after probation, an alarm within
 * SAME_ALARM_READINGS readings of the previous one belongs to the same alarm and counts
 * once; an alarm inside a labelled window detects it (the window's first detection is a
 * true positive, later ones count for nothing); an alarm outside every window is a false
 * positive; a window without an alarm is a false negative.
 */
export function countAlarms(alarms: Alarms, series: NabSeries): CountingTally {
  const windows = windowsAfterProbation(series);
  const detected = new Set<number>();
  let falsePositives = 0;
  let lastAlarm = -Infinity;
  for (let i = probationEnd(series); i < alarms.length; i++) {
    if (!alarms[i]) continue;
    const sameAlarm = i - lastAlarm <= SAME_ALARM_READINGS;
    lastAlarm = i;
    if (sameAlarm) continue;
    const window = windowOf(windows, i);
    if (window < 0) falsePositives++;
    else detected.add(window);
  }
  return { truePositives: detected.size, falsePositives, falseNegatives: windows.length - detected.size };
}

/**
 * Window recall with episode precision: a labelled window counts as detected when any
 * alarm falls inside it (recall = detected windows / windows); an alarm episode, a run of
 * consecutive alarming readings, counts as a true positive when it touches a window
 * (precision = such episodes / episodes).
 */
export function countEpisodes(alarms: Alarms, series: NabSeries): EpisodeTally {
  const windows = windowsAfterProbation(series);
  const start = probationEnd(series);
  const detected = new Set<number>();
  let episodes = 0;
  let episodesInWindows = 0;
  let touched = false;
  for (let i = start; i < alarms.length; i++) {
    if (!alarms[i]) continue;
    if (i === start || !alarms[i - 1]) {
      episodes++;
      touched = false;
    }
    const window = windowOf(windows, i);
    if (window < 0) continue;
    detected.add(window);
    if (!touched) episodesInWindows++;
    touched = true;
  }
  return { windows: windows.length, windowsDetected: detected.size, episodes, episodesInWindows };
}

function rates(hits: number, alarms: number, found: number, labelled: number): Rates {
  const precision = alarms === 0 ? 0 : hits / alarms;
  const recall = labelled === 0 ? 0 : found / labelled;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

export const countingRates = (t: CountingTally): Rates =>
  rates(t.truePositives, t.truePositives + t.falsePositives, t.truePositives, t.truePositives + t.falseNegatives);

export const episodeRates = (t: EpisodeTally): Rates => rates(t.episodesInWindows, t.episodes, t.windowsDetected, t.windows);

/** Both rules' tallies and rates of one detector on one series. */
export interface SeriesScore {
  counting: CountingTally & Rates;
  episodes: EpisodeTally & Rates;
}

export function scoreAlarms(alarms: Alarms, series: NabSeries): SeriesScore {
  const counting = countAlarms(alarms, series);
  const episodes = countEpisodes(alarms, series);
  return { counting: { ...counting, ...countingRates(counting) }, episodes: { ...episodes, ...episodeRates(episodes) } };
}

export function sumCounting(all: readonly CountingTally[]): CountingTally {
  return {
    truePositives: all.reduce((n, t) => n + t.truePositives, 0),
    falsePositives: all.reduce((n, t) => n + t.falsePositives, 0),
    falseNegatives: all.reduce((n, t) => n + t.falseNegatives, 0),
  };
}

export function sumEpisodes(all: readonly EpisodeTally[]): EpisodeTally {
  return {
    windows: all.reduce((n, t) => n + t.windows, 0),
    windowsDetected: all.reduce((n, t) => n + t.windowsDetected, 0),
    episodes: all.reduce((n, t) => n + t.episodes, 0),
    episodesInWindows: all.reduce((n, t) => n + t.episodesInWindows, 0),
  };
}
