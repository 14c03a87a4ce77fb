-- Group 4: projects, stages, teams, tasks with sub-tasks and dependencies, workflows.

CREATE TABLE IF NOT EXISTS company_projects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text,
    status text NOT NULL DEFAULT 'active'
        CHECK (status IN ('planning', 'active', 'on_hold', 'completed', 'archived')),
    owner_id uuid REFERENCES users (id) ON DELETE SET NULL,
    start_date date,
    end_date date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name),
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX IF NOT EXISTS company_projects_owner_id_idx ON company_projects (owner_id);

CREATE TABLE IF NOT EXISTS project_stages (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id uuid NOT NULL REFERENCES company_projects (id) ON DELETE CASCADE,
    name text NOT NULL,
    position integer NOT NULL CHECK (position >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (project_id, position)
);
CREATE INDEX IF NOT EXISTS project_stages_organization_id_idx ON project_stages (organization_id);

CREATE TABLE IF NOT EXISTS teams (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    description text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name)
);

CREATE TABLE IF NOT EXISTS team_members (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role text NOT NULL DEFAULT 'member' CHECK (role IN ('lead', 'member')),
    joined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX IF NOT EXISTS team_members_organization_id_idx ON team_members (organization_id);
CREATE INDEX IF NOT EXISTS team_members_user_id_idx ON team_members (user_id);

CREATE TABLE IF NOT EXISTS project_teams (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id uuid NOT NULL REFERENCES company_projects (id) ON DELETE CASCADE,
    team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, team_id)
);
CREATE INDEX IF NOT EXISTS project_teams_organization_id_idx ON project_teams (organization_id);
CREATE INDEX IF NOT EXISTS project_teams_team_id_idx ON project_teams (team_id);

CREATE TABLE IF NOT EXISTS project_audit_log (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id uuid NOT NULL REFERENCES company_projects (id) ON DELETE CASCADE,
    user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    action text NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS project_audit_log_organization_id_idx ON project_audit_log (organization_id);
CREATE INDEX IF NOT EXISTS project_audit_log_project_id_idx ON project_audit_log (project_id);
CREATE INDEX IF NOT EXISTS project_audit_log_user_id_idx ON project_audit_log (user_id);

CREATE TABLE IF NOT EXISTS task_priorities (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    level integer NOT NULL,
    color text CHECK (color ~ '^#[0-9A-Fa-f]{6}$'),
    UNIQUE (organization_id, name)
);

CREATE TABLE IF NOT EXISTS task_statuses (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    position integer NOT NULL DEFAULT 0,
    is_done boolean NOT NULL DEFAULT false,
    UNIQUE (organization_id, name)
);

CREATE TABLE IF NOT EXISTS workflows (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL,
    definition jsonb NOT NULL DEFAULT '{}'::jsonb,
    is_active boolean NOT NULL DEFAULT true,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name)
);
CREATE INDEX IF NOT EXISTS workflows_created_by_idx ON workflows (created_by);

CREATE TABLE IF NOT EXISTS tasks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    project_id uuid NOT NULL REFERENCES company_projects (id) ON DELETE CASCADE,
    stage_id uuid REFERENCES project_stages (id) ON DELETE SET NULL,
    status_id uuid REFERENCES task_statuses (id) ON DELETE SET NULL,
    priority_id uuid REFERENCES task_priorities (id) ON DELETE SET NULL,
    workflow_id uuid REFERENCES workflows (id) ON DELETE SET NULL,
    title text NOT NULL,
    description text,
    assignee_id uuid REFERENCES users (id) ON DELETE SET NULL,
    reporter_id uuid REFERENCES users (id) ON DELETE SET NULL,
    due_at timestamptz,
    completed_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS tasks_organization_id_idx ON tasks (organization_id);
CREATE INDEX IF NOT EXISTS tasks_project_id_idx ON tasks (project_id);
CREATE INDEX IF NOT EXISTS tasks_stage_id_idx ON tasks (stage_id);
CREATE INDEX IF NOT EXISTS tasks_status_id_idx ON tasks (status_id);
CREATE INDEX IF NOT EXISTS tasks_priority_id_idx ON tasks (priority_id);
CREATE INDEX IF NOT EXISTS tasks_workflow_id_idx ON tasks (workflow_id);
CREATE INDEX IF NOT EXISTS tasks_assignee_id_idx ON tasks (assignee_id);
CREATE INDEX IF NOT EXISTS tasks_reporter_id_idx ON tasks (reporter_id);

CREATE TABLE IF NOT EXISTS sub_tasks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    title text NOT NULL,
    is_done boolean NOT NULL DEFAULT false,
    assignee_id uuid REFERENCES users (id) ON DELETE SET NULL,
    position integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS sub_tasks_organization_id_idx ON sub_tasks (organization_id);
CREATE INDEX IF NOT EXISTS sub_tasks_task_id_idx ON sub_tasks (task_id);
CREATE INDEX IF NOT EXISTS sub_tasks_assignee_id_idx ON sub_tasks (assignee_id);

CREATE TABLE IF NOT EXISTS task_dependencies (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    depends_on_task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    dependency_type text NOT NULL DEFAULT 'finish_to_start'
        CHECK (dependency_type IN ('finish_to_start', 'start_to_start', 'finish_to_finish')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (task_id, depends_on_task_id),
    CHECK (task_id <> depends_on_task_id)
);
CREATE INDEX IF NOT EXISTS task_dependencies_organization_id_idx ON task_dependencies (organization_id);
CREATE INDEX IF NOT EXISTS task_dependencies_depends_on_task_id_idx ON task_dependencies (depends_on_task_id);

CREATE OR REPLACE TRIGGER company_projects_set_updated_at BEFORE UPDATE ON company_projects
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER project_stages_set_updated_at BEFORE UPDATE ON project_stages
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER teams_set_updated_at BEFORE UPDATE ON teams
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER workflows_set_updated_at BEFORE UPDATE ON workflows
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER tasks_set_updated_at BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
CREATE OR REPLACE TRIGGER sub_tasks_set_updated_at BEFORE UPDATE ON sub_tasks
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
