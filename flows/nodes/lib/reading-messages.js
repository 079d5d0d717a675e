// @ts-check
/**
 * @typedef {import("../../gateway-api.js").FlowReading} FlowReading
 * @typedef {{ devices?: string, channel?: string, includeDerived?: boolean }} ReadingFilterConfig
 * @typedef {{ topic: string, payload: number, reading: FlowReading }} ReadingMessage
 */

/**
 * A predicate from a node's filter settings: `devices` lists device ids separated by
 * commas or spaces, each may end in `*`; empty means every device. Readings that
 * flows wrote back are left out unless `includeDerived` is set, so a flow does not
 * feed on its own output.
 * @param {ReadingFilterConfig} config
 * @returns {(reading: FlowReading) => boolean}
 */
export function readingFilter(config) {
  const patterns = (config.devices ?? "")
    .split(/[\s,]+/)
    .filter((pattern) => pattern.length > 0)
    .map((pattern) =>
      pattern.endsWith("*")
        ? /** @param {string} id */ (id) => id.startsWith(pattern.slice(0, -1))
        : /** @param {string} id */ (id) => id === pattern,
    );
  const channel = config.channel && config.channel !== "any" ? config.channel : undefined;
  return (reading) =>
    (!reading.derived || config.includeDerived === true) &&
    (channel === undefined || reading.channel === channel) &&
    (patterns.length === 0 || patterns.some((matches) => matches(reading.deviceId)));
}

/**
 * @param {FlowReading} reading
 * @returns {number} the physical value
 */
export function physicalValue(reading) {
  return reading.value / 10 ** reading.scale;
}

/**
 * The message a reading becomes: topic `<device>/<channel>/<index>`, payload the
 * physical value, and the stored reading itself under `reading`.
 * @param {FlowReading} reading
 * @returns {ReadingMessage}
 */
export function readingMessage(reading) {
  return {
    topic: `${reading.deviceId}/${reading.channel}/${reading.channelIndex}`,
    payload: physicalValue(reading),
    reading,
  };
}
