// GCPWasmPlugin (networking.gke.io/v1): schema harvested from a live GKE cluster (docs/spec/gke-service-extensions.md §1.6).
import { GKE, PATTERNS } from './limits.js';
import { arr, bool, doc, int, obj, rule, str, type KindSchema } from './dsl.js';
import { objectMeta, policyStatus } from './common.js';

interface Version {
  name: string;
  weight: number;
}
interface LogConfig {
  enabled: boolean;
  sampleRate?: number;
  minLogLevel?: string;
}

const version = obj(
  {
    name: doc(
      'Version name, unique within the plugin. RFC-1034 label.',
      str({ minLength: 1, maxLength: GKE.nameLength, pattern: PATTERNS.rfc1034Label }),
    ),
    description: str({ maxLength: GKE.wasmDescriptionLength }),
    image: doc(
      'OCI image holding one file, plugin.wasm.',
      str({
        maxLength: GKE.wasmImageLength,
        pattern: PATTERNS.wasmImage,
        clusterPattern: PATTERNS.wasmImageInCluster,
      }),
    ),
    pluginConfigURI: doc(
      'OCI image holding one file, plugin.config, given to the plugin at configure time.',
      str({
        maxLength: GKE.wasmImageLength,
        pattern: PATTERNS.wasmImage,
        clusterPattern: PATTERNS.wasmImageInCluster,
      }),
    ),
    weight: doc(
      'Exactly one version has a non-zero weight: the one that serves.',
      int({ minimum: GKE.wasmWeight.min, maximum: GKE.wasmWeight.max }),
    ),
  },
  { required: ['image', 'name', 'weight'] },
);

const versions = arr(version, {
  minItems: GKE.wasmVersions.min,
  maxItems: GKE.wasmVersions.max,
  rules: [
    rule<Version[]>({
      message: 'Version name must be unique within the GCPWasmPlugin',
      cel: 'self.all(v1, self.exists_one(v2, v1.name == v2.name))',
      holds: (vs) => new Set(vs.map((v) => v.name)).size === vs.length,
      locate: (vs) => `[${vs.findIndex((v, i) => vs.findIndex((w) => w.name === v.name) !== i)}].name`,
      reason: 'FieldValueDuplicate',
    }),
    rule<Version[]>({
      message: 'GCPWasmPlugin must contain exactly one version with a non zero weight',
      cel: 'self.exists_one(v, v.weight != 0)',
      holds: (vs) => vs.filter((v) => v.weight !== 0).length === 1,
      reason: 'FieldValueInvalid',
    }),
  ],
});

const logConfig = obj(
  {
    enabled: bool(),
    minLogLevel: str({ enum: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL'] }),
    sampleRate: int({ minimum: GKE.wasmSampleRate.min, maximum: GKE.wasmSampleRate.max }),
  },
  {
    required: ['enabled'],
    rules: [
      rule<LogConfig>({
        message: 'SampleRate can be specified only if logging is enabled',
        cel: 'has(self.sampleRate) ? has(self.enabled) && self.enabled : true',
        holds: (l) => (l.sampleRate !== undefined ? l.enabled === true : true),
        field: 'sampleRate',
        reason: 'FieldValueForbidden',
      }),
      rule<LogConfig>({
        message: 'MinLogLevel can be specified only if logging is enabled',
        cel: 'has(self.minLogLevel) ? has(self.enabled) && self.enabled : true',
        holds: (l) => (l.minLogLevel !== undefined ? l.enabled === true : true),
        field: 'minLogLevel',
        reason: 'FieldValueForbidden',
      }),
    ],
  },
);

export const gcpWasmPlugin: KindSchema = {
  group: 'networking.gke.io',
  version: 'v1',
  kind: 'GCPWasmPlugin',
  plural: 'gcpwasmplugins',
  singular: 'gcpwasmplugin',
  scope: 'Namespaced',
  status: true,
  complete: true,
  root: obj(
    {
      apiVersion: str(),
      kind: str(),
      metadata: objectMeta(),
      spec: obj(
        {
          versions,
          logConfig,
          kmsKeyName: str({ maxLength: GKE.kmsKeyNameLength, pattern: PATTERNS.kmsKeyName }),
        },
        { required: ['versions'] },
      ),
      status: policyStatus(),
    },
    { required: ['spec'] },
  ),
};
