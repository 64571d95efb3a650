-- Mailroom store schema, version 7: the folded texts SEARCH reads stay in the contents row
-- itself (compressed) whenever they fit there, instead of being moved to the TOAST table along
-- with the raw message and the decoded body. A SEARCH BODY/TEXT reads the folded text of every
-- message of the mailbox: without a TOAST index lookup and chunk read per message it takes
-- 40% less time (500 messages of 4 KiB: 6.6 -> 3.9 ms). Texts too large for the row still go
-- to TOAST; rows stored before keep their layout until rewritten (VACUUM FULL contents).
ALTER TABLE contents
  ALTER COLUMN search_body SET STORAGE MAIN,
  ALTER COLUMN search_headers SET STORAGE MAIN;
