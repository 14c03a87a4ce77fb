-- The schema model of the schemas in scope, as one batch of plain SELECTs sent in one
-- round trip (plain rows cost the server far less than building JSON). Run with
-- search_path = pg_catalog so every deparsed name is schema-qualified, as pg_dump sees
-- them. Objects that belong to extensions are left out, and so is refinery's history
-- table (bookkeeping, not schema). {{SCHEMAS}} is a text[] literal of the schemas.
--
-- Eight statements, in the order introspect.rs reads them: schemas, extensions, enums,
-- functions (and their privileges), everything that hangs off pg_class in one statement
-- (so that the relations in scope are found once, a scan of pg_class and an extension
-- check per relation, rather than once per kind of object; their privileges included),
-- the privileges of schemas and types and the default privileges, domains, composite
-- and range types and collations, and the server's version number.
-- The rows of the functions' and the relations' statements carry a section name and
-- positional text columns; introspect.rs names them per section.
SELECT nspname AS name FROM pg_namespace WHERE nspname = ANY ({{SCHEMAS}}::text[])
;
SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
;
SELECT n.nspname AS schema, t.typname AS name,
       (json_agg(l.enumlabel ORDER BY l.enumsortorder) FILTER (WHERE l.oid IS NOT NULL))::text
       AS labels
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_enum l ON l.enumtypid = t.oid
WHERE t.typtype = 'e' AND n.nspname = ANY ({{SCHEMAS}}::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'
                  AND m.classid = 'pg_type'::regclass AND m.objid = t.oid)
GROUP BY t.oid, n.nspname, t.typname
;
-- Functions and procedures, read once (a scan of pg_proc) for their definitions and
-- their privileges (normalized as the other objects' are, in the statement after next).
-- function: section, schema, name, arguments, kind, result, language, volatility,
--           strict, security definer, settings, body
-- privilege: section, object kind, object, grantee, privilege, grantable
WITH functions AS MATERIALIZED (
    SELECT p.oid, n.nspname, p.proname, p.prokind, p.prolang, p.provolatile, p.proisstrict,
           p.prosecdef, p.proconfig, p.prosqlbody, p.prosrc, p.proacl, p.proowner
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p') AND n.nspname = ANY ({{SCHEMAS}}::text[])
      AND NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype IN ('e', 'i')
                      AND m.classid = 'pg_proc'::regclass AND m.objid = p.oid)
)
SELECT 'function' AS section, f.nspname::text, f.proname::text,
       pg_get_function_identity_arguments(f.oid), f.prokind::text,
       pg_get_function_result(f.oid), l.lanname::text,
       CASE f.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable'
                          ELSE 'volatile' END,
       f.proisstrict::text, f.prosecdef::text, to_json(f.proconfig)::text,
       CASE WHEN f.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(f.oid)
            ELSE f.prosrc END
FROM functions f JOIN pg_language l ON l.oid = f.prolang
UNION ALL
SELECT 'privilege', CASE f.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
       f.nspname || '.' || f.proname || '(' || pg_get_function_identity_arguments(f.oid) || ')',
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END,
       a.privilege_type, a.is_grantable::text, NULL, NULL, NULL, NULL, NULL, NULL
