/** Nova's topics: shared queues per topic, per-host queues `<topic>.<host>`. */
export const SCHEDULER_TOPIC = 'scheduler';
export const CONDUCTOR_TOPIC = 'conductor';
export const COMPUTE_TOPIC = 'compute';

/** RPC API versions we speak; a receiver logs and refuses a major it does not know. */
export const SCHEDULER_RPC_VERSION = '4.5';
export const CONDUCTOR_RPC_VERSION = '1.25';
export const COMPUTE_RPC_VERSION = '6.0';
