// Plain structs for the message data the FETCH response renders: ENVELOPE and BODY /
// BODYSTRUCTURE (RFC 9051 §7.5.2). The session fills them from the store's protos; the
// protocol layer stays free of protobuf.
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_MESSAGE_DATA_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_MESSAGE_DATA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mailroom::imap {

// One element of an address list. Empty strings are written as NIL. A group is a group_start
// element (mailbox = the group's display name, host empty) followed by its members and a
// group_end element (all fields empty), RFC 9051 §7.5.2.
struct Address {
  std::string name;
  std::string adl;
  std::string mailbox;
  std::string host;
  bool group_start = false;
  bool group_end = false;
};

// Header fields as they appear in the message (RFC 2047 encoded words kept). Absent fields
// are nullopt; absent address lists are empty. Sender and Reply-To default to From when
// empty (RFC 9051 §7.5.2), which the writer applies.
struct Envelope {
  std::optional<std::string> date;
  std::optional<std::string> subject;
  std::vector<Address> from;
  std::vector<Address> sender;
  std::vector<Address> reply_to;
  std::vector<Address> to;
  std::vector<Address> cc;
  std::vector<Address> bcc;
  std::optional<std::string> in_reply_to;
  std::optional<std::string> message_id;
};

using BodyParams = std::vector<std::pair<std::string, std::string>>;

// One MIME part. `type`/`subtype` are written as given (servers conventionally upper-case
// the type). For multipart/* only `subtype`, `children` and the extension fields `params`,
// `disposition*`, `languages`, `location` are used. For message/rfc822 (and message/global)
// `message_envelope` is the enclosed message's envelope and `children[0]` its body.
struct BodyPart {
  std::string type = "TEXT";
  std::string subtype = "PLAIN";
  BodyParams params;                       // e.g. {"CHARSET", "utf-8"}; empty = NIL
  std::optional<std::string> id;           // Content-ID
  std::optional<std::string> description;  // Content-Description
  std::string encoding = "7BIT";           // Content-Transfer-Encoding
  uint64_t size = 0;                       // body octets in its transfer encoding
  uint64_t lines = 0;                      // text/* and message/rfc822 only
  // Extension data, written only for BODYSTRUCTURE.
  std::optional<std::string> md5;
  std::optional<std::string> disposition;  // e.g. "attachment"
  BodyParams disposition_params;
  std::vector<std::string> languages;      // empty = NIL
  std::optional<std::string> location;
  std::vector<BodyPart> children;
  std::optional<Envelope> message_envelope;
};

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_MESSAGE_DATA_H_
