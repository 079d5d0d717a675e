/** Runs `task` every `intervalMs`, never overlapping itself; the returned stop waits for a run in progress. */
export function every(intervalMs: number, task: () => unknown, onError: (error: unknown) => void): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = Promise.resolve()
      .then(task)
      .catch(onError)
      .finally(() => (busy = false));
  }, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}
