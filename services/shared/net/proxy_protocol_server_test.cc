// Server with PROXY protocol listeners, over real sockets on 127.0.0.1: the header's source
// becomes the peer (for the handler and the connection limits), the octets after it reach the
// handler or the implicit-TLS handshake untouched, and connections without a valid header are
// closed before any handler runs. A listener without the option passes a header through as
// ordinary input and keeps the real peer.
#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/ssl.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/metrics/registry.h"
#include "services/shared/net/server.h"
#include "services/shared/net/testing/self_signed_cert.h"
#include "services/shared/net/tls_context.h"

namespace mailroom::net {
namespace {

using ::testing::HasSubstr;

constexpr auto kClientTimeout = std::chrono::seconds(5);

// A test client whose every operation gives up after kClientTimeout.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(io_) {
    std::error_code ec = Await([&](auto done) {
      socket_.async_connect({asio::ip::make_address("127.0.0.1"), port}, done);
    });
    EXPECT_FALSE(ec) << ec.message();
    socket_.set_option(asio::ip::tcp::no_delay(true));
  }

  void Send(const std::string& data) {
    std::error_code ec = Await([&](auto done) {
      if (tls_) {
        asio::async_write(*tls_, asio::buffer(data), done);
      } else {
        asio::async_write(socket_, asio::buffer(data), done);
      }
    });
    EXPECT_FALSE(ec) << ec.message();
  }

  // The next line without its CRLF, or "<eof>" / "<error>".
  std::string ReadLine() {
    std::error_code ec = Await([&](auto done) {
      if (tls_) {
        asio::async_read_until(*tls_, asio::dynamic_buffer(pending_), '\n', done);
      } else {
        asio::async_read_until(socket_, asio::dynamic_buffer(pending_), '\n', done);
      }
    });
    size_t end = pending_.find('\n');
    if (end == std::string::npos) return ec == asio::error::eof ? "<eof>" : "<error>";
    std::string line = pending_.substr(0, end);
    pending_.erase(0, end + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }

  bool StartTls() {
    context_.set_verify_mode(asio::ssl::verify_none);
    tls_.emplace(socket_, context_);
    std::error_code ec =
        Await([&](auto done) { tls_->async_handshake(asio::ssl::stream_base::client, done); });
    return !ec;
  }

 private:
  template <typename Initiate>
  std::error_code Await(Initiate initiate) {
    std::optional<std::error_code> result;
    initiate([&result](std::error_code ec, size_t = 0) { result = ec; });
    io_.restart();
    io_.run_for(kClientTimeout);
    if (result.has_value()) return *result;
    std::error_code ignored;
    socket_.cancel(ignored);
    io_.restart();
    io_.run_for(std::chrono::seconds(1));
    return asio::error::timed_out;
  }

  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  asio::ssl::context context_{asio::ssl::context::tls_client};
  std::optional<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  std::string pending_;
};

std::string V2Inet(std::initializer_list<int> source, int source_port) {
  std::string h("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c", 16);
  for (int b : source) h.push_back(static_cast<char>(b));
  for (int b : {10, 0, 0, 9}) h.push_back(static_cast<char>(b));
  h.push_back(static_cast<char>(source_port >> 8));
  h.push_back(static_cast<char>(source_port & 0xff));
  h.push_back(0);
  h.push_back(25);
  return h;
}

class ProxyServerTest : public ::testing::Test {
 protected:
  // Listeners "proxied" (PROXY protocol), "plain" (none) and, with TLS, "proxied_tls".
  void StartServer(bool with_tls = false, size_t max_per_ip = 20) {
    ServerConfig config;
    config.listeners.push_back({"proxied", "127.0.0.1", 0, false, true});
    config.listeners.push_back({"plain", "127.0.0.1", 0, false, false});
    std::shared_ptr<TlsContext> tls;
    if (with_tls) {
      absl::StatusOr<testing::PemFiles> pem = testing::WriteSelfSignedCert();
      ASSERT_TRUE(pem.ok());
      pem_ = *pem;
      absl::StatusOr<std::shared_ptr<TlsContext>> t =
          TlsContext::FromPemFiles(pem_->cert_path, pem_->key_path);
      ASSERT_TRUE(t.ok());
      tls = *t;
      config.listeners.push_back({"proxied_tls", "127.0.0.1", 0, true, true});
    }
    config.max_connections_per_ip = max_per_ip;
    config.limits.proxy_header_timeout = absl::Milliseconds(300);
    config.drain_grace = absl::Milliseconds(200);
    // Answers each line with the connection's view of its peer, until "QUIT".
    auto handler = [this](Connection& c) -> asio::awaitable<void> {
      handled_.fetch_add(1);
      for (;;) {
        absl::StatusOr<Line> line = co_await c.ReadCommandLine();
        if (!line.ok()) co_return;
        const PeerInfo& p = c.peer();
        co_await c.Write(absl::StrCat(p.address, " ", p.port, " ", p.local_address, " ",
                                      p.local_port, " loopback=", p.loopback ? 1 : 0,
                                      " tls=", c.IsTls() ? 1 : 0, " [", line->text, "]\r\n"));
        if (line->text == "QUIT") co_return;
      }
    };
    auto refuse = [](Connection& c, Refusal r) -> asio::awaitable<void> {
      co_await c.Write(absl::StrCat("refused ", RefusalName(r), "\r\n"));
    };
    server_.emplace(config, tls, handler, refuse, &registry_);
    ASSERT_TRUE(server_->Start().ok());
  }

