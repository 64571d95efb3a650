#include "services/imap/protocol/message_writer.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace mailroom::imap {
namespace {

void WriteAddresses(const std::vector<Address>& addresses, ResponseBuilder& out) {
  if (addresses.empty()) {
    out.Nil();
    return;
  }
  out.Open();
  for (size_t i = 0; i < addresses.size(); ++i) {
    const Address& a = addresses[i];
    if (i > 0) out.Raw("");  // RFC 9051 §9: "(" 1*address ")", no spaces between
    out.Open();
    if (a.group_end) {
      out.Nil().Nil().Nil().Nil();
    } else if (a.group_start) {
      // RFC 9051 §7.5.2: group start is (NIL NIL "group name" NIL).
      out.Nil().Nil().NStringOrNil(a.mailbox).Nil();
    } else {
      out.NStringOrNil(a.name).NStringOrNil(a.adl).NStringOrNil(a.mailbox).NStringOrNil(a.host);
    }
    out.Close();
  }
  out.Close();
}

void WriteParams(const BodyParams& params, ResponseBuilder& out) {
  if (params.empty()) {
    out.Nil();
    return;
  }
  out.Open();
  for (const auto& [name, value] : params) out.String(name).String(value);
  out.Close();
}

// body-fld-dsp, body-fld-lang and body-fld-loc, shared by both part kinds.
void WriteDispositionLanguageLocation(const BodyPart& part, ResponseBuilder& out) {
  if (part.disposition) {
    out.Open().String(*part.disposition);
    WriteParams(part.disposition_params, out);
    out.Close();
  } else {
    out.Nil();
  }
  if (part.languages.empty()) {
    out.Nil();
  } else {
    out.Open();
    for (const std::string& language : part.languages) out.String(language);
    out.Close();
  }
  out.NString(part.location);
}

bool IsMessage(const BodyPart& part) {
  return absl::EqualsIgnoreCase(part.type, "message") &&
         (absl::EqualsIgnoreCase(part.subtype, "rfc822") ||
          absl::EqualsIgnoreCase(part.subtype, "global"));
}

void WriteSinglePart(const BodyPart& part, bool extensible, ResponseBuilder& out) {
  // body-type-1part: type subtype params id description encoding size [...]
  out.String(part.type).String(part.subtype);
  WriteParams(part.params, out);
  out.NString(part.id).NString(part.description).String(part.encoding).Number(part.size);
  if (IsMessage(part)) {
    WriteEnvelope(part.message_envelope.value_or(Envelope{}), out);
    if (part.children.empty()) {
      WriteBodyStructure(BodyPart{}, extensible, out);
    } else {
      WriteBodyStructure(part.children.front(), extensible, out);
    }
    out.Number(part.lines);
  } else if (absl::EqualsIgnoreCase(part.type, "text")) {
    out.Number(part.lines);
  }
  if (extensible) {
    out.NString(part.md5);
    WriteDispositionLanguageLocation(part, out);
  }
}

}  // namespace

void WriteEnvelope(const Envelope& envelope, ResponseBuilder& out) {
  out.Open().NString(envelope.date).NString(envelope.subject);
  WriteAddresses(envelope.from, out);
  WriteAddresses(envelope.sender.empty() ? envelope.from : envelope.sender, out);
  WriteAddresses(envelope.reply_to.empty() ? envelope.from : envelope.reply_to, out);
  WriteAddresses(envelope.to, out);
  WriteAddresses(envelope.cc, out);
  WriteAddresses(envelope.bcc, out);
  out.NString(envelope.in_reply_to).NString(envelope.message_id).Close();
}

void WriteBodyStructure(const BodyPart& part, bool extensible, ResponseBuilder& out) {
  out.Open();
  if (!absl::EqualsIgnoreCase(part.type, "multipart")) {
    WriteSinglePart(part, extensible, out);
    out.Close();
    return;
  }
  // body-type-mpart = 1*body SP media-subtype: the children follow each other directly.
  if (part.children.empty()) {
    // A multipart must have one part; an empty one is shown as an empty text part.
    WriteBodyStructure(BodyPart{}, extensible, out);
  }
  for (size_t i = 0; i < part.children.size(); ++i) {
    if (i > 0) out.Raw("");  // no space between the children
    WriteBodyStructure(part.children[i], extensible, out);
  }
  out.String(part.subtype);
  if (extensible) {
    WriteParams(part.params, out);
    WriteDispositionLanguageLocation(part, out);
  }
  out.Close();
}

}  // namespace mailroom::imap
