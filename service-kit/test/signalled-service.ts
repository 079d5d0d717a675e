// A service for the command-line tests: it runs until signalled, and its stop takes the
// number of milliseconds given as the first argument.
import { pino } from "pino";
import { stopOnSignals } from "../src/service-cli.js";

const stopMs = Number(process.argv[2]);
stopOnSignals({ stop: () => new Promise<void>((resolve) => setTimeout(resolve, stopMs)) }, pino(), 1_000);
setInterval(() => {}, 60_000);
process.stdout.write("up\n");
