import { Module } from '@nestjs/common';
import { ConfigError, NOVA_CONFIG, type NovaConfig } from '@nova/config';
import { FlatNetworkApi } from './flat-network-api';
import { KeystoneSession } from './keystone-session';
import { NETWORK_API, type NetworkApi } from './network-api';
import { NeutronClient } from './neutron-client';
import { NeutronNetworkApi } from './neutron-network-api';

/** `[neutron] auth_url` set: Neutron (service user needed); unset: the flat network. */
export function createNetworkApi(config: NovaConfig): NetworkApi {
  const o = config.neutron;
  if (!o.auth_url) {
    return new FlatNetworkApi(config.flat_network.name, config.flat_network.cidr);
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
  const client = new NeutronClient({
    session,
    interfaces: o.valid_interfaces,
    timeoutMs,
    userTokens: config.api.auth_strategy === 'keystone',
    ...(o.endpoint_override ? { endpointOverride: o.endpoint_override } : {}),
    ...(o.region_name ? { region: o.region_name } : {}),
  });
  return new NeutronNetworkApi(client, o.default_floating_pool);
}

/** The NETWORK_API port for the proxy APIs; needs the global ConfigModule. */
@Module({
  providers: [
    {
      provide: NETWORK_API,
      useFactory: (config: NovaConfig) => createNetworkApi(config),
      inject: [NOVA_CONFIG],
    },
  ],
  exports: [NETWORK_API],
})
export class NetworkModule {}
