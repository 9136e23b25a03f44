import { type ServiceName, servicePorts } from '@orderly/events';

export const serviceNames = Object.keys(servicePorts) as ServiceName[];
/** Who gets a broker user and a database role: every service, and the console. */
export const credentialHolders = [...serviceNames, 'console'] as const;
export type CredentialHolder = (typeof credentialHolders)[number];
export const brokerUser = (service: string, prefix = 'orderly-') => `${prefix}${service}`;
export const databaseRole = (service: string, prefix = 'orderly_') => `${prefix}${service}`;
