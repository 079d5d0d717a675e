import { useEffect, useState } from "preact/hooks";
import type { BridgeError, ConnectionProfile, DiscoveredGateway, SessionInfo } from "../../shared/bridge-types.js";
import { failureOf, request } from "../bridge-client.js";
import { ErrorNote } from "../components/error-note.js";

const BROWSE_MS = 2_000;

/** Finding a gateway (on the LAN, by address, or saved), then pairing with it or logging in. */
export function ConnectScreen({ onConnected }: { onConnected: (session: SessionInfo) => void }) {
  const [found, setFound] = useState<DiscoveredGateway[]>([]);
  const [browsing, setBrowsing] = useState(false);
  const [profiles, setProfiles] = useState<ConnectionProfile[]>([]);
  const [address, setAddress] = useState("");
  const [chosen, setChosen] = useState<DiscoveredGateway | undefined>();
  const [error, setError] = useState<BridgeError | undefined>();
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (failure) {
      setError(failureOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const browse = async () => {
    setBrowsing(true);
    try {
      setFound(await request("discovery.browse", { timeoutMs: BROWSE_MS }));
    } catch (failure) {
      setError(failureOf(failure));
    } finally {
      setBrowsing(false);
    }
  };

  useEffect(() => {
    void request("profiles.list", {}).then(setProfiles, (failure: unknown) => setError(failureOf(failure)));
    void browse();
  }, []);

  const choose = (gateway: DiscoveredGateway | string) =>
    run(async () =>
      setChosen(await request("discovery.probe", { address: typeof gateway === "string" ? gateway : gateway.url })),
    );

  return (
    <section aria-labelledby="connect-title">
      <h1 id="connect-title">Connect to a gateway</h1>
      <ErrorNote error={error} />
      {chosen ? (
        <CredentialsForm gateway={chosen} busy={busy} run={run} onConnected={onConnected} onBack={() => setChosen(undefined)} />
      ) : (
        <>
          <h2>Gateways found on this network</h2>
          <p aria-live="polite">{browsing ? "Looking for gateways…" : `${found.length} found.`}</p>
          <ul class="cards">
            {found.map((gateway) => (
              <li key={gateway.url} class="card">
                <strong>{gateway.name}</strong>
                <span>{gateway.url}</span>
                {gateway.version && <span>version {gateway.version}</span>}
                <button type="button" disabled={busy} onClick={() => void choose(gateway)}>
                  Connect to {gateway.name}
                </button>
              </li>
            ))}
          </ul>
          <button type="button" disabled={browsing} onClick={() => void browse()}>
            Look again
          </button>

          <h2>By address</h2>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void choose(address);
            }}
          >
            <label for="gateway-address">Gateway address (host or IP, with :port if not 8080)</label>
            <input
              id="gateway-address"
              value={address}
              onInput={(event) => setAddress(event.currentTarget.value)}
              placeholder="gateway.local:8080"
            />
            <button type="submit" disabled={busy || address.trim() === ""}>
              Check address
            </button>
          </form>

          {profiles.length > 0 && (
            <>
              <h2>Saved connections</h2>
              <ul class="cards">
                {profiles.map((profile) => (
                  <li key={profile.id} class="card">
                    <strong>{profile.gatewayUrl}</strong>
                    <span>as {profile.username}</span>
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() => void run(async () => onConnected(await request("session.open", { id: profile.id })))}
                    >
                      Open {profile.gatewayUrl} as {profile.username}
                    </button>
                    <button
                      type="button"
                      class="secondary"
                      disabled={busy}
                      onClick={() =>
                        void run(async () => {
                          await request("profiles.forget", { id: profile.id });
                          setProfiles(await request("profiles.list", {}));
                        })
                      }
                    >
                      Forget
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}

function CredentialsForm(props: {
  gateway: DiscoveredGateway;
  busy: boolean;
  run: (work: () => Promise<void>) => Promise<void>;
  onConnected: (session: SessionInfo) => void;
  onBack: () => void;
}) {
  const { gateway, busy, run, onConnected } = props;
  const pairing = gateway.needs === "pairing";
  const [code, setCode] = useState("");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  return (
    <form
      aria-labelledby="credentials-title"
      onSubmit={(event) => {
        event.preventDefault();
        void run(async () =>
          onConnected(
            pairing
              ? await request("session.pair", { gatewayUrl: gateway.url, code, username, password })
              : await request("session.login", { gatewayUrl: gateway.url, username, password }),
          ),
        );
      }}
    >
      <h2 id="credentials-title">{pairing ? `Pair with ${gateway.url}` : `Log in to ${gateway.url}`}</h2>
      {pairing && (
        <>
          <p>
            This gateway has no account yet. Enter the one-time pairing code it printed when it started (also in the file
            pairing-code in its data folder) and choose the first account: a technician.
          </p>
          <label for="pairing-code">Pairing code</label>
          <input
            id="pairing-code"
            value={code}
            autocomplete="off"
            placeholder="XXXX-XXXX-XXXX"
            onInput={(event) => setCode(event.currentTarget.value)}
          />
        </>
      )}
      <label for="username">Account name</label>
      <input id="username" value={username} autocomplete="username" onInput={(event) => setUsername(event.currentTarget.value)} />
      <label for="password">Password{pairing && " (at least 10 characters)"}</label>
      <input
        id="password"
        type="password"
        value={password}
        autocomplete={pairing ? "new-password" : "current-password"}
        onInput={(event) => setPassword(event.currentTarget.value)}
      />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {pairing ? "Pair and connect" : "Log in and connect"}
        </button>
        <button type="button" class="secondary" onClick={props.onBack}>
          Back
        </button>
      </div>
      {busy && <p aria-live="polite">Connecting…</p>}
    </form>
  );
}
