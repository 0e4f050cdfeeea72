import { renderTable, wrap } from '@nova/cli';
import { UpgradeCheckCode, type UpgradeCheckResult } from '@nova/cells/manage';

/** oslo.upgradecheck's title and result names. */
export const DISPLAY_TITLE = 'Upgrade Check Results';

const RESULT_NAMES: Record<UpgradeCheckCode, string> = {
  [UpgradeCheckCode.SUCCESS]: 'Success',
  [UpgradeCheckCode.WARNING]: 'Warning',
  [UpgradeCheckCode.FAILURE]: 'Failure',
};

/** oslo.upgradecheck's summary table: one cell per check, details wrapped at 60 columns. */
export function renderResults(results: readonly UpgradeCheckResult[]): string {
  return renderTable(
    [DISPLAY_TITLE],
    results.map((r) => [
      [
        `Check: ${r.name}`,
        `Result: ${RESULT_NAMES[r.code]}`,
        `Details: ${r.details === null ? 'None' : wrap(r.details, 60, { subsequentIndent: ' '.repeat(9) }).join('\n')}`,
      ].join('\n'),
    ]),
    { align: 'l', hrules: 'all' },
  );
}

/** `--json`: oslo.upgradecheck's document. */
export function resultsJson(results: readonly UpgradeCheckResult[]): string {
  return JSON.stringify({
    name: DISPLAY_TITLE,
    checks: results.map((r) => ({ check: r.name, result: r.code, details: r.details })),
  });
}

/** The exit code: the worst result. */
export function worstCode(results: readonly UpgradeCheckResult[]): number {
  return Math.max(UpgradeCheckCode.SUCCESS, ...results.map((r) => r.code));
}
