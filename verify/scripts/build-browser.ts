// Builds the browser bundle: verify/dist/verify.browser.js, one ES module holding the package,
// its dependencies and the committed verification key.
//   npm run build:browser -w verify
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { build } from "esbuild";

const BROWSER_BUNDLE = join(import.meta.dirname, "../dist/verify.browser.js");

/**
 * Bundles src/index.ts for browsers: the packages' "browser" conditions pick their browser
 * implementations (hashing, the committed key, snarkjs, ethers). circomlibjs exports its whole
 * package only; its Poseidon module is mapped by name (see circuits' poseidon-plugin.browser.ts).
 */
async function buildBrowserBundle(): Promise<{ bytes: number }> {
  const circomlibjs = createRequire(import.meta.resolve("@intelledger/circuits")).resolve("circomlibjs");
  const result = await build({
    entryPoints: [join(import.meta.dirname, "../src/index.ts")],
    outfile: BROWSER_BUNDLE,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    metafile: true,
    logLevel: "warning",
    alias: { "circomlibjs-poseidon-wasm": join(dirname(circomlibjs), "../src/poseidon_wasm.js") },
  });
  const output = result.metafile.outputs[Object.keys(result.metafile.outputs)[0] ?? ""];
  return { bytes: output?.bytes ?? 0 };
}

const { bytes } = await buildBrowserBundle();
process.stdout.write(`wrote ${BROWSER_BUNDLE} (${bytes} bytes)\n`);
