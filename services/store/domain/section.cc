#include "services/store/domain/section.h"

#include "absl/status/status.h"

namespace mailroom::store {
namespace {

bool IsMultipart(const v1::BodyPart& p) { return p.type() == "multipart"; }
bool IsMessage(const v1::BodyPart& p) { return p.has_message_body(); }

// RFC 9051 §6.4.5: each part number descends one level; inside a message/rfc822 part the
// numbers apply to the enclosed message's body; a non-multipart body has only part 1.
const v1::BodyPart* Descend(const v1::BodyPart& root, const std::vector<uint32_t>& path) {
  const v1::BodyPart* current = &root;
  for (uint32_t n : path) {
    if (n == 0) return nullptr;
    const v1::BodyPart* container = current;
    if (IsMessage(*container) && container != &root) container = &container->message_body();
    if (IsMultipart(*container)) {
      if (static_cast<int>(n) > container->parts_size()) return nullptr;
      current = &container->parts(static_cast<int>(n) - 1);
    } else {
      if (n != 1) return nullptr;
      current = container;
    }
  }
  return current;
}

}  // namespace

absl::StatusOr<ByteRange> FindSection(const v1::BodyPart& root, uint64_t size,
                                      uint64_t header_size, const std::vector<uint32_t>& path,
                                      v1::ReadMessageRequest::Section section) {
  using S = v1::ReadMessageRequest;
  if (path.empty()) {
    switch (section) {
      case S::SECTION_HEADER: return ByteRange{0, std::min(header_size, size), nullptr};
      case S::SECTION_TEXT:
        return ByteRange{std::min(header_size, size), size - std::min(header_size, size), &root};
      case S::SECTION_MIME:
        return absl::InvalidArgumentError("MIME needs a part number");
      default: return ByteRange{0, size, nullptr};
    }
  }
  const v1::BodyPart* part = Descend(root, path);
  if (part == nullptr) return absl::NotFoundError("no such body part");
  const auto clip = [size](uint64_t off, uint64_t len) {
    off = std::min(off, size);
    return ByteRange{off, std::min(len, size - off), nullptr};
  };
  switch (section) {
    case S::SECTION_MIME:
      return clip(part->header_offset(), part->header_size());
    case S::SECTION_HEADER:
    case S::SECTION_TEXT: {
      if (!IsMessage(*part)) {
        return absl::InvalidArgumentError("HEADER and TEXT need a message/rfc822 part");
      }
      const v1::BodyPart& inner = part->message_body();
      if (section == S::SECTION_HEADER) return clip(inner.header_offset(), inner.header_size());
      const uint64_t end = part->body_offset() + part->size();
      const uint64_t start = inner.header_offset() + inner.header_size();
      ByteRange r = clip(start, end > start ? end - start : 0);
      r.part = &inner;
      return r;
    }
    default: {
      ByteRange r = clip(part->body_offset(), part->size());
      r.part = part;
      return r;
    }
  }
}

}  // namespace mailroom::store
