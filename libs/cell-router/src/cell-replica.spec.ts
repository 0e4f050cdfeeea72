import { cellReplicaUrl } from './cell-replica';

describe('cellReplicaUrl (a cell read replica from [database] slave_connection)', () => {
  const local = {
    connection: 'mysql+pymysql://nova:pw@db1/nova_cell1',
    slave_connection: 'mysql+pymysql://ro:pw2@db1-replica:3307/nova_cell1',
  };

  it('is the local slave_connection for the cell whose URL is the local connection', () => {
    expect(cellReplicaUrl(local.connection, local.connection, local)).toBe(local.slave_connection);
  });

  it('fills a host-taking template from slave_connection', () => {
    const template = '{scheme}://{username}:{password}@{hostname}:{port}/nova_cell2';
    expect(cellReplicaUrl(template, 'ignored', local)).toBe(
      'mysql+pymysql://ro:pw2@db1-replica:3307/nova_cell2',
    );
  });

  it('gives no replica to other cells, templates naming their host, or without slave_connection', () => {
    expect(cellReplicaUrl('mysql://u:p@db9/nova_cell9', 'mysql://u:p@db9/nova_cell9', local)).toBe(
      undefined,
    );
    expect(cellReplicaUrl('mysql://{username}:{password}@db9/x', 'p', local)).toBe(undefined);
    expect(
      cellReplicaUrl(local.connection, local.connection, { connection: local.connection }),
    ).toBe(undefined);
  });
});
