import { useEffect, useState } from "preact/hooks";
import type { BatchesPage, BatchView } from "../../shared/bridge-types.js";
import { request } from "../bridge-client.js";
import { DataTable } from "../components/data-table.js";
import { ErrorNote } from "../components/error-note.js";
import { useAction } from "../components/use-action.js";
import { usePolled } from "../components/use-polled.js";
import { formatTime } from "../format.js";
import { viewOfGatewayCheck, type ReceiptVerificationView } from "../receipt-verification.js";

const STAGE_TEXT: Record<BatchView["stage"], string> = {
  sealed: "sealed",
  proved: "proved",
  acknowledged: "at the relay",
  anchored: "anchored",
};

function proofText(proof: BatchView["proof"]): string {
  if (!proof.present) return "not yet";
  if (proof.valid === false) return "refused by the relay";
  return proof.valid ? "made, checked by the relay" : "made";
}

/** Offers JSON as a file to save, as the browser does for a download. */
function saveJson(name: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The gateway's batches on their way to the chain (proof, relay, anchor), a reading's receipt
 * to download, and its check against the chain shown link by link.
 */
export function ProofsScreen() {
  // The newest batches, or those up to a batch number the technician asked for.
  const [upTo, setUpTo] = useState<number | undefined>();
  const [upToText, setUpToText] = useState("");
  const polled = usePolled(
    () => request("proofs.batches", { limit: 20, ...(upTo !== undefined && { beforeSequence: upTo + 1 }) }),
    2_000,
  );
  // A list that moves while it is read (or tabbed through) is held on request.
  const [held, setHeld] = useState<BatchesPage | undefined>();
  const page = { value: held ?? polled.value, error: polled.error };
  const [reading, setReading] = useState("");
  const [rpcUrl, setRpcUrl] = useState<string | undefined>();
  const receiptAction = useAction<"download" | "verify">();
  const busy = receiptAction.running;
  const [verification, setVerification] = useState<ReceiptVerificationView | undefined>();

  const receipts = page.value?.receipts;
  useEffect(() => {
    if (rpcUrl === undefined && receipts?.rpcUrl) setRpcUrl(receipts.rpcUrl);
  }, [receipts?.rpcUrl]);

  const gatewaySeq = Number(reading);
  const run = (what: "download" | "verify") => {
    if (what === "verify") setVerification(undefined);
    return receiptAction.run(what, async () => {
      if (what === "download") {
        saveJson(`receipt-${gatewaySeq}.json`, await request("proofs.receipt", { gatewaySeq }));
        return `The receipt of reading ${gatewaySeq} is saved as receipt-${gatewaySeq}.json.`;
      }
      const answer = await request("proofs.verify", { gatewaySeq, ...(rpcUrl && { rpcUrl }) });
      setVerification(viewOfGatewayCheck(answer.check));
      return "";
    });
  };

  const lastAnchored = page.value?.lastAnchored;
  return (
    <section aria-labelledby="proofs-title">
      <h1 id="proofs-title">Proofs and anchors</h1>
      <ErrorNote error={page.error} />
      <p>
        {lastAnchored
          ? `Anchored on chain through batch ${lastAnchored.sequence}: transaction ${lastAnchored.transactionHash}, block ${lastAnchored.blockNumber}, confirmed ${formatTime(lastAnchored.confirmedAtMs)}.`
          : "No batch of this gateway is anchored on chain yet: the relay anchors what it has stored every few seconds to minutes."}
      </p>
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          const wanted = Number(upToText);
          setUpTo(upToText !== "" && Number.isInteger(wanted) && wanted >= 1 ? wanted : undefined);
          setHeld(undefined);
          polled.reload();
        }}
      >
        <label for="batches-up-to">Show the batches up to number (empty: the newest)</label>
        <input
          id="batches-up-to"
          inputMode="numeric"
          value={upToText}
          onInput={(event) => setUpToText(event.currentTarget.value.trim())}
        />
        <button type="submit" class="secondary">
          Show
        </button>
      </form>
      <label for="hold-batches">
        <input
          id="hold-batches"
          type="checkbox"
          checked={held !== undefined}
          onChange={() => setHeld(held ? undefined : polled.value)}
        />{" "}
        Hold the list (stop refreshing it)
      </label>
      <DataTable
        class="batches"
        caption={upTo === undefined ? "The newest batches" : `The batches up to number ${upTo}`}
        columns={["Batch", "Readings", "Sealed", "Proof", "Stage", "Anchor", "Receipt"]}
      >
        {(page.value?.batches ?? []).map((batch) => (
          <tr key={batch.sequence} data-batch={batch.sequence} data-stage={batch.stage}>
            <td>{batch.sequence}</td>
            <td>
              {batch.readingCount} (readings {batch.firstGatewaySeq}…{batch.lastGatewaySeq})
            </td>
            <td>{formatTime(batch.sealedAtMs)}</td>
            <td>{proofText(batch.proof)}</td>
            <td>{STAGE_TEXT[batch.stage]}</td>
            <td class="hash">
              {batch.anchor
                ? `block ${batch.anchor.blockNumber}, ${batch.anchor.transactionHash}`
                : batch.stage === "anchored"
                  ? "in an earlier anchor: its receipt names the transaction"
                  : ""}
            </td>
            <td>
              <button
                type="button"
                class="secondary"
                aria-label={`Reading ${batch.firstGatewaySeq} of batch ${batch.sequence}`}
                onClick={() => setReading(String(batch.firstGatewaySeq))}
              >
                Reading {batch.firstGatewaySeq}
              </button>
            </td>
          </tr>
        ))}
      </DataTable>

      <h2>A reading's receipt</h2>
      <p>
        A receipt proves, against the chain alone, that a reading is in a batch this gateway signed and that the batch was
        anchored. The gateway fetches it from its relay
        {receipts && !receipts.fromRelay && " once it is enrolled with one (Uplink)"}.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void run("verify");
        }}
      >
        <label for="receipt-reading">Reading number (its gateway sequence)</label>
        <input
          id="receipt-reading"
          inputMode="numeric"
          value={reading}
          onInput={(event) => setReading(event.currentTarget.value.trim())}
        />
        <label for="receipt-rpc">Chain RPC URL to check against</label>
        <input
          id="receipt-rpc"
          placeholder="http://127.0.0.1:8545"
          value={rpcUrl ?? ""}
          onInput={(event) => setRpcUrl(event.currentTarget.value.trim())}
        />
        <button
          type="button"
          class="secondary"
          disabled={busy !== undefined || !(gatewaySeq >= 1)}
          onClick={() => void run("download")}
        >
          Download the receipt
        </button>
        <button type="submit" disabled={busy !== undefined || !(gatewaySeq >= 1)}>
          Verify the receipt
        </button>
        {busy === "verify" && <p aria-live="polite">Checking each link against the chain…</p>}
      </form>
      <ErrorNote error={receiptAction.error} />
      <p role="status" class="success">
        {receiptAction.outcome}
      </p>
      {verification && (
        <div class="verification" data-verdict={verification.verdict}>
          <h3>
            Reading {gatewaySeq}: {verification.verdict}
          </h3>
          <p>{verification.summary}</p>
          <DataTable
            class="links"
            caption={<>Each link of the receipt's evidence, checked by {verification.checkedBy}</>}
            columns={["Link", "What it establishes", "Result"]}
          >
            {verification.links.map((link) => (
              <tr key={link.name} data-link-state={link.state}>
                <th scope="row">{link.name}</th>
                <td>{link.description}</td>
                <td class={`link-${link.state.replace(" ", "-")}`}>
                  {link.state}
                  {link.detail && <span class="detail"> — {link.detail}</span>}
                </td>
              </tr>
            ))}
          </DataTable>
        </div>
      )}
    </section>
  );
}
