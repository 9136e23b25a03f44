-- The stored notification is also its email's outbox (decision 0028): the sender claims due rows
-- with FOR UPDATE SKIP LOCKED, sends them, and records the outcome in the same commit.
-- Rows stored before this migration were mailed through the notification.email queue: 'sent'.
ALTER TABLE notifications
  ADD COLUMN status          text NOT NULL DEFAULT 'sent' CHECK (status IN ('pending', 'sent', 'parked')),
  ADD COLUMN attempts        integer NOT NULL DEFAULT 0,
  ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN last_error      text,
  ADD COLUMN sent_at         timestamptz,
  -- The composing transaction's trace: the email is sent in a span of the order's trace.
  ADD COLUMN trace_context   jsonb;
ALTER TABLE notifications ALTER COLUMN status SET DEFAULT 'pending';
-- Small: only what is still to be sent, or waits for an operator. A parked row's next_attempt_at is when it was parked.
CREATE INDEX notifications_email_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_email_parked ON notifications (created_at DESC) WHERE status = 'parked';
