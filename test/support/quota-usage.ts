import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  Allocation,
  ApiDatabase,
  Consumer,
  InstanceGroup,
  InstanceGroupMember,
  InstanceMapping,
  KeyPair,
  ResourceClass,
  ResourceProvider,
} from '@nova/api-db';
import type { ApiClient } from './api-client';

/**
 * Usage rows written straight into the API database, the way the build flow
 * and the keypair and server-group APIs would leave them, so quota counting
 * can be checked against known numbers.
 */
export class QuotaUsageSeeder {
  private provider?: number;
  private readonly classes = new Map<string, number>();

  private constructor(private readonly ds: DataSource) {}

  static async for(api: ApiClient): Promise<QuotaUsageSeeder> {
    return new QuotaUsageSeeder(await api.app.get(ApiDatabase).get());
  }

  /** An instance: its mapping, its consumer and VCPU/MEMORY_MB allocations. */
  async instance(
    projectId: string,
    userId: string,
    resources: { vcpus: number; ramMb: number },
    options: { queuedForDelete?: boolean } = {},
  ): Promise<string> {
    const uuid = randomUUID();
    const now = new Date();
    await this.ds.getRepository(InstanceMapping).insert({
      instance_uuid: uuid,
      cell_id: null,
      project_id: projectId,
      user_id: userId,
      queued_for_delete: options.queuedForDelete ?? false,
      created_at: now,
    });
    if (options.queuedForDelete) {
      return uuid; // a deleted instance's allocations are gone
    }
    await this.ds.getRepository(Consumer).insert({
      uuid,
      project_id: projectId,
      user_id: userId,
      generation: 0,
      created_at: now,
    });
    const provider = await this.providerId();
    await this.ds.getRepository(Allocation).insert([
      {
        resource_provider_id: provider,
        consumer_id: uuid,
        resource_class_id: await this.classId('VCPU'),
        used: resources.vcpus,
        created_at: now,
      },
      {
        resource_provider_id: provider,
        consumer_id: uuid,
        resource_class_id: await this.classId('MEMORY_MB'),
        used: resources.ramMb,
        created_at: now,
      },
    ]);
    return uuid;
  }

  async keyPair(userId: string, name: string): Promise<void> {
    await this.ds.getRepository(KeyPair).insert({
      name,
      user_id: userId,
      fingerprint: 'aa:bb',
      public_key: 'ssh-rsa AAAA test',
      type: 'ssh',
      created_at: new Date(),
    });
  }

  /** A server group, with members (instance uuids). */
  async serverGroup(projectId: string, userId: string, members: string[] = []): Promise<string> {
    const uuid = randomUUID();
    const inserted = await this.ds.getRepository(InstanceGroup).insert({
      uuid,
      name: `group-${uuid.slice(0, 8)}`,
      project_id: projectId,
      user_id: userId,
      created_at: new Date(),
    });
    const groupId = inserted.identifiers[0]?.['id'] as number;
    for (const instance of members) {
      await this.ds
        .getRepository(InstanceGroupMember)
        .insert({ instance_uuid: instance, group_id: groupId, created_at: new Date() });
    }
    return uuid;
  }

  private async classId(name: string): Promise<number> {
    const known = this.classes.get(name);
    if (known !== undefined) {
      return known;
    }
    const repo = this.ds.getRepository(ResourceClass);
    const existing = await repo.findOneBy({ name });
    const id =
      existing?.id ??
      ((await repo.insert({ name, created_at: new Date() })).identifiers[0]?.['id'] as number);
    this.classes.set(name, id);
    return id;
  }

  private async providerId(): Promise<number> {
    if (this.provider === undefined) {
      const inserted = await this.ds.getRepository(ResourceProvider).insert({
        uuid: randomUUID(),
        name: `quota-test-node-${randomUUID().slice(0, 8)}`,
        generation: 0,
        created_at: new Date(),
      });
      this.provider = inserted.identifiers[0]?.['id'] as number;
    }
    return this.provider;
  }
}
