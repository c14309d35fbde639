// A real OpenID provider (node-oidc-provider, OpenID Certified) on loopback, for the tests of
// Token Tray's client authentication without a shared secret: private_key_jwt (RFC 7523) and
// mutual TLS (RFC 8705). Started by tests/support/oidc_provider.py, which writes the config
// file (TLS files, registered clients) and reads the first line printed here: {port, issuer}.
import fs from 'node:fs';
import https from 'node:https';
import Provider from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

function peerCertificate(ctx) {
  const certificate = ctx.socket.getPeerX509Certificate();
  return certificate ? certificate.toString() : undefined; // PEM
}

function subjectMatches(ctx, property, expected) {
  const certificate = ctx.socket.getPeerX509Certificate();
  if (!certificate || property !== 'tls_client_auth_subject_dn') return false;
  return certificate.subject.split('\n').join(',') === expected;
}

const server = https.createServer({
  key: fs.readFileSync(config.key),
  cert: fs.readFileSync(config.cert),
  ca: fs.readFileSync(config.ca),
  requestCert: true, // a certificate is asked for, never required: the JWT clients send none
  rejectUnauthorized: false,
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `https://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: config.clients,
    clientAuthMethods: [
      'client_secret_basic', 'private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth',
    ],
    enabledJWA: { clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256'] },
    scopes: ['api:read'],
    ttl: { ClientCredentials: config.lifetime || 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        getCertificate: peerCertificate,
        certificateAuthorized: (ctx) => ctx.socket.authorized,
        certificateSubjectMatches: subjectMatches,
      },
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ port, issuer })}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
