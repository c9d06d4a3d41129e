-- Bearer tokens as data (issue 19): named, scoped, optionally limited to projects, revocable.
--
-- Only a hash of each secret is stored; the secret is shown once when the token is made.
-- secret_hash is the hex SHA-256 of the secret. A slow password hash (bcrypt, scrypt) is not
-- needed: the secret is 32 random bytes (`vgl_` + base64url), so it cannot be guessed from a
-- dictionary and a brute force over 2^256 values is out of reach with any hash; a fast hash is
-- also what lets the API find the token by an index lookup on every request.
CREATE TABLE api_tokens (
  -- lower-case, starts with a letter or digit; `api-token-<N>` names the API_TOKENS entries
  name text PRIMARY KEY
    CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$' AND name !~ '^api-token-[0-9]+$'),
  secret_hash text NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
  scopes text[] NOT NULL
    CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write', 'triage', 'admin']),
  -- NULL: every project; otherwise only these (the ids need not exist yet)
  projects text[] CHECK (projects IS NULL OR cardinality(projects) > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- who made it: `cli:<user>` or the name of the admin token that called POST /tokens
  created_by text NOT NULL,
  -- written at most once a minute per token (the API throttles it), so it is approximate
  last_used_at timestamptz,
  expires_at timestamptz,
  revoked_at timestamptz,
  -- an admin token manages every project (it can make tokens), so it is never limited to some
  CHECK (projects IS NULL OR NOT ('admin' = ANY (scopes)))
);
