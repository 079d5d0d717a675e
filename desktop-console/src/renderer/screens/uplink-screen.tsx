import { useState } from "preact/hooks";
import { request } from "../bridge-client.js";
import { ErrorNote } from "../components/error-note.js";
import { FigureList } from "../components/figure-list.js";
import { useAction } from "../components/use-action.js";
import { usePolled } from "../components/use-polled.js";

/** The gateway's link to the relay: its state, the backlog draining, and enrollment with a relay's one-time token. */
export function UplinkScreen() {
  const status = usePolled(() => request("gateway.status", {}), 2_000);
  const [relayAddress, setRelayAddress] = useState("");
  const [token, setToken] = useState("");
  const [fingerprint, setFingerprint] = useState("");
  const enrollment = useAction();
  const busy = enrollment.running !== undefined;

  const enroll = () =>
    enrollment.run("enroll", async () => {
      const answer = await request("uplink.enroll", { relayAddress, token, relayCaFingerprint: fingerprint });
      status.reload();
      return `Enrolled with ${answer.relay.address} (configuration revision ${answer.revision}); the uplink connects now.`;
    });

  const figures = status.value;
  return (
    <section aria-labelledby="uplink-title">
      <h1 id="uplink-title">Uplink to the relay</h1>
      <ErrorNote error={status.error} />
      {figures?.uplink?.lastError && (
        <p class="error" role="alert">
          Last error of the uplink: {figures.uplink.lastError}. Check the relay's address and the network; the gateway keeps
          trying and keeps every reading meanwhile.
        </p>
      )}
      {figures && (
        <FigureList
          figures={[
            ["State", figures.uplink?.state ?? "not enrolled"],
            ["Batches sealed / acknowledged by the relay", `${figures.batchesSealed} / ${figures.batchesAcked}`],
            ["Waiting to be sent", `${figures.backlog.readings} readings in ${figures.backlog.batches} batches`],
            [
              "Draining at",
              <>
                {figures.drainReadingsPerSecond.toFixed(0)} readings/s
                {figures.backlog.readings > 0 &&
                  figures.drainReadingsPerSecond > 0 &&
                  `, about ${Math.ceil(figures.backlog.readings / figures.drainReadingsPerSecond)} s to go`}
              </>,
            ],
          ]}
        />
      )}
      <h2>Enroll with a relay</h2>
      <p>
        The relay's operator gives you a one-time token and the fingerprint of the relay's certificate authority (relay
        enrollment-token). The gateway refuses to go on if the fingerprint does not match.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void enroll();
        }}
      >
        <label for="relay-address">Relay address and enrollment port</label>
        <input
          id="relay-address"
          placeholder="relay.example.com:50052"
          value={relayAddress}
          onInput={(event) => setRelayAddress(event.currentTarget.value)}
        />
        <label for="relay-token">Enrollment token</label>
        <input id="relay-token" autocomplete="off" value={token} onInput={(event) => setToken(event.currentTarget.value)} />
        <label for="relay-fingerprint">Relay CA fingerprint (SHA-256)</label>
        <input id="relay-fingerprint" value={fingerprint} onInput={(event) => setFingerprint(event.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          Enroll
        </button>
        {busy && <p aria-live="polite">Enrolling: fetching the relay's certificate, signing the request…</p>}
      </form>
      <ErrorNote error={enrollment.error} />
      <p role="status" class="success">
        {enrollment.outcome}
      </p>
    </section>
  );
}
