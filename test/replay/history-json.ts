// Histories as JSON files in Temporal's own format (the one `temporal workflow show --output
// json` writes). The SDK's historyToJSON/historyFromJSON fail in this dependency tree
// ("type must be a Type"): @temporalio/common and @temporalio/proto each get their own copy of
// protobufjs 8 (the root keeps protobufjs 7 for gRPC), and the converter of one copy rejects
// the message types of the other. So the converter is taken from @temporalio/proto's own copy;
// the SDK's functions are still tried first, and win once the tree is deduplicated.
import * as proto from '@temporalio/proto';
import {
  historyFromJSON as sdkFromJSON,
  historyToJSON as sdkToJSON,
  type History,
} from '@temporalio/common/lib/proto-utils';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { dirname } from 'node:path';

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

function protoCopy(): { protojson: ProtoJson; historyType: unknown } {
  const protoDir = dirname(require.resolve('@temporalio/proto/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the protobufjs copy inside @temporalio/proto, found by path
  const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
  const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown };
  return { protojson, historyType: root.lookupType('temporal.api.history.v1.History') };
}

export function historyToJSON(history: History): string {
  try {
    return sdkToJSON(history);
  } catch {
    const { protojson, historyType } = protoCopy();
    return JSON.stringify(
      protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)),
      null,
      2,
    );
  }
}

export function historyFromJSON(json: unknown): History {
  try {
    return sdkFromJSON(json);
  } catch (err) {
    if (!(err instanceof TypeError) || !/must be a Type/.test(err.message)) throw err;
    const { protojson, historyType } = protoCopy();
    return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
  }
}
