import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheModule } from '@nova/cache';
import { ConfigModule, type NovaConfig } from '@nova/config';
import { nestOptions, type RunningService } from '@nova/process';
import { ConsoleProxies, type ProxyKind } from './console-proxies';
import { ConsoleProxyModule } from './console-proxy.module';

@Module({})
class ConsoleProxyAppModule {
  static forConfig(config: NovaConfig): DynamicModule {
    return {
      module: ConsoleProxyAppModule,
      imports: [ConfigModule.forRoot(config), CacheModule, ConsoleProxyModule],
    };
  }
}

/**
 * A console proxy process (nova-novncproxy, nova-serialproxy,
 * nova-spicehtml5proxy): reads the API database to find the cells and each
 * cell's database to redeem tokens; serves until SIGTERM.
 */
export async function startConsoleProxyApp(
  config: NovaConfig,
  kind: ProxyKind,
): Promise<RunningService> {
  const app = await NestFactory.createApplicationContext(
    ConsoleProxyAppModule.forConfig(config),
    nestOptions,
  );
  const proxies = app.get(ConsoleProxies);
  try {
    await proxies.start(kind);
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return {
    close: async () => {
      await proxies.stop();
      await app.close();
    },
  };
}
