-- Demo experiences are marked, so that `hearme demo remove` can take
-- them out of a deployment and no report counts them as real.
ALTER TABLE experiences ADD COLUMN demo BOOLEAN NOT NULL DEFAULT FALSE;
