import { statfs } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';

/** Nova's my_ip default: the host's first non-loopback IPv4 address. */
export function firstHostIp(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    const ip = addrs?.find((a) => a.family === 'IPv4' && !a.internal);
    if (ip) {
      return ip.address;
    }
  }
  return '127.0.0.1';
}

/** Size in GiB of the filesystem holding a path (instance disks live under state_path). */
export async function diskGb(path: string): Promise<number> {
  // The nearest existing ancestor: state_path may not be created yet.
  for (let at = path; ; at = dirname(at)) {
    try {
      const fs = await statfs(at);
      return Math.floor((fs.blocks * fs.bsize) / 1024 ** 3);
    } catch {
      if (dirname(at) === at) {
        return 0;
      }
    }
  }
}
