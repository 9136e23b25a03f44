-- When the broker first confirmed a row, kept when a reconnect hands the row back to the relay to be
-- published again (src/outbound/republish.ts). A row confirmed once is never parked: if the broker
-- refuses its second publish (the service lost the right to send it meanwhile, as a saga-mode switch
-- does to the order service's commands), the first copy stands and the refusal is counted.
ALTER TABLE outbox ADD COLUMN confirmed_at timestamptz;
