/**
 * What a service needs set to start, and nothing else: the broker and database credentials and the
 * token issuer (no defaults for any of them). For tests of config schemas, which never connect.
 */
export const requiredSettings = {
  AMQP_URL: 'amqp://orderly-order:s3cret@rabbit/orderly',
  DATABASE_URL: 'postgres://orderly_order:s3cret@db/orderly',
  AUTH_ISSUER: 'https://idp.example/realms/orderly',
  AUTH_AUDIENCE: 'urn:orderly:api',
  AUTH_JWKS_URL: 'https://idp.example/realms/orderly/protocol/openid-connect/certs',
} as const;
