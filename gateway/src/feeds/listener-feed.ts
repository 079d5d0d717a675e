import type { Logger } from "pino";

/**
 * Fans what a part publishes out to its subscribers. A listener that throws is logged with
 * what identifies the item and never reaches the publisher.
 */
export class ListenerFeed<Item> {
  private readonly listeners = new Set<(item: Item) => void>();
  private readonly logger: Logger;
  private readonly failure: { message: string; context: (item: Item) => object };

  constructor(logger: Logger, failure: { message: string; context: (item: Item) => object }) {
    this.logger = logger;
    this.failure = failure;
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  subscribe(listener: (item: Item) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(item: Item): void {
    for (const listener of this.listeners) {
      try {
        listener(item);
      } catch (error) {
        this.logger.warn({ err: error, ...this.failure.context(item) }, this.failure.message);
      }
    }
  }
}
