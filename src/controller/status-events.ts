// The wording of the Events GKE's controller writes for extensions and plugins (the seed's walkthrough, docs/spec/README.md,
// `kubectl describe` output), per ancestor Gateway.

import type { EventType } from './events.js';
import type { Condition, PolicyAncestorStatus, ParentReference } from './resources.js';
import { CALLOUT_REACHABLE, type PolicyReport } from './translator/extensions.js';

export interface PendingEvent {
  type: EventType;
  reason: string;
  message: string;
}

/**
 * The seed's Event wording for one ancestor of an extension or plugin. `previous`: the conditions this
 * ancestor had before (a version that was being pulled and now serves gets a `Pulled` event).
 */
export function policyEvents(
  r: PolicyReport,
  a: PolicyAncestorStatus,
  previous?: readonly Condition[],
): PendingEvent[] {
  const subject = `${r.eventNoun} "${r.key}"`;
  const ref = ancestorRefText(a.ancestorRef);
  const get = (type: string) => a.conditions.find((c) => c.type === type);
  const accepted = get('Accepted');
  const resolved = get('ResolvedRefs');
  const programmed = get('Programmed');
  const out: PendingEvent[] = [];
  if (accepted?.status !== 'True') {
    return [
      {
        type: 'Warning',
        reason: 'SYNC',
        message: `Attachment of ${subject} to ${ref} failed: ${accepted?.message ?? ''}`,
      },
    ];
  }
  out.push({ type: 'Normal', reason: 'SYNC', message: `Attachment of ${subject} to ${ref} was a success` });
  if (resolved && resolved.status !== 'True') {
    out.push({
      type: 'Warning',
      reason: 'SYNC',
      message: `Not all the object references could be resolved for ${subject} bound to ${ref}: ${resolved.message}`,
    });
    return out;
  }
  if (resolved && r.eventStyle === 'programming') {
    out.push({
      type: 'Normal',
      reason: 'SYNC',
      message: `All the object references were able to be resolved for ${subject} bound to ${ref}`,
    });
  }
  const unreachable = get(CALLOUT_REACHABLE);
  if (unreachable?.status === 'False')
    out.push({
      type: 'Warning',
      reason: unreachable.reason,
      message: `${subject} bound to ${ref} cannot use its callout: ${unreachable.message}`,
    });
  const wasPulling = previous?.some((c) => c.type === 'Programmed' && c.reason === 'Pending') ?? false;
  const verb = r.eventStyle === 'programming' ? 'Programming' : 'Reconciliation';
  if (programmed)
    out.push(...programmedEvents(`${verb} of ${subject} to ${ref}`, subject, programmed, wasPulling));
  return out;
}

/** The events of the Programmed condition: `what` is "<Verb> of <subject> to <ancestor>". */
function programmedEvents(
  what: string,
  subject: string,
  programmed: Condition,
  wasPulling: boolean,
): PendingEvent[] {
  if (programmed.status === 'True') {
    const success: PendingEvent = { type: 'Normal', reason: 'SYNC', message: `${what} was a success` };
    if (!wasPulling) return [success];
    return [
      { type: 'Normal', reason: 'Pulled', message: `${subject}: the image is pulled and loaded` },
      success,
    ];
  }
  // Pulling is progress, not a failure: a Normal event, as kubelet's "Pulling image"; the success or
  // failure event follows when the pull ends.
  if (programmed.reason === 'Pending')
    return [{ type: 'Normal', reason: 'Pulling', message: programmed.message }];
  return [{ type: 'Warning', reason: 'SYNC', message: `${what} failed: ${programmed.message}` }];
}

export function ancestorRefText(ref: ParentReference): string {
  const q = (v: string | undefined) => (v === undefined ? 'nil' : `"${v}"`);
  return (
    `AncestorRef {Group: ${q(ref.group ?? 'gateway.networking.k8s.io')}, Kind: ${q(ref.kind ?? 'Gateway')}, Namespace: ${q(ref.namespace)}, ` +
    `Name: ${q(ref.name)}, SectionName: ${q(ref.sectionName)}, Port: ${ref.port === undefined ? 'nil' : String(ref.port)}}`
  );
}
