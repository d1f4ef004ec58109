// Provider credentials and endpoints (CONTRACTS.md "Provider credentials"). Base URLs default
// to each provider's production API; point them at a simulator or sandbox by env.
import { z } from 'zod';

const secret = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
const url = (fallback: string) => z.url().default(fallback);
const ipList = z.string().optional();

export const PROVIDER_ENV = z.object({
  EVROTRUST_API_URL: url('https://v.evrotrust.com/vendor'),
  EVROTRUST_API_KEY: secret,
  EVROTRUST_VENDOR_NUMBER: secret,
  EVROTRUST_ALLOWED_IPS: ipList,

  SIGNHOST_API_URL: url('https://api.signhost.com/api'),
  SIGNHOST_SHARED_SECRET: secret,
  SIGNHOST_POSTBACK_AUTHORIZATION: secret,
  SIGNHOST_APP_KEY: secret,
  SIGNHOST_API_KEY: secret,
  SIGNHOST_ALLOWED_IPS: ipList,

  SIGNICAT_API_URL: url('https://api.signicat.com'),
  SIGNICAT_CALLBACK_AUTHORIZATION: secret,
  // Which header carries `authorizationHeader` back is unconfirmed (providers §3d).
  SIGNICAT_CALLBACK_AUTHORIZATION_HEADER: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name')
    .default('authorization')
    .transform((v) => v.toLowerCase()),
  SIGNICAT_CLIENT_ID: secret,
  SIGNICAT_CLIENT_SECRET: secret,
  SIGNICAT_ALLOWED_IPS: ipList,

  PORTAL_DE_ASSINATURAS_API_URL: url('https://api.portaldeassinaturas.com.br/api/v2'),
  PORTAL_DE_ASSINATURAS_TOKEN: secret,
  PORTAL_DE_ASSINATURAS_CALLBACK_HEADER: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+:\s*\S.*$/, 'expected "Name: value"')
    .optional(),
  PORTAL_DE_ASSINATURAS_ALLOWED_IPS: ipList,
});
