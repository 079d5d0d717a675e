import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

const PALETTE = ["#1f4e99", "#b3261e", "#1e7a3c", "#8a4b00", "#5b2a86", "#006b75", "#7a1f5c", "#444444"];

/** A uPlot line chart of a channel's streams over the last two minutes, one line per stream. */
export function LiveChart({ title, streams }: { title: string; streams: Map<string, [number, number][]> }) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const names = [...streams.keys()].sort();
  const key = names.join("|");

  useEffect(() => {
    if (!holder.current) return;
    plot.current = new uPlot(
      {
        title,
        width: Math.max(320, holder.current.clientWidth),
        height: 240,
        scales: { x: { time: true } },
        series: [
          {},
          ...names.map((name, index) => ({ label: name, stroke: PALETTE[index % PALETTE.length] ?? "#000", spanGaps: true })),
        ],
      },
      [[]],
      holder.current,
    );
    return () => plot.current?.destroy();
  }, [key, title]);

  useEffect(() => {
    const times = [...new Set(names.flatMap((name) => (streams.get(name) ?? []).map(([at]) => at)))].sort((a, b) => a - b);
    const columns = names.map((name) => {
      const byTime = new Map(streams.get(name) ?? []);
      return times.map((at) => byTime.get(at) ?? null);
    });
    plot.current?.setData([times.map((at) => at / 1000), ...columns] as uPlot.AlignedData);
  });

  return <div ref={holder} class="chart" role="img" aria-label={`${title}: live readings of ${names.length} streams`} />;
}
