// @ts-check
/**
 * @typedef {import("../gateway-api.js").IntelLedgerGatewayApi} IntelLedgerGatewayApi
 * @typedef {import("../gateway-api.js").FlowReading} FlowReading
 * @typedef {import("../gateway-api.js").ScoredReading} ScoredReading
 * @typedef {import("../gateway-api.js").GatewayStatus} GatewayStatus
 * @typedef {import("../gateway-api.js").RuleAlert} RuleAlert
 * @typedef {import("../channel-messages.js").GatewayCall} GatewayCall
 * @typedef {import("../channel-messages.js").GatewayMessage} GatewayMessage
 * @typedef {import("../channel-messages.js").NodeRedMessage} NodeRedMessage
 */

/** A call the gateway has not answered in this time fails (commands wait for a device's answer). */
const CALL_TIMEOUT_MS = 60_000;

/**
 * The gateway as the IntelLedger nodes see it from the Node-RED process: the contract of
 * gateway-api.d.ts over the channel. Feeds are asked for while a node listens; the status
 * is the one the gateway last pushed, so `status()` stays synchronous.
 * @implements {IntelLedgerGatewayApi}
 */
export class ChannelGatewayApi {
  /**
   * @param {{ send(message: NodeRedMessage): void }} channel
   * @param {{ gatewayId: string, status: GatewayStatus }} start
   */
  constructor(channel, start) {
    this.channel = channel;
    this.gatewayId = start.gatewayId;
    this.latestStatus = start.status;
    /** @type {Set<(readings: readonly FlowReading[]) => void>} */
    this.readingListeners = new Set();
    /** @type {Set<(scored: ScoredReading) => void>} */
    this.scoreListeners = new Set();
    /** @type {Set<(alert: RuleAlert) => void>} */
    this.alertListeners = new Set();
    /** @type {Map<number, { resolve(value: any): void, reject(error: Error): void, timer: NodeJS.Timeout }>} */
    this.calls = new Map();
    this.nextCallId = 1;
    this.followingStatus = false;
  }

  /**
   * What the gateway sent; false for what is not for the API.
   * @param {GatewayMessage} message
   */
  receive(message) {
    switch (message.t) {
      case "readings":
        for (const listener of this.readingListeners) listener(message.readings);
        return true;
      case "score":
        for (const listener of this.scoreListeners) listener(message.scored);
        return true;
      case "alert":
        for (const listener of this.alertListeners) listener(message.alert);
        return true;
      case "status":
        this.latestStatus = message.status;
        return true;
      case "result": {
        const call = this.calls.get(message.id);
        if (!call) return true;
        this.calls.delete(message.id);
        clearTimeout(call.timer);
        if ("error" in message) call.reject(new Error(message.error));
        else call.resolve(message.value);
        return true;
      }
      default:
        return false;
    }
  }

  /** @param {(readings: readonly FlowReading[]) => void} listener */
  subscribeReadings(listener) {
    return this.follow("readings", this.readingListeners, listener);
  }

  /** @param {(scored: ScoredReading) => void} listener */
  subscribeScores(listener) {
    return this.follow("scores", this.scoreListeners, listener);
  }

  /** @param {(alert: RuleAlert) => void} listener */
  subscribeRuleAlerts(listener) {
    return this.follow("alerts", this.alertListeners, listener);
  }

  /** @type {IntelLedgerGatewayApi["querySeries"]} */
  querySeries(request) {
    return this.call({ op: "querySeries", request });
  }

  /**
   * @type {IntelLedgerGatewayApi["sendDeviceCommand"]}
   */
  sendDeviceCommand(deviceId, action, requestedBy) {
    return this.call({ op: "sendDeviceCommand", deviceId, action, requestedBy });
  }

  /** @type {IntelLedgerGatewayApi["writeDerivedReading"]} */
  writeDerivedReading(input) {
    return this.call({ op: "writeDerivedReading", input });
  }

  /** @type {IntelLedgerGatewayApi["raiseAlert"]} */
  raiseAlert(input) {
    return this.call({ op: "raiseAlert", input });
  }

  /** The status the gateway sent last: at start, then every two seconds once a node has asked. */
  status() {
    if (!this.followingStatus) {
      this.followingStatus = true;
      this.channel.send({ t: "subscribe", feed: "status", on: true });
    }
    return this.latestStatus;
  }

  /**
   * @template Listener
   * @param {"readings" | "scores" | "alerts"} feed
   * @param {Set<Listener>} listeners
   * @param {Listener} listener
   * @returns {() => void}
   */
  follow(feed, listeners, listener) {
    if (listeners.size === 0) this.channel.send({ t: "subscribe", feed, on: true });
    listeners.add(listener);
    return () => {
      if (listeners.delete(listener) && listeners.size === 0) this.channel.send({ t: "subscribe", feed, on: false });
    };
  }

  /**
   * @param {GatewayCall} call
   * @returns {Promise<any>}
   */
  call(call) {
    const id = this.nextCallId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject(new Error(`the gateway did not answer ${call.op} within ${CALL_TIMEOUT_MS / 1000} s`));
      }, CALL_TIMEOUT_MS);
      this.calls.set(id, { resolve, reject, timer });
      this.channel.send({ t: "call", id, call });
    });
  }
}
