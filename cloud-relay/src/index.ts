export { parseRelayConfig } from "./config.js";
export type { RelayConfig, RelayConfigInput } from "./config.js";
export { RelayConfigError, RelayError } from "./errors.js";
export { createCertificateAuthority, issueCertificate } from "./pki/certificate-authority.js";
export type { CertificateRequest, PemCredentials } from "./pki/certificate-authority.js";
export { startRelay } from "./relay.js";
export type { Relay, RelaySnapshot } from "./relay.js";