  void TearDown() override {
    if (server_) server_->Drain();
    if (pem_) testing::RemovePemFiles(*pem_);
  }

  uint16_t Port(const char* name) { return server_->BoundPort(name); }

  metrics::Registry registry_;
  std::optional<testing::PemFiles> pem_;
  std::optional<Server> server_;
  std::atomic<int> handled_{0};
};

TEST_F(ProxyServerTest, V2HeaderSetsThePeerAndKeepsWhatFollows) {
  StartServer();
  Client client(Port("proxied"));
  client.Send(V2Inet({203, 0, 113, 7}, 4242) + "EHLO a\r\n");
  EXPECT_EQ(client.ReadLine(), "203.0.113.7 4242 10.0.0.9 25 loopback=0 tls=0 [EHLO a]");
}

TEST_F(ProxyServerTest, V1HeaderInPiecesSetsThePeer) {
  StartServer();
  Client client(Port("proxied"));
  client.Send("PROXY TCP6 2001:db8::7 ");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  client.Send("2001:db8::1 61000 143\r");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  client.Send("\nA1 NOOP\r\n");
  EXPECT_EQ(client.ReadLine(), "2001:db8::7 61000 2001:db8::1 143 loopback=0 tls=0 [A1 NOOP]");
}

TEST_F(ProxyServerTest, LocalCommandKeepsTheRealPeer) {
  StartServer();
  Client client(Port("proxied"));
  client.Send(std::string("\r\n\r\n\0\r\nQUIT\n\x20\x00\x00\x00", 16) + "HELLO\r\n");
  EXPECT_THAT(client.ReadLine(), HasSubstr("127.0.0.1 "));
}

TEST_F(ProxyServerTest, MissingHeaderClosesBeforeTheHandler) {
  StartServer();
  {
    Client client(Port("proxied"));
    client.Send("EHLO spoofer\r\n");
    EXPECT_EQ(client.ReadLine(), "<eof>");
  }
  {
    Client silent(Port("proxied"));  // says nothing: closed after proxy_header_timeout
    EXPECT_EQ(silent.ReadLine(), "<eof>");
  }
  EXPECT_EQ(handled_.load(), 0);
  EXPECT_THAT(registry_.Render(),
              HasSubstr("mailroom_net_proxy_header_failures_total{listener=\"proxied\"} 2"));
}

TEST_F(ProxyServerTest, ListenerWithoutTheOptionTreatsAHeaderAsInput) {
  StartServer();
  Client client(Port("plain"));
  client.Send("PROXY TCP4 203.0.113.7 10.0.0.9 4242 25\r\n");
  EXPECT_THAT(client.ReadLine(),
              ::testing::StartsWith("127.0.0.1 "));  // the real peer, not the claimed one
  client.Send("QUIT\r\n");
  EXPECT_THAT(client.ReadLine(), HasSubstr("[QUIT]"));
}

TEST_F(ProxyServerTest, ConnectionLimitsCountTheProxiedClient) {
  StartServer(/*with_tls=*/false, /*max_per_ip=*/1);
  Client first(Port("proxied"));
  first.Send(V2Inet({198, 51, 100, 1}, 1000) + "ONE\r\n");
  EXPECT_THAT(first.ReadLine(), HasSubstr("[ONE]"));
  // Same balancer address (127.0.0.1), another client: admitted.
  Client other(Port("proxied"));
  other.Send(V2Inet({198, 51, 100, 2}, 1000) + "TWO\r\n");
  EXPECT_THAT(other.ReadLine(), HasSubstr("[TWO]"));
  // The first client again: over its limit of one.
  Client again(Port("proxied"));
  again.Send(V2Inet({198, 51, 100, 1}, 1001));
  EXPECT_THAT(again.ReadLine(), HasSubstr("refused"));
}

TEST_F(ProxyServerTest, ImplicitTlsStartsAfterTheHeader) {
  StartServer(/*with_tls=*/true);
  Client client(Port("proxied_tls"));
  client.Send(V2Inet({192, 0, 2, 55}, 5555));
  ASSERT_TRUE(client.StartTls());
  client.Send("HELLO\r\n");
  EXPECT_EQ(client.ReadLine(), "192.0.2.55 5555 10.0.0.9 25 loopback=0 tls=1 [HELLO]");
}

}  // namespace
}  // namespace mailroom::net
