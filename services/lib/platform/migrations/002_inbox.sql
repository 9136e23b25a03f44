-- One row per (consumer, event) handled, written in the handler's transaction: a redelivered
-- event finds its row and is acknowledged without a second effect.
CREATE TABLE inbox (
  consumer    text        NOT NULL,
  event_id    uuid        NOT NULL,
  handled_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
