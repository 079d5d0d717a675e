import type { ComponentChildren } from "preact";

/** A table whose header row names its columns; its rows are the children. */
export function DataTable(props: {
  class?: string;
  /** The id of the heading that names the table, when one does. */
  labelledBy?: string;
  caption?: ComponentChildren;
  columns: readonly string[];
  children: ComponentChildren;
}) {
  return (
    <table class={props.class} aria-labelledby={props.labelledBy}>
      {props.caption !== undefined && <caption>{props.caption}</caption>}
      <thead>
        <tr>
          {props.columns.map((column) => (
            <th scope="col" key={column}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}
