import { stat } from 'node:fs/promises';
import { VirtError } from '../virt-driver';

export function messageOf(err: unknown): string {
  // Duck-typed: errors from the addon or another realm may fail instanceof Error.
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}

/** The binding drops libvirt's error codes (VIR_ERR_NO_DOMAIN); its message stays. */
export function isNoDomain(err: unknown): boolean {
  return /domain not found|no domain with matching/i.test(messageOf(err));
}

/** Runs a libvirt call, turning its failure into a VirtError with libvirt's message. */
export async function virt<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new VirtError(`libvirt ${what} failed: ${messageOf(err)}`);
  }
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
