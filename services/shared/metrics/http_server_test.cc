#include "services/shared/metrics/http_server.h"

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <string>
#include <system_error>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/metrics/registry.h"

namespace mailroom::metrics {
namespace {

using ::testing::AllOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Sends `request` to 127.0.0.1:`port` with a blocking socket and returns everything the server
// sent until it closed the connection.
std::string Exchange(uint16_t port, const std::string& request) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(request));
  std::string response;
  std::error_code ec;
  asio::read(socket, asio::dynamic_buffer(response), ec);
  EXPECT_EQ(ec, asio::error::eof);
  return response;
}

class MetricsHttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.AddCounter("requests_total", "Requests.", {"code"}).WithLabels({"200"}).Increment(7);
    server_ = std::make_unique<HttpServer>(HttpServerConfig{}, registry_,
                                           [this] { return healthy_.load(); },
                                           [this] { return ready_.load(); });
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }

  Registry registry_;
  std::atomic<bool> healthy_{true};
  std::atomic<bool> ready_{true};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(MetricsHttpServerTest, ServesMetrics) {
  std::string response =
      Exchange(server_->port(), "GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(response, HasSubstr("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  EXPECT_THAT(response, EndsWith("\r\n\r\n# HELP requests_total Requests.\n"
                                 "# TYPE requests_total counter\n"
                                 "requests_total{code=\"200\"} 7\n"));
}

TEST_F(MetricsHttpServerTest, HealthzFollowsCallback) {
  std::string ok = Exchange(server_->port(), "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_THAT(ok, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(ok, EndsWith("\r\n\r\nok\n"));
  healthy_ = false;
  std::string bad = Exchange(server_->port(), "GET /healthz HTTP/1.0\r\n\r\n");
  EXPECT_THAT(bad, StartsWith("HTTP/1.1 503 Service Unavailable\r\n"));
}

TEST_F(MetricsHttpServerTest, ReadyzFollowsItsOwnCallback) {
  EXPECT_THAT(Exchange(server_->port(), "GET /readyz HTTP/1.1\r\n\r\n"),
              AllOf(StartsWith("HTTP/1.1 200 OK\r\n"), EndsWith("\r\n\r\nready\n")));
  ready_ = false;
  EXPECT_THAT(Exchange(server_->port(), "GET /readyz HTTP/1.1\r\n\r\n"),
              StartsWith("HTTP/1.1 503 Service Unavailable\r\n"));
  // Liveness does not depend on readiness: a front end waiting for its store is not restarted.
  EXPECT_THAT(Exchange(server_->port(), "GET /healthz HTTP/1.1\r\n\r\n"),
              StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_F(MetricsHttpServerTest, HeadHasNoBody) {
  std::string response = Exchange(server_->port(), "HEAD /healthz HTTP/1.1\r\n\r\n");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(response, HasSubstr("Content-Length: 3\r\n"));
  EXPECT_THAT(response, EndsWith("\r\n\r\n"));
}

TEST_F(MetricsHttpServerTest, UnknownPathMethodAndGarbage) {
  EXPECT_THAT(Exchange(server_->port(), "GET /nope HTTP/1.1\r\n\r\n"),
              StartsWith("HTTP/1.1 404 Not Found\r\n"));
  EXPECT_THAT(Exchange(server_->port(), "POST /metrics HTTP/1.1\r\n\r\n"),
              StartsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
  EXPECT_THAT(Exchange(server_->port(), "hello\r\n\r\n"),
              StartsWith("HTTP/1.1 400 Bad Request\r\n"));
}

TEST_F(MetricsHttpServerTest, OversizedRequestIsRefused) {
  std::string huge = "GET /metrics HTTP/1.1\r\nX-Pad: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_THAT(Exchange(server_->port(), huge), StartsWith("HTTP/1.1 431 "));
}

TEST(MetricsHttpServerStandaloneTest, StopIsIdempotentAndFreesThePort) {
  Registry registry;
  HttpServer server(HttpServerConfig{}, registry, nullptr, nullptr);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kFailedPrecondition);
  server.Stop();
  server.Stop();
}

TEST(MetricsHttpServerStandaloneTest, BadAddress) {
  Registry registry;
  HttpServerConfig config;
  config.address = "not-an-ip";
  HttpServer server(config, registry, nullptr, nullptr);
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mailroom::metrics
