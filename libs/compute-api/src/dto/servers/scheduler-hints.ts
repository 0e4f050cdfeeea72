import { Check, fieldError, jsonTypeOf, typeReason } from './checks';
import {
  isIpv4Format,
  isIpv6Format,
  isUuidFormat,
  NAME_FORMAT,
  INVALID_NAME_MESSAGE,
} from './formats';
import { Invalid } from '@nova/common';
import { pyRepr } from '../../http/py-repr';

const uuidString = (v: unknown) => typeof v === 'string' && isUuidFormat(v);
const CIDR = /^\/[0-9a-f.:]+$/u;
const notValid = (v: unknown) => `${pyRepr(v)} is not valid under any of the given schemas`;

/**
 * `os:scheduler_hints` (or `OS-SCH-HNT:scheduler_hints`): the hints Nova
 * knows are typed, any other key is passed to the scheduler as it is.
 */
export function checkSchedulerHints(value: unknown): void {
  if (jsonTypeOf(value) !== 'object') {
    return; // the type check reports it
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const problem = hintProblem(key, v);
    if (problem) {
      throw fieldError(key, v, problem);
    }
    if (key === 'target_cell' && typeof v === 'string' && !NAME_FORMAT.test(v)) {
      throw new Invalid(INVALID_NAME_MESSAGE);
    }
  }
}

function hintProblem(key: string, v: unknown): string | undefined {
  switch (key) {
    case 'group':
      if (typeof v !== 'string') {
        return typeReason(v, ['string']);
      }
      return isUuidFormat(v) ? undefined : `${pyRepr(v)} is not a 'uuid'`;
    case 'different_host':
    case 'same_host':
      // One server uuid, or a list of them.
      return uuidString(v) || (Array.isArray(v) && v.every(uuidString)) ? undefined : notValid(v);
    case 'query':
      // A JSON expression for the JsonFilter, as text or already as an object.
      return typeof v === 'string' || jsonTypeOf(v) === 'object'
        ? undefined
        : typeReason(v, ['string', 'object']);
    case 'target_cell':
      if (typeof v !== 'string') {
        return typeReason(v, ['string']);
      }
      return [...v].length < 1
        ? `${pyRepr(v)} is too short`
        : [...v].length > 255
          ? `${pyRepr(v)} is too long`
          : undefined;
    case 'different_cell':
      if (typeof v !== 'string' && !Array.isArray(v)) {
        return typeReason(v, ['string', 'array']);
      }
      return Array.isArray(v) && v.some((x) => typeof x !== 'string')
        ? typeReason(
            v.find((x) => typeof x !== 'string'),
            ['string'],
          )
        : undefined;
    case 'build_near_host_ip':
      if (typeof v !== 'string') {
        return typeReason(v, ['string']);
      }
      return isIpv4Format(v) || isIpv6Format(v) ? undefined : notValid(v);
    case 'cidr':
      if (typeof v !== 'string') {
        return typeReason(v, ['string']);
      }
      return CIDR.test(v) ? undefined : `${pyRepr(v)} does not match '^/[0-9a-f.:]+$'`;
    default:
      return undefined;
  }
}

export function SchedulerHintsShape(): PropertyDecorator {
  return Check('schedulerHints', (value) => checkSchedulerHints(value));
}
