export { committedKeyTrust, deploymentSchema } from "./chain-trust.js";
export type { ChainTrust, PublishedDeployment } from "./chain-trust.js";
export { ReceiptVerificationError, VerifyError } from "./errors.js";
export type { ReceiptFailure } from "./errors.js";
export { receiptSchema } from "./receipt-format.js";
export type { Receipt } from "./receipt-format.js";
export { RECEIPT_LINKS, verifyReceipt } from "./verify-receipt.js";
export type { ReceiptLink, ReceiptVerdict, VerifiedReceipt } from "./verify-receipt.js";
