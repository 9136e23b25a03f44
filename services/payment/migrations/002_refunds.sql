-- 'voided': the order was cancelled before any charge; a charge request arriving later is refused.
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (status IN ('captured', 'declined', 'refunded', 'voided'));
