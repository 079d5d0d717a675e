import { runDrain } from "./drain-run.js";
const r = await runDrain("/tmp/drainrun", 300_000, 1_024);
console.log(JSON.stringify(r));
