// Special-use attributes (RFC 6154) between the store's enum and the wire.
#ifndef MAILROOM_SERVICES_IMAP_COMMANDS_SPECIAL_USE_H_
#define MAILROOM_SERVICES_IMAP_COMMANDS_SPECIAL_USE_H_

#include "absl/strings/string_view.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "mailroom/store/v1/store.pb.h"

namespace mailroom::imap {

// "\Sent" etc. for a special use; "" for none.
inline absl::string_view SpecialUseAttribute(::mailroom::store::v1::SpecialUse use) {
  namespace v1 = ::mailroom::store::v1;
  switch (use) {
    case v1::SPECIAL_USE_ALL: return "\\All";
    case v1::SPECIAL_USE_ARCHIVE: return "\\Archive";
    case v1::SPECIAL_USE_DRAFTS: return "\\Drafts";
    case v1::SPECIAL_USE_FLAGGED: return "\\Flagged";
    case v1::SPECIAL_USE_JUNK: return "\\Junk";
    case v1::SPECIAL_USE_SENT: return "\\Sent";
    case v1::SPECIAL_USE_TRASH: return "\\Trash";
    default: return "";
  }
}

// The special use of an attribute (case-insensitive); UNSPECIFIED for an unknown one.
inline ::mailroom::store::v1::SpecialUse SpecialUseFromAttribute(absl::string_view attr) {
  namespace v1 = ::mailroom::store::v1;
  for (int u = v1::SPECIAL_USE_ALL; u <= v1::SPECIAL_USE_TRASH; ++u) {
    const auto use = static_cast<v1::SpecialUse>(u);
    if (absl::EqualsIgnoreCase(SpecialUseAttribute(use), attr)) return use;
  }
  return v1::SPECIAL_USE_UNSPECIFIED;
}

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_COMMANDS_SPECIAL_USE_H_
