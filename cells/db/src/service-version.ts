// The service versions live with the RPC versions they map to (libs/compute-rpc):
// nova-compute reports its own, and it loads no database code.
export {
  OLDEST_SUPPORTED_SERVICE_VERSION,
  SERVICE_VERSION,
  SERVICE_VERSION_ALIASES,
  UNREPORTED_SERVICE_VERSION,
} from '@nova/compute-rpc';