FROM functions f
CROSS JOIN LATERAL aclexplode(coalesce(f.proacl, acldefault('f', f.proowner))) a
WHERE a.grantee IS DISTINCT FROM f.proowner
;
WITH rels AS MATERIALIZED (
    SELECT c.oid, c.relname::text AS relname, c.relkind, c.relispartition,
           c.relrowsecurity, c.relforcerowsecurity, c.relpersistence, c.reloptions,
           c.relreplident, c.relacl, c.relowner, n.nspname::text AS nspname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY ({{SCHEMAS}}::text[])
      AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND NOT (c.relname = 'refinery_schema_history' AND c.relkind = 'r')
      -- Extension members, found through pg_depend's index on what is referenced
      -- (every membership references an extension) instead of a scan of pg_depend.
      AND c.oid NOT IN (SELECT m.objid FROM pg_depend m
                        WHERE m.refclassid = 'pg_extension'::regclass AND m.deptype = 'e'
                          AND m.classid = 'pg_class'::regclass)
),
tables AS (SELECT * FROM rels WHERE relkind IN ('r', 'p') AND NOT relispartition),
-- Each sequence once, with the identity column it serves (its internal dependency), so
-- that identity options and free sequences are told apart in one look-up per sequence.
sequences AS MATERIALIZED (
    SELECT r.oid, r.nspname, r.relname, q.seqtypid, q.seqstart, q.seqincrement, q.seqmin,
           q.seqmax, q.seqcache, q.seqcycle, d.refobjid AS identity_of,
           d.refobjsubid AS identity_column
    FROM rels r JOIN pg_sequence q ON q.seqrelid = r.oid
    LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = r.oid
                         AND d.deptype = 'i' AND d.refclassid = 'pg_class'::regclass
),
-- The tables' columns, read once for the column rows, the identity options and the
-- column privileges.
cols AS MATERIALIZED (
    SELECT r.nspname, r.relname, r.relowner, a.attrelid, a.attnum, a.attname::text AS attname,
           a.atttypid, a.atttypmod, a.attnotnull, a.attidentity, a.attgenerated,
           a.attcollation, a.attacl,
           -- Looked up only for a column that has one.
           CASE WHEN a.atthasdef THEN (SELECT d.adbin FROM pg_attrdef d
                                       WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum)
           END AS adbin
    FROM tables r
    JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
),
-- The indexes listed: those of tables and materialized views (on a partition, only those
-- written on it, not those attached to its parent's), and not those a constraint makes
-- (the constraint is listed).
indexes AS MATERIALIZED (
    SELECT r.nspname, r.relname, r.relkind, i.indexrelid, i.indrelid, i.indisunique,
           i.indisvalid, i.indnatts, i.indnkeyatts, i.indnullsnotdistinct, i.indkey,
           i.indcollation, i.indclass, i.indoption, i.indpred, ic.relname::text AS indname,
           ic.reloptions AS indreloptions, am.amname::text AS amname
    FROM rels r
    JOIN pg_index i ON i.indrelid = r.oid
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_am am ON am.oid = ic.relam
    WHERE r.relkind IN ('r', 'p', 'm')
      AND (NOT r.relispartition
           OR NOT EXISTS (SELECT 1 FROM pg_inherits ii WHERE ii.inhrelid = i.indexrelid))
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                      WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
),
-- The columns an index key can name: the tables' (read above), and those of partitions
-- and materialized views.
key_columns AS (
    SELECT attrelid, attnum, attname, attcollation FROM cols
    UNION ALL
    SELECT a.attrelid, a.attnum, a.attname::text, a.attcollation
    FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0
    WHERE r.relkind = 'm' OR r.relispartition
),
-- The operator classes whose keys may carry options (`gist_trgm_ops (siglen = 32)`): those
-- whose family has the options support function of a built-in access method, and every
-- class of another access method. An index key's options are looked up only for these.
option_classes AS MATERIALIZED (
    SELECT oc.oid FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
    WHERE am.amname NOT IN ('btree', 'hash', 'gist', 'gin', 'spgist', 'brin')
       OR EXISTS (SELECT 1 FROM pg_amproc ap
                  WHERE ap.amprocfamily = oc.opcfamily
                    AND ap.amprocnum = CASE am.amname WHEN 'btree' THEN 5 WHEN 'hash' THEN 3
                                                      WHEN 'gist' THEN 10 WHEN 'gin' THEN 7
                                                      WHEN 'spgist' THEN 7 ELSE 5 END)
),
-- Each index's key list and INCLUDE list, for every index at once (a subquery per index
-- costs several times as much): column or expression, collation and operator class where
-- not the default, the operator class's options, order.
index_keys AS (
    SELECT x.indexrelid, string_agg(
                CASE WHEN k.attnum > 0 THEN quote_ident(a.attname::text)
                     ELSE pg_get_indexdef(x.indexrelid, k.n::int, false) END
                || CASE WHEN k.coll = 0 OR k.coll = coalesce(a.attcollation, 100)
                        THEN '' ELSE ' COLLATE ' || quote_ident(kc.collname::text) END
                -- pg_get_indexdef names the class of a key with options even when it is
                -- the default.
                || CASE WHEN o.options IS NULL AND oc.opcdefault THEN ''
                        WHEN ocn.nspname = 'pg_catalog' THEN ' ' || quote_ident(oc.opcname::text)
                        ELSE coalesce(' ' || quote_ident(ocn.nspname::text) || '.'
                                      || quote_ident(oc.opcname::text), '') END
                || coalesce(o.options, '')
                || CASE WHEN k.opt & 1 = 1
                        THEN ' DESC' || CASE WHEN k.opt & 2 = 0 THEN ' NULLS LAST' ELSE '' END
                        WHEN k.opt & 2 = 2 THEN ' NULLS FIRST' ELSE '' END,
                ', ' ORDER BY k.n) FILTER (WHERE k.n <= x.indnkeyatts) AS keys,
           string_agg(quote_ident(a.attname::text), ', ' ORDER BY k.n)
               FILTER (WHERE k.n > x.indnkeyatts) AS included
    FROM indexes x
    -- The collations, classes and options are the key columns' alone: NULL for the
    -- INCLUDE columns after them.
    CROSS JOIN LATERAL unnest(x.indkey::int2[], x.indcollation::oid[], x.indclass::oid[],
                              x.indoption::int2[]) WITH ORDINALITY AS k(attnum, coll, opclass, opt, n)
    LEFT JOIN key_columns a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
    LEFT JOIN pg_collation kc ON kc.oid = k.coll
    LEFT JOIN pg_opclass oc ON oc.oid = k.opclass
    LEFT JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
    CROSS JOIN LATERAL (
        SELECT ' (' || string_agg(split_part(ko, '=', 1) || '='
                                  || quote_literal(substr(ko, strpos(ko, '=') + 1)), ', ')
               || ')' AS options
        FROM pg_attribute ia, unnest(ia.attoptions) AS ko
        WHERE k.opclass IN (SELECT oid FROM option_classes)
          AND ia.attrelid = x.indexrelid AND ia.attnum = k.n) o
    GROUP BY x.indexrelid
)
-- table: schema, name, kind, unlogged, partition_key, rls_enabled, rls_forced,
--        storage parameters (sorted by the reader), replica identity
SELECT 'table' AS section, r.nspname AS c1, r.relname AS c2, r.relkind::text AS c3,
       (r.relpersistence = 'u')::text AS c4,
       CASE WHEN r.relkind = 'p' THEN pg_get_partkeydef(r.oid) END AS c5,
       r.relrowsecurity::text AS c6, r.relforcerowsecurity::text AS c7,
       array_to_json(r.reloptions)::text AS c8,
       CASE r.relreplident WHEN 'd' THEN 'default' WHEN 'f' THEN 'full'
            WHEN 'n' THEN 'nothing'
            ELSE 'using index ' || coalesce((SELECT ic.relname::text FROM pg_index i
                                             JOIN pg_class ic ON ic.oid = i.indexrelid
                                             WHERE i.indrelid = r.oid AND i.indisreplident), '?')
       END AS c9,
       NULL::text AS c10
