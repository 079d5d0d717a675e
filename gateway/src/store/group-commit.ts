interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Collects items submitted close together and commits them in one call, resolving
 * each submitter only once the shared commit succeeded. Waits at most `maxDelayMs`
 * and flushes early once `maxItems` are waiting.
 */
export class GroupCommit<T> {
  private queue: Pending<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly commit: (items: T[]) => void;
  private readonly maxDelayMs: number;
  private readonly maxItems: number;

  constructor(commit: (items: T[]) => void, options: { maxDelayMs: number; maxItems: number }) {
    this.commit = commit;
    this.maxDelayMs = options.maxDelayMs;
    this.maxItems = options.maxItems;
  }

  submit(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.maxItems) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxDelayMs);
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    try {
      this.commit(batch.map((pending) => pending.item));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const pending of batch) pending.resolve();
  }
}
