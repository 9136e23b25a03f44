export { type Account, demoAccounts, newAccountPasswords, operatorRole, parseAccounts } from './accounts.js';
export { type IdentityConfig, identityConfigSchema } from './config.js';
export {
  apiScope,
  cliClientId,
  cliRedirectUri,
  createIdentityProvider,
  type IdentityProvider,
  type IdentityProviderOptions,
  startIdentityProvider,
  toolsClientId,
} from './provider.js';
export {
  authorizationUrl,
  clientCredentialsToken,
  exchangeCode,
  loginToken,
  passwordOf,
  pkcePair,
  type TokenRequest,
} from './token-client.js';
