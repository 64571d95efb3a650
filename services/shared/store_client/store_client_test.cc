// Unary calls, status mapping, retries, deadlines and cancellation of StoreClient, against an
// in-process fake store on loopback.
#include "services/shared/store_client/store_client.h"

#include <chrono>

#include "asio/bind_cancellation_slot.hpp"
#include "asio/cancellation_signal.hpp"
#include "asio/steady_timer.hpp"
#include "asio/use_awaitable.hpp"
#include "gmock/gmock.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"
#include "services/shared/store_client/channel.h"
#include "services/shared/store_client/status_mapping.h"
#include "services/shared/store_client/store_client_test_fixture.h"

namespace mailroom::store_client::testing {
namespace {

using ::mailroom::testing::IsOk;
using ::mailroom::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Property;

TEST(StatusMappingTest, KeepsEveryCodeAndMessage) {
  for (int code = 0; code <= 16; ++code) {
    const grpc::Status in(static_cast<grpc::StatusCode>(code), code == 0 ? "" : "detail");
    const absl::Status out = FromGrpcStatus(in);
    EXPECT_EQ(static_cast<int>(out.code()), code);
    if (code != 0) {
      EXPECT_EQ(out.message(), "detail");
    }
    EXPECT_EQ(static_cast<int>(ToGrpcStatus(out).error_code()), code);
  }
  EXPECT_THAT(FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "no such mailbox")),
              StatusIs(absl::StatusCode::kNotFound, "no such mailbox"));
  EXPECT_THAT(FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(99), "odd")),
              StatusIs(absl::StatusCode::kUnknown, "odd"));
}

TEST(ChannelTest, ServiceConfigSelectsRoundRobin) {
  EXPECT_THAT(StoreServiceConfigJson(), HasSubstr("\"round_robin\""));
  EXPECT_EQ(Options().target, "dns:///127.0.0.1:50051");
}

TEST(ChannelTest, RejectsBadOptions) {
  Options options;
  options.target = "";
  EXPECT_THAT(CreateStoreChannel(options), StatusIs(absl::StatusCode::kInvalidArgument));
  options.target = "dns:///127.0.0.1:50051";
  options.tls_ca_file = "/nonexistent/ca.pem";
  EXPECT_THAT(CreateStoreChannel(options), StatusIs(absl::StatusCode::kNotFound));
  options.tls_cert_file = "/nonexistent/cert.pem";
  EXPECT_THAT(CreateStoreChannel(options), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(StoreClientTest, UnaryCallReturnsResponse) {
  v1::GetQuotaRequest request;
  request.set_user_id(1);
  absl::StatusOr<v1::GetQuotaResponse> response = Run(client_->GetQuota(request));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->quota_bytes(), 1000u);
  EXPECT_EQ(response->used_bytes(), 10u);
}

TEST_F(StoreClientTest, MapsStoreErrorCodeAndMessage) {
  v1::GetQuotaRequest request;
  request.set_user_id(2);
  EXPECT_THAT(Run(client_->GetQuota(request)),
              StatusIs(absl::StatusCode::kNotFound, "no such user"));
}

TEST_F(StoreClientTest, EmptyResponseRpcReturnsStatus) {
  v1::DeleteMailboxRequest request;
  request.set_name("Trash");
  EXPECT_THAT(Run(client_->DeleteMailbox(request)), IsOk());
  request.set_name("Nope");
  EXPECT_THAT(Run(client_->DeleteMailbox(request)), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(StoreClientTest, RetriesIdempotentReadOnUnavailable) {
  fake_.list_unavailable = 2;
  absl::StatusOr<v1::ListMailboxesResponse> response =
      Run(client_->ListMailboxes(v1::ListMailboxesRequest()));
  ASSERT_THAT(response, IsOk());
  EXPECT_THAT(response->mailboxes(),
              ElementsAre(Property(&v1::MailboxInfo::name, "INBOX"),
                          Property(&v1::MailboxInfo::name, "Sent")));
  EXPECT_EQ(fake_.list_calls.load(), 3);
}

TEST_F(StoreClientTest, GivesUpAfterMaxRetries) {
  fake_.list_unavailable = 100;
  EXPECT_THAT(Run(client_->ListMailboxes(v1::ListMailboxesRequest())),
              StatusIs(absl::StatusCode::kUnavailable, "database down"));
  EXPECT_EQ(fake_.list_calls.load(), 1 + options_.max_retries);
}

TEST_F(StoreClientTest, NeverRetriesWrite) {
  v1::CreateMailboxRequest request;
  request.set_name("Archive");
  EXPECT_THAT(Run(client_->CreateMailbox(request)),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(fake_.create_calls.load(), 1);
}

TEST_F(StoreClientTest, UnaryCallHasDeadline) {
  Options options = options_;
  options.unary_deadline = absl::Milliseconds(200);
  options.max_retries = 0;
  std::optional<StoreClient> client = MakeClient(options);
  ASSERT_TRUE(client.has_value());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(Run(client->GetMailboxStatus(v1::GetMailboxStatusRequest())),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

// Unary calls wait for a connection (wait-for-ready) until their deadline: an unreachable store
// costs the deadline, not an instant failure that a reconnect a moment later would have saved.
TEST_F(StoreClientTest, UnreachableStoreFailsAtTheDeadline) {
  Options options = options_;
  options.target = "dns:///127.0.0.1:1";  // loopback, nothing listens on port 1
  options.max_retries = 1;
  options.unary_deadline = absl::Milliseconds(300);
  std::optional<StoreClient> client = MakeClient(options);
  ASSERT_TRUE(client.has_value());
  v1::GetQuotaRequest request;
  request.set_user_id(1);
  auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(Run(client->GetQuota(request)), StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(StoreClientTest, AsioCancellationCancelsCall) {
  asio::cancellation_signal signal;
  std::optional<absl::StatusOr<v1::GetMailboxStatusResponse>> result;
  asio::co_spawn(io_, client_->GetMailboxStatus(v1::GetMailboxStatusRequest()),
                 asio::bind_cancellation_slot(
                     signal.slot(), [&](std::exception_ptr error,
                                        absl::StatusOr<v1::GetMailboxStatusResponse> r) {
                       if (error) std::rethrow_exception(error);
                       result = std::move(r);
                     }));
  asio::steady_timer timer(io_, std::chrono::milliseconds(100));
  timer.async_wait([&](std::error_code) { signal.emit(asio::cancellation_type::terminal); });
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(RunUntil([&] { return result.has_value(); }));
  EXPECT_THAT(*result, StatusIs(absl::StatusCode::kCancelled));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace mailroom::store_client::testing
