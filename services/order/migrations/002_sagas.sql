-- Orchestration mode: one row per order's saga, so a restart resumes where it was and a step
-- that never got its reply is found by its deadline.
CREATE TABLE sagas (
  order_id    uuid PRIMARY KEY REFERENCES orders (id),
  step        integer NOT NULL,
  state       text NOT NULL CHECK (state IN ('running', 'completed', 'failed', 'cancelled', 'timed_out')),
  context     jsonb NOT NULL,
  deadline_at timestamptz,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sagas_due ON sagas (deadline_at) WHERE state = 'running';
