import { render } from "preact";
import { App } from "./app.js";
import { httpBridge } from "./http-bridge.js";

// In the app the preload provides the bridge; served by a gateway at /console, the page talks to that gateway.
window.consoleBridge ??= httpBridge(window.location.origin);

const root = document.getElementById("app");
if (root) render(<App />, root);
