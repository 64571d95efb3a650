// Test fixture for store_client: an in-process FakeMailStore on 127.0.0.1 (port 0), a
// StoreClient reaching it through CreateStoreChannel (dns:/// + round_robin) and an
// io_context that drives the client's coroutines with bounded waits.
#ifndef MAILROOM_SERVICES_SHARED_STORE_CLIENT_STORE_CLIENT_TEST_FIXTURE_H_
#define MAILROOM_SERVICES_SHARED_STORE_CLIENT_STORE_CLIENT_TEST_FIXTURE_H_

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "asio/co_spawn.hpp"
#include "asio/executor_work_guard.hpp"
#include "asio/io_context.hpp"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "services/shared/store_client/fake_mail_store_for_test.h"
#include "services/shared/store_client/store_client.h"

namespace mailroom::store_client::testing {

class StoreClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&fake_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    options_.target = absl::StrCat("dns:///127.0.0.1:", port);
    options_.retry_initial_backoff = absl::Milliseconds(5);
    options_.retry_max_backoff = absl::Milliseconds(20);
    client_ = MakeClient(options_);
  }

  void TearDown() override {
    client_.reset();
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  }

  std::optional<StoreClient> MakeClient(const Options& options) {
    absl::StatusOr<StoreClient> client = StoreClient::Create(options);
    EXPECT_TRUE(client.ok()) << client.status();
    if (!client.ok()) return std::nullopt;
    return *std::move(client);
  }

  // Runs `awaitable` on io_ and returns its result; fails the test after 20 s.
  template <typename T>
  T Run(asio::awaitable<T> awaitable) {
    auto result = std::make_shared<std::optional<T>>();
    asio::co_spawn(io_, std::move(awaitable), [result](std::exception_ptr error, T value) {
      if (error) std::rethrow_exception(error);
      *result = std::move(value);
    });
    if (!RunUntil([&] { return result->has_value(); }, std::chrono::seconds(20))) {
      ADD_FAILURE() << "coroutine did not finish";
      return T(absl::DeadlineExceededError("test timed out"));
    }
    return std::move(**result);
  }

  // Runs io_ until `done()` or `limit` passed; returns done().
  bool RunUntil(const std::function<bool()>& done,
                std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    auto work = asio::make_work_guard(io_);
    io_.restart();
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < until) {
      io_.run_one_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  // Runs io_ for `duration` (to see that nothing more happens).
  void RunFor(std::chrono::milliseconds duration) {
    RunUntil([] { return false; }, duration);
  }

  FakeMailStore fake_;
  std::unique_ptr<grpc::Server> server_;
  Options options_;
  asio::io_context io_;
  std::optional<StoreClient> client_;
};

}  // namespace mailroom::store_client::testing

#endif  // MAILROOM_SERVICES_SHARED_STORE_CLIENT_STORE_CLIENT_TEST_FIXTURE_H_
