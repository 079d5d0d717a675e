/**
 * Where the console's window may go: its own pages, and the connected gateway (the Node-RED
 * editor opens there in a window of its own). Everything else is refused.
 */
export function mayOpen(url: string, connectedOrigin: string | undefined): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return connectedOrigin !== undefined && parsed.origin === connectedOrigin && /^https?:$/.test(parsed.protocol);
}
