/** How many times a kill test kills its service mid-run; the acceptance bar is 50. */
export const KILL_ROUNDS = Number(process.env.EDGE_KILL_ROUNDS ?? 50);

/** Polls `condition` (which may read a database) until it holds, or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves as `promise` does, or fails with the message `describeTimeout()` gives after `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, describeTimeout: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(describeTimeout())), timeoutMs);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
