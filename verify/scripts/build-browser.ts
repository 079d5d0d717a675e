// Builds the browser bundle: verify/dist/verify.browser.js, one ES module holding the package,
// its dependencies and the committed verification key.
//   npm run build:browser -w verify
import { join } from "node:path";
import { build } from "esbuild";
import { browserAliases } from "../src/browser-aliases.js";

const BROWSER_BUNDLE = join(import.meta.dirname, "../dist/verify.browser.js");

/**
 * Bundles src/index.ts for browsers: the packages' "browser" conditions pick their browser
 * implementations (hashing, the committed key, snarkjs, ethers); browserAliases() maps the rest.
 */
async function buildBrowserBundle(): Promise<{ bytes: number }> {
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
    alias: browserAliases(),
  });
  const output = result.metafile.outputs[Object.keys(result.metafile.outputs)[0] ?? ""];
  return { bytes: output?.bytes ?? 0 };
}

const { bytes } = await buildBrowserBundle();
process.stdout.write(`wrote ${BROWSER_BUNDLE} (${bytes} bytes)\n`);
