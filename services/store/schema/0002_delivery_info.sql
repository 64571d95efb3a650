-- Mailroom store schema, version 2: the SMTP envelope of each delivered message (envelope
-- sender, original recipient, DSN parameters of RFC 3461), kept with the message so that
-- delivery status notifications and Delivered-To style features can use it later.
ALTER TABLE messages ADD COLUMN delivery jsonb;
