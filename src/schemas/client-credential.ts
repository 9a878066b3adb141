// Client credentials (Auth0 /api/v2/clients/{id}/credentials): public keys for Private Key JWT.
import { Type, type Static } from 'typebox';
import { Nullable } from './common.ts';

const Alg = Type.Enum(['RS256', 'RS384', 'PS256'], { description: 'Algorithm the client signs its assertions with (default RS256).' });

export const ClientCredentialCreate = Type.Object(
  {
    credential_type: Type.Enum(['public_key', 'x509_cert', 'cert_subject_dn'], { description: 'Only public_key is supported (x509_cert and cert_subject_dn are for mTLS, which Scopeward does not offer).' }),
    name: Type.Optional(Type.String({ maxLength: 128, description: 'Friendly name.' })),
    pem: Type.Optional(Type.String({ minLength: 1, maxLength: 16384, description: 'PEM public key (SPKI or PKCS#1) or X.509 certificate; RSA, 2048 to 4096 bits.' })),
    subject_dn: Type.Optional(Type.String({ maxLength: 1024 })),
    alg: Type.Optional(Alg),
    parse_expiry_from_cert: Type.Optional(Type.Boolean({ description: "Take expires_at from the certificate's notAfter." })),
    expires_at: Type.Optional(Type.String({ maxLength: 64, description: 'When the credential stops being accepted; never when absent.' })),
    kid: Type.Optional(Type.String({ pattern: '^[0-9a-zA-Z_-]{10,64}$', description: "Key id assertions may name in their header; default: the key's RFC 7638 thumbprint." })),
  },
  { additionalProperties: false, $id: 'ClientCredentialCreate' },
);
export type ClientCredentialCreate = Static<typeof ClientCredentialCreate>;

export const ClientCredentialUpdate = Type.Object(
  { expires_at: Nullable(Type.String({ maxLength: 64, description: 'When the credential stops being accepted; null: never.' })) },
  { additionalProperties: false, $id: 'ClientCredentialUpdate' },
);

export const ClientCredential = Type.Object(
  {
    id: Type.String(),
    credential_type: Type.String(),
    kid: Type.String(),
    alg: Type.String(),
    name: Type.Optional(Type.String()),
    created_at: Type.String(),
    updated_at: Type.String(),
    expires_at: Type.Optional(Type.String()),
  },
  { $id: 'ClientCredential', description: 'A public key the client signs its assertions with; the key itself is never returned.' },
);

export const CredentialParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 512 }), credential_id: Type.String({ minLength: 1, maxLength: 512 }) });
