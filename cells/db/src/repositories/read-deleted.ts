import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { RequestContext } from '@nova/common';

/** Apply the context's read_deleted rule (Nova's 'no' / 'yes' / 'only') to a soft-deletable table. */
export function withReadDeleted<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  readDeleted: RequestContext['readDeleted'],
): SelectQueryBuilder<T> {
  if (readDeleted === 'no') {
    return qb.andWhere(`${alias}.deleted = 0`);
  }
  if (readDeleted === 'only') {
    return qb.andWhere(`${alias}.deleted != 0`);
  }
  return qb;
}
