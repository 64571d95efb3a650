#include "services/imap/session/convert.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/match.h"

namespace mailroom::imap {

namespace v1 = ::mailroom::store::v1;

v1::Flags FlagsFromList(const std::vector<std::string>& flags) {
  v1::Flags out;
  uint32_t system = 0;
  for (const std::string& f : flags) {
    if (absl::EqualsIgnoreCase(f, "\\Seen")) {
      system |= v1::SYSTEM_FLAG_SEEN;
    } else if (absl::EqualsIgnoreCase(f, "\\Answered")) {
      system |= v1::SYSTEM_FLAG_ANSWERED;
    } else if (absl::EqualsIgnoreCase(f, "\\Flagged")) {
      system |= v1::SYSTEM_FLAG_FLAGGED;
    } else if (absl::EqualsIgnoreCase(f, "\\Deleted")) {
      system |= v1::SYSTEM_FLAG_DELETED;
    } else if (absl::EqualsIgnoreCase(f, "\\Draft")) {
      system |= v1::SYSTEM_FLAG_DRAFT;
    } else if (!f.empty() && f[0] != '\\') {
      bool seen = false;
      for (const std::string& k : out.keywords()) seen = seen || absl::EqualsIgnoreCase(k, f);
      if (!seen) out.add_keywords(f);
    }
  }
  out.set_system(system);
  return out;
}

namespace {

std::optional<std::string> Opt(bool has, const std::string& value) {
  if (!has) return std::nullopt;
  return value;
}

std::optional<std::string> NonEmpty(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}

std::vector<Address> Addresses(
    const google::protobuf::RepeatedPtrField<v1::Address>& list) {
  std::vector<Address> out;
  out.reserve(list.size());
  for (const v1::Address& a : list) {
    out.push_back(Address{a.name(), a.adl(), a.mailbox(), a.host(), a.is_group_start(),
                          a.is_group_end()});
  }
  return out;
}

BodyParams Params(const google::protobuf::RepeatedPtrField<v1::Param>& params) {
  BodyParams out;
  for (const v1::Param& p : params) out.emplace_back(p.name(), p.value());
  return out;
}

}  // namespace

Envelope EnvelopeFromProto(const v1::Envelope& e) {
  Envelope out;
  out.date = Opt(e.has_date(), e.date());
  out.subject = Opt(e.has_subject(), e.subject());
  out.from = Addresses(e.from());
  out.sender = Addresses(e.sender());
  out.reply_to = Addresses(e.reply_to());
  out.to = Addresses(e.to());
  out.cc = Addresses(e.cc());
  out.bcc = Addresses(e.bcc());
  out.in_reply_to = Opt(e.has_in_reply_to(), e.in_reply_to());
  out.message_id = Opt(e.has_message_id(), e.message_id());
  return out;
}

BodyPart BodyPartFromProto(const v1::BodyPart& p) {
  BodyPart out;
  out.type = p.type().empty() ? "TEXT" : absl::AsciiStrToUpper(p.type());
  out.subtype = p.subtype().empty() ? "PLAIN" : absl::AsciiStrToUpper(p.subtype());
  out.params = Params(p.params());
  out.id = NonEmpty(p.id());
  out.description = NonEmpty(p.description());
  out.encoding = p.encoding().empty() ? "7BIT" : absl::AsciiStrToUpper(p.encoding());
  out.size = p.size();
  out.lines = p.lines();
  out.md5 = NonEmpty(p.md5());
  out.disposition = NonEmpty(p.disposition());
  out.disposition_params = Params(p.disposition_params());
  for (const std::string& l : p.languages()) out.languages.push_back(l);
  out.location = NonEmpty(p.location());
  if (out.type == "MULTIPART") {
    for (const v1::BodyPart& child : p.parts()) out.children.push_back(BodyPartFromProto(child));
  } else if (out.type == "MESSAGE" && (out.subtype == "RFC822" || out.subtype == "GLOBAL")) {
    out.message_envelope = EnvelopeFromProto(p.message_envelope());
    out.children.push_back(BodyPartFromProto(p.message_body()));
  }
  return out;
}

std::string FilterHeaderFields(absl::string_view header, const std::vector<std::string>& fields,
                               bool exclude) {
  std::string out;
  bool keep = false;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find('\n', pos);
    end = end == absl::string_view::npos ? header.size() : end + 1;
    absl::string_view line = header.substr(pos, end - pos);
    pos = end;
    if (line == "\r\n" || line == "\n") break;  // end of the header block
    if (line[0] != ' ' && line[0] != '\t') {
      const size_t colon = line.find(':');
      absl::string_view name = line.substr(0, colon == absl::string_view::npos ? 0 : colon);
      name = absl::StripTrailingAsciiWhitespace(name);
      bool listed = false;
      for (const std::string& f : fields) listed = listed || absl::EqualsIgnoreCase(f, name);
      keep = colon != absl::string_view::npos && listed != exclude;
    }
    if (keep) out.append(line.data(), line.size());
  }
  out.append("\r\n");
  return out;
}

}  // namespace mailroom::imap
