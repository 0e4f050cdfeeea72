import { isCellFailure, type CellRouter } from '@nova/cell-router';
import { HostReports } from '@nova/cells/db';
import { adminContext } from '@nova/common';
import { installRpcVersionPins, RpcVersionPins, type MinServiceVersion } from '@nova/compute-rpc';
import type { NovaConfig } from '@nova/config';

/**
 * The lowest service version the live services of a binary record in every
 * cell (Nova's get_minimum_version_all_cells). A cell that does not answer is
 * left out (logged by the scatter-gather); when none answers, the read fails
 * and the caps stay as they were.
 */
export function minServiceVersionAcrossCells(router: CellRouter): MinServiceVersion {
  return async (binary) => {
    const cells = await router.cells();
    const results = await router.scatterGather(adminContext(), cells, async (cctx) => {
      const versions = await new HostReports(await cctx.cell.db()).minVersions();
      return versions[binary] ?? null;
    });
    const answered = [...results.values()].filter((r) => !isCellFailure(r));
    if (cells.length > 0 && answered.length === 0) {
      throw new Error(`no cell answered for the service versions of ${binary}`);
    }
    const found = answered
      .map((r) => (r.status === 'ok' ? r.value : null))
      .filter((v): v is number => v !== null);
    return found.length > 0 ? Math.min(...found) : null;
  };
}

/**
 * This process's RPC version caps from `[upgrade_levels]`, `auto` reading the
 * services tables of every cell: for the processes that have a database (API,
 * conductors, scheduler). nova-compute learns its cell's versions from its
 * heartbeats instead (ComputeHosts).
 */
export function installUpgradeLevels(config: NovaConfig, router: CellRouter): RpcVersionPins {
  const pins = new RpcVersionPins(config.upgrade_levels, minServiceVersionAcrossCells(router));
  installRpcVersionPins(pins);
  return pins;
}
