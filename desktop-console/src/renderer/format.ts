/** How figures read on screen. */

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString();
}

export function formatAgo(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined) return "never";
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

/** Days the disk quota lasts at the current ingest rate (infinite while idle). */
export function formatAutonomy(days: number): string {
  return Number.isFinite(days) ? days.toFixed(1) : "unlimited";
}
