// The network server's view of POP3: a handler that runs one Session per connection, and the
// goodbye for connections refused by the limits.
#ifndef MAILROOM_SERVICES_POP3_SESSION_HANDLER_H_
#define MAILROOM_SERVICES_POP3_SESSION_HANDLER_H_

#include <asio/awaitable.hpp>

#include "services/pop3/session/session.h"
#include "services/shared/net/server.h"

namespace mailroom::pop3 {

// Everything `context` refers to must outlive the server.
net::Server::Handler MakeHandler(SessionContext context);

// "-ERR [SYS/TEMP] ..." for a connection over the limits or during a drain (RFC 3206 §4).
asio::awaitable<void> RefuseConnection(net::Connection& connection, net::Refusal refusal);

}  // namespace mailroom::pop3

#endif  // MAILROOM_SERVICES_POP3_SESSION_HANDLER_H_
