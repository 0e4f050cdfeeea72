import { Module } from '@nestjs/common';
import { ConfigError, NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { FlatNetworkApi } from './flat-network-api';
import { KeystoneSession } from './keystone-session';
import { NETWORK_API, type NetworkApi } from './network-api';
import { NeutronClient } from './neutron-client';
import { NeutronNetworkApi } from './neutron-network-api';
import { NeutronPortPlanner } from './port-planner';
import { NeutronPorts } from './ports';

/** The server side of Neutron mode (null on the flat network). */
export const NEUTRON_PORTS = Symbol('NEUTRON_PORTS');

export interface NeutronPortsPort {
  readonly ports: NeutronPorts;
  readonly planner: NeutronPortPlanner;
}

const NEUTRON_CLIENT = Symbol('NEUTRON_CLIENT');

/** `[neutron] auth_url` set: a client of Neutron (service user needed); unset: null. */
export function createNeutronClient(config: NovaConfig): NeutronClient | null {
  const o = config.neutron;
  if (!o.auth_url) {
    return null;
  }
  if (!o.username || !o.password) {
    throw new ConfigError('[neutron] auth_url needs [neutron] username and password');
  }
  const timeoutMs = o.timeout * 1000;
  const session = new KeystoneSession({
    authUrl: o.auth_url,
    username: o.username,
    password: o.password,
    projectName: o.project_name,
    userDomainName: o.user_domain_name,
    projectDomainName: o.project_domain_name,
    timeoutMs,
  });
  return new NeutronClient({
    session,
    interfaces: o.valid_interfaces,
    timeoutMs,
    userTokens: config.api.auth_strategy === 'keystone',
    ...(o.endpoint_override ? { endpointOverride: o.endpoint_override } : {}),
    ...(o.region_name ? { region: o.region_name } : {}),
  });
}

/** Neutron when configured, the flat network otherwise. */
export function createNetworkApi(
  config: NovaConfig,
  client: NeutronClient | null = createNeutronClient(config),
): NetworkApi {
  if (!client) {
    return new FlatNetworkApi(config.flat_network.name, config.flat_network.cidr);
  }
  return new NeutronNetworkApi(client, config.neutron.default_floating_pool);
}

/** The ports of servers in Neutron mode; null on the flat network. */
export function createNeutronPorts(
  config: NovaConfig,
  client: NeutronClient | null = createNeutronClient(config),
): NeutronPortsPort | null {
  return client
    ? { ports: new NeutronPorts(client), planner: new NeutronPortPlanner(client) }
    : null;
}

/** NETWORK_API for the proxy APIs and NEUTRON_PORTS for servers; needs the global ConfigModule. */
@Module({
  providers: [
    {
      provide: NEUTRON_CLIENT,
      useFactory: (config: NovaConfig) => ({ client: createNeutronClient(config) }),
      inject: [NOVA_CONFIG],
    },
    {
      provide: NETWORK_API,
      useFactory: (config: NovaConfig, c: { client: NeutronClient | null }) =>
        createNetworkApi(config, c.client),
      inject: [NOVA_CONFIG, NEUTRON_CLIENT],
    },
    {
      provide: NEUTRON_PORTS,
      useFactory: (config: NovaConfig, c: { client: NeutronClient | null }) => ({
        value: createNeutronPorts(config, c.client),
      }),
      inject: [NOVA_CONFIG, NEUTRON_CLIENT],
    },
  ],
  exports: [NETWORK_API, NEUTRON_PORTS],
})
export class NetworkModule {}
