// A real OpenID Connect provider for the identity-provider tests: the
// OpenID-certified `oidc-provider` package, behind TLS with a certificate of
// the test's own CA, issuing JWT access tokens by the client-credentials grant.
//
// Environment:
//   PORT        port on 127.0.0.1
//   ISSUER      the issuer URL (https://localhost:PORT)
//   TLS_CERT    PEM certificate chain for localhost; TLS_KEY its key
//   STATE_FILE  the signing keys, kept across restarts (an outage is a kill
//               and a restart); created with one key when missing
//   AUDIENCE    the resource (API) the access tokens are for by default;
//   OTHER_AUDIENCE (optional) a second resource, asked for with `resource=`
//
// Clients (client_secret_basic): `reader` (scope notes:read, role user) and
// `admin` (scopes notes:read notes:write, roles admin and user, Keycloak
// layout: realm_access.roles).
//
// Test-only admin endpoints on the same server, loopback only:
//   POST /__test/rotate   adds a new key, which signs from now on (the old
//                         one stays published)
//   POST /__test/retire   removes every key but the newest
// Prints "listening" on stdout when ready.

import { generateKeyPair, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import https from 'node:https';
import Provider from 'oidc-provider';

const { PORT, ISSUER, TLS_CERT, TLS_KEY, STATE_FILE, AUDIENCE, OTHER_AUDIENCE } = process.env;
const RESOURCES = [AUDIENCE, OTHER_AUDIENCE].filter(Boolean);
for (const [name, value] of Object.entries({ PORT, ISSUER, TLS_CERT, TLS_KEY, STATE_FILE, AUDIENCE })) {
  if (!value) {
    console.error(`provider.mjs: ${name} is not set`);
    process.exit(2);
  }
}

// The asynchronous generator: Node 20's generateKeyPairSync followed by a
// JWK export has been seen to deadlock in a garbage collection (the
// provider then never listens; tests/support/oidc.rs also bounds the wait).
async function newKey() {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  // No `alg` member, as Entra ID and others publish them.
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig' };
}

async function loadKeys() {
  if (existsSync(STATE_FILE)) return JSON.parse(readFileSync(STATE_FILE, 'utf8')).keys;
  const keys = [await newKey()];
  saveKeys(keys);
  return keys;
}

function saveKeys(keys) {
  writeFileSync(STATE_FILE, JSON.stringify({ keys }));
}

const ROLES = { reader: ['user'], admin: ['admin', 'user'] };

function makeProvider(keys) {
  const provider = new Provider(ISSUER, {
    // The newest key signs: oidc-provider signs with the first key of the set.
    jwks: { keys },
    clients: [
      {
        client_id: 'reader',
        client_secret: 'reader-secret',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: 'notes:read',
      },
      {
        client_id: 'admin',
        client_secret: 'admin-secret',
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: 'notes:read notes:write',
      },
    ],
    scopes: ['openid', 'notes:read', 'notes:write'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (!RESOURCES.includes(resource)) throw new Provider.errors.InvalidTarget();
          return {
            scope: 'notes:read notes:write',
            audience: resource,
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    extraTokenClaims: (_ctx, token) => {
      const roles = ROLES[token.clientId];
      return roles ? { realm_access: { roles } } : undefined;
    },
  });
  return provider.callback();
}

let keys = await loadKeys();
let handler = makeProvider(keys);

const server = https.createServer(
  { cert: readFileSync(TLS_CERT), key: readFileSync(TLS_KEY) },
  async (req, res) => {
    if (req.method === 'POST' && req.url === '/__test/rotate') {
      keys = [await newKey(), ...keys];
    } else if (req.method === 'POST' && req.url === '/__test/retire') {
      keys = keys.slice(0, 1);
    } else {
      handler(req, res);
      return;
    }
    saveKeys(keys);
    handler = makeProvider(keys);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kids: keys.map((k) => k.kid) }));
  },
);

server.listen(Number(PORT), '127.0.0.1', () => {
  console.log('listening');
});
