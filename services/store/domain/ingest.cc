#include "services/store/domain/ingest.h"

#include <sodium.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "mailroom/store/v1/store.pb.h"
#include "services/mime/decode.h"
#include "services/mime/text.h"
#include "services/shared/log/log.h"
#include "services/shared/text/utf8.h"

namespace mailroom::store {
namespace {

namespace v1 = ::mailroom::store::v1;

// Text for PostgreSQL text columns: valid UTF-8 without NUL bytes.
std::string Clean(std::string_view s) { return text::SanitizeUtf8(s, /*drop_nul=*/true); }

void ToProto(const mime::Address& in, v1::Address* out) {
  out->set_name(in.name);
  out->set_adl(in.adl);
  out->set_mailbox(in.mailbox);
  out->set_host(in.host);
  out->set_is_group_start(in.group_start);
  out->set_is_group_end(in.group_end);
}

void ToProto(const std::vector<mime::Address>& in,
             google::protobuf::RepeatedPtrField<v1::Address>* out) {
  for (const mime::Address& a : in) ToProto(a, out->Add());
}

void ToProto(const mime::Envelope& in, v1::Envelope* out) {
  if (in.date) { out->set_date(*in.date); out->set_has_date(true); }
  if (in.subject) { out->set_subject(*in.subject); out->set_has_subject(true); }
  if (in.in_reply_to) { out->set_in_reply_to(*in.in_reply_to); out->set_has_in_reply_to(true); }
  if (in.message_id) { out->set_message_id(*in.message_id); out->set_has_message_id(true); }
  ToProto(in.from, out->mutable_from());
  ToProto(in.sender, out->mutable_sender());
  ToProto(in.reply_to, out->mutable_reply_to());
  ToProto(in.to, out->mutable_to());
  ToProto(in.cc, out->mutable_cc());
  ToProto(in.bcc, out->mutable_bcc());
}

void ToProto(const std::vector<mime::Param>& in,
             google::protobuf::RepeatedPtrField<v1::Param>* out) {
  for (const mime::Param& p : in) {
    v1::Param* q = out->Add();
    q->set_name(p.name);
    q->set_value(p.value);
  }
}

void ToProto(const mime::Part& in, v1::BodyPart* out) {
  out->set_type(in.type);
  out->set_subtype(in.subtype);
  ToProto(in.params, out->mutable_params());
  if (in.id) out->set_id(*in.id);
  if (in.description) out->set_description(*in.description);
  out->set_encoding(in.encoding);
  out->set_size(in.body_size);
  out->set_lines(in.body_lines);
  if (in.md5) out->set_md5(*in.md5);
  if (in.disposition) out->set_disposition(*in.disposition);
  ToProto(in.disposition_params, out->mutable_disposition_params());
  for (const std::string& l : in.languages) out->add_languages(l);
  if (in.location) out->set_location(*in.location);
  out->set_header_offset(in.header_offset);
  out->set_header_size(in.header_size);
  out->set_body_offset(in.body_offset);
  if (in.message_envelope != nullptr) {
    ToProto(*in.message_envelope, out->mutable_message_envelope());
    if (!in.children.empty()) ToProto(in.children.front(), out->mutable_message_body());
  } else {
    for (const mime::Part& child : in.children) ToProto(child, out->add_parts());
  }
}

std::string HeadersJson(const std::vector<mime::HeaderField>& headers, size_t max_bytes) {
  // Group values by lower-case name, keeping the order of first appearance.
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  size_t budget = max_bytes;
  for (const mime::HeaderField& h : headers) {
    std::string name = absl::AsciiStrToLower(Clean(h.name));
    std::string value = Clean(mime::DecodeEncodedWords(h.value));
    if (name.size() + value.size() + 8 > budget) break;
    budget -= name.size() + value.size() + 8;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const auto& g) { return g.first == name; });
    if (it == groups.end()) {
      groups.push_back({name, {}});
      it = groups.end() - 1;
    }
    it->second.push_back(std::move(value));
  }
  std::string out = "{";
  for (size_t i = 0; i < groups.size(); ++i) {
    if (i > 0) out += ",";
    log::AppendJsonString(out, groups[i].first);
    out += ":[";
    for (size_t k = 0; k < groups[i].second.size(); ++k) {
      if (k > 0) out += ",";
      log::AppendJsonString(out, groups[i].second[k]);
    }
    out += "]";
  }
  out += "}";
  return out;
}

