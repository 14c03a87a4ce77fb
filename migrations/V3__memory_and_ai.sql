-- Group 2: memory and AI: topics, memory entries with embeddings and versions, vector
-- documents, recommendations; the versioning trigger and the similarity search.

DO $$ BEGIN
    CREATE TYPE memory_type AS ENUM
        ('context', 'project', 'knowledge', 'reference', 'personal', 'workflow');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE TABLE IF NOT EXISTS topics (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    name text NOT NULL,
    description text,
    color text CHECK (color ~ '^#[0-9A-Fa-f]{6}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name)
);
CREATE INDEX IF NOT EXISTS topics_user_id_idx ON topics (user_id);

CREATE TABLE IF NOT EXISTS memory_entries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic_id uuid REFERENCES topics (id) ON DELETE SET NULL,
    title text NOT NULL,
    content text NOT NULL,
    memory_type memory_type NOT NULL DEFAULT 'context',
    tags text[] NOT NULL DEFAULT '{}',
    embedding vector(1536),
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    last_accessed timestamptz,
    access_count integer NOT NULL DEFAULT 0 CHECK (access_count >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS memory_entries_organization_id_idx ON memory_entries (organization_id);
CREATE INDEX IF NOT EXISTS memory_entries_user_id_idx ON memory_entries (user_id);
CREATE INDEX IF NOT EXISTS memory_entries_topic_id_idx ON memory_entries (topic_id);
CREATE INDEX IF NOT EXISTS memory_entries_memory_type_idx ON memory_entries (memory_type);
CREATE INDEX IF NOT EXISTS memory_entries_tags_idx ON memory_entries USING gin (tags);
CREATE INDEX IF NOT EXISTS memory_entries_title_trgm_idx ON memory_entries USING gin (title gin_trgm_ops);
CREATE INDEX IF NOT EXISTS memory_entries_embedding_idx
    ON memory_entries USING hnsw (embedding vector_cosine_ops);

CREATE TABLE IF NOT EXISTS memory_versions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    memory_id uuid NOT NULL REFERENCES memory_entries (id) ON DELETE CASCADE,
    version_number integer NOT NULL CHECK (version_number > 0),
    title text NOT NULL,
    content text NOT NULL,
    memory_type memory_type NOT NULL,
    tags text[] NOT NULL DEFAULT '{}',
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (memory_id, version_number)
);
CREATE INDEX IF NOT EXISTS memory_versions_organization_id_idx ON memory_versions (organization_id);
CREATE INDEX IF NOT EXISTS memory_versions_created_by_idx ON memory_versions (created_by);

CREATE TABLE IF NOT EXISTS vector_documents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source text NOT NULL,
    content text NOT NULL,
    embedding vector(1536),
    metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS vector_documents_organization_id_idx ON vector_documents (organization_id);
CREATE INDEX IF NOT EXISTS vector_documents_embedding_idx
    ON vector_documents USING hnsw (embedding vector_cosine_ops);

CREATE TABLE IF NOT EXISTS ai_recommendations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    kind text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}'::jsonb,
    score real CHECK (score >= 0 AND score <= 1),
    dismissed boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ai_recommendations_organization_id_idx ON ai_recommendations (organization_id);
CREATE INDEX IF NOT EXISTS ai_recommendations_user_id_idx ON ai_recommendations (user_id);

CREATE OR REPLACE TRIGGER topics_set_updated_at BEFORE UPDATE ON topics
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER memory_entries_set_updated_at BEFORE UPDATE ON memory_entries
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER vector_documents_set_updated_at BEFORE UPDATE ON vector_documents
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER ai_recommendations_set_updated_at BEFORE UPDATE ON ai_recommendations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Keeps the previous content of a memory entry whenever a versioned field changes.
-- The acting user comes from app.current_user_id when the application sets it.
CREATE OR REPLACE FUNCTION record_memory_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO memory_versions (organization_id, memory_id, version_number, title, content,
        memory_type, tags, metadata, created_by)
    SELECT OLD.organization_id, OLD.id, coalesce(max(v.version_number), 0) + 1, OLD.title,
        OLD.content, OLD.memory_type, OLD.tags, OLD.metadata,
        coalesce(nullif(current_setting('app.current_user_id', true), '')::uuid, NEW.user_id)
    FROM memory_versions v
    WHERE v.memory_id = OLD.id;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER memory_entries_record_version AFTER UPDATE ON memory_entries
    FOR EACH ROW
    WHEN ((OLD.title, OLD.content, OLD.memory_type, OLD.tags, OLD.metadata)
          IS DISTINCT FROM (NEW.title, NEW.content, NEW.memory_type, NEW.tags, NEW.metadata))
    EXECUTE FUNCTION record_memory_version();

-- Cosine similarity search over memory entries, best first, with optional filters.
CREATE OR REPLACE FUNCTION search_memories(
    query_embedding vector(1536),
    match_threshold double precision DEFAULT 0.7,
    match_count integer DEFAULT 10,
    filter_organization_id uuid DEFAULT NULL,
    filter_user_id uuid DEFAULT NULL,
    filter_memory_type memory_type DEFAULT NULL,
    filter_tags text[] DEFAULT NULL,
    filter_topic_id uuid DEFAULT NULL
) RETURNS TABLE (
    id uuid,
    title text,
    content text,
    memory_type memory_type,
    tags text[],
    topic_id uuid,
    similarity double precision
)
LANGUAGE sql STABLE AS $$
    SELECT m.id, m.title, m.content, m.memory_type, m.tags, m.topic_id,
           1 - (m.embedding <=> query_embedding) AS similarity
    FROM memory_entries m
    WHERE m.embedding IS NOT NULL
      AND (filter_organization_id IS NULL OR m.organization_id = filter_organization_id)
      AND (filter_user_id IS NULL OR m.user_id = filter_user_id)
      AND (filter_memory_type IS NULL OR m.memory_type = filter_memory_type)
      AND (filter_tags IS NULL OR m.tags && filter_tags)
      AND (filter_topic_id IS NULL OR m.topic_id = filter_topic_id)
      AND 1 - (m.embedding <=> query_embedding) >= match_threshold
    ORDER BY m.embedding <=> query_embedding
    LIMIT match_count
$$;
