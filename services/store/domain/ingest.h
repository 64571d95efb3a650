// Parse once, at ingest (DESIGN.md invariant 5): from a raw message, everything the store keeps
// beside it so that FETCH, SEARCH and SORT never re-parse.
#ifndef MAILROOM_SERVICES_STORE_DOMAIN_INGEST_H_
#define MAILROOM_SERVICES_STORE_DOMAIN_INGEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "services/mime/message.h"

namespace mailroom::store {

struct IngestedContent {
  std::string sha256;        // 32 raw bytes
  uint64_t size = 0;
  uint64_t header_size = 0;
  std::string envelope;      // serialized mailroom.store.v1.Envelope
  std::string structure;     // serialized mailroom.store.v1.BodyPart
  std::string headers_json;  // {"subject":["decoded"],...}: lower-case names, UTF-8 values
  std::string body_text;     // decoded UTF-8 text for SEARCH BODY / TEXT
  std::string preview;
  std::optional<int64_t> sent_date;  // Unix seconds of the Date: header
  std::string sort_subject;  // RFC 5256 §2.1 base subject, lower-case
  std::string sort_from, sort_to, sort_cc;  // RFC 5256 §3 addr-mailbox of the first address
};

struct IngestLimits {
  mime::Limits mime;
  size_t max_body_text_bytes = 1 << 20;
  size_t max_headers_json_bytes = 256 << 10;
};

// Parses `raw` and derives every stored attribute. Never fails: broken MIME yields the
// best-effort structure of services/mime.
IngestedContent Ingest(std::string_view raw, const IngestLimits& limits = {});

// SHA-256 of `data` as 32 raw bytes.
std::string Sha256(std::string_view data);

// RFC 5256 §2.1 base subject of a (decoded) subject, lower-cased for i;ascii-casemap.
std::string BaseSubject(std::string_view subject);

}  // namespace mailroom::store

#endif  // MAILROOM_SERVICES_STORE_DOMAIN_INGEST_H_
