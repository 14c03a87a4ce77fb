-- The roles the application connects through, and what each may do, so that drift has
-- the grants production must hold to compare against (a GRANT nobody migrated is drift).
--
--   vsecure_app       the application: reads and writes rows, subject to the tenant
--                     isolation policies of V9 (it neither owns the tables nor bypasses
--                     row level security).
--   vsecure_readonly  reporting and support: reads rows, but not the tables that hold
--                     credentials, keys or tokens; subject to the same policies.
--   vsecure_admin     operators: every table privilege, still subject to the policies;
--                     migrations and cleanup jobs run as the owner, not as this role.
--
-- They are group roles (NOLOGIN): give a login role one of them with
-- `GRANT vsecure_app TO my_service_login`. Roles belong to the cluster, not to the
-- database, so an existing role of that name is kept as it is; creating them needs
-- CREATEROLE (Neon's neondb_owner has it). None may touch the migration history.

DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['vsecure_app', 'vsecure_readonly', 'vsecure_admin']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN NOBYPASSRLS', role_name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                -- Created meanwhile by the migration of another database of the cluster.
                NULL;
            END;
        END IF;
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA public TO vsecure_app, vsecure_readonly, vsecure_admin;

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO vsecure_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO vsecure_app;

GRANT SELECT ON ALL TABLES IN SCHEMA public TO vsecure_readonly;
REVOKE SELECT ON oauth_authorization_codes, oauth_tokens, stored_api_keys,
    mcp_proxy_tokens, api_keys, client_api_keys, vendor_api_keys, external_vendor_keys,
    secrets
    FROM vsecure_readonly;

GRANT ALL ON ALL TABLES IN SCHEMA public TO vsecure_admin;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO vsecure_admin;

-- The history exists when vsecure (refinery) applies this; another tool applying the
-- same files keeps its own.
DO $$
BEGIN
    IF to_regclass('refinery_schema_history') IS NOT NULL THEN
        REVOKE ALL ON refinery_schema_history
            FROM vsecure_app, vsecure_readonly, vsecure_admin;
    END IF;
END
$$;

-- Tables created later by the role that runs migrations (the monthly partitions of
-- `vsecure partitions ensure`, the next migrations) get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO vsecure_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO vsecure_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO vsecure_readonly;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO vsecure_admin;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO vsecure_admin;
