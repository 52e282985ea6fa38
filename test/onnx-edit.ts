// Edits the bytes of an ONNX model, to plant what another exporter might write (an attribute, a constant).
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import type { ModelProto } from 'onnx-buf';

/** The bytes with `change` made to the decoded model. */
export function edited(bytes: Uint8Array, change: (m: ModelProto) => void): Uint8Array {
  const m = fromBinary(ModelProtoSchema, bytes);
  change(m);
  return toBinary(ModelProtoSchema, m);
}
