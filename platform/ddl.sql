-- The borehole platform's 29 tables, in dependency order. Safe to run again: every object is created
-- only if missing. Objects go into the first schema of search_path; PostGIS must be on search_path
-- (CREATE EXTENSION IF NOT EXISTS postgis).
-- Each table has a TypeScript definition in platform/tables/<name>.ts; `deno task schemas:check` compares
-- the two through the live catalog.

-- Enums -------------------------------------------------------------------------------------------

DO $$ BEGIN CREATE TYPE organisation_kind AS ENUM ('client', 'consultant', 'contractor', 'laboratory');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE user_role AS ENUM
  ('admin', 'project_manager', 'site_engineer', 'logger', 'lab_engineer', 'approval_engineer', 'customer');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE project_status AS ENUM ('planned', 'active', 'on_hold', 'completed', 'archived');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE structure_type AS ENUM
  ('bridge', 'viaduct', 'culvert', 'embankment', 'retaining_wall', 'building', 'tunnel', 'other');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE borehole_status AS ENUM ('planned', 'drilling', 'completed', 'abandoned');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE boring_method AS ENUM
  ('cable_percussion', 'rotary_core', 'rotary_open_hole', 'window_sample', 'hand_auger', 'trial_pit');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE borelog_status AS ENUM ('draft', 'submitted', 'under_review', 'approved', 'rejected');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE assignment_status AS ENUM ('assigned', 'in_progress', 'completed', 'cancelled');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE sample_type AS ENUM ('disturbed', 'bulk', 'undisturbed_u100', 'spt', 'core', 'water');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE lab_report_status AS ENUM ('draft', 'submitted', 'approved', 'rejected');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE upload_status AS ENUM ('pending', 'validated', 'failed', 'imported', 'discarded');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN CREATE TYPE approval_decision AS ENUM ('pending', 'approved', 'rejected', 'returned');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

-- Core ----------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS customers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  registration_number text,
  billing_address text,
  country_code char(2) NOT NULL DEFAULT 'GB',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS organisations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid REFERENCES customers (id),
  name text NOT NULL,
  kind organisation_kind NOT NULL,
  website text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations (id),
  email text NOT NULL UNIQUE,
  full_name text NOT NULL,
  role user_role NOT NULL,
  phone text,
  is_active boolean NOT NULL DEFAULT true,
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers (id),
  name text NOT NULL,
  email text,
  phone text,
  job_title text,
  is_primary boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Projects ------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS projects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers (id),
  organisation_id uuid NOT NULL REFERENCES organisations (id),
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  description text,
  status project_status NOT NULL,
  location text,
  start_date date NOT NULL,
  end_date date,
  contract_value numeric(20, 2),
  tags text[] NOT NULL DEFAULT '{}',
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS structure (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects (id),
  name text NOT NULL,
  type structure_type NOT NULL,
  chainage_km numeric(9, 3),
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS sub_structures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  structure_id uuid NOT NULL REFERENCES structure (id),
  project_id uuid NOT NULL REFERENCES projects (id),
  name text NOT NULL,
  type text NOT NULL,
  sequence smallint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS project_members (
  project_id uuid NOT NULL REFERENCES projects (id),
  user_id uuid NOT NULL REFERENCES users (id),
  role user_role NOT NULL,
  joined_on date NOT NULL,
  left_on date,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, user_id)
);

-- Boreholes -----------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS borehole (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects (id),
  structure_id uuid REFERENCES structure (id),
  substructure_id uuid REFERENCES sub_structures (id),
  borehole_number text NOT NULL,
  location geography(Point, 4326) NOT NULL,
  ground_level_m numeric(8, 3),
  planned_depth_m numeric(7, 2) NOT NULL,
  final_depth_m numeric(7, 2),
  coordinate_accuracy_m real,
  status borehole_status NOT NULL,
  started_on date,
  completed_on date,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project_id, borehole_number)
);

