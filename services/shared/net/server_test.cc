// Server, TcpStream, TlsContext and LineReader over real sockets on 127.0.0.1 (ephemeral ports):
// line framing across packets, limits, idle timeout, large counted reads, STARTTLS and implicit
// TLS with a real TLS client, connection limits, drain and the signal path.
#include "services/shared/net/server.h"

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/ssl.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <csignal>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/metrics/registry.h"
#include "services/shared/net/testing/self_signed_cert.h"
#include "services/shared/net/tls_context.h"

namespace mailroom::net {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;

constexpr auto kClientTimeout = std::chrono::seconds(5);

// A blocking-style test client: every operation runs a private io_context for at most
// kClientTimeout, so a server bug fails the test instead of hanging it.
class TestClient {
 public:
  explicit TestClient(uint16_t port) : socket_(io_) {
    std::error_code ec = Await([&](auto handler) {
      socket_.async_connect({asio::ip::make_address("127.0.0.1"), port}, handler);
    });
    EXPECT_FALSE(ec) << ec.message();
    socket_.set_option(asio::ip::tcp::no_delay(true));
  }

  void Send(absl::string_view data) {
    std::string copy(data);
    std::error_code ec = Await([&](auto handler) {
      if (tls_) {
        asio::async_write(*tls_, asio::buffer(copy), handler);
      } else {
        asio::async_write(socket_, asio::buffer(copy), handler);
      }
    });
    EXPECT_FALSE(ec) << ec.message();
  }

  // The next line without CRLF, or "<eof>" / "<timeout>" / "<error: ...>".
  std::string ReadLine() {
    std::error_code ec = Await([&](auto handler) {
      if (tls_) {
        asio::async_read_until(*tls_, asio::dynamic_buffer(pending_), '\n', handler);
      } else {
        asio::async_read_until(socket_, asio::dynamic_buffer(pending_), '\n', handler);
      }
    });
    size_t end = pending_.find('\n');
    if (end == std::string::npos) {
      if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return "<eof>";
      if (ec == asio::error::timed_out) return "<timeout>";
      return "<error: " + ec.message() + ">";
    }
    std::string line = pending_.substr(0, end);
    pending_.erase(0, end + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }

  // Client side of a TLS handshake over the existing connection.
  bool StartTls() {
    client_context_.set_verify_mode(asio::ssl::verify_none);
    tls_.emplace(socket_, client_context_);
    std::error_code ec = Await(
        [&](auto handler) { tls_->async_handshake(asio::ssl::stream_base::client, handler); });
    EXPECT_FALSE(ec) << ec.message();
    return !ec;
  }

  void Close() {
    std::error_code ignored;
    socket_.close(ignored);
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
  asio::ssl::context client_context_{asio::ssl::context::tls_client};
  std::optional<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  std::string pending_;
};

// The protocol the tests speak: "HI" on connect, then one reply per command.
//   <text>          -> "LINE <text> CRLF|LF"      (over-long: "TOOLONG")
//   LIT <n>         -> reads n bytes in chunks -> "GOT <n> <byte sum> <largest chunk>"
//   STARTTLS        -> "GO", handshake, then "TLS <discarded> <version>" or "NOTLS <code>"
//   INFO            -> "INFO tls=<0|1> loopback=<0|1> peer=<address>"
//   SLOW <ms>       -> waits, then "DONE"         HANG -> waits 60 s ignoring drain
//   QUIT            -> "BYE"
// Idle timeout: "TIMEOUT"; drain: "BYE draining".
asio::awaitable<void> TestProtocol(Connection& conn) {
  if (!(co_await conn.Write("HI\r\n")).ok()) co_return;
  for (int commands = 0; commands < 1000; ++commands) {
    absl::StatusOr<Line> line = co_await conn.ReadCommandLine();
    std::string reply;
    if (IsLineTooLong(line.status())) {
      reply = "TOOLONG";
    } else if (IsTimeout(line.status())) {
      co_await conn.Write("TIMEOUT\r\n");
      co_return;
    } else if (IsCancelledByServer(line.status()) && conn.draining()) {
      co_await conn.Write("BYE draining\r\n");
      co_return;
    } else if (!line.ok()) {
      co_return;
    } else {
      std::string text(line->text);
      std::vector<std::string> words = absl::StrSplit(text, ' ');
      size_t n = 0;
      if (words.size() == 2 && words[0] == "LIT" && absl::SimpleAtoi(words[1], &n)) {
        uint64_t sum = 0;
        size_t largest = 0;
        absl::Status read = co_await conn.reader().ReadExactly(n, [&](absl::string_view chunk) {
          for (unsigned char c : chunk) sum += c;
          largest = std::max(largest, chunk.size());
          return absl::OkStatus();
        });
        if (!read.ok()) co_return;
        reply = absl::StrCat("GOT ", n, " ", sum, " ", largest);
      } else if (text == "STARTTLS") {
        co_await conn.Write("GO\r\n");
        absl::Status tls = co_await conn.StartTls();
        if (!tls.ok()) {
          co_await conn.Write(absl::StrCat("NOTLS ", absl::StatusCodeToString(tls.code()), "\r\n"));
          if (conn.IsTls()) co_return;
          continue;
        }
        reply = absl::StrCat("TLS ", conn.discarded_before_tls(), " ",
                             conn.stream().GetTlsInfo()->version, " ",
                             conn.stream().GetTlsInfo()->cipher);
      } else if (text == "INFO") {
        reply = absl::StrCat("INFO tls=", conn.IsTls(), " loopback=", conn.IsLoopback(),
                             " peer=", conn.peer().address);
      } else if (words.size() == 2 && words[0] == "SLOW" && absl::SimpleAtoi(words[1], &n)) {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(std::chrono::milliseconds(n));
        co_await timer.async_wait(asio::use_awaitable);
        reply = "DONE";
      } else if (text == "HANG") {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(std::chrono::seconds(60));
        co_await timer.async_wait(asio::use_awaitable);
        co_return;
      } else if (text == "QUIT") {
        co_await conn.Write("BYE\r\n");
        co_return;
      } else {
        reply = absl::StrCat("LINE ", text, line->ending == LineEnding::kCrlf ? " CRLF" : " LF");
      }
    }
    if (!(co_await conn.Write(reply + "\r\n")).ok()) co_return;
  }
}

asio::awaitable<void> TestRefuse(Connection& conn, Refusal refusal) {
  co_await conn.Write(absl::StrCat("421 ", RefusalName(refusal), "\r\n"));
}

class NetServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<testing::PemFiles> files = testing::WriteSelfSignedCert();
    ASSERT_TRUE(files.ok()) << files.status();
    pem_ = new testing::PemFiles(*files);
  }
  static void TearDownTestSuite() {
    testing::RemovePemFiles(*pem_);
    delete pem_;
  }

