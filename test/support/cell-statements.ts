import { CellRouter } from '@nova/cell-router';
import { adminContext } from '@nova/common';
import type { DataSource, EntitySubscriberInterface } from 'typeorm';
import { TestDeployment, type Backend } from './deployment';

/** A one-cell deployment and cell1's DataSource, with every query it sends recorded in `sent`. */
export async function cellWithQueryLog(
  backend: Backend,
): Promise<{ d: TestDeployment; ds: DataSource; sent: string[] }> {
  const d = await TestDeployment.create({ backend, cells: ['cell1'] });
  const router = (await d.app()).get(CellRouter);
  const cell = (await router.cells()).find((c) => c.name === 'cell1')!;
  const ds = await router.targetCell(adminContext(), cell).cell.db();
  const sent: string[] = [];
  const recorder: EntitySubscriberInterface = {
    afterQuery: (event) => void sent.push(event.query.trim()),
  };
  ds.subscribers.push(recorder);
  return { d, ds, sent };
}
