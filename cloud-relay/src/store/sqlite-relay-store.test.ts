import { describeRelayStore } from "../../test/relay-store-contract.js";
import { sqliteBackend } from "../../test/relay-store-backends.js";

describeRelayStore("SQLite", sqliteBackend);
