// Maps an IMAP body section (RFC 9051 §6.4.5: part path + HEADER / TEXT / MIME) to a byte
// range of the raw message, using the offsets kept in the stored BodyPart.
#ifndef MAILROOM_SERVICES_STORE_DOMAIN_SECTION_H_
#define MAILROOM_SERVICES_STORE_DOMAIN_SECTION_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "mailroom/store/v1/store.pb.h"

namespace mailroom::store {

namespace v1 = ::mailroom::store::v1;

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
  const v1::BodyPart* part = nullptr;  // the entity whose body this is (for decoding), if any
};

// The bytes of `section` of part `path` in a message of `size` octets whose header block is
// `header_size` octets and whose top-level structure is `root`. NOT_FOUND when the path names
// no part; INVALID_ARGUMENT for HEADER/TEXT of a part that is not message/rfc822, or MIME
// without a part number.
absl::StatusOr<ByteRange> FindSection(const v1::BodyPart& root, uint64_t size,
                                      uint64_t header_size, const std::vector<uint32_t>& path,
                                      v1::ReadMessageRequest::Section section);

}  // namespace mailroom::store

#endif  // MAILROOM_SERVICES_STORE_DOMAIN_SECTION_H_
