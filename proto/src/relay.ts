// Gateway-relay wire format: the gRPC service and its messages.
export {
  AnchoredBatch,
  Batch,
  BatchAck,
  BatchProof,
  ProofAck,
  PruneReason,
  Pruned,
  ReadingRollup,
  FlowControl,
  GatewayRelayServiceClient,
  GatewayRelayServiceService,
  HeartbeatRequest,
  HeartbeatResponse,
  Reading,
  RegisterRequest,
  RegisterResponse,
  SignedBatch,
  UploadRequest,
  UploadResponse,
} from "./gen/intelledger/relay/v1/relay.js";
export type { GatewayRelayServiceServer } from "./gen/intelledger/relay/v1/relay.js";
export {
  batchHeader,
  batchHeaderFromJson,
  batchHeaderToJson,
  batchWithReadings,
  sealedBatchHeader,
  type BatchHeader,
  type BatchHeaderJson,
  type BatchPlacement,
} from "./batch-header.js";
export {
  BATCH_SIGNING_DOMAIN,
  BATCH_SIGNING_TYPES,
  ZERO_BATCH_HASH,
  batchHash,
  recoverBatchHashSigner,
  recoverBatchSigner,
  signBatch,
} from "./batch-hash.js";
export { PRUNE_SIGNING_TYPES, recoverPruneSigner, signPrune } from "./prune-signature.js";
export { recoverRegistrationSigner, registrationMessage, signRegistration } from "./registration.js";
export {
  DeploymentOutcome,
  DeploymentServiceClient,
  DeploymentServiceService,
  FetchDeploymentRequest,
  FetchDeploymentResponse,
  ReportDeploymentRequest,
  ReportDeploymentResponse,
  SignedDeployment,
} from "./gen/intelledger/relay/v1/deployment.js";
export type { DeploymentServiceServer } from "./gen/intelledger/relay/v1/deployment.js";
export {
  FetchReceiptRequest,
  FetchReceiptResponse,
  ReceiptServiceClient,
  ReceiptServiceService,
} from "./gen/intelledger/relay/v1/receipts.js";
export type { ReceiptServiceServer } from "./gen/intelledger/relay/v1/receipts.js";
