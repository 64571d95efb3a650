-- Mailroom store schema, version 4: messages no longer carry a foreign key to contents.
-- Contents are reference counted by the store (contents.refcount, changed in the same
-- transaction as the messages that use them). The key added nothing to that but a check at
-- every content deletion (the expunge of a message's last copy) that searched ALL messages
-- for the SHA-256, without an index, since user_id leads every index of mail data (DESIGN.md
-- invariant 6): 1.3 ms at 4,000 messages, growing with the whole installation. It could not
-- stay on the scale path either: Citus keeps no foreign key between tables distributed by
-- different keys (messages by user_id, contents by sha256).
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_sha256_fkey;
