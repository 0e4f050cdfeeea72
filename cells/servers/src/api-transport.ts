import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { apiTransportUrl, openTransport, transportOptions, type RpcTransport } from '@nova/rpc';

/**
 * The API level's own queue (`[DEFAULT] transport_url`: the super conductor and
 * the scheduler listen there), opened on first use and shared.
 */
@Injectable()
export class ApiLevelTransport implements OnApplicationShutdown {
  private transport?: Promise<RpcTransport>;

  constructor(@Inject(NOVA_CONFIG) private readonly config: NovaConfig) {}

  get(): Promise<RpcTransport> {
    this.transport ??= this.open().catch((err: unknown) => {
      this.transport = undefined; // try again on the next request
      throw err;
    });
    return this.transport;
  }

  private open(): Promise<RpcTransport> {
    return openTransport(
      apiTransportUrl(this.config.DEFAULT),
      this.config.cells.connect_timeout * 1000,
      transportOptions(this.config.oslo_messaging_rabbit),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    const transport = await this.transport?.catch(() => undefined);
    await transport?.close();
  }
}
