import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { loadavg, networkInterfaces, uptime } from 'node:os';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { formatUptime } from '../host-uptime';

const run = promisify(execFile);

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

/**
 * What `LANG=C uptime` prints on this host (Nova's libvirt driver runs it too);
 * without the command, the same line from the kernel's uptime and load.
 */
export async function hostUptimeLine(): Promise<string> {
  try {
    const { stdout } = await run('uptime', [], {
      env: { ...process.env, LANG: 'C', LC_ALL: 'C' },
      timeout: 5000,
    });
    if (stdout.trim() !== '') {
      return stdout;
    }
  } catch {
    // no uptime(1): computed below
  }
  const [a = 0, b = 0, c = 0] = loadavg();
  return formatUptime(new Date(), uptime(), 0, [a, b, c]);
}