std::string FirstMailbox(const std::vector<mime::Address>& list) {
  for (const mime::Address& a : list) {
    if (a.group_start || a.group_end) continue;
    return Clean(absl::AsciiStrToLower(a.mailbox + (a.host.empty() ? "" : "@" + a.host)));
  }
  return "";
}

// Removes one leading "re:", "fw:", "fwd:" (with an optional "[blob]" before the colon) or
// "[blob]" from `s`; returns whether it removed anything. RFC 5256 §2.1 steps 3-5.
bool StripLeader(std::string& s) {
  std::string lower = absl::AsciiStrToLower(s);
  for (std::string_view tag : {"re", "fwd", "fw"}) {
    if (!absl::StartsWith(lower, std::string(tag))) continue;
    size_t i = tag.size();
    while (i < lower.size() && lower[i] == ' ') ++i;
    if (i < lower.size() && lower[i] == '[') {
      size_t close = lower.find(']', i);
      if (close == std::string::npos) continue;
      i = close + 1;
      while (i < lower.size() && lower[i] == ' ') ++i;
    }
    if (i < lower.size() && lower[i] == ':') {
      s = std::string(absl::StripLeadingAsciiWhitespace(s.substr(i + 1)));
      return true;
    }
  }
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find(']');
    if (close != std::string::npos && close + 1 < s.size()) {
      s = std::string(absl::StripLeadingAsciiWhitespace(s.substr(close + 1)));
      return true;
    }
  }
  return false;
}

}  // namespace

std::string Sha256(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::string BaseSubject(std::string_view subject) {
  // Step 1: collapse every run of whitespace to one space.
  std::string s;
  for (char c : subject) {
    bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (ws) {
      if (!s.empty() && s.back() != ' ') s.push_back(' ');
    } else {
      s.push_back(c);
    }
  }
  for (bool changed = true; changed;) {
    changed = false;
    // Step 2: trailing "(fwd)" and whitespace.
    while (!s.empty() && s.back() == ' ') s.pop_back();
    if (absl::EndsWithIgnoreCase(s, "(fwd)")) {
      s.resize(s.size() - 5);
      changed = true;
      continue;
    }
    // Steps 3-5: leaders, repeated.
    s = std::string(absl::StripLeadingAsciiWhitespace(s));
    if (StripLeader(s)) changed = true;
    // Step 6: "[fwd: ...]" wrapper.
    if (absl::StartsWithIgnoreCase(s, "[fwd:") && !s.empty() && s.back() == ']') {
      s = std::string(absl::StripAsciiWhitespace(s.substr(5, s.size() - 6)));
      changed = true;
    }
  }
  return Clean(absl::AsciiStrToLower(s));
}

IngestedContent Ingest(std::string_view raw, const IngestLimits& limits) {
  IngestedContent out;
  out.sha256 = Sha256(raw);
  out.size = raw.size();
  mime::Message msg = mime::Parse(raw, limits.mime);
  out.header_size = msg.header_size;

  v1::Envelope envelope;
  ToProto(msg.envelope, &envelope);
  envelope.SerializeToString(&out.envelope);
  v1::BodyPart structure;
  ToProto(msg.body, &structure);
  structure.SerializeToString(&out.structure);

  out.headers_json = HeadersJson(msg.headers, limits.max_headers_json_bytes);
  out.body_text = Clean(mime::BodyText(msg, raw, limits.max_body_text_bytes));
  out.preview = Clean(mime::Preview(msg, raw));
  if (msg.envelope.date) out.sent_date = mime::ParseDate(*msg.envelope.date);
  if (msg.envelope.subject) {
    out.sort_subject = BaseSubject(mime::DecodeEncodedWords(*msg.envelope.subject));
  }
  out.sort_from = FirstMailbox(msg.envelope.from);
  out.sort_to = FirstMailbox(msg.envelope.to);
  out.sort_cc = FirstMailbox(msg.envelope.cc);
  return out;
}

}  // namespace mailroom::store
