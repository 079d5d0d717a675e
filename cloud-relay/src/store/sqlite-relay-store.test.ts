import { describeRelayStore } from "../../test/relay-store-contract.js";
import { describeFleetStore } from "../../test/relay-fleet-contract.js";
import { sqliteBackend } from "../../test/relay-store-backends.js";

describeRelayStore("SQLite", sqliteBackend);
describeFleetStore("SQLite", sqliteBackend);
