-- A search document's community (migration 0030) is now the one the
-- breakdowns count its story under: a person who answered "prefer not
-- to say" to the community question is counted under the community of
-- the event their story was heard at, and the search filter now finds
-- them there too (store.searchCommunity). The documents written before
-- are read again.
UPDATE search_documents d SET community = COALESCE(NULLIF(NULLIF(a.community, ''), 'prefer-not-to-say'),
        NULLIF((SELECT v.community FROM events v WHERE v.id = e.event_id), ''), a.community, '')
    FROM experiences e JOIN equality_answers a ON a.experience_id = e.id
    WHERE e.id = d.experience_id AND a.community = 'prefer-not-to-say';
