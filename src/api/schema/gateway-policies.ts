// Gateway API policy-like kinds: ReferenceGrant (v1beta1) and BackendTLSPolicy (v1), as the upstream
// standard-channel CRDs define them.
import { GATEWAY_API, PATTERNS } from './limits.js';
import { arr, map, obj, rule, str } from './dsl.js';
import { group, kind, namespace, objectMeta, objectName, policyStatus, sectionName } from './common.js';
import { kindSchema, withMeta } from './gateway-api.js';

// -------------------------------------------------------------------------------------------- ReferenceGrant

export const referenceGrant = kindSchema(
  'ReferenceGrant',
  'referencegrants',
  obj(
    {
      apiVersion: str(),
      kind: str(),
      metadata: objectMeta(),
      spec: obj(
        {
          from: arr(
            obj(
              { group: group(), kind: kind(), namespace: namespace() },
              { required: ['group', 'kind', 'namespace'] },
            ),
            { minItems: 1, maxItems: GATEWAY_API.referenceGrantEntries },
          ),
          to: arr(
            obj({ group: group(), kind: kind(), name: objectName() }, { required: ['group', 'kind'] }),
            { minItems: 1, maxItems: GATEWAY_API.referenceGrantEntries },
          ),
        },
        { required: ['from', 'to'] },
      ),
    },
    { required: ['spec'] },
  ),
  { version: 'v1beta1', status: false, shortNames: ['refgrant'] },
);

// ------------------------------------------------------------------------------------------ BackendTLSPolicy

interface TargetRef {
  group: string;
  kind: string;
  name: string;
  sectionName?: string;
}
const sameTarget = (a: TargetRef, b: TargetRef) =>
  a.group === b.group && a.kind === b.kind && a.name === b.name;

interface TLSValidation {
  caCertificateRefs?: unknown[];
  wellKnownCACertificates?: string;
}
interface SubjectAltName {
  type: string;
  hostname?: string;
  uri?: string;
}

const sanRule = (type: 'Hostname' | 'URI', field: 'hostname' | 'uri', must: boolean) =>
  rule<SubjectAltName>({
    message: `SubjectAltName element must ${must ? '' : 'not '}contain ${type}, if Type is ${must ? '' : 'not '}set to ${type}`,
    cel: must
      ? `!(self.type == "${type}" && (!has(self.${field}) || self.${field} == ""))`
      : `!(self.type != "${type}" && has(self.${field}) && self.${field} != "")`,
    holds: (s) => (must ? !(s.type === type && !s[field]) : !(s.type !== type && !!s[field])),
    field,
    reason: must ? 'FieldValueRequired' : 'FieldValueForbidden',
  });

export const backendTLSPolicy = kindSchema(
  'BackendTLSPolicy',
  'backendtlspolicies',
  withMeta(
    obj(
      {
        targetRefs: arr(
          obj(
            { group: group(), kind: kind(), name: objectName(), sectionName: sectionName() },
            { required: ['group', 'kind', 'name'] },
          ),
          {
            minItems: 1,
            maxItems: GATEWAY_API.backendTLSTargetRefs,
            rules: [
              rule<TargetRef[]>({
                message:
                  'sectionName must be specified when targetRefs includes 2 or more references to the same target',
                cel: "self.all(p1, self.all(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name ? ((!has(p1.sectionName) || p1.sectionName == '') == (!has(p2.sectionName) || p2.sectionName == '')) : true))",
                holds: (ts) =>
                  ts.every((a) => ts.every((b) => !sameTarget(a, b) || !a.sectionName === !b.sectionName)),
              }),
              rule<TargetRef[]>({
                message:
                  'sectionName must be unique when targetRefs includes 2 or more references to the same target',
                cel: "self.all(p1, self.exists_one(p2, p1.group == p2.group && p1.kind == p2.kind && p1.name == p2.name && (((!has(p1.sectionName) || p1.sectionName == '') && (!has(p2.sectionName) || p2.sectionName == '')) || (has(p1.sectionName) && has(p2.sectionName) && p1.sectionName == p2.sectionName))))",
                holds: (ts) =>
                  ts.every(
                    (a) =>
                      ts.filter((b) => sameTarget(a, b) && (a.sectionName ?? '') === (b.sectionName ?? ''))
                        .length === 1,
                  ),
              }),
            ],
          },
        ),
        validation: obj(
          {
            caCertificateRefs: arr(
              obj(
                { group: group(), kind: kind(), name: objectName() },
                { required: ['group', 'kind', 'name'] },
              ),
              { maxItems: GATEWAY_API.caCertificateRefs },
            ),
            wellKnownCACertificates: str({
              minLength: 1,
              maxLength: 253,
              pattern:
                '^(System|([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]))$',
            }),
            hostname: str({ minLength: 1, maxLength: 253, pattern: PATTERNS.preciseHostname }),
            subjectAltNames: arr(
              obj(
                {
                  type: str({ enum: ['Hostname', 'URI'] }),
                  hostname: str({ minLength: 1, maxLength: 253, pattern: PATTERNS.hostname }),
                  uri: str({
                    minLength: 1,
                    maxLength: 253,
                    pattern: '^(([^:/?#]+):)(//([^/?#]*))([^?#]*)(\\?([^#]*))?(#(.*))?',
                  }),
                },
                {
                  required: ['type'],
                  rules: [
                    sanRule('Hostname', 'hostname', true),
                    sanRule('Hostname', 'hostname', false),
                    sanRule('URI', 'uri', true),
                    sanRule('URI', 'uri', false),
                  ],
                },
              ),
              { maxItems: GATEWAY_API.subjectAltNames },
            ),
          },
          {
            required: ['hostname'],
            rules: [
              rule<TLSValidation>({
                message: 'must not contain both CACertificateRefs and WellKnownCACertificates',
                cel: '!(has(self.caCertificateRefs) && size(self.caCertificateRefs) > 0 && has(self.wellKnownCACertificates) && self.wellKnownCACertificates != "")',
                holds: (v) => !((v.caCertificateRefs ?? []).length > 0 && !!v.wellKnownCACertificates),
              }),
              rule<TLSValidation>({
                message: 'must specify either CACertificateRefs or WellKnownCACertificates',
                cel: '(has(self.caCertificateRefs) && size(self.caCertificateRefs) > 0 || has(self.wellKnownCACertificates) && self.wellKnownCACertificates != "")',
                holds: (v) => (v.caCertificateRefs ?? []).length > 0 || !!v.wellKnownCACertificates,
              }),
            ],
          },
        ),
        options: map(str({ maxLength: 4096 }), { maxProperties: 16 }),
      },
      { required: ['targetRefs', 'validation'] },
    ),
    policyStatus(),
  ),
  { shortNames: ['btlspolicy'] },
);
