-- Mailroom store schema, version 5: the change announcements (NOTIFY on mailroom_changes,
-- DESIGN.md invariant 4) can be built by the statement that makes the change, so that a
-- one-statement change (STORE of system flags, EXPUNGE) needs no second round trip for its
-- pg_notify. The payload is the same as the store's C++ code sends (sql_util.cc
-- NotifyPayload): base64 of a serialized mailroom.store.v1.ChangeEvent (proto3 wire format:
-- fields in number order, zero values left out, UIDs packed), without the UIDs when it would
-- pass 7000 octets (listeners then resynchronise from the MODSEQ).

-- An unsigned protobuf varint (v >= 0).
CREATE FUNCTION mailroom_pb_varint(v bigint) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  out bytea := '';
BEGIN
  WHILE v >= 128 LOOP
    out := out || set_byte('\x00'::bytea, 0, ((v & 127) | 128)::int);
    v := v >> 7;
  END LOOP;
  RETURN out || set_byte('\x00'::bytea, 0, v::int);
END $$;

-- A varint field (wire type 0) of field number `field`, or nothing for 0 (proto3 default).
CREATE FUNCTION mailroom_pb_uint_field(field int, v bigint) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN v = 0 THEN ''::bytea
              ELSE mailroom_pb_varint(field * 8) || mailroom_pb_varint(v) END
$$;

-- A length-delimited field (wire type 2), or nothing when empty.
CREATE FUNCTION mailroom_pb_bytes_field(field int, b bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN length(b) = 0 THEN ''::bytea
              ELSE mailroom_pb_varint(field * 8 + 2) || mailroom_pb_varint(length(b)) || b END
$$;

-- The NOTIFY payload of ChangeEvent{kind, user_id, mailbox_id, modseq, uids, mailbox_name}.
CREATE FUNCTION mailroom_change_payload(kind int, user_id bigint, mailbox_id bigint,
                                        modseq bigint, uids bigint[],
                                        mailbox_name text DEFAULT '') RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  head bytea := mailroom_pb_uint_field(1, kind) || mailroom_pb_uint_field(2, user_id) ||
                mailroom_pb_uint_field(3, mailbox_id) || mailroom_pb_uint_field(4, modseq);
  tail bytea := mailroom_pb_bytes_field(6, convert_to(coalesce(mailbox_name, ''), 'UTF8'));
  packed bytea := '';
  u bigint;
  full_payload text;
BEGIN
  -- Each UID takes at least one octet: past 5250 of them the payload cannot stay under 7000
  -- base64 characters anyway.
  IF uids IS NOT NULL AND cardinality(uids) <= 5250 THEN
    FOREACH u IN ARRAY uids LOOP
      packed := packed || mailroom_pb_varint(u);
    END LOOP;
    full_payload := translate(encode(head || mailroom_pb_bytes_field(5, packed) || tail,
                                     'base64'), E'\n', '');
    IF length(full_payload) <= 7000 THEN
      RETURN full_payload;
    END IF;
  END IF;
  RETURN translate(encode(head || tail, 'base64'), E'\n', '');
END $$;
