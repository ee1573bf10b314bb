// Tests of the suite's HTTP profile (conformance/tests/httproute-*.go, gateway-*.go) this port does not run,
// each with why: all need an Extended feature extgate does not implement (yet). Levels are the suite's: Core
// tests need only Gateway/HTTPRoute/ReferenceGrant support, Extended ones a feature more.
import type { Skipped } from './model.js';

export const SKIPPED: Skipped[] = [
  {
    name: 'HTTPRouteRetry',
    level: 'Extended',
    why: 'HTTPRoute rule retry (feature HTTPRouteRetry) is not implemented',
  },
  {
    name: 'HTTPRouteRetryConnectionError',
    level: 'Extended',
    why: 'HTTPRoute rule retry (feature HTTPRouteRetryConnectionError) is not implemented',
  },
  {
    name: 'HTTPRouteRetryWithTimeouts',
    level: 'Extended',
    why: 'HTTPRoute rule retry (feature HTTPRouteRetryBackendTimeout) is not implemented',
  },
  {
    name: 'HTTPRouteCORS',
    level: 'Extended',
    why: 'the CORS filter (feature HTTPRouteCORS) is not implemented: a rule with it answers 500',
  },
  {
    name: 'GatewayStaticAddresses',
    level: 'Extended',
    why: 'Gateway spec.addresses (feature GatewayStaticAddresses) is not implemented: every Gateway binds --address',
  },
  {
    name: 'GatewayInfrastructure',
    level: 'Extended',
    why: 'spec.infrastructure labels/annotations (feature GatewayInfrastructurePropagation): extgate creates no per-Gateway resources to carry them',
  },
  {
    name: 'GatewayFrontendClientCertificateValidation',
    level: 'Extended',
    why: 'client certificate validation on listeners (tls.frontendValidation, feature GatewayFrontendClientCertificateValidation) is not implemented',
  },
  {
    name: 'GatewayFrontendClientCertificateValidationInsecureFallback',
    level: 'Extended',
    why: 'client certificate validation on listeners (tls.frontendValidation) is not implemented',
  },
  {
    name: 'GatewayInvalidFrontendClientCertificateValidation',
    level: 'Extended',
    why: 'client certificate validation on listeners (tls.frontendValidation) is not implemented',
  },
  {
    name: 'GatewayFrontendInvalidDefaultClientCertificateValidation',
    level: 'Extended',
    why: 'client certificate validation on listeners (tls.frontendValidation) is not implemented',
  },
  {
    name: 'GatewayTLSBackendClientCertificate',
    level: 'Extended',
    why: 'BackendTLSPolicy with a Gateway client certificate (feature GatewayBackendClientCertificate) is not implemented',
  },
  {
    name: 'GatewayInvalidTLSBackendConfiguration',
    level: 'Extended',
    why: 'BackendTLSPolicy with a Gateway client certificate (feature GatewayBackendClientCertificate) is not implemented',
  },
];
