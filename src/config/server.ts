// The HTTP server, its logs and how a stopping process drains it.
import { z } from 'zod';
import { addressList } from '../providers/env';
import { duration, optionalString, port } from './primitives';

export const serverEnv = {
  /** `production` (the container image sets it): unauthenticated providers stop startup. */
  NODE_ENV: optionalString,
  PORT: port(3000),
  /** Unset: every interface in production, loopback otherwise (see loadConfig). */
  HOST: optionalString,
  /** Number of reverse proxies in front of the receivers; 0 trusts no X-Forwarded-For. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Socket peers whose X-Forwarded-For is believed (addresses or CIDRs); default loopback.
   * A request straight to the port from anywhere else keeps its own address, whatever it claims.
   */
  TRUSTED_PROXIES: addressList(),
  /** A request's headers, and the whole request, must arrive within these (slow senders hold sockets). */
  HTTP_HEADERS_TIMEOUT: duration('10s'),
  HTTP_REQUEST_TIMEOUT: duration('30s'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'expected a size like 256kb')
    .default('256kb'),
  COUNTERSIGN_API_TOKEN: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long a stopping process waits for in-flight requests and activities. */
  SHUTDOWN_TIMEOUT: duration('30s'),
};
