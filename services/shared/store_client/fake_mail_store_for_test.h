// An in-process MailStore for store_client's tests: a few RPCs with canned data, injected
// UNAVAILABLE failures, a slow call for deadlines and a Watch stream. Test-only.
#ifndef MAILROOM_SERVICES_SHARED_STORE_CLIENT_FAKE_MAIL_STORE_FOR_TEST_H_
#define MAILROOM_SERVICES_SHARED_STORE_CLIENT_FAKE_MAIL_STORE_FOR_TEST_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/synchronization/mutex.h"
#include "mailroom/store/v1/store.grpc.pb.h"

namespace mailroom::store_client::testing {

namespace v1 = ::mailroom::store::v1;

// Size of the message ReadMessage serves, and its byte at offset i.
inline constexpr size_t kFakeMessageBytes = 300000;
char FakeMessageByte(size_t i);

// UIDs 1..kFakeFetchCount come back from FetchMessages in batches of two.
inline constexpr uint32_t kFakeFetchCount = 10;
// Mailbox id whose Watch stream ends with NOT_FOUND right after KIND_READY.
inline constexpr uint64_t kFakeMissingMailbox = 99;

class FakeMailStore final : public v1::MailStore::Service {
 public:
  // Failures to inject: the next N calls of the RPC fail with UNAVAILABLE.
  std::atomic<int> list_unavailable{0};
  std::atomic<int> deliver_unavailable{0};
  std::atomic<int> fetch_unavailable{0};  // after sending the first batch

  // Calls seen.
  std::atomic<int> list_calls{0};
  std::atomic<int> create_calls{0};
  std::atomic<int> deliver_calls{0};
  std::atomic<int> fetch_calls{0};
  std::atomic<bool> watch_cancelled{false};

  // What the last DeliverMessage/AppendMessage carried.
  struct Received {
    std::string header_debug;  // the header's ShortDebugString()
    std::string body;
    int chunks = 0;
    size_t largest_chunk = 0;
    bool ended = false;  // the end marker arrived
    int messages = 1;    // AppendMessage: messages in the stream (bodies joined by '|')
  };
  Received last_received() const;

  grpc::Status GetQuota(grpc::ServerContext* context, const v1::GetQuotaRequest* request,
                        v1::GetQuotaResponse* response) override;
  grpc::Status ListMailboxes(grpc::ServerContext* context,
                             const v1::ListMailboxesRequest* request,
                             v1::ListMailboxesResponse* response) override;
  grpc::Status CreateMailbox(grpc::ServerContext* context,
                             const v1::CreateMailboxRequest* request,
                             v1::CreateMailboxResponse* response) override;
  grpc::Status DeleteMailbox(grpc::ServerContext* context,
                             const v1::DeleteMailboxRequest* request,
                             v1::DeleteMailboxResponse* response) override;
  grpc::Status GetMailboxStatus(grpc::ServerContext* context,
                                const v1::GetMailboxStatusRequest* request,
                                v1::GetMailboxStatusResponse* response) override;
  grpc::Status AppendMessage(grpc::ServerContext* context,
                             grpc::ServerReader<v1::AppendMessageRequest>* reader,
                             v1::AppendMessageResponse* response) override;
  grpc::Status DeliverMessage(grpc::ServerContext* context,
                              grpc::ServerReader<v1::DeliverMessageRequest>* reader,
                              v1::DeliverMessageResponse* response) override;
  grpc::Status FetchMessages(grpc::ServerContext* context,
                             const v1::FetchMessagesRequest* request,
                             grpc::ServerWriter<v1::FetchMessagesResponse>* writer) override;
  grpc::Status ReadMessage(grpc::ServerContext* context, const v1::ReadMessageRequest* request,
                           grpc::ServerWriter<v1::ReadMessageResponse>* writer) override;
  grpc::Status Watch(grpc::ServerContext* context, const v1::WatchRequest* request,
                     grpc::ServerWriter<v1::ChangeEvent>* writer) override;

 private:
  // `several`: further headers start further messages (AppendMessage, RFC 3502).
  template <typename Request>
  grpc::Status ReadBody(grpc::ServerReader<Request>* reader, std::string* header_debug,
                        bool several = false, int* messages = nullptr);

  mutable absl::Mutex mu_;
  Received received_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::store_client::testing

#endif  // MAILROOM_SERVICES_SHARED_STORE_CLIENT_FAKE_MAIL_STORE_FOR_TEST_H_
