import { streamKeyString, unboundedStreams, type BoundsResolver, type StreamKey } from "@intelledger/circuits";

/** A stream's configured bounds (in units of its scale), or undefined when it has none. */
export type ConfiguredBounds = (stream: StreamKey) => { min: number; max: number } | undefined;

/**
 * The bounds a batch commits its streams with: a stream's configured bounds when every one of
 * the readings of that stream lies within them, else the whole int32 range. A reading outside
 * its bounds is real, signed data and is kept; its stream's entry in the batch's stream table
 * then says plainly that this batch claims nothing narrower for it.
 */
export function committedBounds(
  readings: readonly (StreamKey & { value: number })[],
  configured: ConfiguredBounds,
): BoundsResolver {
  const outside = new Set<string>();
  for (const reading of readings) {
    const bounds = configured(reading);
    if (bounds && (reading.value < bounds.min || reading.value > bounds.max)) outside.add(streamKeyString(reading));
  }
  return (stream) => (outside.has(streamKeyString(stream)) ? undefined : configured(stream)) ?? unboundedStreams(stream);
}
