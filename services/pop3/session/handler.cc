#include "services/pop3/session/handler.h"

#include "services/pop3/protocol/reply.h"

namespace mailroom::pop3 {

net::Server::Handler MakeHandler(SessionContext context) {
  return [context](net::Connection& connection) -> asio::awaitable<void> {
    Session session(connection, context);
    co_await session.Run();
  };
}

asio::awaitable<void> RefuseConnection(net::Connection& connection, net::Refusal refusal) {
  const char* text = refusal == net::Refusal::kShuttingDown ? "server shutting down"
                     : refusal == net::Refusal::kTooManyFromAddress
                         ? "too many connections from your address"
                         : "too many connections";
  co_await connection.Write(ErrReply(RespCode::kSysTemp, text));
}

}  // namespace mailroom::pop3
