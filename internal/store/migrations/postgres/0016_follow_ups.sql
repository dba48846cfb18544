-- Following up the people who agreed to be contacted: the state of the
-- follow-up lives beside the sealed contact details, so it goes when they
-- go (withdrawal, consent withdrawn, retention). todo, contacted, done,
-- unreachable.
ALTER TABLE contact_details ADD COLUMN followup_state TEXT NOT NULL DEFAULT 'todo';
ALTER TABLE contact_details ADD COLUMN followup_by TEXT NOT NULL DEFAULT '';
ALTER TABLE contact_details ADD COLUMN followup_at TIMESTAMP;