FROM tables r
UNION ALL
-- partition: schema, name, parent_schema, parent, bound, rls_enabled, rls_forced
SELECT 'partition', r.nspname, r.relname, ps.nspname::text, p.relname::text,
       pg_get_expr(c.relpartbound, c.oid), r.relrowsecurity::text,
       r.relforcerowsecurity::text, NULL, NULL, NULL
FROM rels r
JOIN pg_class c ON c.oid = r.oid
JOIN pg_inherits i ON i.inhrelid = r.oid
JOIN pg_class p ON p.oid = i.inhparent
JOIN pg_namespace ps ON ps.oid = p.relnamespace
WHERE r.relispartition
UNION ALL
-- column: schema, table, name, type, not_null, default, identity, generated,
--         generated_kind, collation
-- A default cannot refer to a column, so it is deparsed without the table as context
-- (the same text, without opening the table); a generation expression needs it.
SELECT 'column', a.nspname, a.relname, a.attname,
       format_type(a.atttypid, a.atttypmod),
       a.attnotnull::text,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(a.adbin, 0) END,
       CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(a.adbin, a.attrelid) END,
       CASE a.attgenerated WHEN 's' THEN 'stored' WHEN 'v' THEN 'virtual' END,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END
FROM cols a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_collation co ON co.oid = a.attcollation
UNION ALL
-- identity: schema, table, column, the options of its sequence
SELECT 'identity', a.nspname, a.relname, a.attname,
       'START ' || q.seqstart || ', INCREMENT ' || q.seqincrement || ', MINVALUE '
       || q.seqmin || ', MAXVALUE ' || q.seqmax || ', CACHE ' || q.seqcache
       || CASE WHEN q.seqcycle THEN ', CYCLE' ELSE '' END,
       NULL, NULL, NULL, NULL, NULL, NULL
