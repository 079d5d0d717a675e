import { useEffect, useState } from "preact/hooks";
import type { SessionInfo } from "../shared/bridge-types.js";
import { onBridgeEvent, request } from "./bridge-client.js";
import { liveStore } from "./live-store.js";
import { AddDeviceScreen } from "./screens/add-device-screen.js";
import { AuditScreen } from "./screens/audit-screen.js";
import { BufferScreen } from "./screens/buffer-screen.js";
import { ConfigScreen } from "./screens/config-screen.js";
import { ConnectScreen } from "./screens/connect-screen.js";
import { DashboardScreen } from "./screens/dashboard-screen.js";
import { DevicesScreen } from "./screens/devices-screen.js";
import { ModelsScreen } from "./screens/models-screen.js";
import { ProofsScreen } from "./screens/proofs-screen.js";
import { UplinkScreen } from "./screens/uplink-screen.js";

const SCREENS = {
  dashboard: "Dashboard",
  devices: "Devices",
  "add-device": "Add device",
  buffer: "Buffer",
  config: "Configuration",
  uplink: "Uplink",
  proofs: "Proofs and anchors",
  models: "Models",
  audit: "Audit log",
} as const;
type Screen = keyof typeof SCREENS;

/** Opens the gateway's Node-RED editor in a window of its own (the gateway asks for a login there if needed). */
function NodeRedButton({ gatewayUrl }: { gatewayUrl: string }) {
  const [state, setState] = useState<string | undefined>();
  useEffect(() => {
    void request("nodeRed.get", {}).then(
      (status) => setState(status.state),
      () => setState(undefined),
    );
  }, [gatewayUrl]);
  const off = state === "disabled";
  return (
    <button
      type="button"
      class="secondary"
      disabled={off}
      title={off ? "Node-RED is not enabled on this gateway (http.nodeRed.enabled)" : undefined}
      onClick={() => window.open(`${gatewayUrl}/flows/`, "_blank")}
    >
      {off ? "Node-RED editor (off on this gateway)" : "Open the Node-RED editor"}
    </button>
  );
}

/** The console: the connect screen until a gateway is connected, then its screens behind a navigation bar. */
export function App() {
  const [session, setSession] = useState<SessionInfo | undefined>();
  const [screen, setScreen] = useState<Screen>("dashboard");

  useEffect(() => onBridgeEvent((event) => liveStore.take(event)), []);

  const connected = (opened: SessionInfo) => {
    liveStore.reset();
    setSession(opened);
    setScreen("dashboard");
    void request("live.start", {});
  };
  const disconnect = async () => {
    await request("session.close", {});
    liveStore.reset();
    setSession(undefined);
  };

  if (!session) {
    return (
      <main>
        <ConnectScreen onConnected={connected} />
      </main>
    );
  }
  return (
    <>
      <header>
        <p class="gateway">
          {session.profile.gatewayUrl} — {session.profile.username} ({session.role})
        </p>
        <NodeRedButton gatewayUrl={session.profile.gatewayUrl} />
        <button type="button" class="secondary" onClick={() => void disconnect()}>
          Disconnect
        </button>
      </header>
      <nav aria-label="Screens">
        <ul>
          {(Object.keys(SCREENS) as Screen[]).map((name) => (
            <li key={name}>
              <button type="button" aria-current={name === screen ? "page" : undefined} onClick={() => setScreen(name)}>
                {SCREENS[name]}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        {screen === "dashboard" && <DashboardScreen />}
        {screen === "devices" && <DevicesScreen onAddDevice={() => setScreen("add-device")} />}
        {screen === "add-device" && <AddDeviceScreen />}
        {screen === "buffer" && <BufferScreen />}
        {screen === "config" && <ConfigScreen />}
        {screen === "models" && <ModelsScreen />}
        {screen === "uplink" && <UplinkScreen />}
        {screen === "proofs" && <ProofsScreen />}
        {screen === "audit" && <AuditScreen />}
      </main>
    </>
  );
}
