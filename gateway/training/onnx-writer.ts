import { ProtobufWriter } from "./protobuf-writer.js";

/** Field numbers and enums of onnx.proto (ONNX IR version 8) that the writer uses. */
const ONNX_FLOAT = 1;
const ONNX_INT64 = 7;
const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

export interface OnnxTensor {
  name: string;
  dims: readonly number[];
  /** float32 data, or int64 data when `int64` is set. */
  data: Float32Array | readonly bigint[];
}

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Readonly<Record<string, number | readonly number[]>>;
}

/** A float tensor's name and shape; a string dimension is symbolic (the batch). */
export interface OnnxValue {
  name: string;
  shape: readonly (number | string)[];
}

export interface OnnxGraph {
  name: string;
  inputs: readonly OnnxValue[];
  outputs: readonly OnnxValue[];
  initializers: readonly OnnxTensor[];
  nodes: readonly OnnxNode[];
  /** Stored as the model's metadata_props. */
  metadata?: Readonly<Record<string, string>>;
  docString?: string;
}

function writeTensor(writer: ProtobufWriter, tensor: OnnxTensor): void {
  for (const dim of tensor.dims) writer.int(1, dim);
  if (tensor.data instanceof Float32Array) {
    writer.int(2, ONNX_FLOAT);
    writer.string(8, tensor.name);
    writer.bytes(
      9,
      new Uint8Array(tensor.data.buffer.slice(tensor.data.byteOffset, tensor.data.byteOffset + tensor.data.byteLength)),
    );
  } else {
    writer.int(2, ONNX_INT64);
    writer.string(8, tensor.name);
    const raw = new Uint8Array(tensor.data.length * 8);
    const view = new DataView(raw.buffer);
    tensor.data.forEach((value, i) => view.setBigInt64(i * 8, value, true));
    writer.bytes(9, raw);
  }
}

function writeValue(writer: ProtobufWriter, value: OnnxValue): void {
  writer.string(1, value.name);
  writer.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.int(1, ONNX_FLOAT);
      tensorType.message(2, (shape) => {
        for (const dim of value.shape) {
          shape.message(1, (d) => (typeof dim === "number" ? d.int(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
}

function writeNode(writer: ProtobufWriter, node: OnnxNode, index: number): void {
  for (const input of node.inputs) writer.string(1, input);
  for (const output of node.outputs) writer.string(2, output);
  writer.string(3, `${node.op.toLowerCase()}_${index}`);
  writer.string(4, node.op);
  for (const [name, value] of Object.entries(node.attributes ?? {})) {
    writer.message(5, (attribute) => {
      attribute.string(1, name);
      if (typeof value === "number") {
        attribute.int(3, value);
        attribute.int(20, ATTRIBUTE_INT);
      } else {
        for (const v of value) attribute.int(8, v);
        attribute.int(20, ATTRIBUTE_INTS);
      }
    });
  }
}

/** Encodes a model (ModelProto) with one graph in the default domain at ONNX_OPSET. */
export function encodeOnnxModel(graph: OnnxGraph, producer: { name: string; version: string }): Uint8Array {
  const model = new ProtobufWriter();
  model.int(1, ONNX_IR_VERSION);
  model.string(2, producer.name);
  model.string(3, producer.version);
  if (graph.docString !== undefined) model.string(6, graph.docString);
  model.message(7, (g) => {
    graph.nodes.forEach((node, index) => g.message(1, (n) => writeNode(n, node, index)));
    g.string(2, graph.name);
    for (const tensor of graph.initializers) g.message(5, (t) => writeTensor(t, tensor));
    for (const input of graph.inputs) g.message(11, (v) => writeValue(v, input));
    for (const output of graph.outputs) g.message(12, (v) => writeValue(v, output));
  });
  model.message(8, (opset) => opset.string(1, "").int(2, ONNX_OPSET));
  for (const [key, value] of Object.entries(graph.metadata ?? {})) {
    model.message(14, (entry) => entry.string(1, key).string(2, value));
  }
  return model.finish();
}