FROM cols a
JOIN sequences q ON q.identity_of = a.attrelid AND q.identity_column = a.attnum
WHERE a.attidentity <> ''
UNION ALL
-- privilege: object kind, object, grantee, privilege, grantable, for the relations and
-- their columns (the other objects' privileges are the next statement's, which says
-- how they are normalized). A NULL ACL is the default, the owner's privileges alone;
-- the owner's own privileges are left out. A partition's grants are its own (kind
-- partition, compared where the partition is on both sides).
SELECT 'privilege', o.kind, o.object,
       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee)::text END,
       g.privilege_type, g.is_grantable::text, NULL, NULL, NULL, NULL, NULL
FROM (
    SELECT CASE WHEN r.relispartition THEN 'partition'
                WHEN r.relkind = 'S' THEN 'sequence' WHEN r.relkind = 'v' THEN 'view'
                WHEN r.relkind = 'm' THEN 'materialized view' ELSE 'table' END AS kind,
           r.nspname || '.' || r.relname AS object, r.relacl AS acl, r.relowner AS owner
    FROM rels r WHERE r.relacl IS NOT NULL
    UNION ALL
    SELECT 'column', a.nspname || '.' || a.relname || '.' || a.attname, a.attacl, a.relowner
    FROM cols a WHERE a.attacl IS NOT NULL
    UNION ALL
    -- The columns of views, materialized views and partitions carry grants too: looked
    -- up by relation (OFFSET 0 keeps the planner from scanning all of pg_attribute for
    -- the few columns with grants).
    SELECT 'column', r.nspname || '.' || r.relname || '.' || a.attname, a.attacl, r.relowner
    FROM rels r
    CROSS JOIN LATERAL (SELECT ca.attname, ca.attacl FROM pg_attribute ca
                        WHERE ca.attrelid = r.oid AND ca.attnum > 0 AND NOT ca.attisdropped
                          AND ca.attacl IS NOT NULL OFFSET 0) a
    WHERE r.relkind IN ('v', 'm') OR r.relispartition
) o CROSS JOIN LATERAL aclexplode(o.acl) g
WHERE g.grantee <> o.owner
UNION ALL
-- constraint: schema, table, name, type, definition. pg_get_constraintdef reads the
-- catalog caches; composing keys in SQL here would cost more (an index scan per name).
-- Left out: NOT NULL (a column property), constraint triggers (listed once, as the
-- trigger the user wrote) and the copies the server makes of a foreign key for each
-- partition of the table it references (conparentid set).
-- On a partition, only the constraints written on it (not those it inherits).
SELECT 'constraint', r.nspname, r.relname, c.conname::text, c.contype::text,
       pg_get_constraintdef(c.oid), NULL, NULL, NULL, NULL, NULL
FROM rels r
JOIN pg_constraint c ON c.conrelid = r.oid
WHERE r.relkind IN ('r', 'p') AND c.contype NOT IN ('n', 't') AND c.conparentid = 0
  AND (NOT r.relispartition OR c.conislocal)
