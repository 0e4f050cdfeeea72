/**
 * The service version every service of this release records in `services`
 * (Nova's SERVICE_VERSION: we speak Nova 2023.1's RPC and objects), and the
 * versions of the releases around it, for `nova-status upgrade check`.
 */
export const SERVICE_VERSION = 66;

export const SERVICE_VERSION_ALIASES: Readonly<Record<string, number>> = {
  Xena: 57,
  Yoga: 61,
  Zed: 64,
  Antelope: 66,
};

/** The oldest release whose computes this one still talks to (Nova 2023.1: Yoga). */
export const OLDEST_SUPPORTED_SERVICE_VERSION = 'Yoga';
