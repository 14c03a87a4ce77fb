-- Row level security on every table holding tenant data or credentials. Tenants are
-- isolated by the session setting app.current_org_id (see app_current_org_id()); Neon
-- has no auth schema, so no policy calls auth.uid(), and none is USING (true).
-- The owner that runs migrations and cleanup jobs is not subject to these policies
-- (RLS is enabled, not forced); the application must connect as a role that neither
-- owns the tables nor has BYPASSRLS.

DO $$
DECLARE
    tenant_table text;
BEGIN
    FOREACH tenant_table IN ARRAY ARRAY[
        'users', 'topics', 'memory_entries', 'memory_versions', 'vector_documents',
        'ai_recommendations', 'api_key_projects', 'stored_api_keys', 'key_rotation_policies',
        'key_usage_analytics', 'key_security_events', 'mcp_key_tools',
        'mcp_key_access_requests', 'mcp_key_sessions', 'mcp_proxy_tokens',
        'mcp_key_audit_log', 'api_keys', 'company_projects', 'project_stages', 'teams',
        'team_members', 'project_teams', 'project_audit_log', 'task_priorities',
        'task_statuses', 'workflows', 'tasks', 'sub_tasks', 'task_dependencies',
        'client_organizations', 'client_api_keys', 'client_billing_records',
        'client_transactions', 'client_usage_logs', 'vendor_organizations',
        'vendor_api_keys', 'vendor_usage_logs', 'vendor_billing_records',
        'vendor_platform_sessions', 'beneficiaries', 'bulk_payments',
        'external_vendor_keys', 'external_vendor_key_audit_log', 'usage_analytics',
        'usage_analytics_default',
        'secrets', 'security_logs'
    ]
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tenant_table);
        EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %I', tenant_table);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I '
            'USING (organization_id = app_current_org_id()) '
            'WITH CHECK (organization_id = app_current_org_id())',
            tenant_table);
    END LOOP;
END
$$;

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON organizations;
CREATE POLICY tenant_isolation ON organizations
    USING (id = app_current_org_id())
    WITH CHECK (id = app_current_org_id());

-- Tables keyed by user: a row belongs to the tenant of its user.
DO $$
DECLARE
    user_table text;
BEGIN
    FOREACH user_table IN ARRAY ARRAY[
        'profiles', 'social_accounts', 'oauth_authorization_codes', 'oauth_tokens',
        'oauth_audit_log'
    ]
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', user_table);
        EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %I', user_table);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I '
            'USING (user_id IN (SELECT u.id FROM users u WHERE u.organization_id = app_current_org_id())) '
            'WITH CHECK (user_id IN (SELECT u.id FROM users u WHERE u.organization_id = app_current_org_id()))',
            user_table);
    END LOOP;
END
$$;
