import { EventSourceParserStream } from "eventsource-parser/stream";
import type { BridgeEvent } from "../../shared/bridge-types.js";

const RETRY_MS = 1_000;

/**
 * The gateway's live stream (GET /api/live, Server-Sent Events) read with the console's
 * token and passed on event by event; reconnects after a second when the stream drops,
 * saying so, until stopped.
 */
export class LiveFeed {
  private abort: AbortController | undefined;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly emit: (event: BridgeEvent) => void,
  ) {}

  start(): void {
    if (this.abort) return;
    const abort = new AbortController();
    this.abort = abort;
    void this.run(abort.signal);
  }

  stop(): void {
    this.abort?.abort();
    this.abort = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.emit({ kind: "live-state", state: "connecting", detail: this.url });
      let detail = "the stream ended";
      try {
        const response = await fetch(this.url, { headers: { authorization: `Bearer ${this.token}` }, signal });
        if (!response.ok || !response.body) throw new Error(`the live stream answered ${response.status}`);
        this.emit({ kind: "live-state", state: "open", detail: "" });
        const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
        for await (const event of events) {
          this.emit({ kind: "live", type: event.event ?? "message", data: JSON.parse(event.data) as Record<string, unknown> });
        }
      } catch (error) {
        if (signal.aborted) break;
        detail = (error as Error).message;
      }
      this.emit({ kind: "live-state", state: "closed", detail: `${detail}; connecting again` });
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
