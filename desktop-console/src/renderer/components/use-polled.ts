import { useEffect, useState } from "preact/hooks";
import type { BridgeError } from "../../shared/bridge-types.js";
import { failureOf } from "../bridge-client.js";

/** Loads something now and again every `intervalMs`; `reload` fetches it at once. */
export function usePolled<T>(load: () => Promise<T>, intervalMs: number) {
  const [value, setValue] = useState<T | undefined>();
  const [error, setError] = useState<BridgeError | undefined>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stopped = false;
    const fetchOnce = () =>
      load().then(
        (loaded) => {
          if (stopped) return;
          setValue(loaded);
          setError(undefined);
        },
        (failure: unknown) => !stopped && setError(failureOf(failure)),
      );
    void fetchOnce();
    const timer = intervalMs > 0 ? setInterval(() => void fetchOnce(), intervalMs) : undefined;
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [tick]);
  return { value, error, reload: () => setTick((count) => count + 1) };
}