CREATE TABLE IF NOT EXISTS boreloge (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  borehole_id uuid NOT NULL REFERENCES borehole (id),
  project_id uuid NOT NULL REFERENCES projects (id),
  substructure_id uuid REFERENCES sub_structures (id),
  boring_method boring_method NOT NULL,
  status borelog_status NOT NULL,
  current_version smallint NOT NULL DEFAULT 1,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS borelog_details (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  borelog_id uuid NOT NULL REFERENCES boreloge (id),
  version_no smallint NOT NULL,
  job_code text,
  chainage_km numeric(9, 3),
  msl_m numeric(8, 3),
  diameter_of_hole_mm integer NOT NULL,
  commencement_date date NOT NULL,
  completion_date date,
  standing_water_level_m numeric(6, 2),
  termination_depth_m numeric(7, 2),
  logged_on timestamp NOT NULL,
  remarks text,
  lab_tests_requested text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (borelog_id, version_no)
);

CREATE TABLE IF NOT EXISTS borelog_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  borelog_id uuid NOT NULL REFERENCES boreloge (id),
  version_no smallint NOT NULL,
  status borelog_status NOT NULL,
  snapshot jsonb NOT NULL,
  change_summary text,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (borelog_id, version_no)
);

CREATE TABLE IF NOT EXISTS borelog_images (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  borelog_id uuid NOT NULL REFERENCES boreloge (id),
  depth_from_m numeric(7, 2),
  depth_to_m numeric(7, 2),
  caption text,
  storage_key text NOT NULL,
  content_type text NOT NULL,
  size_bytes bigint NOT NULL,
  width_px integer,
  height_px integer,
  taken_at timestamp,
  uploaded_by uuid NOT NULL REFERENCES users (id),
  uploaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS borelog_submissions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  borelog_id uuid NOT NULL REFERENCES boreloge (id),
  version_no smallint NOT NULL,
  status borelog_status NOT NULL,
  submitted_by uuid NOT NULL REFERENCES users (id),
  submitted_at timestamptz NOT NULL,
  reviewer_id uuid REFERENCES users (id),
  reviewed_at timestamptz,
  review_comments text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS borelog_assignments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  borelog_id uuid NOT NULL REFERENCES boreloge (id),
  assigned_to uuid NOT NULL REFERENCES users (id),
  assigned_by uuid NOT NULL REFERENCES users (id),
  status assignment_status NOT NULL,
  due_date date,
  assigned_at timestamptz NOT NULL,
  completed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS groundwater_observations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  borehole_id uuid NOT NULL REFERENCES borehole (id),
  observed_at timestamp NOT NULL,
  borehole_depth_m numeric(7, 2) NOT NULL,
  casing_depth_m numeric(7, 2),
  is_dry boolean NOT NULL,
  depth_to_water_m numeric(6, 2),
  remarks text,
  CHECK (is_dry = (depth_to_water_m IS NULL))
);

-- Stratum -------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS stratum_layers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  borelog_id uuid NOT NULL REFERENCES boreloge (id),
  version_no smallint NOT NULL,
  layer_no smallint NOT NULL,
  depth_from_m numeric(7, 2) NOT NULL,
  depth_to_m numeric(7, 2) NOT NULL,
  thickness_m numeric(7, 2) GENERATED ALWAYS AS (depth_to_m - depth_from_m) STORED,
  description text NOT NULL,
  soil_classification text,
  colour text,
  spt_n_value smallint,
  core_recovery_pct real,
  rqd_pct real,
  is_water_strike boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (depth_to_m > depth_from_m),
  UNIQUE (borelog_id, version_no, layer_no)
);

CREATE TABLE IF NOT EXISTS stratum_sample_points (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  stratum_layer_id uuid NOT NULL REFERENCES stratum_layers (id),
  borelog_id uuid NOT NULL REFERENCES boreloge (id),
  sample_code text NOT NULL,
  sample_type sample_type NOT NULL,
  depth_m numeric(7, 2) NOT NULL,
  location geography(Point, 4326) NOT NULL,
  blow_counts smallint[],
  recovery_mm integer,
  collected_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Lab reports ---------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS unified_lab_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects (id),
  borelog_id uuid NOT NULL REFERENCES boreloge (id),
  sample_point_id uuid REFERENCES stratum_sample_points (id),
  laboratory_id uuid NOT NULL REFERENCES organisations (id),
  report_number text NOT NULL UNIQUE,
  status lab_report_status NOT NULL,
  current_version smallint NOT NULL DEFAULT 1,
  test_types text[] NOT NULL,
  summary jsonb NOT NULL,
  received_on date NOT NULL,
  tested_by uuid REFERENCES users (id),
  approved_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS lab_report_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  report_id uuid NOT NULL REFERENCES unified_lab_reports (id),
  version_no smallint NOT NULL,
  status lab_report_status NOT NULL,
  payload jsonb NOT NULL,
  notes text,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (report_id, version_no)
);

