-- Group 3: API key management: encrypted stored keys (ciphertext only), rotation,
-- usage and security events, MCP tool access with sessions and proxy tokens, and
-- programmatic api_keys; the key-session cleanup function.

CREATE TABLE IF NOT EXISTS api_key_projects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text,
    owner_id uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name)
);
CREATE INDEX IF NOT EXISTS api_key_projects_owner_id_idx ON api_key_projects (owner_id);

CREATE TABLE IF NOT EXISTS stored_api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id uuid NOT NULL REFERENCES api_key_projects (id) ON DELETE CASCADE,
    name text NOT NULL,
    encrypted_value bytea NOT NULL,
    key_type text NOT NULL CHECK (key_type IN ('api_key', 'database_url', 'oauth_token',
        'certificate', 'ssh_key', 'webhook_secret', 'encryption_key')),
    environment text NOT NULL DEFAULT 'development'
        CHECK (environment IN ('development', 'staging', 'production')),
    status text NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'rotating', 'deprecated', 'expired', 'compromised')),
    access_level text NOT NULL DEFAULT 'team'
        CHECK (access_level IN ('public', 'authenticated', 'team', 'admin', 'enterprise')),
    tags text[] NOT NULL DEFAULT '{}',
    expires_at timestamptz,
    last_rotated_at timestamptz,
    usage_count bigint NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, name, environment)
);
CREATE INDEX IF NOT EXISTS stored_api_keys_organization_id_idx ON stored_api_keys (organization_id);
CREATE INDEX IF NOT EXISTS stored_api_keys_created_by_idx ON stored_api_keys (created_by);
CREATE INDEX IF NOT EXISTS stored_api_keys_expires_at_idx ON stored_api_keys (expires_at);
CREATE INDEX IF NOT EXISTS stored_api_keys_tags_idx ON stored_api_keys USING gin (tags);

CREATE TABLE IF NOT EXISTS key_rotation_policies (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    stored_api_key_id uuid NOT NULL UNIQUE REFERENCES stored_api_keys (id) ON DELETE CASCADE,
    rotation_interval_days integer NOT NULL CHECK (rotation_interval_days > 0),
    notify_days_before integer NOT NULL DEFAULT 7 CHECK (notify_days_before >= 0),
    auto_rotate boolean NOT NULL DEFAULT false,
    next_rotation_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS key_rotation_policies_organization_id_idx ON key_rotation_policies (organization_id);
CREATE INDEX IF NOT EXISTS key_rotation_policies_next_rotation_at_idx ON key_rotation_policies (next_rotation_at);

CREATE TABLE IF NOT EXISTS key_usage_analytics (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    stored_api_key_id uuid NOT NULL REFERENCES stored_api_keys (id) ON DELETE CASCADE,
    operation text NOT NULL,
    success boolean NOT NULL,
    ip_address inet,
    user_agent text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS key_usage_analytics_organization_id_idx ON key_usage_analytics (organization_id);
CREATE INDEX IF NOT EXISTS key_usage_analytics_stored_api_key_id_idx ON key_usage_analytics (stored_api_key_id);
CREATE INDEX IF NOT EXISTS key_usage_analytics_created_at_idx ON key_usage_analytics (created_at);

CREATE TABLE IF NOT EXISTS key_security_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    stored_api_key_id uuid REFERENCES stored_api_keys (id) ON DELETE SET NULL,
    event_type text NOT NULL,
    severity security_severity NOT NULL DEFAULT 'LOW',
    description text,
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    resolved boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS key_security_events_organization_id_idx ON key_security_events (organization_id);
CREATE INDEX IF NOT EXISTS key_security_events_stored_api_key_id_idx ON key_security_events (stored_api_key_id);

CREATE TABLE IF NOT EXISTS mcp_key_tools (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    tool_id text NOT NULL,
    tool_name text NOT NULL,
    permissions jsonb NOT NULL DEFAULT '{}'::jsonb,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'revoked')),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, tool_id)
);
CREATE INDEX IF NOT EXISTS mcp_key_tools_created_by_idx ON mcp_key_tools (created_by);

CREATE TABLE IF NOT EXISTS mcp_key_access_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    tool_id uuid NOT NULL REFERENCES mcp_key_tools (id) ON DELETE CASCADE,
    stored_api_key_id uuid NOT NULL REFERENCES stored_api_keys (id) ON DELETE CASCADE,
    user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    justification text,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
    decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
    decided_at timestamptz,
    expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS mcp_key_access_requests_organization_id_idx ON mcp_key_access_requests (organization_id);
CREATE INDEX IF NOT EXISTS mcp_key_access_requests_tool_id_idx ON mcp_key_access_requests (tool_id);
CREATE INDEX IF NOT EXISTS mcp_key_access_requests_stored_api_key_id_idx ON mcp_key_access_requests (stored_api_key_id);
CREATE INDEX IF NOT EXISTS mcp_key_access_requests_user_id_idx ON mcp_key_access_requests (user_id);
CREATE INDEX IF NOT EXISTS mcp_key_access_requests_decided_by_idx ON mcp_key_access_requests (decided_by);

