/**
 * Operator tokens from an issuer other than the local stack's: the chart's demo provider on a
 * cluster (`--cluster`), or any OpenID Connect provider with a client-credentials client
 * (`--issuer`). The client secret never goes on the command line (shell history, `ps`): it comes
 * from the cluster's Secret, a file, or ORDERLY_CLIENT_SECRET.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { clientCredentialsToken, passwordOf } from '@orderly/identity/client';
import { z } from 'zod';

const run = promisify(execFile);

const optionsSchema = z.object({
  issuer: z.url({ protocol: /^https?$/ }),
  /** The token endpoint when it is not the discovered one (a provider reached through a port-forward). */
  tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1, 'no client secret: --client-secret-file, ORDERLY_CLIENT_SECRET or --cluster'),
  /** Empty: no resource indicator (Entra ID v2.0 derives the audience from the scope). */
  audience: z.string(),
  scope: z.string().min(1),
});
export type IssuerOptions = z.infer<typeof optionsSchema>;

export interface ClusterFlags {
  cluster: boolean;
  namespace: string;
  release: string;
  /** The local port the provider is forwarded to (skaffold forwards 8090). */
  port: string;
  issuer?: string | undefined;
  tokenUrl?: string | undefined;
  clientId?: string | undefined;
  clientSecretFile?: string | undefined;
  audience?: string | undefined;
  scope?: string | undefined;
}

/** A key of the demo provider's Secret, read with the user's own kubectl. */
async function secretFromCluster(namespace: string, release: string, key: string): Promise<string> {
  const { stdout } = await run('kubectl', ['-n', namespace, 'get', 'secret', `${release}-identity`, '-o', `jsonpath={.data.${key}}`]);
  return Buffer.from(stdout.trim(), 'base64').toString('utf8');
}

/** A demo account's own password on the cluster: its entry in the Secret's account-passwords. */
export async function accountPasswordFromCluster(namespace: string, release: string, account: string): Promise<string> {
  const passwords = JSON.parse((await secretFromCluster(namespace, release, 'account-passwords')) || '{}') as Record<string, string>;
  return passwordOf(passwords, account);
}

/**
 * The settings of a token request from the flags. --cluster: the chart's demo provider, whose
 * issuer is its in-cluster URL (what tokens carry and the services check) and whose token endpoint
 * is reached through the port-forward on 127.0.0.1.
 */
export async function issuerOptions(flags: ClusterFlags): Promise<IssuerOptions> {
  const demo = flags.cluster
    ? {
        issuer: `http://${flags.release}-identity.${flags.namespace}.svc:8090`,
        tokenUrl: `http://127.0.0.1:${flags.port}/token`,
        clientSecret: await secretFromCluster(flags.namespace, flags.release, 'tools-client-secret'),
      }
    : {};
  const fileSecret = flags.clientSecretFile ? (await readFile(flags.clientSecretFile, 'utf8')).trim() : undefined;
  return optionsSchema.parse({
    issuer: flags.issuer ?? demo.issuer,
    tokenUrl: flags.tokenUrl ?? demo.tokenUrl,
    clientId: flags.clientId ?? 'orderly-tools',
    clientSecret: fileSecret ?? process.env.ORDERLY_CLIENT_SECRET ?? demo.clientSecret ?? '',
    audience: flags.audience ?? 'urn:orderly:api',
    scope: flags.scope ?? 'orderly',
  });
}

export function operatorTokenFrom(o: IssuerOptions): Promise<string> {
  return clientCredentialsToken({
    issuer: o.issuer,
    audience: o.audience,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    scope: o.scope,
    ...(o.tokenUrl ? { tokenEndpoint: o.tokenUrl } : {}),
  });
}
