// @ts-check
import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * @typedef {{ username: string, permissions: "*" | "read" }} EditorUser
 */

/** Editor identities start with this, so the gateway never mistakes one for its own tokens. */
export const EDITOR_IDENTITY_PREFIX = "iln_";

/** The header the gateway passes the caller's identity in; Node-RED checks it with `adminAuth.tokens`. */
export const EDITOR_IDENTITY_HEADER = "x-intelledger-editor";

/**
 * @param {Buffer} key
 * @param {string} payload
 */
function mac(key, payload) {
  return createHmac("sha256", key).update(payload).digest("base64url");
}

/**
 * Who is calling Node-RED, as the gateway vouches for it: user name, Node-RED permissions
 * and an expiry, signed with a key only the gateway and its Node-RED process hold. The
 * gateway's session tokens never reach the Node-RED process, so a flow cannot take them.
 * @param {Buffer} key
 * @param {EditorUser} user
 * @param {number} expiresAtMs
 * @returns {string}
 */
export function signEditorIdentity(key, user, expiresAtMs) {
  const payload = Buffer.from(JSON.stringify({ u: user.username, p: user.permissions, e: expiresAtMs })).toString("base64url");
  return `${EDITOR_IDENTITY_PREFIX}${payload}.${mac(key, payload)}`;
}

/**
 * The user an identity names, or null when it is forged, malformed or expired.
 * @param {Buffer} key
 * @param {string} identity
 * @param {number} [nowMs]
 * @returns {EditorUser | null}
 */
export function verifyEditorIdentity(key, identity, nowMs = Date.now()) {
  if (!identity.startsWith(EDITOR_IDENTITY_PREFIX)) return null;
  const [payload, signature] = identity.slice(EDITOR_IDENTITY_PREFIX.length).split(".");
  if (!payload || !signature) return null;
  const expected = Buffer.from(mac(key, payload));
  const actual = Buffer.from(signature);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  const claims = /** @type {{ u?: unknown, p?: unknown, e?: unknown }} */ (
    JSON.parse(Buffer.from(payload, "base64url").toString())
  );
  if (typeof claims.u !== "string" || (claims.p !== "*" && claims.p !== "read") || typeof claims.e !== "number") return null;
  return claims.e > nowMs ? { username: claims.u, permissions: claims.p } : null;
}