UNION ALL
-- index: schema, table, name, definition, valid. The definition is composed from the
-- catalog in the shape of pg_get_indexdef without the index's own name: calling
-- pg_get_indexdef per index costs more (it is kept for expressions).
SELECT 'index', x.nspname, x.relname, x.indname,
       'CREATE ' || CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ON '
       || CASE WHEN x.relkind = 'p' THEN 'ONLY ' ELSE '' END
       || quote_ident(x.nspname) || '.' || quote_ident(x.relname)
       || ' USING ' || quote_ident(x.amname) || ' (' || k.keys || ')'
       || coalesce(' INCLUDE (' || k.included || ')', '')
       || CASE WHEN x.indnullsnotdistinct THEN ' NULLS NOT DISTINCT' ELSE '' END
       || coalesce(' WITH (' || (SELECT string_agg(split_part(o, '=', 1) || '='
                                          || quote_literal(substr(o, strpos(o, '=') + 1)), ', ')
                                 FROM unnest(x.indreloptions) AS o) || ')', '')
       || coalesce(' WHERE ' || pg_get_expr(x.indpred, x.indrelid), ''),
       x.indisvalid::text, NULL, NULL, NULL, NULL, NULL
FROM indexes x JOIN index_keys k ON k.indexrelid = x.indexrelid
UNION ALL
-- policy: schema, table, name, command, permissive, roles, using, with_check
SELECT 'policy', r.nspname, r.relname, p.polname::text,
       CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                     WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
       p.polpermissive::text,
       CASE WHEN p.polroles = '{0}' THEN '["public"]'
            ELSE (SELECT json_agg(pg_get_userbyid(ro) ORDER BY pg_get_userbyid(ro))::text
                  FROM unnest(p.polroles) AS ro) END,
       pg_get_expr(p.polqual, p.polrelid),
       pg_get_expr(p.polwithcheck, p.polrelid), NULL, NULL
FROM rels r JOIN pg_policy p ON p.polrelid = r.oid
UNION ALL
-- trigger: schema, table, name, definition, enabled
SELECT 'trigger', r.nspname, r.relname, tg.tgname::text,
       pg_get_triggerdef(tg.oid), tg.tgenabled::text, NULL, NULL, NULL, NULL, NULL
FROM rels r JOIN pg_trigger tg ON tg.tgrelid = r.oid
WHERE NOT tg.tgisinternal AND (NOT r.relispartition OR tg.tgparentid = 0)
UNION ALL
-- view: schema, name, kind, definition, options (security_barrier, security_invoker,
--       check_option, storage parameters; sorted by the reader)
SELECT 'view', r.nspname, r.relname, r.relkind::text, pg_get_viewdef(r.oid),
       array_to_json(r.reloptions)::text,
       NULL, NULL, NULL, NULL, NULL
FROM rels r WHERE r.relkind IN ('v', 'm')
UNION ALL
-- sequence: schema, name, type, start, increment, min, max, cache, cycle, owned_by
SELECT 'sequence', q.nspname, q.relname, format_type(q.seqtypid, NULL),
       q.seqstart::text, q.seqincrement::text, q.seqmin::text, q.seqmax::text,
       q.seqcache::text, q.seqcycle::text,
       tn.nspname || '.' || tc.relname || '.' || ta.attname
FROM sequences q
-- OWNED BY: the sequence's one automatic dependency on a column.
LEFT JOIN (pg_depend d
           JOIN pg_class tc ON tc.oid = d.refobjid
           JOIN pg_namespace tn ON tn.oid = tc.relnamespace
           JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid)
       ON d.classid = 'pg_class'::regclass AND d.objid = q.oid
          AND d.deptype = 'a' AND d.refobjsubid > 0
