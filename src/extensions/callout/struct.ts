// google.protobuf.Struct <-> plain JSON, in protobufjs' object form (camelCase `stringValue`, ...).

import type { StructValue, ValueMessage } from './protos.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function toStruct(obj: Readonly<Record<string, Json>>): StructValue {
  const fields: Record<string, ValueMessage> = {};
  for (const [k, v] of Object.entries(obj)) fields[k] = toValue(v);
  return { fields };
}

function toValue(v: Json): ValueMessage {
  if (v === null) return { nullValue: 0 };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  return { structValue: toStruct(v) };
}

export function fromStruct(s: StructValue | undefined): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(s?.fields ?? {})) out[k] = fromValue(v);
  return out;
}

function fromValue(v: ValueMessage): Json {
  if ('structValue' in v) return fromStruct(v.structValue);
  if ('listValue' in v) return (v.listValue.values ?? []).map(fromValue);
  if ('stringValue' in v) return v.stringValue;
  if ('numberValue' in v) return v.numberValue;
  if ('boolValue' in v) return v.boolValue;
  return null;
}
