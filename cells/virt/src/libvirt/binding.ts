import { Script, constants } from 'node:vm';

/*
 * The parts of @unraid/libvirt we use. The package ships its own types, but its
 * "types" field points at a file it does not ship and its exports map has only an
 * "import" condition, so our CommonJS build cannot resolve them.
 */

/** libvirt's virDomainState (DomainInfo.state). */
export const DomainState = {
  NOSTATE: 0,
  RUNNING: 1,
  BLOCKED: 2,
  PAUSED: 3,
  SHUTDOWN: 4,
  SHUTOFF: 5,
  CRASHED: 6,
  PMSUSPENDED: 7,
} as const;

export interface DomainInfo {
  readonly state: number;
  readonly maxMem: number;
  readonly memory: number;
  readonly nrVirtCpu: number;
  readonly cpuTime: number;
}

export interface NodeInfo {
  readonly model: string;
  /** KiB. */
  readonly memory: number;
  readonly cpus: number;
  readonly mhz: number;
  readonly nodes: number;
  readonly sockets: number;
  readonly cores: number;
  readonly threads: number;
}

export interface Domain {
  create(): Promise<void>;
  shutdown(): Promise<void>;
  /** Pauses the guest (virDomainSuspend). */
  suspend(): Promise<void>;
  /** Unpauses, or wakes a PM-suspended guest. */
  resume(): Promise<void>;
  destroy(): Promise<void>;
  undefine(): Promise<void>;
  save(filename: string): Promise<void>;
  getInfo(): Promise<DomainInfo>;
  getName(): Promise<string>;
  getUUIDString(): Promise<string>;
  getXMLDesc(): Promise<string>;
}

export interface Hypervisor {
  connectOpen(): Promise<void>;
  connectClose(): Promise<void>;
  connectListAllDomains(): Promise<Domain[]>;
  connectGetHostname(): Promise<string>;
  domainDefineXML(xml: string): Promise<Domain>;
  domainLookupByUUIDString(uuid: string): Promise<Domain>;
  domainRestore(filename: string): Promise<void>;
  nodeGetInfo(): Promise<NodeInfo>;
}

export interface LibvirtBinding {
  Hypervisor: new (options: { uri: string }) => Hypervisor;
}

type Importer = (specifier: string) => Promise<unknown>;

// tsc compiles import() to require() under CommonJS, and the package is ESM-only
// (its exports map has no "require"), so the import must be hidden from tsc.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const plainImport = new Function('s', 'return import(s)') as Importer;

/**
 * Code running inside a vm context (jest runs every test file in one) has no
 * dynamic-import hook; borrow the main context's loader there. Node marks that
 * option experimental, so it is only the fallback.
 */
function vmImport(specifier: string): Promise<unknown> {
  const script = new Script('(s) => import(s)', {
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  return (script.runInThisContext() as Importer)(specifier);
}

function isMissingImportHook(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING');
}

let loading: Promise<LibvirtBinding> | undefined;

/**
 * Loads the native binding on first use only, so processes that never construct a
 * libvirt driver (the embedded default) need neither libvirt nor the addon.
 */
export function loadLibvirt(): Promise<LibvirtBinding> {
  loading ??= plainImport('@unraid/libvirt')
    .catch((err: unknown) => {
      if (isMissingImportHook(err)) {
        return vmImport('@unraid/libvirt');
      }
      throw err;
    })
    .then((mod) => mod as LibvirtBinding)
    .catch((err: unknown) => {
      loading = undefined; // let a later init retry, e.g. after libvirt is installed
      throw err;
    });
  return loading;
}
