import type { ComponentChildren } from "preact";

/** Figures a screen reports, each a label and its value. */
export function FigureList({ figures }: { figures: readonly (readonly [label: string, value: ComponentChildren])[] }) {
  return (
    <dl class="figures">
      {figures.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
