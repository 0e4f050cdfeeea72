import type { DataSource } from 'typeorm';
import { writeTransaction } from '@nova/database';
import { InstanceMetadata, Tag } from '../entities';

/** A server's user metadata and tags, each change in one transaction. */
export class InstanceRecordsWriter {
  constructor(private readonly ds: DataSource) {}

  /** Merge into (or replace) the metadata; returns the metadata now stored. */
  async setMetadata(
    uuid: string,
    metadata: Readonly<Record<string, string>>,
    replace: boolean,
  ): Promise<Record<string, string>> {
    return writeTransaction(this.ds, async (tx) => {
      const repo = tx.getRepository(InstanceMetadata);
      const keys = Object.keys(metadata);
      if (replace) {
        await repo.delete({ instance_uuid: uuid, deleted: 0 });
      } else if (keys.length > 0) {
        await repo
          .createQueryBuilder()
          .delete()
          .where('instance_uuid = :uuid AND deleted = 0 AND `key` IN (:...keys)', { uuid, keys })
          .execute();
      }
      const now = new Date();
      if (keys.length > 0) {
        await repo.insert(
          keys.map((key) => ({
            instance_uuid: uuid,
            key,
            value: metadata[key] ?? '',
            created_at: now,
            deleted: 0,
          })),
        );
      }
      const rows = await repo.find({ where: { instance_uuid: uuid, deleted: 0 } });
      return Object.fromEntries(rows.map((r) => [r.key, r.value ?? '']));
    });
  }

  /** false when the key did not exist. */
  async deleteMetadataItem(uuid: string, key: string): Promise<boolean> {
    const result = await this.ds
      .getRepository(InstanceMetadata)
      .delete({ instance_uuid: uuid, key, deleted: 0 });
    return (result.affected ?? 0) > 0;
  }

  async setTags(uuid: string, tags: readonly string[]): Promise<string[]> {
    const unique = [...new Set(tags)];
    await writeTransaction(this.ds, async (tx) => {
      await tx.delete(Tag, { resource_id: uuid });
      if (unique.length > 0) {
        await tx.insert(
          Tag,
          unique.map((tag) => ({ resource_id: uuid, tag })),
        );
      }
    });
    return unique.sort();
  }

  /** true when the tag is new. */
  async addTag(uuid: string, tag: string): Promise<boolean> {
    const exists = await this.ds.getRepository(Tag).existsBy({ resource_id: uuid, tag });
    if (exists) {
      return false;
    }
    await this.ds.getRepository(Tag).upsert({ resource_id: uuid, tag }, ['resource_id', 'tag']);
    return true;
  }

  async countTags(uuid: string): Promise<number> {
    return this.ds.getRepository(Tag).countBy({ resource_id: uuid });
  }

  /** false when the server had no such tag. */
  async deleteTag(uuid: string, tag: string): Promise<boolean> {
    const result = await this.ds.getRepository(Tag).delete({ resource_id: uuid, tag });
    return (result.affected ?? 0) > 0;
  }
}
