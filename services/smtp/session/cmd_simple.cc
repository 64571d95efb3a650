// RSET, NOOP, QUIT, VRFY, EXPN, HELP (RFC 5321 §4.1.1.5-10).
#include "absl/strings/str_cat.h"
#include "services/smtp/session/delivery.h"
#include "services/smtp/session/session.h"

namespace mailroom::smtp {

asio::awaitable<bool> Session::CmdSimple(const Command& c) {
  switch (c.verb) {
    case Verb::kRset:
      ResetTransaction();
      co_return co_await Send(250, "2.0.0", "Reset");
    case Verb::kNoop:
      co_return co_await Send(250, "2.0.0", "OK");
    case Verb::kQuit:
      co_await Send(221, "2.0.0", absl::StrCat(config_.hostname, " Bye"));
      co_return false;
    case Verb::kVrfy: {
      // RFC 5321 §3.5.3: 252 when we will not verify (the default: no address harvesting).
      if (c.args.empty()) co_return co_await Error(501, "5.5.4", "VRFY needs an argument");
      if (!config_.vrfy) {
        co_return co_await Send(252, "2.1.5", "Cannot VRFY user, but will accept message");
      }
      std::string address = c.args;
      if (address.size() > 2 && address.front() == '<' && address.back() == '>') {
        address = address.substr(1, address.size() - 2);
      }
      store_client::v1::ResolveAddressRequest request;
      request.set_address(address);
      absl::StatusOr<store_client::v1::ResolveAddressResponse> r =
          co_await context_.store.ResolveAddress(std::move(request));
      if (!r.ok() || !r->is_local_domain()) {
        co_return co_await Send(252, "2.1.5", "Cannot VRFY user, but will accept message");
      }
      if (!r->has_principal()) co_return co_await Send(550, "5.1.1", "No such user here");
      co_return co_await Send(250, "2.1.5", absl::StrCat("<", address, ">"));
    }
    case Verb::kExpn:
      co_return co_await Send(502, "5.5.1", "EXPN not available");
    case Verb::kHelp: {
      const std::string help = FormatMultiline(
          214, {"2.0.0 Mailroom SMTP. Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT",
                "2.0.0 VRFY HELP STARTTLS AUTH. See RFC 5321."});
      co_return co_await SendRaw(help);
    }
    default:
      co_return co_await Error(500, "5.5.2", "Command not recognised");
  }
}

}  // namespace mailroom::smtp
