-- The schema model of the schemas in scope, as one batch of plain SELECTs sent in one
-- round trip (plain rows cost the server far less than building JSON). Run with
-- search_path = pg_catalog so every deparsed name is schema-qualified, as pg_dump sees
-- them. Objects that belong to extensions are left out, and so is refinery's history
-- table (bookkeeping, not schema). The SCOPE placeholder expands to the CTEs scope (the schemas),
-- rels (their relations) and tables (ordinary and partitioned tables, not partitions).
-- Statements are separated by lines holding only ";", in the order introspect.rs reads.
SELECT nspname AS name FROM pg_namespace WHERE nspname = ANY ({{SCHEMAS}}::text[])
;
SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
;
WITH {{SCOPE}}
SELECT s.nspname AS schema, t.typname AS name,
       (SELECT json_agg(l.enumlabel ORDER BY l.enumsortorder)
        FROM pg_enum l WHERE l.enumtypid = t.oid)::text AS labels
FROM pg_type t JOIN scope s ON s.oid = t.typnamespace
WHERE t.typtype = 'e'
  AND NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'
                  AND m.classid = 'pg_type'::regclass AND m.objid = t.oid)
;
WITH {{SCOPE}}
SELECT r.nspname AS schema, r.relname AS name, r.relkind AS kind,
       r.relpersistence = 'u' AS unlogged,
       CASE WHEN r.relkind = 'p' THEN pg_get_partkeydef(r.oid) END AS partition_key,
       r.relrowsecurity AS rls_enabled, r.relforcerowsecurity AS rls_forced
FROM tables r
;
WITH {{SCOPE}}
SELECT r.nspname AS schema, r.relname AS name, ps.nspname AS parent_schema,
       p.relname AS parent, pg_get_expr(c.relpartbound, c.oid) AS bound
FROM rels r
JOIN pg_class c ON c.oid = r.oid
JOIN pg_inherits i ON i.inhrelid = r.oid
JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace ps ON ps.oid = p.relnamespace
WHERE r.relispartition
;
WITH {{SCOPE}}
SELECT r.nspname AS schema, r.relname AS table, a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default,
       CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END AS identity,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated,
       CASE a.attgenerated WHEN 's' THEN 'stored' WHEN 'v' THEN 'virtual' END AS generated_kind,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation
FROM tables r
JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
;
WITH {{SCOPE}}
SELECT r.nspname AS schema, r.relname AS table, c.conname AS name,
       c.contype AS type, pg_get_constraintdef(c.oid) AS definition
FROM tables r
JOIN pg_constraint c ON c.conrelid = r.oid
WHERE c.contype <> 'n'
;
WITH {{SCOPE}}
SELECT r.nspname AS schema, r.relname AS table, ic.relname AS name,
       pg_get_indexdef(i.indexrelid) AS definition, i.indisvalid AS valid
FROM rels r
JOIN pg_index i ON i.indrelid = r.oid
JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE r.relkind IN ('r', 'p', 'm') AND NOT r.relispartition
  AND i.indexrelid NOT IN (SELECT c.conindid FROM pg_constraint c
                           WHERE c.contype IN ('p', 'u', 'x'))
;
WITH {{SCOPE}}
SELECT r.nspname AS schema, r.relname AS table, p.polname AS name,
       CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                     WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS command,
       p.polpermissive AS permissive,
       CASE WHEN p.polroles = '{0}' THEN '["public"]'
            ELSE (SELECT json_agg(ro.rolname ORDER BY ro.rolname)::text
                  FROM pg_roles ro WHERE ro.oid = ANY (p.polroles)) END AS roles,
       pg_get_expr(p.polqual, p.polrelid) AS using,
       pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
FROM rels r JOIN pg_policy p ON p.polrelid = r.oid
WHERE NOT r.relispartition
;
WITH {{SCOPE}}
SELECT r.nspname AS schema, r.relname AS table, tg.tgname AS name,
       pg_get_triggerdef(tg.oid) AS definition, tg.tgenabled AS enabled
FROM rels r JOIN pg_trigger tg ON tg.tgrelid = r.oid
WHERE NOT tg.tgisinternal AND NOT r.relispartition
;
WITH {{SCOPE}}
SELECT s.nspname AS schema, p.proname AS name,
       pg_get_function_identity_arguments(p.oid) AS arguments,
       p.prokind AS kind,
       pg_get_function_result(p.oid) AS result,
       l.lanname AS language,
       CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable'
                          ELSE 'volatile' END AS volatility,
       p.proisstrict AS strict,
       p.prosecdef AS security_definer,
       to_json(p.proconfig)::text AS settings,
       CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid)
            ELSE p.prosrc END AS body
FROM pg_proc p
JOIN scope s ON s.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE p.prokind IN ('f', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'
                  AND m.classid = 'pg_proc'::regclass AND m.objid = p.oid)
;
WITH {{SCOPE}}
SELECT r.nspname AS schema, r.relname AS name, r.relkind AS kind,
       pg_get_viewdef(r.oid) AS definition
FROM rels r WHERE r.relkind IN ('v', 'm')
;
WITH {{SCOPE}}
SELECT r.nspname AS schema, r.relname AS name,
       format_type(q.seqtypid, NULL) AS type,
       q.seqstart AS start, q.seqincrement AS increment,
       q.seqmin AS min, q.seqmax AS max, q.seqcache AS cache, q.seqcycle AS cycle,
       (SELECT tn.nspname || '.' || tc.relname || '.' || ta.attname
        FROM pg_depend d
        JOIN pg_class tc ON tc.oid = d.refobjid
        JOIN pg_namespace tn ON tn.oid = tc.relnamespace
        JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid
          AND d.deptype = 'a' AND d.refobjsubid > 0 LIMIT 1) AS owned_by
FROM rels r JOIN pg_sequence q ON q.seqrelid = r.oid
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid
                    AND d.deptype = 'i')
