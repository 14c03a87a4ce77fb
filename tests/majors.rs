//! Every PostgreSQL major vsecure claims: a database the migrations built passes
//! migrate, status, drift and doctor on each, with a portable pgvector.

mod support;

use support::{Build, Cluster, vsecure};

fn cluster(build: Build) -> &'static Cluster {
    match build {
        Build::Pg18 => Cluster::shared(),
        Build::Pg16 => Cluster::shared_pg16(),
        Build::Pg17 => Cluster::shared_pg17(),
        Build::Pg15 => Cluster::shared_pg15(),
    }
}

/// migrate on an empty database, then status --check, drift and doctor: all clean.
fn migrated_database_is_clean_on(build: Build) {
    let cluster = cluster(build);
    let db = cluster.migrated_database("major");
    let url = cluster.url(&db);
    for args in [
        &["status", "--check"][..],
        &["drift"][..],
        &["extensions", "check"][..],
        &["doctor"][..],
    ] {
        let run = vsecure(args, &[("DATABASE_URL", &url)]);
        assert_eq!(
            run.code, 0,
            "{build:?} {args:?}\nstdout: {}\nstderr: {}",
            run.stdout, run.stderr
        );
    }
    // The vector extension really works there: an HNSW write and an index search.
    cluster.execute(
        &db,
        "CREATE TABLE probe (id int, v vector(1536));
         CREATE INDEX ON probe USING hnsw (v vector_cosine_ops);
         INSERT INTO probe SELECT i, array_fill(i::real, ARRAY[1536])::vector
           FROM generate_series(1, 20) i;",
    );
    let nearest = cluster.query_strings(
        &db,
        "SET enable_seqscan = off; SELECT count(*) FROM (SELECT id FROM probe
         ORDER BY v <=> array_fill(1, ARRAY[1536])::vector LIMIT 5) s",
    );
    assert_eq!(nearest, ["5"], "{build:?}");
}

#[test]
fn a_migrated_database_is_clean_on_postgresql_18() {
    migrated_database_is_clean_on(Build::Pg18);
}

#[test]
fn a_migrated_database_is_clean_on_postgresql_17() {
    migrated_database_is_clean_on(Build::Pg17);
}

#[test]
fn a_migrated_database_is_clean_on_postgresql_16() {
    migrated_database_is_clean_on(Build::Pg16);
}

#[test]
fn drift_between_live_databases_on_two_majors_names_both_majors_and_extension_versions() {
    let (pg18, pg16) = (Cluster::shared(), Cluster::shared_pg16());
    let (db18, db16) = (
        pg18.migrated_database("major18"),
        pg16.migrated_database("major16"),
    );
    let run = vsecure(
        &["drift", "--format", "json", "--against", &pg18.url(&db18)],
        &[("DATABASE_URL", &pg16.url(&db16))],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["majors_differ"]["expected"], 18, "{json:#}");
    assert_eq!(json["majors_differ"]["actual"], 16, "{json:#}");
    let differences = json["differences"].as_array().unwrap();
    // Contrib versions differ between the two majors; nothing else does.
    assert!(!differences.is_empty());
    for d in differences {
        assert_eq!(d["kind"], "extension", "{d:#}");
        assert_eq!(d["attribute"], "version", "{d:#}");
    }
    let table = vsecure(
        &["drift", "--against", &pg18.url(&db18)],
        &[("DATABASE_URL", &pg16.url(&db16))],
    );
    assert!(
        table
            .stdout
            .contains("different PostgreSQL majors (expected 18, found 16)"),
        "{}",
        table.stdout
    );
}

/// Types, collations, rules, statistics, aggregates and privileges written the same way
/// on 15, 16 and 18 are no drift.
#[test]
fn types_collations_and_privileges_read_the_same_on_15_16_and_18() {
    let ddl = "CREATE DOMAIN email AS text NOT NULL CONSTRAINT has_at CHECK (VALUE LIKE '%@%');
               CREATE TYPE money_amount AS (currency char(3), cents bigint);
               CREATE TYPE float_range AS RANGE (SUBTYPE = float8);
               CREATE COLLATION case_blind (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
               CREATE TABLE ledger (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, owner email, n int)
                   WITH (fillfactor = 80);
               CREATE RULE no_delete AS ON DELETE TO ledger DO INSTEAD NOTHING;
               CREATE STATISTICS ledger_owner_n (ndistinct) ON owner, n FROM ledger;
               CREATE AGGREGATE total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');
               CREATE VIEW open_ledger WITH (security_barrier = true) AS SELECT id FROM ledger;
               GRANT ALL ON ledger TO PUBLIC;
               GRANT SELECT (owner) ON ledger TO PUBLIC;
               GRANT USAGE ON TYPE email TO PUBLIC;";
    let pg18 = Cluster::shared();
    let db18 = pg18.create_database("types18");
    pg18.execute(&db18, ddl);
    for (older, name) in [
        (Cluster::shared_pg16(), "types16"),
        (Cluster::shared_pg15(), "types15"),
    ] {
        let db = older.create_database(name);
        older.execute(&db, ddl);
        let run = vsecure(
            &["drift", "--format", "json", "--against", &pg18.url(&db18)],
            &[("DATABASE_URL", &older.url(&db))],
        );
        let json = run.json();
        let differences: Vec<&serde_json::Value> = json["differences"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"] != "extension")
            .collect();
        assert!(differences.is_empty(), "{name}: {differences:#?}");
    }
}
