-- 'returned': a paid order was cancelled and its sold stock went back on the shelf.
-- 'cancelled': a release overtook the reservation it was meant to undo; the row stops a late
-- reservation from holding stock for an order that no longer exists.
ALTER TABLE reservations DROP CONSTRAINT reservations_status_check;
ALTER TABLE reservations ADD CONSTRAINT reservations_status_check
  CHECK (status IN ('reserved', 'committed', 'released', 'returned', 'rejected', 'cancelled'));
