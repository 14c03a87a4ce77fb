-- Group 6: keys for external vendors (ciphertext only) and their audit log.

CREATE TABLE IF NOT EXISTS external_vendor_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    vendor_name text NOT NULL,
    key_name text NOT NULL,
    encrypted_key bytea NOT NULL,
    environment text NOT NULL DEFAULT 'production'
        CHECK (environment IN ('development', 'staging', 'production')),
    is_active boolean NOT NULL DEFAULT true,
    expires_at timestamptz,
    last_used_at timestamptz,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, vendor_name, key_name, environment)
);
CREATE INDEX IF NOT EXISTS external_vendor_keys_created_by_idx ON external_vendor_keys (created_by);
CREATE INDEX IF NOT EXISTS external_vendor_keys_expires_at_idx ON external_vendor_keys (expires_at);

CREATE TABLE IF NOT EXISTS external_vendor_key_audit_log (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    external_vendor_key_id uuid REFERENCES external_vendor_keys (id) ON DELETE SET NULL,
    user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    action text NOT NULL,
    success boolean NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    ip_address inet,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS external_vendor_key_audit_log_organization_id_idx ON external_vendor_key_audit_log (organization_id);
CREATE INDEX IF NOT EXISTS external_vendor_key_audit_log_key_id_idx ON external_vendor_key_audit_log (external_vendor_key_id);
CREATE INDEX IF NOT EXISTS external_vendor_key_audit_log_user_id_idx ON external_vendor_key_audit_log (user_id);
CREATE INDEX IF NOT EXISTS external_vendor_key_audit_log_created_at_idx ON external_vendor_key_audit_log (created_at);

CREATE OR REPLACE TRIGGER external_vendor_keys_set_updated_at BEFORE UPDATE ON external_vendor_keys
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
