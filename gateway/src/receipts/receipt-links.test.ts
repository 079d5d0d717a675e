import { RECEIPT_LINKS } from "@intelledger/verify";
import { describe, expect, it } from "vitest";
import { receiptLinks } from "./receipt-links.js";

const results = (links: ReturnType<typeof receiptLinks>) => links.map((link) => `${link.link}: ${link.result}`);

describe("a receipt's links as a screen shows them", () => {
  it("has every link the verifier checks, in its order, with what it establishes", () => {
    const links = receiptLinks({ checked: Object.keys(RECEIPT_LINKS) as (keyof typeof RECEIPT_LINKS)[] }, true);
    expect(links.map((link) => link.link)).toEqual(Object.keys(RECEIPT_LINKS));
    expect(links.every((link) => link.result === "ok" && link.description === RECEIPT_LINKS[link.link])).toBe(true);
  });

  it("marks the proof not checked when a verified receipt carries none", () => {
    const checked = (Object.keys(RECEIPT_LINKS) as (keyof typeof RECEIPT_LINKS)[]).filter((link) => link !== "batch_proof");
    const links = receiptLinks({ checked }, false);
    expect(links.filter((link) => link.result !== "ok")).toEqual([
      expect.objectContaining({
        link: "batch_proof",
        result: "not_checked",
        detail: expect.stringMatching(/no proof/) as string,
      }),
    ]);
  });

  it("names the failing link with why, holds the ones before it and leaves the rest unchecked", () => {
    const links = receiptLinks({ failure: "reading_not_in_batch", message: "the reading is not in its batch: leaf" }, true);
    expect(results(links)).toEqual([
      "chain: ok",
      "deployment: ok",
      "batch_signature: ok",
      "reading_in_batch: failed",
      ...Object.keys(RECEIPT_LINKS)
        .slice(4)
        .map((link) => `${link}: not_checked`),
    ]);
    expect(links[3]?.detail).toBe("the reading is not in its batch: leaf");
  });

  it("puts each failure on its own link; a late one leaves a missing proof unchecked", () => {
    expect(receiptLinks({ failure: "development_key", message: "" }, true).find((link) => link.result === "failed")?.link).toBe(
      "verification_key",
    );
    const late = receiptLinks({ failure: "too_few_confirmations", message: "2 of 12" }, false);
    expect(late.filter((link) => link.result !== "ok").map((link) => `${link.link}: ${link.result}`)).toEqual([
      "batch_proof: not_checked",
      "confirmations: failed",
    ]);
  });
});
