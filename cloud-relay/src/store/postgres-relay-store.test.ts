import { describeRelayStore } from "../../test/relay-store-contract.js";
import { describeFleetStore } from "../../test/relay-fleet-contract.js";
import { postgresBackend } from "../../test/relay-store-backends.js";

describeRelayStore("PostgreSQL", postgresBackend);
describeFleetStore("PostgreSQL", postgresBackend);
