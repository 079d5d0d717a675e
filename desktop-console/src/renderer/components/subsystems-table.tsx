import type { SubsystemStatus } from "../../shared/bridge-types.js";
import { DataTable } from "./data-table.js";

/** What a technician does about a part that is not running. */
const NEXT_STEP: Partial<Record<SubsystemStatus["state"], string>> = {
  restarting: "The gateway restarts it by itself; nothing to do unless it stays here.",
  degraded: "The gateway gave up restarting it for now and retries later: fix the cause named, or see the audit log.",
};

/** The gateway's supervised parts (transports, inference, prover, uplink, Node-RED, live stream) and their state. */
export function SubsystemsTable({ subsystems }: { subsystems: readonly SubsystemStatus[] }) {
  return (
    <>
      <h2 id="subsystems-title">Subsystems</h2>
      <DataTable class="subsystems" labelledBy="subsystems-title" columns={["Part", "State", "Restarts", "Why, and what to do"]}>
        {subsystems.map((part) => (
          <tr key={part.name} data-subsystem={part.name} data-state={part.state}>
            <td>{part.name}</td>
            <td>{part.state}</td>
            <td>{part.restarts}</td>
            <td>{part.reason ? `${part.reason}. ${NEXT_STEP[part.state] ?? ""}` : (NEXT_STEP[part.state] ?? "")}</td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}
