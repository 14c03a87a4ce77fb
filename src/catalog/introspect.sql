-- The whole schema model of the schemas in scope, as one JSON document, in one query.
-- Run with search_path = pg_catalog so every deparsed name is schema-qualified, exactly
-- as pg_dump sees them. Objects that belong to extensions are left out, and so is
-- refinery's history table (bookkeeping, not schema). {{SCHEMAS}} is a text[] literal.
WITH scope AS (
    SELECT n.oid, n.nspname::text AS nspname
    FROM pg_namespace n
    WHERE n.nspname = ANY ({{SCHEMAS}}::text[])
),
members AS (
    SELECT d.classid, d.objid FROM pg_depend d WHERE d.deptype = 'e'
),
rels AS (
    SELECT c.oid, c.relname::text AS relname, c.relkind, c.relispartition,
           c.relrowsecurity, c.relforcerowsecurity, c.relpersistence, s.nspname
    FROM pg_class c
    JOIN scope s ON s.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND NOT EXISTS (SELECT 1 FROM members m
                      WHERE m.classid = 'pg_class'::regclass AND m.objid = c.oid)
      AND NOT (c.relname = 'refinery_schema_history' AND c.relkind = 'r')
),
tables AS (
    SELECT * FROM rels WHERE relkind IN ('r', 'p') AND NOT relispartition
)
SELECT json_build_object(
  'schemas', (SELECT coalesce(json_agg(nspname ORDER BY nspname), '[]') FROM scope),
  'extensions', (
    SELECT coalesce(json_agg(json_build_object(
             'name', e.extname, 'version', e.extversion, 'schema', n.nspname)
           ORDER BY e.extname), '[]')
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace),
  'enums', (
    SELECT coalesce(json_agg(json_build_object(
             'schema', s.nspname, 'name', t.typname,
             'labels', (SELECT json_agg(l.enumlabel ORDER BY l.enumsortorder)
                        FROM pg_enum l WHERE l.enumtypid = t.oid))
           ORDER BY s.nspname, t.typname), '[]')
    FROM pg_type t JOIN scope s ON s.oid = t.typnamespace
    WHERE t.typtype = 'e'
      AND NOT EXISTS (SELECT 1 FROM members m
                      WHERE m.classid = 'pg_type'::regclass AND m.objid = t.oid)),
  'tables', (
    SELECT coalesce(json_agg(json_build_object(
             'schema', r.nspname, 'name', r.relname, 'kind', r.relkind,
             'unlogged', r.relpersistence = 'u',
             'partition_key', CASE WHEN r.relkind = 'p' THEN pg_get_partkeydef(r.oid) END,
             'rls_enabled', r.relrowsecurity, 'rls_forced', r.relforcerowsecurity)
           ORDER BY r.nspname, r.relname), '[]')
    FROM tables r),
  'partitions', (
    SELECT coalesce(json_agg(json_build_object(
             'schema', r.nspname, 'name', r.relname,
             'parent_schema', ps.nspname, 'parent', p.relname,
             'bound', pg_get_expr(c.relpartbound, c.oid))
           ORDER BY r.nspname, r.relname), '[]')
    FROM rels r
    JOIN pg_class c ON c.oid = r.oid
    JOIN pg_inherits i ON i.inhrelid = r.oid
    JOIN pg_class p ON p.oid = i.inhparent
    JOIN pg_namespace ps ON ps.oid = p.relnamespace
    WHERE r.relispartition),
  'columns', (
    SELECT coalesce(json_agg(json_build_object(
             'schema', r.nspname, 'table', r.relname, 'name', a.attname,
             'type', format_type(a.atttypid, a.atttypmod),
             'not_null', a.attnotnull,
             'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
             'identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,
             'generated', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END,
             'generated_kind', CASE a.attgenerated WHEN 's' THEN 'stored' WHEN 'v' THEN 'virtual' END,
             'collation', CASE WHEN a.attcollation <> t.typcollation THEN co.collname END)
           ORDER BY r.nspname, r.relname, a.attnum), '[]')
    FROM tables r
    JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation),
  'constraints', (
    SELECT coalesce(json_agg(json_build_object(
             'schema', r.nspname, 'table', r.relname, 'name', c.conname,
             'type', c.contype, 'definition', pg_get_constraintdef(c.oid))
           ORDER BY r.nspname, r.relname, c.conname), '[]')
    FROM tables r
    JOIN pg_constraint c ON c.conrelid = r.oid
    WHERE c.contype <> 'n'),
  'indexes', (
    SELECT coalesce(json_agg(json_build_object(
             'schema', r.nspname, 'table', r.relname, 'name', ic.relname,
             'definition', pg_get_indexdef(i.indexrelid), 'valid', i.indisvalid)
           ORDER BY r.nspname, r.relname, ic.relname), '[]')
    FROM rels r
    JOIN pg_index i ON i.indrelid = r.oid
    JOIN pg_class ic ON ic.oid = i.indexrelid
    WHERE r.relkind IN ('r', 'p', 'm') AND NOT r.relispartition
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                      WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                        AND c.contype IN ('p', 'u', 'x'))),
  'policies', (
    SELECT coalesce(json_agg(json_build_object(
             'schema', r.nspname, 'table', r.relname, 'name', p.polname,
             'command', CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                          WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
             'permissive', p.polpermissive,
             'roles', CASE WHEN p.polroles = '{0}' THEN '["public"]'::json
                           ELSE (SELECT json_agg(ro.rolname ORDER BY ro.rolname)
                                 FROM pg_roles ro WHERE ro.oid = ANY (p.polroles)) END,
             'using', pg_get_expr(p.polqual, p.polrelid),
             'with_check', pg_get_expr(p.polwithcheck, p.polrelid))
           ORDER BY r.nspname, r.relname, p.polname), '[]')
    FROM rels r JOIN pg_policy p ON p.polrelid = r.oid
    WHERE NOT r.relispartition),
  'triggers', (
    SELECT coalesce(json_agg(json_build_object(
             'schema', r.nspname, 'table', r.relname, 'name', tg.tgname,
             'definition', pg_get_triggerdef(tg.oid), 'enabled', tg.tgenabled)
           ORDER BY r.nspname, r.relname, tg.tgname), '[]')
    FROM rels r JOIN pg_trigger tg ON tg.tgrelid = r.oid
    WHERE NOT tg.tgisinternal AND NOT r.relispartition),
  'functions', (
    SELECT coalesce(json_agg(json_build_object(
             'schema', s.nspname, 'name', p.proname,
             'arguments', pg_get_function_identity_arguments(p.oid),
             'kind', p.prokind,
             'result', pg_get_function_result(p.oid),
             'language', l.lanname,
             'volatility', CASE p.provolatile WHEN 'i' THEN 'immutable'
                             WHEN 's' THEN 'stable' ELSE 'volatile' END,
             'strict', p.proisstrict,
             'security_definer', p.prosecdef,
             'settings', to_json(p.proconfig),
             'body', CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid)
                          ELSE p.prosrc END)
           ORDER BY s.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), '[]')
    FROM pg_proc p
    JOIN scope s ON s.oid = p.pronamespace
    JOIN pg_language l ON l.oid = p.prolang
    WHERE p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT 1 FROM members m
                      WHERE m.classid = 'pg_proc'::regclass AND m.objid = p.oid)),
  'views', (
    SELECT coalesce(json_agg(json_build_object(
             'schema', r.nspname, 'name', r.relname, 'kind', r.relkind,
             'definition', pg_get_viewdef(r.oid))
           ORDER BY r.nspname, r.relname), '[]')
    FROM rels r WHERE r.relkind IN ('v', 'm')),
  'sequences', (
    SELECT coalesce(json_agg(json_build_object(
             'schema', r.nspname, 'name', r.relname,
             'type', format_type(q.seqtypid, NULL),
             'start', q.seqstart::text, 'increment', q.seqincrement::text,
             'min', q.seqmin::text, 'max', q.seqmax::text,
             'cache', q.seqcache::text, 'cycle', q.seqcycle,
             'owned_by', (SELECT tn.nspname || '.' || tc.relname || '.' || ta.attname
                          FROM pg_depend d
                          JOIN pg_class tc ON tc.oid = d.refobjid
                          JOIN pg_namespace tn ON tn.oid = tc.relnamespace
                          JOIN pg_attribute ta ON ta.attrelid = d.refobjid
                                              AND ta.attnum = d.refobjsubid
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid
                            AND d.deptype = 'a' AND d.refobjsubid > 0 LIMIT 1))
           ORDER BY r.nspname, r.relname), '[]')
    FROM rels r JOIN pg_sequence q ON q.seqrelid = r.oid
    WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid
                        AND d.deptype = 'i'))
)::text
