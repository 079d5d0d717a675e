/** An open upload stream, told how many batches it may have in flight. */
export interface FlowControlledStream {
  setMaxInFlight(maxInFlight: number): void;
}

/**
 * Shares the relay's verification capacity among the upload streams open at the moment:
 * each gets an equal part of `totalInFlight` batches, between 1 and `maxPerStream`, and
 * is told again whenever a stream opens or closes. When a whole fleet reconnects after an
 * outage, each gateway slows down instead of the relay drowning.
 */
export class UploadFlowControl {
  private readonly streams = new Map<FlowControlledStream, number>();
  private readonly totalInFlight: number;
  private readonly maxPerStream: number;

  constructor(options: { totalInFlight: number; maxPerStream: number }) {
    this.totalInFlight = options.totalInFlight;
    this.maxPerStream = options.maxPerStream;
  }

  /** What a stream opened now would be allowed. */
  share(openStreams = this.streams.size + 1): number {
    return Math.max(1, Math.min(this.maxPerStream, Math.floor(this.totalInFlight / openStreams)));
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Registers a stream; returns the function to call when it closes. */
  open(stream: FlowControlledStream): () => void {
    this.streams.set(stream, 0);
    this.rebalance();
    return () => {
      this.streams.delete(stream);
      this.rebalance();
    };
  }

  private rebalance(): void {
    const share = this.share(this.streams.size);
    for (const [stream, told] of this.streams) {
      if (told === share) continue;
      this.streams.set(stream, share);
      stream.setMaxInFlight(share);
    }
  }
}
