import type { SubsystemStatus } from "../../shared/bridge-types.js";

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
      <table class="subsystems" aria-labelledby="subsystems-title">
        <thead>
          <tr>
            <th scope="col">Part</th>
            <th scope="col">State</th>
            <th scope="col">Restarts</th>
            <th scope="col">Why, and what to do</th>
          </tr>
        </thead>
        <tbody>
          {subsystems.map((part) => (
            <tr key={part.name} data-subsystem={part.name} data-state={part.state}>
              <td>{part.name}</td>
              <td>{part.state}</td>
              <td>{part.restarts}</td>
              <td>{part.reason ? `${part.reason}. ${NEXT_STEP[part.state] ?? ""}` : (NEXT_STEP[part.state] ?? "")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
