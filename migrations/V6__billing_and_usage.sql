-- Group 5: billing and usage for client and vendor organizations, beneficiaries and
-- bulk payments. Amounts are integer minor units (cents) with an ISO 4217 currency.

CREATE TABLE IF NOT EXISTS client_organizations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    contact_email citext,
    billing_plan text NOT NULL DEFAULT 'standard',
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name)
);

CREATE TABLE IF NOT EXISTS client_api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_organization_id uuid NOT NULL REFERENCES client_organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    key_hash text NOT NULL UNIQUE,
    is_active boolean NOT NULL DEFAULT true,
    expires_at timestamptz,
    last_used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS client_api_keys_organization_id_idx ON client_api_keys (organization_id);
CREATE INDEX IF NOT EXISTS client_api_keys_client_organization_id_idx ON client_api_keys (client_organization_id);

CREATE TABLE IF NOT EXISTS client_billing_records (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_organization_id uuid NOT NULL REFERENCES client_organizations (id) ON DELETE CASCADE,
    period_start date NOT NULL,
    period_end date NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
    currency char(3) NOT NULL DEFAULT 'USD',
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'failed', 'void')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (period_end >= period_start)
);
CREATE INDEX IF NOT EXISTS client_billing_records_organization_id_idx ON client_billing_records (organization_id);
CREATE INDEX IF NOT EXISTS client_billing_records_client_organization_id_idx ON client_billing_records (client_organization_id);

CREATE TABLE IF NOT EXISTS client_transactions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_organization_id uuid NOT NULL REFERENCES client_organizations (id) ON DELETE CASCADE,
    billing_record_id uuid REFERENCES client_billing_records (id) ON DELETE SET NULL,
    kind text NOT NULL CHECK (kind IN ('charge', 'refund', 'credit')),
    amount_cents bigint NOT NULL,
    currency char(3) NOT NULL DEFAULT 'USD',
    reference text UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS client_transactions_organization_id_idx ON client_transactions (organization_id);
CREATE INDEX IF NOT EXISTS client_transactions_client_organization_id_idx ON client_transactions (client_organization_id);
CREATE INDEX IF NOT EXISTS client_transactions_billing_record_id_idx ON client_transactions (billing_record_id);

CREATE TABLE IF NOT EXISTS client_usage_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    client_organization_id uuid NOT NULL REFERENCES client_organizations (id) ON DELETE CASCADE,
    client_api_key_id uuid REFERENCES client_api_keys (id) ON DELETE SET NULL,
    endpoint text NOT NULL,
    units integer NOT NULL DEFAULT 1 CHECK (units >= 0),
    cost_cents bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS client_usage_logs_organization_id_idx ON client_usage_logs (organization_id);
CREATE INDEX IF NOT EXISTS client_usage_logs_client_organization_id_idx ON client_usage_logs (client_organization_id);
CREATE INDEX IF NOT EXISTS client_usage_logs_client_api_key_id_idx ON client_usage_logs (client_api_key_id);
CREATE INDEX IF NOT EXISTS client_usage_logs_created_at_idx ON client_usage_logs (created_at);

CREATE TABLE IF NOT EXISTS vendor_organizations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    contact_email citext,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name)
);

CREATE TABLE IF NOT EXISTS vendor_api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    vendor_organization_id uuid NOT NULL REFERENCES vendor_organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    key_hash text NOT NULL UNIQUE,
    is_active boolean NOT NULL DEFAULT true,
    expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS vendor_api_keys_organization_id_idx ON vendor_api_keys (organization_id);
CREATE INDEX IF NOT EXISTS vendor_api_keys_vendor_organization_id_idx ON vendor_api_keys (vendor_organization_id);

CREATE TABLE IF NOT EXISTS vendor_usage_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    vendor_organization_id uuid NOT NULL REFERENCES vendor_organizations (id) ON DELETE CASCADE,
    vendor_api_key_id uuid REFERENCES vendor_api_keys (id) ON DELETE SET NULL,
    service text NOT NULL,
    units integer NOT NULL DEFAULT 1 CHECK (units >= 0),
    cost_cents bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS vendor_usage_logs_organization_id_idx ON vendor_usage_logs (organization_id);
CREATE INDEX IF NOT EXISTS vendor_usage_logs_vendor_organization_id_idx ON vendor_usage_logs (vendor_organization_id);
CREATE INDEX IF NOT EXISTS vendor_usage_logs_vendor_api_key_id_idx ON vendor_usage_logs (vendor_api_key_id);
CREATE INDEX IF NOT EXISTS vendor_usage_logs_created_at_idx ON vendor_usage_logs (created_at);

CREATE TABLE IF NOT EXISTS vendor_billing_records (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    vendor_organization_id uuid NOT NULL REFERENCES vendor_organizations (id) ON DELETE CASCADE,
    period_start date NOT NULL,
    period_end date NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents >= 0),
    currency char(3) NOT NULL DEFAULT 'USD',
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'failed', 'void')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (period_end >= period_start)
);
CREATE INDEX IF NOT EXISTS vendor_billing_records_organization_id_idx ON vendor_billing_records (organization_id);
CREATE INDEX IF NOT EXISTS vendor_billing_records_vendor_organization_id_idx ON vendor_billing_records (vendor_organization_id);

CREATE TABLE IF NOT EXISTS vendor_platform_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    vendor_organization_id uuid NOT NULL REFERENCES vendor_organizations (id) ON DELETE CASCADE,
    session_token_hash text NOT NULL UNIQUE,
    ip_address inet,
    user_agent text,
    expires_at timestamptz NOT NULL,
    ended_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS vendor_platform_sessions_organization_id_idx ON vendor_platform_sessions (organization_id);
CREATE INDEX IF NOT EXISTS vendor_platform_sessions_vendor_organization_id_idx ON vendor_platform_sessions (vendor_organization_id);
CREATE INDEX IF NOT EXISTS vendor_platform_sessions_expires_at_idx ON vendor_platform_sessions (expires_at);

CREATE TABLE IF NOT EXISTS beneficiaries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    account_number_encrypted bytea NOT NULL,
    bank_code text,
    currency char(3) NOT NULL DEFAULT 'USD',
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'blocked')),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS beneficiaries_organization_id_idx ON beneficiaries (organization_id);
CREATE INDEX IF NOT EXISTS beneficiaries_created_by_idx ON beneficiaries (created_by);

CREATE TABLE IF NOT EXISTS bulk_payments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    reference text NOT NULL UNIQUE,
    items jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(items) = 'array'),
    total_amount_cents bigint NOT NULL CHECK (total_amount_cents >= 0),
    currency char(3) NOT NULL DEFAULT 'USD',
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'submitted', 'processing', 'completed', 'failed', 'cancelled')),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    processed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS bulk_payments_organization_id_idx ON bulk_payments (organization_id);
CREATE INDEX IF NOT EXISTS bulk_payments_created_by_idx ON bulk_payments (created_by);

CREATE OR REPLACE TRIGGER client_organizations_set_updated_at BEFORE UPDATE ON client_organizations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER client_billing_records_set_updated_at BEFORE UPDATE ON client_billing_records
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER vendor_organizations_set_updated_at BEFORE UPDATE ON vendor_organizations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER vendor_billing_records_set_updated_at BEFORE UPDATE ON vendor_billing_records
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER beneficiaries_set_updated_at BEFORE UPDATE ON beneficiaries
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER bulk_payments_set_updated_at BEFORE UPDATE ON bulk_payments
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
