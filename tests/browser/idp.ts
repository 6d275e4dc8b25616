/**
 * A small OpenID Connect provider for tests (`oidc-provider` 9), on this machine, offline.
 *
 *   const idp = await listenIdp();                  // listens first: its issuer is known
 *   ... start ARLens with { oidc: { issuer: idp.issuer, client_id: IDP_CLIENT.id, client_secret: IDP_CLIENT.secret } }
 *   idp.serve([`${arlens.url}signin/oidc/callback`], ACCOUNTS)   // then the client and its redirect URI
 *   await idp.close()
 *
 * Sign-in uses the provider's built-in development pages (devInteractions): a form whose `login` is
 * the account's subject (any password). Consent is granted without asking, as a company's provider
 * does for its own applications. The issuer is http://localhost:<port>, a different site from an
 * ARLens server at http://127.0.0.1:<port>, so the redirects between them are cross-site, as in a
 * real deployment.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Account, type KoaContextWithOIDC } from 'oidc-provider';

export interface IdpAccount {
  readonly email?: string;
  readonly emailVerified?: boolean;
}

export const IDP_CLIENT = { id: 'arlens', secret: 'arlens-test-client-secret-0123456789' } as const;

export interface Idp {
  /** http://localhost:<port> */
  readonly issuer: string;
  /** Register the ARLens client with these redirect URIs, and the accounts by subject. */
  serve(redirectUris: readonly string[], accounts: Readonly<Record<string, IdpAccount>>): Promise<void>;
  close(): Promise<void>;
}

export async function listenIdp(): Promise<Idp> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else {
      res.writeHead(503);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    async serve(redirectUris, accounts) {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: IDP_CLIENT.id,
            client_secret: IDP_CLIENT.secret,
            redirect_uris: [...redirectUris],
            response_types: ['code'],
            grant_types: ['authorization_code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test' }] },
        cookies: { keys: [randomBytes(32).toString('hex')] },
        claims: { openid: ['sub'], email: ['email', 'email_verified'] },
        features: { devInteractions: { enabled: true } },
        async findAccount(_ctx: KoaContextWithOIDC, sub: string): Promise<Account | undefined> {
          const a = accounts[sub];
          if (!a) return undefined;
          return {
            accountId: sub,
            claims: () => ({
              sub,
              ...(a.email !== undefined ? { email: a.email } : {}),
              ...(a.emailVerified !== undefined ? { email_verified: a.emailVerified } : {}),
            }),
          };
        },
        // Consent without a page: the grant covers what ARLens asks for.
        async loadExistingGrant(ctx: KoaContextWithOIDC) {
          const { client, session } = ctx.oidc;
          if (!client || !session?.accountId) return undefined;
          const existing = session.grantIdFor(client.clientId);
          if (existing) return ctx.oidc.provider.Grant.find(existing);
          const grant = new ctx.oidc.provider.Grant({
            clientId: client.clientId,
            accountId: session.accountId,
          });
          grant.addOIDCScope('openid email');
          await grant.save();
          return grant;
        },
      });
      handler = provider.callback();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
