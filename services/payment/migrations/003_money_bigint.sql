-- Totals are sums of up to 100 lines of up to 1,000,000 units at up to 2^31-1 cents: an integer
-- overflows at 21 million (a reservation that failed on every attempt); bigint holds any total the
-- catalog's bounds allow (maxCents in @orderly/events).
ALTER TABLE payments ALTER COLUMN amount_cents TYPE bigint;
