-- Mailroom store schema, version 3: SEARCH BODY and TEXT (RFC 9051 §6.4.4) match substrings
-- case-insensitively. Folding every body with lower() at each search cost most of a search
-- (and most of the database's CPU under an IMAP command mix); the folded text is now computed
-- once, when the content is stored, by PostgreSQL itself, so that it folds exactly as the
-- lower() applied to the search string.
ALTER TABLE contents
  ADD COLUMN search_body text GENERATED ALWAYS AS (lower(body_text)) STORED,
  ADD COLUMN search_headers text GENERATED ALWAYS AS (lower(headers::text)) STORED;