WHERE q.identity_of IS NULL
;
-- privilege, of the schemas and types and the default privileges (the functions' and
-- relations' statements list theirs, alike): object kind, object, grantee, privilege,
-- grantable. A NULL ACL is the object kind's default (acldefault: PUBLIC may execute
-- functions and use types; a schema's default is its owner's privileges alone), and the
-- owner's own privileges are left out, so the same GRANTs give the same rows whoever
-- owns the objects; extension members are left out. Default privileges of the role that ran the migrations (the
-- history's owner; without a history, the database's owner) are named for "the
-- migrating role", whatever it is called where.
WITH objects AS (
    SELECT 'schema' AS kind, n.nspname::text AS object, n.nspacl AS acl, n.nspowner AS owner
    FROM pg_namespace n WHERE n.nspacl IS NOT NULL AND n.nspname = ANY ({{SCHEMAS}}::text[])
    UNION ALL
    SELECT 'type', n.nspname || '.' || t.typname,
           coalesce(t.typacl, acldefault('T', t.typowner)), t.typowner
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_class tc ON tc.oid = t.typrelid
    WHERE t.typtype IN ('e', 'd', 'r', 'c') AND n.nspname = ANY ({{SCHEMAS}}::text[])
      AND (t.typtype <> 'c' OR tc.relkind = 'c')
      AND NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'
                      AND m.classid = 'pg_type'::regclass AND m.objid = t.oid)
    UNION ALL
    SELECT 'default privileges',
           'for ' || CASE WHEN d.defaclrole = coalesce(
                              (SELECT h.relowner FROM pg_class h
                               WHERE h.relname = 'refinery_schema_history'
                                 AND h.relkind = 'r' LIMIT 1),
                              (SELECT db.datdba FROM pg_database db
                               WHERE db.datname = current_database()))
                          THEN 'the migrating role'
                          ELSE pg_get_userbyid(d.defaclrole)::text END || ' in '
           || coalesce(n.nspname::text, 'all schemas') || ' on '
           || CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences'
                   WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' ELSE 'schemas' END,
           d.defaclacl, d.defaclrole
    FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
    WHERE d.defaclnamespace = 0 OR n.nspname = ANY ({{SCHEMAS}}::text[])
)
SELECT o.kind, o.object,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END,
       a.privilege_type, a.is_grantable::text
FROM objects o CROSS JOIN LATERAL aclexplode(o.acl) a
WHERE a.grantee IS DISTINCT FROM o.owner
;
-- type (and the other objects compared by one definition): kind, schema, name,
-- definition. A domain: its base type, default, NOT NULL and CHECK constraints by name;
-- a composite type: its attributes in order; a range type: its subtype and what orders
-- it; a rule, statistics object, event trigger (database-wide) or aggregate: its
-- definition; a collation: provider, locale and determinism; a comment: its text; an
-- owner: the role. Comments and owners are read only when the caller asks for them
-- (drift compares them with --comments, --owners): otherwise the batch leaves out
-- their marked branches.
SELECT 'domain' AS kind, n.nspname AS schema, t.typname AS name,
       format_type(t.typbasetype, t.typtypmod)
       || coalesce(' COLLATE ' || CASE WHEN t.typcollation <> b.typcollation
                                       THEN co.collname END, '')
       || coalesce(' DEFAULT ' || t.typdefault, '')
       || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
       || coalesce(string_agg(' CONSTRAINT ' || c.conname || ' ' || pg_get_constraintdef(c.oid),
                              '' ORDER BY c.conname), '')
       AS definition
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_type b ON b.oid = t.typbasetype
LEFT JOIN pg_collation co ON co.oid = t.typcollation
LEFT JOIN pg_constraint c ON c.contypid = t.oid AND c.contype = 'c'
WHERE t.typtype = 'd' AND n.nspname = ANY ({{SCHEMAS}}::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'
                  AND m.classid = 'pg_type'::regclass AND m.objid = t.oid)
GROUP BY t.oid, n.nspname, t.typname, t.typbasetype, t.typtypmod, t.typcollation,
         t.typdefault, t.typnotnull, b.typcollation, co.collname
UNION ALL
SELECT 'composite type', n.nspname, t.typname,
       '(' || string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', '
                         ORDER BY a.attnum) || ')'
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_class c ON c.oid = t.typrelid
LEFT JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
WHERE t.typtype = 'c' AND c.relkind = 'c' AND n.nspname = ANY ({{SCHEMAS}}::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'
                  AND m.classid = 'pg_type'::regclass AND m.objid = t.oid)
GROUP BY t.oid, n.nspname, t.typname
UNION ALL
SELECT 'range type', n.nspname, t.typname,
       'SUBTYPE = ' || format_type(r.rngsubtype, NULL)
       || coalesce(', COLLATION = ' || co.collname, '')
       || ', SUBTYPE_OPCLASS = ' || oc.opcname
