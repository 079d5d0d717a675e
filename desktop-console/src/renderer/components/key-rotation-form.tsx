import { useState } from "preact/hooks";
import type { BridgeError } from "../../shared/bridge-types.js";
import { failureOf, request } from "../bridge-client.js";
import { ErrorNote } from "./error-note.js";

/**
 * Rotating a device's key: the new key and the handover its current key signed over it, as the
 * device reports them. The gateway checks the signature before it takes the key.
 */
export function KeyRotationForm({ deviceId, onDone }: { deviceId: string; onDone: () => void }) {
  const [publicKey, setPublicKey] = useState("");
  const [signature, setSignature] = useState("");
  const [retire, setRetire] = useState(false);
  const [error, setError] = useState<BridgeError | undefined>();

  const rotate = async () => {
    setError(undefined);
    try {
      await request("devices.rotateKey", {
        deviceId,
        publicKey: publicKey.trim(),
        signature: signature.trim(),
        retireOldKeyNow: retire,
      });
      onDone();
    } catch (failure) {
      setError(failureOf(failure));
    }
  };

  return (
    <form
      class="key-rotation"
      aria-label={`Key rotation of ${deviceId}`}
      onSubmit={(event) => {
        event.preventDefault();
        void rotate();
      }}
    >
      <h2>Rotate the key of {deviceId}</h2>
      <p>
        The device makes a new key and signs it with its current one; copy both from its report. Frames its old key signed before
        the switch are still taken until its first frame under the new key, unless the old key may have leaked.
      </p>
      <label for="new-key">New public key (65 bytes in hex, starting with 04)</label>
      <input id="new-key" value={publicKey} onInput={(event) => setPublicKey(event.currentTarget.value)} />
      <label for="handover-signature">Handover signature by the current key (64 bytes in hex)</label>
      <input id="handover-signature" value={signature} onInput={(event) => setSignature(event.currentTarget.value)} />
      <label for="retire-now">
        <input id="retire-now" type="checkbox" checked={retire} onChange={(event) => setRetire(event.currentTarget.checked)} />{" "}
        Refuse the old key at once (it may have leaked)
      </label>
      <button type="submit">Rotate the key of {deviceId}</button>
      <ErrorNote error={error} />
    </form>
  );
}
