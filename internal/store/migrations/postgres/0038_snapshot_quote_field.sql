-- A published quote's words now record the answer they were quoted from
-- (what_happened, or translation.what_happened for a rendering), so that
-- a redaction of that answer takes them out of the public record even
-- when the same words are still in another answer of the story. Quotes
-- published before keep '' and the earlier rule: they go when no answer
-- holds their words.
ALTER TABLE recommendation_quote_words ADD COLUMN field TEXT NOT NULL DEFAULT '';
