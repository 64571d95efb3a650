// Streaming calls of StoreClient (Append/Deliver, Fetch/Read, Watch) against an in-process
// fake store on loopback.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"
#include "services/shared/store_client/store_client.h"
#include "services/shared/store_client/store_client_test_fixture.h"

namespace mailroom::store_client::testing {
namespace {

using ::mailroom::testing::IsOk;
using ::mailroom::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string PatternBody(size_t size) {
  std::string body(size, '\0');
  for (size_t i = 0; i < size; ++i) body[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
  return body;
}

v1::DeliverMessageRequest::Header DeliverHeader(std::string transaction_id) {
  v1::DeliverMessageRequest::Header header;
  header.set_envelope_from("alice@example.test");
  header.add_recipients()->set_user_id(1);
  header.set_transaction_id(std::move(transaction_id));
  return header;
}

TEST_F(StoreClientTest, DeliverSendsMegabyteBodyInChunks) {
  const std::string body = PatternBody(1 << 20);
  absl::StatusOr<v1::DeliverMessageResponse> response =
      Run(client_->DeliverMessage(DeliverHeader(""), body));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->sha256(), "fake-digest");
  const FakeMailStore::Received received = fake_.last_received();
  EXPECT_TRUE(received.body == body) << "body differs, size " << received.body.size();
  EXPECT_EQ(received.chunks, 16);
  EXPECT_EQ(received.largest_chunk, kBodyChunkBytes);
  EXPECT_THAT(received.header_debug, HasSubstr("size: 1048576"));
}

TEST_F(StoreClientTest, DeliverWithTransactionIdIsRetried) {
  fake_.deliver_unavailable = 1;
  EXPECT_THAT(Run(client_->DeliverMessage(DeliverHeader("tx-1"), PatternBody(1000))), IsOk());
  EXPECT_EQ(fake_.deliver_calls.load(), 2);
  EXPECT_EQ(fake_.last_received().body, PatternBody(1000));
}

TEST_F(StoreClientTest, DeliverWithoutTransactionIdIsNotRetried) {
  fake_.deliver_unavailable = 1;
  EXPECT_THAT(Run(client_->DeliverMessage(DeliverHeader(""), PatternBody(1000))),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(fake_.deliver_calls.load(), 1);
}

TEST_F(StoreClientTest, DeliverWriterStreamsPieces) {
  const std::string body = PatternBody(1000 * 1000);
  absl::StatusOr<v1::DeliverMessageResponse> response =
      Run([&]() -> asio::awaitable<absl::StatusOr<v1::DeliverMessageResponse>> {
        DeliverWriter writer = client_->StartDeliverMessage(DeliverHeader("tx-2"));
        constexpr size_t kPiece = 10007;  // as SMTP DATA might arrive
        for (size_t offset = 0; offset < body.size(); offset += kPiece) {
          absl::Status written = co_await writer.Write(body.substr(offset, kPiece));
          if (!written.ok()) co_return written;
        }
        absl::StatusOr<v1::DeliverMessageResponse> first = co_await writer.Finish();
        absl::StatusOr<v1::DeliverMessageResponse> again = co_await writer.Finish();
        EXPECT_EQ(first.ok(), again.ok());
        // co_await stays out of macro and call arguments (see internal/core.h).
        absl::Status late = co_await writer.Write("late");
        EXPECT_THAT(late, StatusIs(absl::StatusCode::kFailedPrecondition));
        co_return first;
      }());
  ASSERT_THAT(response, IsOk());
  const FakeMailStore::Received received = fake_.last_received();
  EXPECT_TRUE(received.body == body) << "body differs, size " << received.body.size();
  EXPECT_LE(received.largest_chunk, kBodyChunkBytes);
  EXPECT_THAT(received.header_debug, HasSubstr("tx-2"));
}

TEST_F(StoreClientTest, CancelledWriterFinishesCancelled) {
  absl::StatusOr<v1::AppendMessageResponse> response =
      Run([&]() -> asio::awaitable<absl::StatusOr<v1::AppendMessageResponse>> {
        AppendWriter writer = client_->StartAppendMessage(v1::AppendMessageRequest::Header());
        absl::Status written = co_await writer.Write("From: a\r\n\r\nhi\r\n");
        EXPECT_THAT(written, IsOk());
        writer.Cancel();
        co_return co_await writer.Finish();
      }());
  EXPECT_THAT(response, StatusIs(absl::StatusCode::kCancelled));
}

TEST_F(StoreClientTest, AppendSendsHeaderAndBody) {
  v1::AppendMessageRequest::Header header;
  header.set_user_id(1);
  header.set_mailbox("Drafts");
  absl::StatusOr<v1::AppendMessageResponse> response =
      Run(client_->AppendMessage(header, "Subject: x\r\n\r\nbody\r\n"));
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->uid(), 42u);
  const FakeMailStore::Received received = fake_.last_received();
  EXPECT_EQ(received.body, "Subject: x\r\n\r\nbody\r\n");
  EXPECT_THAT(received.header_debug, HasSubstr("mailbox: \"Drafts\""));
  EXPECT_THAT(received.header_debug, HasSubstr("size: 20"));
}

TEST_F(StoreClientTest, AppendWriterSendsSeveralMessagesInOneStream) {
  v1::AppendMessageRequest::Header first;
  first.set_user_id(1);
  first.set_mailbox("INBOX");
  absl::StatusOr<v1::AppendMessageResponse> response =
      Run([&]() -> asio::awaitable<absl::StatusOr<v1::AppendMessageResponse>> {
        AppendWriter writer = client_->StartAppendMessage(first);
        absl::Status s = co_await writer.Write("one");
        if (!s.ok()) co_return s;
        v1::AppendMessageRequest::Header second;
        second.set_size(6);
        s = co_await writer.NextMessage(second);
        if (s.ok()) s = co_await writer.Write("two");
        if (s.ok()) s = co_await writer.Write("two");
        if (!s.ok()) co_return s;
        co_return co_await writer.Finish();
      }());
  ASSERT_THAT(response, IsOk());
  EXPECT_THAT(response->uids(), ElementsAre(42u, 43u));
  const FakeMailStore::Received received = fake_.last_received();
  EXPECT_EQ(received.messages, 2);
  EXPECT_EQ(received.body, "one|twotwo");
  EXPECT_THAT(received.header_debug, HasSubstr("mailbox: \"INBOX\" | size: 6"));
}

std::vector<uint32_t> Uids(const std::vector<v1::FetchedMessage>& messages) {
  std::vector<uint32_t> uids;
  for (const v1::FetchedMessage& m : messages) uids.push_back(m.uid());
  return uids;
}

TEST_F(StoreClientTest, FetchCollectsWholeStream) {
  absl::StatusOr<std::vector<v1::FetchedMessage>> messages =
      Run(client_->FetchMessages(v1::FetchMessagesRequest()));
  ASSERT_THAT(messages, IsOk());
  EXPECT_THAT(Uids(*messages), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  EXPECT_EQ((*messages)[9].body().size(), 1000u);
}

TEST_F(StoreClientTest, FetchRestartsAfterUnavailableMidStream) {
  fake_.fetch_unavailable = 1;
  absl::StatusOr<std::vector<v1::FetchedMessage>> messages =
      Run(client_->FetchMessages(v1::FetchMessagesRequest()));
  ASSERT_THAT(messages, IsOk());
  EXPECT_THAT(Uids(*messages), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  EXPECT_EQ(fake_.fetch_calls.load(), 2);
}

TEST_F(StoreClientTest, FetchIsBoundedInSize) {
  Options options = options_;
  options.max_collected_bytes = 3000;
  std::optional<StoreClient> client = MakeClient(options);
  ASSERT_TRUE(client.has_value());
  EXPECT_THAT(Run(client->FetchMessages(v1::FetchMessagesRequest())),
              StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST_F(StoreClientTest, ReadMessageCollectsBytes) {
  v1::ReadMessageRequest request;
  request.set_uid(1);
  absl::StatusOr<MessageBytes> bytes = Run(client_->ReadMessage(request));
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(bytes->total_size, kFakeMessageBytes);
  ASSERT_EQ(bytes->data.size(), kFakeMessageBytes);
  for (size_t i = 0; i < bytes->data.size(); ++i) {
    ASSERT_EQ(bytes->data[i], FakeMessageByte(i)) << "at " << i;
  }
  request.set_uid(2);
  EXPECT_THAT(Run(client_->ReadMessage(request)),
              StatusIs(absl::StatusCode::kNotFound, "no such message"));
}

TEST_F(StoreClientTest, MessageReaderYieldsChunks) {
  v1::ReadMessageRequest request;
  request.set_uid(1);
  absl::StatusOr<std::vector<std::string>> chunks =
      Run([&]() -> asio::awaitable<absl::StatusOr<std::vector<std::string>>> {
        MessageReader reader = client_->StartReadMessage(request);
        std::vector<std::string> out;
        for (int i = 0; i < 100; ++i) {
          absl::StatusOr<std::optional<v1::ReadMessageResponse>> next = co_await reader.Next();
          if (!next.ok()) co_return next.status();
          if (!next->has_value()) break;
          if (out.empty()) {
            EXPECT_EQ((*next)->total_size(), kFakeMessageBytes);
          }
          out.push_back((*next)->chunk());
        }
        absl::StatusOr<std::optional<v1::ReadMessageResponse>> after = co_await reader.Next();
        EXPECT_TRUE(after.ok() && !after->has_value());
        co_return out;
      }());
  ASSERT_THAT(chunks, IsOk());
  EXPECT_EQ(chunks->size(), 5u);  // 300000 bytes in 64 KiB chunks
  std::string joined;
  for (const std::string& c : *chunks) joined += c;
  ASSERT_EQ(joined.size(), kFakeMessageBytes);
  EXPECT_EQ(joined[123456], FakeMessageByte(123456));
}

TEST_F(StoreClientTest, WatchDeliversEventsInOrderAndCancelEndsStream) {
  std::vector<v1::ChangeEvent> events;
  std::optional<absl::Status> end;
  WatchHandle watch = client_->Watch(
      7, 3, io_.get_executor(),
      {.on_event = [&](v1::ChangeEvent event) { events.push_back(std::move(event)); },
       .on_end = [&](absl::Status status) { end = status; }});
  ASSERT_TRUE(RunUntil([&] { return events.size() >= 4; }));
  EXPECT_EQ(events[0].kind(), v1::ChangeEvent::KIND_READY);
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(events[i].kind(), v1::ChangeEvent::KIND_MESSAGE_ADDED);
    EXPECT_EQ(events[i].modseq(), 10u + i);
    EXPECT_THAT(events[i].uids(), ElementsAre(i));
    EXPECT_EQ(events[i].user_id(), 7u);
    EXPECT_EQ(events[i].mailbox_id(), 3u);
  }
  EXPECT_TRUE(watch.active());

  watch.Cancel();
  EXPECT_FALSE(watch.active());
  EXPECT_TRUE(RunUntil([&] { return fake_.watch_cancelled.load(); }));
  RunFor(std::chrono::milliseconds(100));
  EXPECT_FALSE(end.has_value()) << "no callback after Cancel()";
  EXPECT_EQ(events.size(), 4u);
}

TEST_F(StoreClientTest, WatchReportsStreamEnd) {
  std::vector<v1::ChangeEvent> events;
  std::optional<absl::Status> end;
  WatchHandle watch = client_->Watch(
      7, kFakeMissingMailbox, io_.get_executor(),
      {.on_event = [&](v1::ChangeEvent event) { events.push_back(std::move(event)); },
       .on_end = [&](absl::Status status) { end = status; }});
  ASSERT_TRUE(RunUntil([&] { return end.has_value(); }));
  EXPECT_THAT(*end, StatusIs(absl::StatusCode::kNotFound, "no such mailbox"));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), v1::ChangeEvent::KIND_READY);
  EXPECT_FALSE(watch.active());
}

}  // namespace
}  // namespace mailroom::store_client::testing