  NetServerTest() {
    config_.threads = 2;
    config_.listeners = {{"plain", "127.0.0.1", 0, false}, {"tls", "127.0.0.1", 0, true}};
    config_.drain_grace = absl::Seconds(5);
  }

  void StartServer() {
    absl::StatusOr<std::shared_ptr<TlsContext>> tls =
        TlsContext::FromPemFiles(pem_->cert_path, pem_->key_path);
    ASSERT_TRUE(tls.ok()) << tls.status();
    server_ = std::make_unique<Server>(config_, *tls, TestProtocol, TestRefuse, &registry_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->BoundPort("plain");
    ASSERT_NE(port_, 0);
  }

  // Waits (bounded) until the server counts `n` active connections.
  void WaitForActive(size_t n) {
    for (int i = 0; i < 500 && server_->ActiveConnections() != n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(server_->ActiveConnections(), n);
  }

  static testing::PemFiles* pem_;
  ServerConfig config_;
  metrics::Registry registry_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

testing::PemFiles* NetServerTest::pem_ = nullptr;

TEST_F(NetServerTest, LinesSplitAcrossPackets) {
  StartServer();
  TestClient client(port_);
  EXPECT_EQ(client.ReadLine(), "HI");
  client.Send("HEL");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  client.Send("LO\r");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  client.Send("\nNO");
  client.Send("OP\n");
  EXPECT_EQ(client.ReadLine(), "LINE HELLO CRLF");
  EXPECT_EQ(client.ReadLine(), "LINE NOOP LF");
  client.Send("INFO\r\n");
  EXPECT_EQ(client.ReadLine(), "INFO tls=0 loopback=1 peer=127.0.0.1");
}

TEST_F(NetServerTest, ByteByByte) {
  StartServer();
  TestClient client(port_);
  EXPECT_EQ(client.ReadLine(), "HI");
  for (char c : std::string("A1 NOOP\r\n")) client.Send(std::string(1, c));
  EXPECT_EQ(client.ReadLine(), "LINE A1 NOOP CRLF");
}

TEST_F(NetServerTest, OverlongLineIsSkippedAndSessionContinues) {
  config_.limits.max_line_length = 64;
  StartServer();
  TestClient client(port_);
  EXPECT_EQ(client.ReadLine(), "HI");
  client.Send(std::string(200000, 'x') + "\r\nNOOP\r\n");
  EXPECT_EQ(client.ReadLine(), "TOOLONG");
  EXPECT_EQ(client.ReadLine(), "LINE NOOP CRLF");
}

TEST_F(NetServerTest, IdleTimeoutFires) {
  config_.limits.idle_timeout = absl::Milliseconds(200);
  StartServer();
  TestClient client(port_);
  Clock::time_point start = Clock::now();
  EXPECT_EQ(client.ReadLine(), "HI");
  EXPECT_EQ(client.ReadLine(), "TIMEOUT");
  EXPECT_EQ(client.ReadLine(), "<eof>");
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(190));
  WaitForActive(0);
}

TEST_F(NetServerTest, ReadExactlyLargePayloadInChunks) {
  StartServer();
  TestClient client(port_);
  EXPECT_EQ(client.ReadLine(), "HI");
  std::string payload(4 * 1024 * 1024, '\0');
  uint64_t sum = 0;
  for (size_t i = 0; i < payload.size(); ++i) {
    payload[i] = static_cast<char>(i * 7 % 251);
    sum += static_cast<unsigned char>(payload[i]);
  }
  client.Send(absl::StrCat("LIT ", payload.size(), "\r\n"));
  client.Send(payload);
  client.Send("NOOP\r\n");
  std::string got = client.ReadLine();
  EXPECT_THAT(got, StartsWith(absl::StrCat("GOT ", payload.size(), " ", sum, " ")));
  std::vector<std::string> words = absl::StrSplit(got, ' ');
  size_t largest = 0;
  ASSERT_TRUE(absl::SimpleAtoi(words.back(), &largest));
  EXPECT_LE(largest, config_.limits.read_buffer_size);
  EXPECT_EQ(client.ReadLine(), "LINE NOOP CRLF");
}

TEST_F(NetServerTest, PerAddressLimitRefusesWithGoodbye) {
  config_.max_connections_per_ip = 2;
  StartServer();
  auto first = std::make_unique<TestClient>(port_);
  TestClient second(port_);
  EXPECT_EQ(first->ReadLine(), "HI");
  EXPECT_EQ(second.ReadLine(), "HI");
  TestClient third(port_);
  EXPECT_EQ(third.ReadLine(), "421 too_many_from_address");
  EXPECT_EQ(third.ReadLine(), "<eof>");
  first->Send("QUIT\r\n");
  EXPECT_EQ(first->ReadLine(), "BYE");
  first.reset();
  WaitForActive(1);
  TestClient fourth(port_);
  EXPECT_EQ(fourth.ReadLine(), "HI");
  EXPECT_THAT(registry_.Render(),
              HasSubstr("mailroom_net_connections_refused_total{listener=\"plain\","
                        "reason=\"too_many_from_address\"} 1\n"));
  EXPECT_THAT(registry_.Render(),
              HasSubstr("mailroom_net_connections_accepted_total{listener=\"plain\"} 3\n"));
}

TEST_F(NetServerTest, TotalLimitRefuses) {
  config_.max_connections = 1;
  StartServer();
  TestClient first(port_);
  EXPECT_EQ(first.ReadLine(), "HI");
  TestClient second(port_);
  EXPECT_EQ(second.ReadLine(), "421 too_many_connections");
}

TEST_F(NetServerTest, StartTlsUpgradesInPlace) {
  StartServer();
  TestClient client(port_);
  EXPECT_EQ(client.ReadLine(), "HI");
  client.Send("STARTTLS\r\n");
  EXPECT_EQ(client.ReadLine(), "GO");
  ASSERT_TRUE(client.StartTls());
  std::string reply = client.ReadLine();
  EXPECT_THAT(reply, StartsWith("TLS 0 TLSv1."));
  client.Send("INFO\r\n");
  EXPECT_EQ(client.ReadLine(), "INFO tls=1 loopback=1 peer=127.0.0.1");
  client.Send("STARTTLS\r\n");
  EXPECT_EQ(client.ReadLine(), "GO");
  EXPECT_EQ(client.ReadLine(), "NOTLS FAILED_PRECONDITION");
}

TEST_F(NetServerTest, PlaintextPipelinedAfterStartTlsIsDiscarded) {
  StartServer();
  TestClient client(port_);
  EXPECT_EQ(client.ReadLine(), "HI");
  client.Send("STARTTLS\r\nEVIL\r\n");  // one segment: both arrive in the server's buffer
  EXPECT_EQ(client.ReadLine(), "GO");
  ASSERT_TRUE(client.StartTls());
  EXPECT_THAT(client.ReadLine(), StartsWith("TLS 6 TLSv1."));
  client.Send("NOOP\r\n");
  EXPECT_EQ(client.ReadLine(), "LINE NOOP CRLF");  // not "LINE EVIL CRLF"
}

TEST_F(NetServerTest, ImplicitTlsListener) {
  StartServer();
  TestClient client(server_->BoundPort("tls"));
  ASSERT_TRUE(client.StartTls());
  EXPECT_EQ(client.ReadLine(), "HI");
  client.Send("INFO\r\n");
  EXPECT_EQ(client.ReadLine(), "INFO tls=1 loopback=1 peer=127.0.0.1");
}

TEST_F(NetServerTest, ImplicitTlsHandshakeTimeout) {
  config_.limits.tls_handshake_timeout = absl::Milliseconds(200);
  StartServer();
  TestClient client(server_->BoundPort("tls"));  // never starts the handshake
  EXPECT_EQ(client.ReadLine(), "<eof>");
  WaitForActive(0);
  EXPECT_THAT(registry_.Render(),
              HasSubstr("mailroom_net_tls_handshake_failures_total{listener=\"tls\"} 1\n"));
}

TEST_F(NetServerTest, DrainLetsCommandsFinishAndSaysGoodbye) {
  StartServer();
  TestClient idle(port_);
  TestClient busy(port_);
  EXPECT_EQ(idle.ReadLine(), "HI");
  EXPECT_EQ(busy.ReadLine(), "HI");
  busy.Send("SLOW 300\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let SLOW start
  Clock::time_point start = Clock::now();
  server_->Drain();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));  // well inside the 5 s grace
  EXPECT_EQ(idle.ReadLine(), "BYE draining");
  EXPECT_EQ(idle.ReadLine(), "<eof>");
  EXPECT_EQ(busy.ReadLine(), "DONE");
  EXPECT_EQ(busy.ReadLine(), "BYE draining");
  EXPECT_EQ(server_->ActiveConnections(), 0u);
}

TEST_F(NetServerTest, DrainForceClosesAfterGrace) {
  config_.drain_grace = absl::Milliseconds(300);
  config_.drain_close_wait = absl::Milliseconds(300);
  StartServer();
  TestClient stuck(port_);
  EXPECT_EQ(stuck.ReadLine(), "HI");
  stuck.Send("HANG\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Clock::time_point start = Clock::now();
  server_->Drain();
  auto took = Clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(290));
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_EQ(stuck.ReadLine(), "<eof>");
  server_->Drain();  // idempotent
}

TEST_F(NetServerTest, RunReturnsOkAfterSigterm) {
  absl::StatusOr<std::shared_ptr<TlsContext>> tls =
      TlsContext::FromPemFiles(pem_->cert_path, pem_->key_path);
  ASSERT_TRUE(tls.ok());
  Server server(config_, *tls, TestProtocol, TestRefuse);
  absl::Status run_status = absl::UnknownError("not returned");
  absl::Notification returned;
  std::thread runner([&] {
    run_status = server.Run();
    returned.Notify();
  });
  for (int i = 0; i < 500 && server.BoundPort("plain") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_NE(server.BoundPort("plain"), 0);
  TestClient client(server.BoundPort("plain"));
  EXPECT_EQ(client.ReadLine(), "HI");
  std::raise(SIGTERM);
  EXPECT_EQ(client.ReadLine(), "BYE draining");
  EXPECT_TRUE(returned.WaitForNotificationWithTimeout(absl::Seconds(10)));
  runner.join();
  EXPECT_TRUE(run_status.ok()) << run_status;
}

TEST(NetServerConfigTest, StartErrors) {
  ServerConfig config;
  EXPECT_EQ(Server(config, nullptr, TestProtocol, nullptr).Start().code(),
            absl::StatusCode::kInvalidArgument);
  config.listeners = {{"x", "not-an-address", 0, false}};
  EXPECT_EQ(Server(config, nullptr, TestProtocol, nullptr).Start().code(),
            absl::StatusCode::kInvalidArgument);
  config.listeners = {{"x", "127.0.0.1", 0, true}};
  EXPECT_EQ(Server(config, nullptr, TestProtocol, nullptr).Start().code(),
            absl::StatusCode::kInvalidArgument);
  config.listeners = {{"x", "127.0.0.1", 0, false}};
  Server first(config, nullptr, TestProtocol, nullptr);
  ASSERT_TRUE(first.Start().ok());
  EXPECT_EQ(first.Start().code(), absl::StatusCode::kFailedPrecondition);
  config.listeners[0].port = first.BoundPort("x");
  EXPECT_EQ(Server(config, nullptr, TestProtocol, nullptr).Start().code(),
            absl::StatusCode::kUnavailable);
}

TEST(NetTlsContextTest, RejectsMissingOrMismatchedFiles) {
  absl::StatusOr<testing::PemFiles> a = testing::WriteSelfSignedCert("a.test");
  absl::StatusOr<testing::PemFiles> b = testing::WriteSelfSignedCert("b.test");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(TlsContext::FromPemFiles(a->cert_path, a->key_path).ok());
  EXPECT_EQ(TlsContext::FromPemFiles("/nonexistent/cert.pem", a->key_path).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TlsContext::FromPemFiles(a->cert_path, b->key_path).status().code(),
            absl::StatusCode::kInvalidArgument);
  testing::RemovePemFiles(*a);
  testing::RemovePemFiles(*b);
}

}  // namespace
}  // namespace mailroom::net
