/** One Server-Sent Event as a client sees it. */
export interface ReceivedEvent {
  event: string;
  data: Record<string, unknown>;
  receivedAtMs: number;
}

/**
 * Follows a gateway's /api/live stream as a client written from the API description would:
 * `event:` and `data:` lines, events separated by a blank line, comments ignored.
 */
export class LiveClient {
  readonly events: ReceivedEvent[] = [];
  private readonly abort = new AbortController();
  private reading: Promise<void> | undefined;

  async open(url: string, token: string, onEvent?: (event: ReceivedEvent) => void): Promise<void> {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: this.abort.signal });
    if (response.status !== 200 || !response.body)
      throw new Error(`live stream refused: ${response.status} ${await response.text()}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    this.reading = (async () => {
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (name === undefined || data === undefined) continue;
          const event = { event: name, data: JSON.parse(data) as Record<string, unknown>, receivedAtMs: Date.now() };
          this.events.push(event);
          onEvent?.(event);
        }
      }
    })();
  }

  of(name: string): ReceivedEvent[] {
    return this.events.filter((event) => event.event === name);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading;
  }
}
