/** Nova's topics: shared queues per topic, per-host queues `<topic>.<host>`. */
export const SCHEDULER_TOPIC = 'scheduler';
export const CONDUCTOR_TOPIC = 'conductor';
export const COMPUTE_TOPIC = 'compute';

/**
 * RPC API versions we speak: a receiver refuses another major or a newer minor
 * (UnsupportedVersion); senders stay within `[upgrade_levels]` (rpc-apis.ts
 * lists what each minor added).
 */
export const SCHEDULER_RPC_VERSION = '4.5';
export const CONDUCTOR_RPC_VERSION = '1.27';
export const COMPUTE_RPC_VERSION = '6.1';
