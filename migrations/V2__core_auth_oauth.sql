-- Group 1: organizations, users and OAuth (authorization codes with PKCE, tokens with
-- rotation, audit log), the two verified clients, and the OAuth cleanup functions.

DO $$ BEGIN
    CREATE TYPE organization_plan AS ENUM ('free', 'pro', 'enterprise');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

DO $$ BEGIN
    CREATE TYPE user_role AS ENUM ('admin', 'user', 'viewer');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

DO $$ BEGIN
    CREATE TYPE oauth_client_type AS ENUM ('public', 'confidential');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

DO $$ BEGIN
    CREATE TYPE oauth_client_status AS ENUM ('active', 'inactive', 'revoked');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

DO $$ BEGIN
    CREATE TYPE oauth_code_challenge_method AS ENUM ('S256', 'plain');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

DO $$ BEGIN
    CREATE TYPE oauth_token_type AS ENUM ('access', 'refresh');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE TABLE IF NOT EXISTS organizations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) > 0),
    plan organization_plan NOT NULL DEFAULT 'free',
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email citext NOT NULL UNIQUE,
    password_hash text,
    role user_role NOT NULL DEFAULT 'user',
    last_login timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS users_organization_id_idx ON users (organization_id);

CREATE TABLE IF NOT EXISTS profiles (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    full_name text,
    avatar_url text,
    bio text,
    preferences jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS social_accounts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider text NOT NULL,
    provider_account_id text NOT NULL,
    email citext,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, provider_account_id)
);
CREATE INDEX IF NOT EXISTS social_accounts_user_id_idx ON social_accounts (user_id);

CREATE TABLE IF NOT EXISTS oauth_clients (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    client_id text NOT NULL UNIQUE,
    client_name text NOT NULL,
    client_type oauth_client_type NOT NULL DEFAULT 'public',
    require_pkce boolean NOT NULL DEFAULT true,
    allowed_code_challenge_methods oauth_code_challenge_method[] NOT NULL
        DEFAULT ARRAY['S256']::oauth_code_challenge_method[],
    allowed_redirect_uris jsonb NOT NULL DEFAULT '[]'::jsonb
        CHECK (jsonb_typeof(allowed_redirect_uris) = 'array'),
    allowed_scopes text[] NOT NULL DEFAULT '{}',
    default_scopes text[] NOT NULL DEFAULT '{}',
    status oauth_client_status NOT NULL DEFAULT 'active',
    description text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS oauth_authorization_codes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code_hash text NOT NULL UNIQUE,
    client_id text NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_challenge text,
    code_challenge_method oauth_code_challenge_method,
    redirect_uri text NOT NULL,
    scope text[] NOT NULL DEFAULT '{}',
    state text,
    expires_at timestamptz NOT NULL,
    consumed boolean NOT NULL DEFAULT false,
    consumed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT consumed OR consumed_at IS NOT NULL),
    CHECK ((code_challenge IS NULL) = (code_challenge_method IS NULL))
);
CREATE INDEX IF NOT EXISTS oauth_authorization_codes_client_id_idx ON oauth_authorization_codes (client_id);
CREATE INDEX IF NOT EXISTS oauth_authorization_codes_user_id_idx ON oauth_authorization_codes (user_id);
CREATE INDEX IF NOT EXISTS oauth_authorization_codes_expires_at_idx ON oauth_authorization_codes (expires_at);
CREATE INDEX IF NOT EXISTS oauth_authorization_codes_consumed_at_idx
    ON oauth_authorization_codes (consumed_at) WHERE consumed;

CREATE TABLE IF NOT EXISTS oauth_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash text NOT NULL UNIQUE,
    token_type oauth_token_type NOT NULL,
    client_id text NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope text[] NOT NULL DEFAULT '{}',
    expires_at timestamptz NOT NULL,
    revoked boolean NOT NULL DEFAULT false,
    revoked_at timestamptz,
    revoked_reason text,
    parent_token_id uuid REFERENCES oauth_tokens (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT revoked OR revoked_at IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS oauth_tokens_client_id_idx ON oauth_tokens (client_id);
CREATE INDEX IF NOT EXISTS oauth_tokens_user_id_idx ON oauth_tokens (user_id);
CREATE INDEX IF NOT EXISTS oauth_tokens_parent_token_id_idx ON oauth_tokens (parent_token_id);
CREATE INDEX IF NOT EXISTS oauth_tokens_expires_at_idx ON oauth_tokens (expires_at) WHERE NOT revoked;
CREATE INDEX IF NOT EXISTS oauth_tokens_revoked_at_idx ON oauth_tokens (revoked_at) WHERE revoked;

CREATE TABLE IF NOT EXISTS oauth_audit_log (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_type text NOT NULL,
    client_id text REFERENCES oauth_clients (client_id) ON DELETE SET NULL,
    user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    ip_address inet,
    user_agent text,
    success boolean NOT NULL,
    error_code text,
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS oauth_audit_log_client_id_idx ON oauth_audit_log (client_id);
CREATE INDEX IF NOT EXISTS oauth_audit_log_user_id_idx ON oauth_audit_log (user_id);
CREATE INDEX IF NOT EXISTS oauth_audit_log_created_at_idx ON oauth_audit_log (created_at);

CREATE OR REPLACE TRIGGER organizations_set_updated_at BEFORE UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER profiles_set_updated_at BEFORE UPDATE ON profiles
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER social_accounts_set_updated_at BEFORE UPDATE ON social_accounts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER oauth_clients_set_updated_at BEFORE UPDATE ON oauth_clients
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

INSERT INTO oauth_clients (client_id, client_name, client_type, require_pkce,
    allowed_code_challenge_methods, allowed_redirect_uris, allowed_scopes, default_scopes,
    description)
VALUES
    ('cursor-extension', 'Cursor Extension', 'public', true,
     ARRAY['S256']::oauth_code_challenge_method[],
     '["http://localhost:8080/callback", "vscode://lanonasis.mcp-client/callback"]'::jsonb,
     ARRAY['memories:read', 'memories:write', 'mcp:connect'],
     ARRAY['memories:read', 'mcp:connect'],
     'Verified first-party client: the Cursor editor extension'),
    ('onasis-cli', 'Onasis CLI', 'public', true,
     ARRAY['S256']::oauth_code_challenge_method[],
     '["http://localhost:8989/callback"]'::jsonb,
     ARRAY['memories:read', 'memories:write', 'mcp:connect', 'api-keys:manage'],
     ARRAY['memories:read', 'mcp:connect'],
     'Verified first-party client: the Onasis command-line tool')
ON CONFLICT (client_id) DO NOTHING;

-- Deployed semantics: codes past expires_at, and codes consumed more than an hour ago.
CREATE OR REPLACE FUNCTION cleanup_expired_oauth_codes() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    deleted integer;
BEGIN
    DELETE FROM oauth_authorization_codes
    WHERE expires_at < now()
       OR (consumed AND consumed_at < now() - interval '1 hour');
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;

-- Deployed semantics: tokens past expires_at that are not revoked (revoked ones stay).
CREATE OR REPLACE FUNCTION cleanup_expired_oauth_tokens() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    deleted integer;
BEGIN
    DELETE FROM oauth_tokens
    WHERE expires_at < now() AND NOT revoked;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;
