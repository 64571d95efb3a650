-- Mailroom store schema, version 1.
-- Invariant 6 (DESIGN.md): user_id leads every primary key and index of per-user mail data so
-- that the schema can be distributed by user_id (Citus). Message contents are content-addressed
-- (SHA-256) and shared between users; they are distributed by their own key.

CREATE TABLE domains (
  domain_id   bigserial PRIMARY KEY,
  name        text NOT NULL UNIQUE,               -- lower-case, no trailing dot
  catch_all   text NOT NULL DEFAULT '',           -- address receiving unknown local parts
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  user_id        bigserial PRIMARY KEY,
  domain_id      bigint NOT NULL REFERENCES domains (domain_id),
  address        text NOT NULL UNIQUE,            -- local@domain, lower-case
  password_hash  text NOT NULL,                   -- argon2id, libsodium crypto_pwhash_str format
  disabled       boolean NOT NULL DEFAULT false,
  quota_bytes    bigint NOT NULL DEFAULT 0,       -- 0 = unlimited
  used_bytes     bigint NOT NULL DEFAULT 0,
  used_messages  bigint NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE aliases (
  address    text PRIMARY KEY,                    -- lower-case
  domain_id  bigint NOT NULL REFERENCES domains (domain_id),
  user_id    bigint NOT NULL REFERENCES users (user_id) ON DELETE CASCADE
);
CREATE INDEX aliases_user ON aliases (user_id);

CREATE SEQUENCE mailbox_ids;
-- UIDVALIDITY values are never reused, whatever is deleted and re-created (RFC 9051 §2.3.1.1).
CREATE SEQUENCE uidvalidity_seq;

CREATE TABLE mailboxes (
  user_id        bigint NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  mailbox_id     bigint NOT NULL DEFAULT nextval('mailbox_ids'),
  name           text NOT NULL,                   -- UTF-8, "/" separated, "INBOX" upper-case
  special_use    smallint NOT NULL DEFAULT 0,     -- mailroom.store.v1.SpecialUse
  uidvalidity    bigint NOT NULL,
  uidnext        bigint NOT NULL DEFAULT 1,
  highestmodseq  bigint NOT NULL DEFAULT 1,
  PRIMARY KEY (user_id, mailbox_id),
  UNIQUE (user_id, name)
);

CREATE TABLE subscriptions (
  user_id  bigint NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
  name     text NOT NULL,
  PRIMARY KEY (user_id, name)
);

-- One row per distinct message content, with what FETCH, SEARCH and SORT need (invariant 5).
CREATE TABLE contents (
  sha256        bytea PRIMARY KEY,
  refcount      bigint NOT NULL,
  size          bigint NOT NULL,
  header_size   bigint NOT NULL,
  raw           bytea NOT NULL,
  envelope      bytea NOT NULL,                   -- serialized mailroom.store.v1.Envelope
  structure     bytea NOT NULL,                   -- serialized mailroom.store.v1.BodyPart
  headers       jsonb NOT NULL,                   -- {"subject": ["decoded value", ...], ...}
  body_text     text NOT NULL,                    -- decoded text for SEARCH BODY/TEXT
  preview       text NOT NULL,
  sent_date     timestamptz,                      -- Date: header, for SENTBEFORE/SORT DATE
  sort_subject  text NOT NULL,                    -- RFC 5256 base subject
  sort_from     text NOT NULL,
  sort_to       text NOT NULL,
  sort_cc       text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
-- Partial reads (BODY[]<n.m>, streaming) slice the value: keep it uncompressed out of line.
ALTER TABLE contents ALTER COLUMN raw SET STORAGE EXTERNAL;

CREATE TABLE messages (
  user_id        bigint NOT NULL,
  mailbox_id     bigint NOT NULL,
  uid            bigint NOT NULL,
  sha256         bytea NOT NULL REFERENCES contents (sha256),
  size           bigint NOT NULL,
  internal_date  timestamptz NOT NULL,
  flags          integer NOT NULL DEFAULT 0,      -- OR of mailroom.store.v1.SystemFlag
  keywords       text[] NOT NULL DEFAULT '{}',
  modseq         bigint NOT NULL,
  PRIMARY KEY (user_id, mailbox_id, uid),
  FOREIGN KEY (user_id, mailbox_id) REFERENCES mailboxes (user_id, mailbox_id) ON DELETE CASCADE
);
CREATE INDEX messages_modseq ON messages (user_id, mailbox_id, modseq);

-- Expunged UIDs with the MODSEQ of their expunge, for QRESYNC VANISHED (RFC 7162 §3.2.5).
CREATE TABLE expunged (
  user_id     bigint NOT NULL,
  mailbox_id  bigint NOT NULL,
  uid         bigint NOT NULL,
  modseq      bigint NOT NULL,
  PRIMARY KEY (user_id, mailbox_id, uid),
  FOREIGN KEY (user_id, mailbox_id) REFERENCES mailboxes (user_id, mailbox_id) ON DELETE CASCADE
);
CREATE INDEX expunged_modseq ON expunged (user_id, mailbox_id, modseq);

-- Idempotency of DeliverMessage: a retried transaction id never delivers twice (invariant 1).
CREATE TABLE delivery_log (
  transaction_id  text PRIMARY KEY,
  sha256          bytea NOT NULL,
  results         bytea NOT NULL,                 -- serialized DeliverMessageResponse
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- POP3 exclusive maildrop leases (RFC 1939 §8), shared by every pop3 replica.
CREATE TABLE maildrop_leases (
  user_id     bigint PRIMARY KEY REFERENCES users (user_id) ON DELETE CASCADE,
  lease_id    text NOT NULL,
  holder      text NOT NULL,
  expires_at  timestamptz NOT NULL
);