CREATE TABLE IF NOT EXISTS mcp_key_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    session_id text NOT NULL UNIQUE,
    tool_id uuid NOT NULL REFERENCES mcp_key_tools (id) ON DELETE CASCADE,
    request_id uuid REFERENCES mcp_key_access_requests (id) ON DELETE SET NULL,
    key_names text[] NOT NULL DEFAULT '{}',
    expires_at timestamptz NOT NULL,
    ended_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS mcp_key_sessions_organization_id_idx ON mcp_key_sessions (organization_id);
CREATE INDEX IF NOT EXISTS mcp_key_sessions_tool_id_idx ON mcp_key_sessions (tool_id);
CREATE INDEX IF NOT EXISTS mcp_key_sessions_request_id_idx ON mcp_key_sessions (request_id);
CREATE INDEX IF NOT EXISTS mcp_key_sessions_open_expires_at_idx
    ON mcp_key_sessions (expires_at) WHERE ended_at IS NULL;

CREATE TABLE IF NOT EXISTS mcp_proxy_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    session_id uuid NOT NULL REFERENCES mcp_key_sessions (id) ON DELETE CASCADE,
    stored_api_key_id uuid NOT NULL REFERENCES stored_api_keys (id) ON DELETE CASCADE,
    proxy_value_hash text NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS mcp_proxy_tokens_organization_id_idx ON mcp_proxy_tokens (organization_id);
CREATE INDEX IF NOT EXISTS mcp_proxy_tokens_session_id_idx ON mcp_proxy_tokens (session_id);
CREATE INDEX IF NOT EXISTS mcp_proxy_tokens_stored_api_key_id_idx ON mcp_proxy_tokens (stored_api_key_id);
CREATE INDEX IF NOT EXISTS mcp_proxy_tokens_live_expires_at_idx
    ON mcp_proxy_tokens (expires_at) WHERE revoked_at IS NULL;

CREATE TABLE IF NOT EXISTS mcp_key_audit_log (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    session_id uuid REFERENCES mcp_key_sessions (id) ON DELETE SET NULL,
    tool_id uuid REFERENCES mcp_key_tools (id) ON DELETE SET NULL,
    stored_api_key_id uuid REFERENCES stored_api_keys (id) ON DELETE SET NULL,
    event_type text NOT NULL,
    success boolean NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    ip_address inet,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS mcp_key_audit_log_organization_id_idx ON mcp_key_audit_log (organization_id);
CREATE INDEX IF NOT EXISTS mcp_key_audit_log_session_id_idx ON mcp_key_audit_log (session_id);
CREATE INDEX IF NOT EXISTS mcp_key_audit_log_tool_id_idx ON mcp_key_audit_log (tool_id);
CREATE INDEX IF NOT EXISTS mcp_key_audit_log_stored_api_key_id_idx ON mcp_key_audit_log (stored_api_key_id);
CREATE INDEX IF NOT EXISTS mcp_key_audit_log_created_at_idx ON mcp_key_audit_log (created_at);

CREATE TABLE IF NOT EXISTS api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL,
    key_hash text NOT NULL UNIQUE,
    key_prefix text,
    permissions text[] NOT NULL DEFAULT '{}',
    expires_at timestamptz,
    last_used_at timestamptz,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS api_keys_organization_id_idx ON api_keys (organization_id);
CREATE INDEX IF NOT EXISTS api_keys_user_id_idx ON api_keys (user_id);
CREATE INDEX IF NOT EXISTS api_keys_expires_at_idx ON api_keys (expires_at);

CREATE OR REPLACE TRIGGER api_key_projects_set_updated_at BEFORE UPDATE ON api_key_projects
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER stored_api_keys_set_updated_at BEFORE UPDATE ON stored_api_keys
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER key_rotation_policies_set_updated_at BEFORE UPDATE ON key_rotation_policies
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER mcp_key_tools_set_updated_at BEFORE UPDATE ON mcp_key_tools
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER api_keys_set_updated_at BEFORE UPDATE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Deployed semantics: end sessions past expires_at, revoke proxy tokens past expires_at;
-- returns the number of sessions ended.
CREATE OR REPLACE FUNCTION cleanup_expired_key_sessions() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    ended integer;
BEGIN
    UPDATE mcp_key_sessions SET ended_at = now()
    WHERE expires_at < now() AND ended_at IS NULL;
    GET DIAGNOSTICS ended = ROW_COUNT;
    UPDATE mcp_proxy_tokens SET revoked_at = now()
    WHERE expires_at < now() AND revoked_at IS NULL;
    RETURN ended;
END
$$;
