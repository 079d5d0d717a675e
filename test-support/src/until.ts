import { setTimeout as sleep } from "node:timers/promises";

/**
 * Resolves once `condition` holds, asking again every `intervalMs`; rejects naming `what` when
 * `timeoutMs` passes first.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
