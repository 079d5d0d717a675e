import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Batch, BatchProof, Pruned } from "@intelledger/proto/relay";
import { RelayRefusal } from "../errors.js";

/**
 * A SignedBatch as it came off the wire, decoded once: the header for the relay's checks,
 * and the encoded Batch exactly as the gateway sent it, which goes to the verification
 * worker (that alone decodes the readings) and into the database.
 */
export interface ReceivedBatch {
  /** The batch without its readings (`readings` is empty; `readingCount` is what the gateway declared). */
  header: Batch;
  /** How many readings the encoded batch carries. */
  readingsOnWire: number;
  encoded: Uint8Array;
  signature: Uint8Array;
  pruned: Pruned | undefined;
  /** The Pruned record exactly as received (empty when there is none). */
  prunedEncoded: Uint8Array;
  prunedSignature: Uint8Array;
}

export type UploadMessage =
  { kind: "batch"; batch: ReceivedBatch } | { kind: "proof"; proof: BatchProof } | { kind: "refused"; refusal: RelayRefusal };

const BATCH_READINGS_FIELD = 6;
/** The one-byte tag of a reading in an encoded Batch: field 6, length-delimited. */
const READING_TAG = (BATCH_READINGS_FIELD << 3) | WireType.LengthDelimited;

/** Visits the fields of one encoded message; `onField` reads the value or returns false to have it skipped. */
function eachField(bytes: Uint8Array, onField: (field: number, wireType: WireType, reader: BinaryReader) => boolean): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (!onField(field, wireType, reader)) reader.skip(wireType, field);
  }
}

/** The header of an encoded Batch, without decoding its readings, and how many readings it holds. */
function decodeBatchHeader(encoded: Uint8Array): { header: Batch; readingsOnWire: number } {
  const header = new BinaryWriter();
  let readingsOnWire = 0;
  const reader = new BinaryReader(encoded);
  while (reader.pos < reader.len) {
    const start = reader.pos;
    if (encoded[start] === READING_TAG) {
      // A batch holds hundreds of readings: each is stepped over by its length, without the
      // tag array and the view of it that tag() and skip() would make.
      reader.pos++;
      const length = reader.uint32();
      reader.pos += length;
      if (reader.pos > reader.len) throw new RangeError("premature EOF");
      readingsOnWire++;
      continue;
    }
    const [field, wireType] = reader.tag();
    reader.skip(wireType, field);
    if (field === BATCH_READINGS_FIELD) readingsOnWire++;
    else header.raw(encoded.subarray(start, reader.pos));
  }
  return { header: Batch.decode(header.finish()), readingsOnWire };
}

function decodeSignedBatch(bytes: Uint8Array): ReceivedBatch {
  let encoded: Uint8Array = new Uint8Array();
  let signature: Uint8Array = new Uint8Array();
  let pruned: Pruned | undefined;
  let prunedEncoded: Uint8Array = new Uint8Array();
  let prunedSignature: Uint8Array = new Uint8Array();
  eachField(bytes, (field, wireType, reader) => {
    if (wireType !== WireType.LengthDelimited) return false;
    if (field === 1) encoded = reader.bytes();
    else if (field === 2) signature = reader.bytes();
    else if (field === 3) {
      prunedEncoded = reader.bytes();
      pruned = Pruned.decode(prunedEncoded);
    } else if (field === 4) prunedSignature = reader.bytes();
    else return false;
    return true;
  });
  return { ...decodeBatchHeader(encoded), encoded, signature, pruned, prunedEncoded, prunedSignature };
}

/**
 * Decodes an UploadRequest for the upload stream (in place of the generated deserializer,
 * which would decode every reading on the event loop, and whose failures gRPC answers as
 * INTERNAL). A message that does not decode becomes a refusal the stream answers with
 * INVALID_ARGUMENT.
 */
export function decodeUploadRequest(bytes: Buffer): UploadMessage {
  try {
    let message: UploadMessage | undefined;
    eachField(bytes, (field, wireType, reader) => {
      if (wireType !== WireType.LengthDelimited) return false;
      if (field === 1) {
        const batch = decodeSignedBatch(reader.bytes());
        message =
          batch.encoded.length > 0
            ? { kind: "batch", batch }
            : {
                kind: "refused",
                refusal: new RelayRefusal("invalid_argument", "empty_message", "signed batch carries no batch"),
              };
      } else if (field === 2) message = { kind: "proof", proof: BatchProof.decode(reader.bytes()) };
      else return false;
      return true;
    });
    return (
      message ?? {
        kind: "refused",
        refusal: new RelayRefusal("invalid_argument", "empty_message", "upload message carries neither a batch nor a proof"),
      }
    );
  } catch (cause) {
    return {
      kind: "refused",
      refusal: new RelayRefusal(
        "invalid_argument",
        "malformed_message",
        `upload message does not decode: ${(cause as Error).message}`,
        { bytes: bytes.length },
        { cause },
      ),
    };
  }
}
