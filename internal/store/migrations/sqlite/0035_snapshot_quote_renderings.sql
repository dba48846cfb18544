-- A published quote's snapshot kept the English rendering of the whole
-- answer beside the quoted words, so the public read words beyond the
-- passage the person agreed to have quoted. A rendering now goes beside
-- a quote only when the quote is the whole answer; which published
-- quotes were can no longer be told here (the answers are sealed), so
-- every published rendering is taken out. The quoted words stay.
UPDATE recommendation_quote_words SET translation = '';
