-- Batched variants of the cleanup functions, and counts for dry runs. A batched call
-- works on one range of the table's blocks, [first_block, first_block + block_count),
-- so a caller that walks the table range by range keeps every transaction short and
-- reads each block once (a LIMIT query would rescan the dead rows of earlier batches).
-- A row another transaction has locked is waited for up to the caller's lock_timeout.
-- The deployed functions of V2, V4 and V8 keep their exact semantics; these use the
-- same conditions.

-- The first tuple position of a block, as a tid (for TID range scans).
CREATE OR REPLACE FUNCTION tid_block(block bigint) RETURNS tid
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT format('(%s,0)', block)::tid
$$;

CREATE OR REPLACE FUNCTION cleanup_expired_oauth_codes(first_block bigint, block_count integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    deleted integer;
BEGIN
    DELETE FROM oauth_authorization_codes
    WHERE ctid >= tid_block(first_block) AND ctid < tid_block(first_block + block_count)
      AND (expires_at < now() OR (consumed AND consumed_at < now() - interval '1 hour'));
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
    first_block bigint,
    block_count integer,
    revoked_retention interval DEFAULT NULL
) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    deleted integer;
BEGIN
    DELETE FROM oauth_tokens
    WHERE ctid >= tid_block(first_block) AND ctid < tid_block(first_block + block_count)
      AND ((expires_at < now() AND NOT revoked)
         OR (revoked_retention IS NOT NULL AND revoked
             AND revoked_at < now() - revoked_retention));
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

-- The two halves of cleanup_expired_key_sessions(), each over its own table's blocks.
CREATE OR REPLACE FUNCTION end_expired_key_sessions(first_block bigint, block_count integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    ended integer;
BEGIN
    UPDATE mcp_key_sessions SET ended_at = now()
    WHERE ctid >= tid_block(first_block) AND ctid < tid_block(first_block + block_count)
      AND expires_at < now() AND ended_at IS NULL;
    GET DIAGNOSTICS ended = ROW_COUNT;
    RETURN ended;
END
$$;

CREATE OR REPLACE FUNCTION revoke_expired_proxy_tokens(first_block bigint, block_count integer)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    revoked integer;
BEGIN
    UPDATE mcp_proxy_tokens SET revoked_at = now()
    WHERE ctid >= tid_block(first_block) AND ctid < tid_block(first_block + block_count)
      AND expires_at < now() AND revoked_at IS NULL;
    GET DIAGNOSTICS revoked = ROW_COUNT;
    RETURN revoked;
END
$$;

CREATE OR REPLACE FUNCTION cleanup_expired_key_sessions_count()
RETURNS TABLE (sessions bigint, proxy_tokens bigint)
LANGUAGE sql STABLE AS $$
    SELECT (SELECT count(*) FROM mcp_key_sessions WHERE expires_at < now() AND ended_at IS NULL),
           (SELECT count(*) FROM mcp_proxy_tokens WHERE expires_at < now() AND revoked_at IS NULL)
$$;