FROM pg_range r JOIN pg_type t ON t.oid = r.rngtypid
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_collation co ON co.oid = r.rngcollation
LEFT JOIN pg_opclass oc ON oc.oid = r.rngsubopc
WHERE n.nspname = ANY ({{SCHEMAS}}::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'
                  AND m.classid = 'pg_type'::regclass AND m.objid = t.oid)
UNION ALL
SELECT 'rule', n.nspname, c.relname || '.' || r.rulename,
       pg_get_ruledef(r.oid)
FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN' AND n.nspname = ANY ({{SCHEMAS}}::text[])
UNION ALL
SELECT 'statistics', n.nspname, s.stxname, pg_get_statisticsobjdef_columns(s.oid)
       || ' (' || array_to_string(s.stxkind::text[], ', ') || ')'
       || CASE WHEN s.stxstattarget >= 0 THEN ' STATISTICS ' || s.stxstattarget ELSE '' END
FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
WHERE n.nspname = ANY ({{SCHEMAS}}::text[])
UNION ALL
SELECT 'event trigger', '', e.evtname,
       'ON ' || e.evtevent || coalesce(' WHEN TAG IN (' || array_to_string(e.evttags, ', ') || ')', '')
       || ' EXECUTE FUNCTION ' || e.evtfoid::regproc::text
       || CASE e.evtenabled WHEN 'D' THEN ' (disabled)' WHEN 'R' THEN ' (replica)'
                            WHEN 'A' THEN ' (always)' ELSE '' END
FROM pg_event_trigger e
WHERE NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'
                  AND m.classid = 'pg_event_trigger'::regclass AND m.objid = e.oid)
UNION ALL
SELECT 'aggregate', n.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       'SFUNC = ' || a.aggtransfn::text || ', STYPE = ' || format_type(a.aggtranstype, NULL)
       || CASE WHEN a.aggfinalfn <> 0 THEN ', FINALFUNC = ' || a.aggfinalfn::text ELSE '' END
       || coalesce(', INITCOND = ' || a.agginitval, '')
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY ({{SCHEMAS}}::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'
                  AND m.classid = 'pg_proc'::regclass AND m.objid = p.oid)
UNION ALL
SELECT 'collation', n.nspname, c.collname,
       'PROVIDER = ' || CASE c.collprovider WHEN 'i' THEN 'icu' WHEN 'c' THEN 'libc'
                                            WHEN 'b' THEN 'builtin' ELSE 'default' END
       || ', LOCALE = ' || coalesce(c.collcollate, '') || '/' || coalesce(c.collctype, '')
       || CASE WHEN c.collisdeterministic THEN '' ELSE ', DETERMINISTIC = false' END
FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
WHERE n.nspname = ANY ({{SCHEMAS}}::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'
                  AND m.classid = 'pg_collation'::regclass AND m.objid = c.oid)
-- {{COMMENTS:
UNION ALL
SELECT 'comment', n.nspname, c.relname || coalesce('.' || a.attname, ''), d.description
FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
WHERE n.nspname = ANY ({{SCHEMAS}}::text[])
  AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND NOT c.relispartition
UNION ALL
SELECT 'comment', n.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       d.description
FROM pg_description d JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND p.oid = d.objoid
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY ({{SCHEMAS}}::text[])
  AND NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'
                  AND m.classid = 'pg_proc'::regclass AND m.objid = p.oid)
-- :COMMENTS}}
-- {{OWNERS:
UNION ALL
SELECT 'owner', n.nspname, c.relname, pg_get_userbyid(c.relowner)::text
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY ({{SCHEMAS}}::text[]) AND c.relkind IN ('r', 'p', 'v', 'm')
  AND NOT c.relispartition AND c.relname <> 'refinery_schema_history'
  AND NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype = 'e'
                  AND m.classid = 'pg_class'::regclass AND m.objid = c.oid)
UNION ALL
SELECT 'owner', n.nspname, p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       pg_get_userbyid(p.proowner)::text
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY ({{SCHEMAS}}::text[]) AND p.prokind IN ('f', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_depend m WHERE m.deptype IN ('e', 'i')
                  AND m.classid = 'pg_proc'::regclass AND m.objid = p.oid)
-- :OWNERS}}
;
SELECT current_setting('server_version_num') AS version_num
