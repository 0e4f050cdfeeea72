import { connect } from 'node:net';
import { sleep } from '@nova/common';

/** Polls `check` until it holds (each try ~100 ms apart); throws `what` after `tries`. */
export async function until(what: string, check: () => Promise<boolean>, tries = 300) {
  for (let i = 0; i < tries; i++) {
    if (await check().catch(() => false)) {
      return;
    }
    await sleep(100);
  }
  throw new Error(`gave up waiting: ${what}`);
}

/** Whether something accepts TCP connections on the loopback port. */
export async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
