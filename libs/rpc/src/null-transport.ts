import { Invalid } from '@nova/common';
import type { RpcTransport } from './transport';

/** `none:///`: a cell without a queue (cell0). Every use is an error. */
export class NullTransport implements RpcTransport {
  readonly kind = 'none' as const;

  private fail(): Promise<never> {
    return Promise.reject(new Invalid('This cell has no message queue (transport_url none:///)'));
  }

  connect(): Promise<void> {
    return this.fail();
  }

  isConnected(): boolean {
    return false;
  }

  cast(): Promise<void> {
    return this.fail();
  }

  call(): Promise<unknown> {
    return this.fail();
  }

  notify(): Promise<void> {
    return this.fail();
  }

  serve(): Promise<never> {
    return this.fail();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
