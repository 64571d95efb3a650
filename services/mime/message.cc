// Parse(): the MIME entity tree of a message (RFC 2045, RFC 2046) with the offsets IMAP
// serves sections from (RFC 9051 §6.4.5) and the ENVELOPE (RFC 9051 §7.5.2).
#include "services/mime/message.h"

#include <algorithm>
#include <cstring>

#include "services/mime/address.h"
#include "services/mime/content_type.h"
#include "services/mime/header.h"
#include "services/mime/multipart.h"
#include "services/mime/strings.h"

namespace mailroom::mime {
namespace {

constexpr int kDepthCap = 1000;  // recursion bound whatever Limits says

struct Context {
  std::string_view raw;
  const Limits& limits;
  int max_depth;
  int parts = 0;  // entities created so far
  bool truncated = false;

  bool CanAddPart() const { return parts < limits.max_parts; }
};

uint64_t CountLines(std::string_view raw, size_t begin, size_t end) {
  uint64_t lines = 0;
  const char* p = raw.data() + begin;
  const char* stop = raw.data() + end;
  while (p < stop) {
    const void* nl = std::memchr(p, '\n', stop - p);
    if (nl == nullptr) break;
    ++lines;
    p = static_cast<const char*>(nl) + 1;
  }
  return lines;
}

std::optional<std::string> OptionalField(const std::vector<HeaderField>& fields,
                                         std::string_view name) {
  const HeaderField* f = FindField(fields, name);
  if (f == nullptr) return std::nullopt;
  return f->value;
}

// RFC 2045 §5.2 default: text/plain; charset=us-ascii, or message/rfc822 inside
// multipart/digest (RFC 2046 §5.1.5). Also used for unparsable Content-Type values.
void ApplyContentType(const HeaderField* field, bool digest_child, Part& part) {
  ContentType ct;
  if (field != nullptr) ct = ParseContentType(field->value);
  if (ct.valid()) {
    part.type = std::move(ct.type);
    part.subtype = std::move(ct.subtype);
    part.params = std::move(ct.params);
  } else if (digest_child) {
    part.type = "message";
    part.subtype = "rfc822";
  } else {
    part.type = "text";
    part.subtype = "plain";
    part.params = std::move(ct.params);  // "text; charset=utf-8" keeps its charset
    if (FindParam(part.params, "charset") == nullptr) {
      part.params.insert(part.params.begin(), Param{"charset", "us-ascii"});
    }
  }
}

// Fills the Content-* attributes of `part` from its header fields (RFC 2045, RFC 2183,
// RFC 3282, RFC 2557 Content-Location, RFC 1864 Content-MD5).
void ApplyMimeFields(const std::vector<HeaderField>& fields, bool digest_child, Part& part) {
  ApplyContentType(FindField(fields, "Content-Type"), digest_child, part);
  if (const HeaderField* f = FindField(fields, "Content-Transfer-Encoding")) {
    std::string enc = FirstToken(f->value);
    if (!enc.empty()) part.encoding = std::move(enc);
  }
  part.id = OptionalField(fields, "Content-ID");
  part.description = OptionalField(fields, "Content-Description");
  part.md5 = OptionalField(fields, "Content-MD5");
  part.location = OptionalField(fields, "Content-Location");
  if (const HeaderField* f = FindField(fields, "Content-Disposition")) {
    ContentDisposition cd = ParseContentDisposition(f->value);
    if (!cd.type.empty()) {
      part.disposition = std::move(cd.type);
      part.disposition_params = std::move(cd.params);
    }
  }
  if (const HeaderField* f = FindField(fields, "Content-Language")) {
    part.languages = ParseLanguages(f->value);
  }
}

// An entity a limit keeps from being expanded: a leaf of opaque bytes.
void MakeOpaque(Context& ctx, Part& part) {
  part.type = "application";
  part.subtype = "octet-stream";
  part.params.clear();
  part.children.clear();
  part.body_lines = 0;
  ctx.truncated = true;
}

void ParseEntity(Context& ctx, size_t begin, size_t end, int depth, bool digest_child, Part& part,
                 std::vector<HeaderField>* fields_out);

// The one child of a multipart whose body parts cannot be found: text/plain over the whole
// multipart body, so that IMAP's 1*body holds and the text stays readable.
void AddSyntheticChild(Context& ctx, Part& part) {
  ++ctx.parts;
  Part& child = part.children.emplace_back();
  child.params.push_back(Param{"charset", "us-ascii"});
  child.header_offset = part.body_offset;
  child.body_offset = part.body_offset;
  child.body_size = part.body_size;
  child.body_lines = CountLines(ctx.raw, child.body_offset, child.body_offset + child.body_size);
}

void ExpandMultipart(Context& ctx, int depth, Part& part) {
  const size_t begin = part.body_offset;
  const size_t end = begin + part.body_size;
  const std::string* boundary = FindParam(part.params, "boundary");
  MultipartSplit split;
  if (boundary != nullptr && !boundary->empty()) {
    split = SplitMultipart(ctx.raw, begin, end, *boundary,
                           static_cast<size_t>(ctx.limits.max_parts - ctx.parts));
  }
  if (split.more) ctx.truncated = true;
  if (split.parts.empty()) {
    AddSyntheticChild(ctx, part);
    return;
  }
  const bool digest = part.subtype == "digest";
  part.children.reserve(split.parts.size());
  for (const ByteRange& range : split.parts) {
    if (!ctx.CanAddPart()) {
      ctx.truncated = true;
      break;
    }
    ParseEntity(ctx, range.begin, range.end, depth + 1, digest, part.children.emplace_back(),
                nullptr);
  }
}

// RFC 2046 §5.2.1 / RFC 6532 §3.5: the body is a whole message, parsed as one.
void ExpandMessage(Context& ctx, int depth, Part& part) {
  const size_t begin = part.body_offset;
  const size_t end = begin + part.body_size;
  part.children.reserve(1);
  ParseEntity(ctx, begin, end, depth + 1, false, part.children.emplace_back(),
              &part.message_headers);
  part.message_envelope = std::make_shared<Envelope>(BuildEnvelope(part.message_headers));
}

void ParseEntity(Context& ctx, size_t begin, size_t end, int depth, bool digest_child, Part& part,
                 std::vector<HeaderField>* fields_out) {
  ++ctx.parts;
  HeaderBlock block = ParseHeaderBlock(ctx.raw, begin, end, ctx.limits);
  if (block.truncated) ctx.truncated = true;
  part.header_offset = begin;
  part.header_size = block.body_begin - begin;
  part.body_offset = block.body_begin;
  part.body_size = end - block.body_begin;
  ApplyMimeFields(block.fields, digest_child, part);
  if (fields_out != nullptr) *fields_out = std::move(block.fields);

  const bool multipart = IsMultipart(part);
  const bool message = IsEncapsulatedMessage(part);
  if ((multipart || message) && (depth >= ctx.max_depth || !ctx.CanAddPart())) {
    MakeOpaque(ctx, part);
    return;
  }
  if (multipart) {
    ExpandMultipart(ctx, depth, part);
  } else if (message) {
    part.body_lines = CountLines(ctx.raw, part.body_offset, end);
    ExpandMessage(ctx, depth, part);
  } else if (part.type == "text") {
    part.body_lines = CountLines(ctx.raw, part.body_offset, end);
  }
}

}  // namespace

bool IsMultipart(const Part& part) { return part.type == "multipart"; }

bool IsEncapsulatedMessage(const Part& part) {
  return part.type == "message" && (part.subtype == "rfc822" || part.subtype == "global");
}

const std::string* FindParam(const std::vector<Param>& params, std::string_view name) {
  for (const Param& p : params) {
    if (EqualsIgnoreCase(p.name, name)) return &p.value;
  }
  return nullptr;
}

Message Parse(std::string_view raw, const Limits& limits) {
  Context ctx{raw, limits, std::clamp(limits.max_depth, 0, kDepthCap)};
  Message msg;
  msg.size = raw.size();
  ParseEntity(ctx, 0, raw.size(), 0, false, msg.body, &msg.headers);
  msg.header_size = msg.body.header_size;
  msg.envelope = BuildEnvelope(msg.headers);
  msg.truncated = ctx.truncated;
  return msg;
}

}  // namespace mailroom::mime
