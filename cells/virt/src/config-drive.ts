import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { VirtError, type ConfigDriveFile } from './virt-driver';

const run = promisify(execFile);

/** The volume label cloud-init and cloudbase-init look for. */
export const CONFIG_DRIVE_LABEL = 'config-2';

/** The drive's file in the instance directory, as Nova names it. */
export const CONFIG_DRIVE_FILE = 'disk.config';

/** Nova's mkisofs options: Joliet and Rock Ridge, lowercase and dotted names kept. */
export function mkisofsArgs(output: string, dir: string): string[] {
  return [
    '-o',
    output,
    '-ldots',
    '-allow-lowercase',
    '-allow-multidot',
    '-l',
    '-publisher',
    'OpenStack Compute (nova-ts)',
    '-quiet',
    '-J',
    '-r',
    '-V',
    CONFIG_DRIVE_LABEL,
    dir,
  ];
}

/**
 * Write `files` into an ISO9660 image at `output` with `[DEFAULT] mkisofs_cmd`
 * (Debian's genisoimage), through a scratch directory that is always removed.
 */
export async function makeConfigDrive(
  files: readonly ConfigDriveFile[],
  output: string,
  mkisofsCmd: string,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nova-cd-'));
  try {
    for (const file of files) {
      const path = normalize(file.path);
      if (path.startsWith('/') || path.startsWith('..')) {
        throw new VirtError(`Config drive path ${JSON.stringify(file.path)} leaves the drive`);
      }
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), file.data);
    }
    await mkdir(dirname(output), { recursive: true });
    await run(mkisofsCmd, mkisofsArgs(output, dir), { timeout: 60_000 });
  } catch (err) {
    if (err instanceof VirtError) {
      throw err;
    }
    const { code, stderr, message } = err as { code?: string; stderr?: string; message?: string };
    throw new VirtError(
      code === 'ENOENT'
        ? `Config drive not built: ${mkisofsCmd} is not installed (Debian package genisoimage)`
        : `Config drive not built: ${mkisofsCmd} failed: ${(stderr || message || '').trim()}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
