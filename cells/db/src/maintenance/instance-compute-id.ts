import type { DataSource } from 'typeorm';
import { placeholders } from '../repositories/instance-rows';
import { chunks, inTransaction } from './sql';

const UNSET =
  'i.compute_id IS NULL AND i.host IS NOT NULL AND i.node IS NOT NULL AND i.deleted = 0';
const NODE_OF_INSTANCE =
  'FROM compute_nodes cn WHERE cn.host = i.host AND cn.hypervisor_hostname = i.node AND cn.deleted = 0';

/**
 * Nova's `populate_instance_compute_id` online data migration: instances on a
 * host whose `compute_id` (the id of their compute node) is unset, as every
 * instance built before the writers set it is. Returns (found, done) for at
 * most `maxCount` instances; one whose node is gone is found but not done.
 */
export async function populateInstanceComputeId(
  ds: DataSource,
  maxCount: number,
): Promise<{ found: number; done: number }> {
  const limit = Math.max(0, Math.floor(maxCount));
  return inTransaction(
    ds,
    async (run) => {
      const found = await run(
        `SELECT COUNT(*) AS n FROM (SELECT i.id FROM instances i WHERE ${UNSET} LIMIT ${limit}) t`,
      );
      const { rows } = await run(
        `SELECT i.id FROM instances i WHERE ${UNSET} AND EXISTS (SELECT 1 ${NODE_OF_INSTANCE}) ORDER BY i.id LIMIT ${limit}`,
      );
      let done = 0;
      for (const ids of chunks(rows.map((r) => r['id']))) {
        const updated = await run(
          `UPDATE instances SET compute_id = (SELECT cn.id FROM compute_nodes cn WHERE cn.host = instances.host ` +
            `AND cn.hypervisor_hostname = instances.node AND cn.deleted = 0) WHERE compute_id IS NULL AND id IN (${placeholders(ids.length)})`,
          ids,
        );
        done += updated.affected;
      }
      return { found: Number(found.rows[0]?.['n'] ?? 0), done };
    },
    'instances',
  );
}
