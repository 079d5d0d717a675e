// Receipts checked in Debian's Chromium with the verify package's browser bundle, as a web page
// checks them: the page imports verify.browser.js and asks the chain's JSON-RPC endpoint itself.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import type * as Verifier from "@intelledger/verify";
import type { PublishedDeployment, ReceiptFailure, ReceiptLink, ReceiptVerdict } from "@intelledger/verify";
import { launchChromium } from "../../gateway/test/headless-chromium.js";

const repoRoot = join(import.meta.dirname, "../..");
const BUNDLE = join(repoRoot, "verify/dist/verify.browser.js");

/** A page that loads the bundle as a web page would, and leaves it on `window.verifier` for the test to call. */
const PAGE = `<!doctype html><title>Receipt check</title>
<script type="module">
  import * as verifier from "/verify.browser.js";
  window.verifier = verifier;
</script>`;

/** What the page is told to trust: the chain's endpoint and id, the deployment. */
export interface PageTrust {
  rpcUrl: string;
  chainId: number;
  deployment: PublishedDeployment;
  minConfirmations: number;
  allowDevelopmentKey: boolean;
}

/** What the page found: a verdict and the links that held, or the link that failed. */
export type PageOutcome =
  | { verdict: ReceiptVerdict; checked: ReceiptLink[]; readingCount: number | undefined }
  | { failure: ReceiptFailure | "error"; message: string };

export interface BrowserVerifier {
  /** The bundle's size in bytes. */
  bundleBytes: number;
  verify(receipt: unknown, trust: PageTrust): Promise<PageOutcome>;
  close(): Promise<void>;
}

/** Builds the bundle (npm run build:browser -w verify), serves it and opens a page that loads it. */
export async function startBrowserVerifier(): Promise<BrowserVerifier> {
  await promisify(execFile)(process.execPath, ["--import", "tsx", "verify/scripts/build-browser.ts"], { cwd: repoRoot });
  const bundle = readFileSync(BUNDLE);
  const server = createServer((request, response) => {
    if (request.url === "/verify.browser.js") {
      response.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    } else {
      response.writeHead(200, { "content-type": "text/html" }).end(PAGE);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction(() => "verifier" in globalThis);
  return {
    bundleBytes: bundle.length,
    verify: (receipt, trust) =>
      page.evaluate(
        async ({ receipt, trust }): Promise<PageOutcome> => {
          const { verifier } = globalThis as unknown as { verifier: typeof Verifier };
          const provider = verifier.rpcProvider(trust.rpcUrl);
          try {
            const verified = await verifier.verifyReceipt(
              verifier.receiptSchema.parse(receipt),
              provider,
              verifier.committedKeyTrust(trust),
            );
            return { verdict: verified.verdict, checked: verified.checked, readingCount: verified.provenClaims?.readingCount };
          } catch (error) {
            if (error instanceof verifier.ReceiptVerificationError) return { failure: error.failure, message: error.message };
            return { failure: "error", message: String(error) };
          } finally {
            provider.destroy();
          }
        },
        { receipt, trust },
      ),
    close: async () => {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