CREATE TABLE IF NOT EXISTS soil_test_samples (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  report_id uuid NOT NULL REFERENCES unified_lab_reports (id),
  sample_point_id uuid NOT NULL REFERENCES stratum_sample_points (id),
  moisture_content_pct numeric(5, 2),
  liquid_limit_pct numeric(5, 2),
  plastic_limit_pct numeric(5, 2),
  plasticity_index_pct numeric(5, 2),
  bulk_density_mg_m3 numeric(5, 3),
  dry_density_mg_m3 numeric(5, 3),
  specific_gravity numeric(4, 3),
  gravel_pct numeric(5, 2),
  sand_pct numeric(5, 2),
  fines_pct numeric(5, 2),
  cohesion_kpa numeric(7, 2),
  friction_angle_deg numeric(4, 1),
  permeability_m_s numeric,
  particle_size_distribution jsonb,
  tested_at timestamp,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS rock_test_samples (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  report_id uuid NOT NULL REFERENCES unified_lab_reports (id),
  sample_point_id uuid NOT NULL REFERENCES stratum_sample_points (id),
  rock_type text NOT NULL,
  ucs_mpa numeric(7, 2),
  point_load_index_mpa numeric(6, 3),
  youngs_modulus_gpa double precision,
  poissons_ratio real,
  porosity_pct numeric(5, 2),
  water_absorption_pct numeric(5, 2),
  slake_durability_cycles smallint,
  tested_at timestamp,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS lab_test_assignments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  sample_point_id uuid NOT NULL REFERENCES stratum_sample_points (id),
  borelog_id uuid NOT NULL REFERENCES boreloge (id),
  assigned_to uuid NOT NULL REFERENCES users (id),
  assigned_by uuid NOT NULL REFERENCES users (id),
  tests text[] NOT NULL,
  priority smallint NOT NULL DEFAULT 3,
  status assignment_status NOT NULL,
  due_date date,
  assigned_at timestamptz NOT NULL,
  completed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS lab_report_attachments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  report_id uuid NOT NULL REFERENCES unified_lab_reports (id),
  version_no smallint NOT NULL,
  file_name text NOT NULL,
  content_type text NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 text NOT NULL,
  storage_key text NOT NULL,
  uploaded_by uuid NOT NULL REFERENCES users (id),
  uploaded_at timestamptz NOT NULL DEFAULT now()
);

-- Workflow ------------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS pending_csv_uploads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects (id),
  substructure_id uuid REFERENCES sub_structures (id),
  uploaded_by uuid NOT NULL REFERENCES users (id),
  file_name text NOT NULL,
  file_type text NOT NULL,
  status upload_status NOT NULL,
  total_records integer NOT NULL,
  valid_records integer NOT NULL,
  errors jsonb NOT NULL DEFAULT '[]',
  parsed_rows jsonb,
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS substructure_assignments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  substructure_id uuid NOT NULL REFERENCES sub_structures (id),
  user_id uuid NOT NULL REFERENCES users (id),
  assigned_by uuid NOT NULL REFERENCES users (id),
  role user_role NOT NULL,
  assigned_at timestamptz NOT NULL,
  revoked_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS approvals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  entity_type text NOT NULL CHECK (entity_type IN ('borelog', 'lab_report')),
  entity_id uuid NOT NULL,
  version_no smallint NOT NULL,
  approver_id uuid NOT NULL REFERENCES users (id),
  decision approval_decision NOT NULL,
  comments text,
  requested_at timestamptz NOT NULL,
  decided_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS csv_upload_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  upload_id uuid NOT NULL REFERENCES pending_csv_uploads (id),
  action text NOT NULL,
  actor_id uuid NOT NULL REFERENCES users (id),
  row_count integer,
  details jsonb,
  occurred_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS notifications (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  kind text NOT NULL,
  title text NOT NULL,
  body text,
  link text,
  payload jsonb,
  read_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
