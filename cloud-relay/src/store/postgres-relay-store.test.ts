import { describeRelayStore } from "../../test/relay-store-contract.js";
import { postgresBackend } from "../../test/relay-store-backends.js";

describeRelayStore("PostgreSQL", postgresBackend);
