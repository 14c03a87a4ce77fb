-- Batched variants of the cleanup functions, and counts for dry runs. Each batched call
-- touches at most batch_size rows, so a caller that loops keeps every transaction short;
-- rows another run has locked are skipped, never waited for. The deployed functions of
-- V2 and V4 keep their exact semantics; these use the same conditions.

CREATE OR REPLACE FUNCTION cleanup_expired_oauth_codes(batch_size integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    deleted integer;
BEGIN
    IF batch_size < 1 THEN
        RAISE EXCEPTION 'batch_size must be at least 1, got %', batch_size;
    END IF;
    DELETE FROM oauth_authorization_codes
    WHERE id IN (
        SELECT id FROM oauth_authorization_codes
        WHERE expires_at < now()
           OR (consumed AND consumed_at < now() - interval '1 hour')
        LIMIT batch_size
        FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;

CREATE OR REPLACE FUNCTION cleanup_expired_oauth_codes_count() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM oauth_authorization_codes
    WHERE expires_at < now()
       OR (consumed AND consumed_at < now() - interval '1 hour')
$$;

-- Expired tokens that are not revoked (the deployed behaviour), plus, when
-- revoked_retention is given, revoked tokens revoked longer ago than that.
CREATE OR REPLACE FUNCTION cleanup_expired_oauth_tokens(
    batch_size integer,
    revoked_retention interval DEFAULT NULL
) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    deleted integer;
BEGIN
    IF batch_size < 1 THEN
        RAISE EXCEPTION 'batch_size must be at least 1, got %', batch_size;
    END IF;
    DELETE FROM oauth_tokens
    WHERE id IN (
        SELECT id FROM oauth_tokens
        WHERE (expires_at < now() AND NOT revoked)
           OR (revoked_retention IS NOT NULL AND revoked
               AND revoked_at < now() - revoked_retention)
        LIMIT batch_size
        FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;

CREATE OR REPLACE FUNCTION cleanup_expired_oauth_tokens_count(
    revoked_retention interval DEFAULT NULL
) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM oauth_tokens
    WHERE (expires_at < now() AND NOT revoked)
       OR (revoked_retention IS NOT NULL AND revoked
           AND revoked_at < now() - revoked_retention)
$$;

CREATE OR REPLACE FUNCTION cleanup_expired_key_sessions(batch_size integer)
RETURNS TABLE (sessions_ended integer, proxy_tokens_revoked integer)
LANGUAGE plpgsql AS $$
BEGIN
    IF batch_size < 1 THEN
        RAISE EXCEPTION 'batch_size must be at least 1, got %', batch_size;
    END IF;
    UPDATE mcp_key_sessions SET ended_at = now()
    WHERE id IN (
        SELECT id FROM mcp_key_sessions
        WHERE expires_at < now() AND ended_at IS NULL
        LIMIT batch_size
        FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS sessions_ended = ROW_COUNT;
    UPDATE mcp_proxy_tokens SET revoked_at = now()
    WHERE id IN (
        SELECT id FROM mcp_proxy_tokens
        WHERE expires_at < now() AND revoked_at IS NULL
        LIMIT batch_size
        FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS proxy_tokens_revoked = ROW_COUNT;
    RETURN NEXT;
END
$$;

CREATE OR REPLACE FUNCTION cleanup_expired_key_sessions_count()
RETURNS TABLE (sessions bigint, proxy_tokens bigint)
LANGUAGE sql STABLE AS $$
    SELECT (SELECT count(*) FROM mcp_key_sessions WHERE expires_at < now() AND ended_at IS NULL),
           (SELECT count(*) FROM mcp_proxy_tokens WHERE expires_at < now() AND revoked_at IS NULL)
$$;
