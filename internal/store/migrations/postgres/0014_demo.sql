-- Demo content is marked, so that `hearme demo remove` takes it out of
-- a real deployment in one step. Rows loaded by the demo on first start
-- are marked then (Store.MarkDemo); rows an earlier version loaded are
-- recognised by the markers the demo wrote into them: "(example venue)"
-- in an event's venue, "(example)" in a service's name, the demo
-- reviewer on an awareness text, "Example:" before a training module's
-- title.
ALTER TABLE events ADD COLUMN demo BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE support_services ADD COLUMN demo BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE awareness_pages ADD COLUMN demo BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE champion_training_modules ADD COLUMN demo BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE events SET demo = TRUE WHERE venue_name LIKE '%(example venue)%';
UPDATE support_services SET demo = TRUE WHERE name LIKE '%(example)%';
UPDATE awareness_pages SET demo = TRUE
    WHERE id IN (SELECT page_id FROM awareness_texts WHERE reviewer = 'Example reviewer (demo data)');
UPDATE champion_training_modules SET demo = TRUE WHERE title LIKE 'Example:%';
