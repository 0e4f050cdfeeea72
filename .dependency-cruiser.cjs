/**
 * The layering of DESIGN.md section 9: apps -> cells -> libs, apps -> libs.
 * libs never import cells or apps, cells never import apps, apps never import
 * each other, and a compute host's process never touches a database.
 */
module.exports = {
  forbidden: [
    {
      name: 'libs-not-to-cells',
      severity: 'error',
      comment: 'libs/ is the global side: it must not depend on cell-local code',
      from: { path: '^libs/' },
      to: { path: '^cells/' },
    },
    {
      name: 'libs-not-to-apps',
      severity: 'error',
      comment: 'nothing imports a process',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'cells-not-to-apps',
      severity: 'error',
      comment: 'nothing imports a process',
      from: { path: '^cells/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-app-to-app',
      severity: 'error',
      comment: 'processes share code through libs/ and cells/ only',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'migrations-are-leaves',
      severity: 'error',
      comment: 'migrations depend on the database helpers only',
      from: { path: '^migrations/' },
      to: { path: '^(apps|cells)/' },
    },
    {
      name: 'compute-has-no-database',
      severity: 'error',
      comment:
        'nova-compute holds no database credentials: it reaches its cell through the cell conductor (Nova N307)',
      from: { path: '^apps/nova-compute/' },
      to: { path: '^(cells/db|libs/api-db|libs/database|libs/cell-router)/' },
    },
    {
      name: 'compute-reaches-no-database',
      severity: 'error',
      comment:
        'not even through a library: nothing nova-compute loads, directly or not, is database code or a database driver',
      from: { path: '^apps/nova-compute/' },
      to: {
        path: '^(cells/db|libs/api-db|libs/database|libs/cell-router)/|node_modules/(typeorm|mysql2|better-sqlite3)/',
        reachable: true,
      },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(\\.spec\\.ts$|\\.int-spec\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
