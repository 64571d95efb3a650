// libFuzzer target for services/mime: Parse() must never crash, must keep its structural
// guarantees, and the functions that read a parsed message must stay inside it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "services/mime/address.h"
#include "services/mime/decode.h"
#include "services/shared/text/utf8.h"
#include "services/mime/message.h"
#include "services/mime/test_util.h"
#include "services/mime/text.h"

namespace {

using mailroom::mime::Limits;
using mailroom::mime::Message;
using mailroom::mime::Part;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "mime_fuzz: %s\n", what);
    std::abort();
  }
}

// Odd first bytes select small limits, so the limit paths get fuzzed as much as the rest.
Limits PickLimits(std::string_view raw) {
  Limits limits;
  if (!raw.empty() && (static_cast<unsigned char>(raw[0]) & 1) != 0) {
    limits.max_depth = 3;
    limits.max_parts = 12;
    limits.max_header_fields = 6;
    limits.max_header_bytes = 200;
  }
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  const Limits limits = PickLimits(raw);
  Message msg = mailroom::mime::Parse(raw, limits);
  std::string err = mailroom::mime::testing::CheckInvariants(msg, raw, limits);
  if (!err.empty()) std::fprintf(stderr, "invariant: %s\n", err.c_str());
  Check(err.empty(), "invariant violated");

  const std::vector<std::vector<uint32_t>> paths = {{}, {1}, {2}, {1, 1}, {2, 1}, {1, 2, 1}};
  for (const std::vector<uint32_t>& path : paths) {
    if (const Part* p = mailroom::mime::FindPart(msg, path)) {
      Check(p->body_offset + p->body_size <= raw.size(), "FindPart outside the message");
    }
  }
  std::string text = mailroom::mime::BodyText(msg, raw, 1 << 16);
  Check(text.size() <= (1 << 16), "BodyText over its cap");
  Check(mailroom::text::IsValidUtf8(text), "BodyText not UTF-8");
  std::string preview = mailroom::mime::Preview(msg, raw, 100);
  Check(mailroom::text::IsValidUtf8(preview), "Preview not UTF-8");

  if (msg.envelope.subject) mailroom::mime::DecodeEncodedWords(*msg.envelope.subject);
  if (msg.envelope.date) mailroom::mime::ParseDate(*msg.envelope.date);
  mailroom::mime::DecodeQuotedPrintable(raw);
  mailroom::mime::DecodeBase64(raw);
  mailroom::mime::DecodeEncodedWords(raw.substr(0, 4096));
  mailroom::mime::ParseAddressList(raw.substr(0, 4096));
  mailroom::mime::ParseDate(raw.substr(0, 256));
  return 0;
}
