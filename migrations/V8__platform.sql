-- Group 7: platform tables: usage_analytics range-partitioned by month (the primary key
-- includes the partition key; a default partition catches any row without a monthly
-- partition), secrets, security_logs; and the analytics retention function.
-- Monthly partitions are created by `vsecure partitions ensure`, not here, so the schema
-- a migration builds does not depend on the day it ran.

CREATE TABLE IF NOT EXISTS usage_analytics (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES organizations (id) ON DELETE SET NULL,
    user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    event_type text NOT NULL,
    resource text,
    quantity integer NOT NULL DEFAULT 1,
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    "timestamp" timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id, "timestamp")
) PARTITION BY RANGE ("timestamp");
CREATE INDEX IF NOT EXISTS usage_analytics_organization_id_idx ON usage_analytics (organization_id);
CREATE INDEX IF NOT EXISTS usage_analytics_user_id_idx ON usage_analytics (user_id);
CREATE INDEX IF NOT EXISTS usage_analytics_timestamp_idx ON usage_analytics ("timestamp");

CREATE TABLE IF NOT EXISTS usage_analytics_default PARTITION OF usage_analytics DEFAULT;

CREATE TABLE IF NOT EXISTS secrets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    key text NOT NULL,
    value bytea NOT NULL,
    description text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, key)
);

CREATE TABLE IF NOT EXISTS security_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    event text NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    severity security_severity NOT NULL DEFAULT 'LOW',
    source text,
    environment text,
    "timestamp" timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS security_logs_organization_id_idx ON security_logs (organization_id);
CREATE INDEX IF NOT EXISTS security_logs_timestamp_idx ON security_logs ("timestamp");
CREATE INDEX IF NOT EXISTS security_logs_severity_idx ON security_logs (severity);

CREATE OR REPLACE TRIGGER secrets_set_updated_at BEFORE UPDATE ON secrets
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Deployed semantics: remove usage_analytics rows older than the cutoff (the start of
-- the month months_to_keep months back); returns the count.
CREATE OR REPLACE FUNCTION cleanup_old_analytics(months_to_keep integer DEFAULT 12)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    deleted integer;
BEGIN
    IF months_to_keep < 1 THEN
        RAISE EXCEPTION 'months_to_keep must be at least 1, got %', months_to_keep;
    END IF;
    DELETE FROM usage_analytics
    WHERE "timestamp" < date_trunc('month', now()) - make_interval(months => months_to_keep);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;
