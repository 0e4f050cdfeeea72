import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CellRouter, InstanceMappings } from '@nova/cell-router';
import { ServiceHeartbeat } from '@nova/cells/hosts';
import { maskUrl } from '@nova/common';
import { CONDUCTOR_TOPIC, SchedulerClient, CONDUCTOR_RPC_VERSION } from '@nova/compute-rpc';
import { NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { createImageBackend } from '@nova/images';
import { getLogger } from '@nova/logging';
import { PlacementService } from '@nova/placement';
import {
  apiTransportUrl,
  dispatcher,
  openTransport,
  transportOptions,
  type RpcConsumer,
  type RpcTransport,
} from '@nova/rpc';
import { BuildRequests } from '@nova/servers';
import { SuperConductor } from './super-conductor';

const log = getLogger('conductor.super');

/** The API-level queue: `[DEFAULT] transport_url` (inproc://nova when unset, as nova-all). */
/**
 * `nova-conductor --super`: the super conductor served on the API-level queue
 * (topic `conductor`), reaching the scheduler on the same queue. Its service row
 * (`nova-conductor`) heartbeats in the cell its `[database] connection` names,
 * when that is a mapped cell (cell0 in Nova's layout).
 */
@Injectable()
export class SuperConductorRunner implements OnModuleDestroy {
  private mq?: RpcTransport;
  private consumer?: RpcConsumer;
  private heartbeat?: ServiceHeartbeat | null;

  constructor(
    @Inject(NOVA_CONFIG) private readonly config: NovaConfig,
    private readonly router: CellRouter,
    private readonly mappings: InstanceMappings,
    private readonly placement: PlacementService,
    private readonly builds: BuildRequests,
  ) {}

  async start(): Promise<void> {
    const { DEFAULT, cells } = this.config;
    const url = apiTransportUrl(DEFAULT);
    this.mq = await openTransport(
      url,
      cells.connect_timeout * 1000,
      transportOptions(this.config.oslo_messaging_rabbit),
    );
    const conductor = new SuperConductor(
      this.config,
      this.router,
      this.mappings,
      new SchedulerClient(this.mq, DEFAULT.rpc_response_timeout * 1000),
      this.placement,
      this.builds,
      createImageBackend(this.config),
    );
    this.consumer = await this.mq.serve(
      { topic: CONDUCTOR_TOPIC, server: DEFAULT.host },
      dispatcher(conductor.methods(), { version: CONDUCTOR_RPC_VERSION }),
      { prefetch: 64 },
    );
    this.heartbeat = await ServiceHeartbeat.forLocalCell(
      this.router,
      this.config.database.connection,
      { host: DEFAULT.host, binary: 'nova-conductor', topic: CONDUCTOR_TOPIC },
      DEFAULT.report_interval * 1000,
    );
    await this.heartbeat?.start();
    log.info({ transport: maskUrl(url), host: DEFAULT.host }, 'super conductor serving');
  }

  async stop(): Promise<void> {
    this.heartbeat?.stop();
    await this.consumer?.stop();
    await this.mq?.close();
    this.consumer = undefined;
    this.mq = undefined;
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }
}
