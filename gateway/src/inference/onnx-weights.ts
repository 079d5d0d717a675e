import { InferenceError } from "./inference-errors.js";

/** What the reference forward pass needs from an ONNX file: its float initializers and metadata. */
export interface OnnxWeights {
  tensors: Map<string, { dims: number[]; data: Float32Array }>;
  metadata: Map<string, string>;
}

class ProtobufReader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.bytes[this.offset++];
      if (byte === undefined) throw new InferenceError("truncated ONNX file");
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      shift += 7n;
    }
  }

  /** The next field: its number, wire type, and for length-delimited fields its bytes. */
  field(): { number: number; wireType: number; value: bigint | Uint8Array } {
    const key = Number(this.varint());
    const wireType = key & 7;
    const number = key >>> 3;
    switch (wireType) {
      case 0:
        return { number, wireType, value: this.varint() };
      case 1:
        this.offset += 8;
        return { number, wireType, value: 0n };
      case 5:
        this.offset += 4;
        return { number, wireType, value: 0n };
      case 2: {
        const length = Number(this.varint());
        const value = this.bytes.subarray(this.offset, this.offset + length);
        this.offset += length;
        return { number, wireType, value };
      }
      default:
        throw new InferenceError("unsupported protobuf wire type in ONNX file", { wireType });
    }
  }
}

function fields(bytes: Uint8Array): { number: number; wireType: number; value: bigint | Uint8Array }[] {
  const reader = new ProtobufReader(bytes);
  const out = [];
  while (!reader.done) out.push(reader.field());
  return out;
}

const text = (value: bigint | Uint8Array) => (value instanceof Uint8Array ? new TextDecoder().decode(value) : "");

function readTensor(bytes: Uint8Array): { name: string; dims: number[]; data: Float32Array } | undefined {
  let name = "";
  const dims: number[] = [];
  let dataType = 0;
  let data: Float32Array | undefined;
  for (const { number, wireType, value } of fields(bytes)) {
    if (number === 1 && wireType === 0) dims.push(Number(value));
    else if (number === 1 && value instanceof Uint8Array) {
      const packed = new ProtobufReader(value);
      while (!packed.done) dims.push(Number(packed.varint()));
    } else if (number === 2) dataType = Number(value);
    else if (number === 8) name = text(value);
    else if (number === 9 && value instanceof Uint8Array) data = new Float32Array(value.slice().buffer);
    else if (number === 4 && value instanceof Uint8Array) data = new Float32Array(value.slice().buffer);
  }
  // Only float tensors carry weights; int64 constants (indices, axes) are not read.
  return dataType === 1 && data ? { name, dims, data } : undefined;
}

/** Reads the float initializers and the metadata properties of an ONNX model. */
export function readOnnxWeights(model: Uint8Array): OnnxWeights {
  const tensors = new Map<string, { dims: number[]; data: Float32Array }>();
  const metadata = new Map<string, string>();
  for (const field of fields(model)) {
    if (field.number === 7 && field.value instanceof Uint8Array) {
      for (const graphField of fields(field.value)) {
        if (graphField.number !== 5 || !(graphField.value instanceof Uint8Array)) continue;
        const tensor = readTensor(graphField.value);
        if (tensor) tensors.set(tensor.name, { dims: tensor.dims, data: tensor.data });
      }
    } else if (field.number === 14 && field.value instanceof Uint8Array) {
      let key = "";
      let value = "";
      for (const entry of fields(field.value)) {
        if (entry.number === 1) key = text(entry.value);
        if (entry.number === 2) value = text(entry.value);
      }
      metadata.set(key, value);
    }
  }
  return { tensors, metadata };
}
