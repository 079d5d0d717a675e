import { useState } from "preact/hooks";
import type { BridgeError } from "../../shared/bridge-types.js";
import { failureOf } from "../bridge-client.js";

/**
 * A request the technician starts from a screen: while it runs, `running` holds the name the
 * screen gave it (to disable buttons, say what is happening); once it is over, `outcome` holds
 * the sentence the task returned, or `error` why it failed. Starting one clears both.
 */
export function useAction<Name = string>() {
  const [running, setRunning] = useState<Name | undefined>();
  const [error, setError] = useState<BridgeError | undefined>();
  const [outcome, setOutcome] = useState("");
  const run = async (name: Name, task: () => Promise<string>) => {
    setRunning(name);
    setError(undefined);
    setOutcome("");
    try {
      setOutcome(await task());
    } catch (failure) {
      setError(failureOf(failure));
    } finally {
      setRunning(undefined);
    }
  };
  return { running, error, outcome, run };
}
