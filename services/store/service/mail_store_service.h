// The MailStore gRPC service: thin handlers that validate, call MailDb and map the status
// (STYLE.md §7). Watch uses the callback API so that thousands of idle watchers cost no
// threads.
#ifndef MAILROOM_SERVICES_STORE_SERVICE_MAIL_STORE_SERVICE_H_
#define MAILROOM_SERVICES_STORE_SERVICE_MAIL_STORE_SERVICE_H_

#include <cstdint>
#include <string>

#include "mailroom/store/v1/store.grpc.pb.h"
#include "services/store/db/mail_db.h"
#include "services/store/domain/ingest.h"
#include "services/store/service/watch_hub.h"

namespace mailroom::store {

struct ServiceLimits {
  uint64_t max_message_bytes = 64ull << 20;   // APPEND / Deliver size limit
  int max_recipients = 1000;
  int max_append_messages = 1000;             // messages in one AppendMessage stream
  int fetch_batch = 200;                       // messages per FetchMessages response
  uint64_t read_chunk_bytes = 256 << 10;       // bytes per ReadMessage response
  size_t max_watch_backlog = 10000;            // queued events before a watcher is dropped
  std::string default_domain;                  // for logins without "@domain"
  IngestLimits ingest;
};

class MailStoreService final : public v1::MailStore::WithCallbackMethod_Watch<
                                   v1::MailStore::Service> {
 public:
  MailStoreService(db::MailDb* db, WatchHub* hub, ServiceLimits limits);

  grpc::Status Authenticate(grpc::ServerContext*, const v1::AuthenticateRequest*,
                            v1::AuthenticateResponse*) override;
  grpc::Status ResolveAddress(grpc::ServerContext*, const v1::ResolveAddressRequest*,
                              v1::ResolveAddressResponse*) override;
  grpc::Status GetQuota(grpc::ServerContext*, const v1::GetQuotaRequest*,
                        v1::GetQuotaResponse*) override;
  grpc::Status ListMailboxes(grpc::ServerContext*, const v1::ListMailboxesRequest*,
                             v1::ListMailboxesResponse*) override;
  grpc::Status CreateMailbox(grpc::ServerContext*, const v1::CreateMailboxRequest*,
                             v1::CreateMailboxResponse*) override;
  grpc::Status DeleteMailbox(grpc::ServerContext*, const v1::DeleteMailboxRequest*,
                             v1::DeleteMailboxResponse*) override;
  grpc::Status RenameMailbox(grpc::ServerContext*, const v1::RenameMailboxRequest*,
                             v1::RenameMailboxResponse*) override;
  grpc::Status Subscribe(grpc::ServerContext*, const v1::SubscribeRequest*,
                         v1::SubscribeResponse*) override;
  grpc::Status GetMailboxStatus(grpc::ServerContext*, const v1::GetMailboxStatusRequest*,
                                v1::GetMailboxStatusResponse*) override;
  grpc::Status SelectMailbox(grpc::ServerContext*, const v1::SelectMailboxRequest*,
                             v1::SelectMailboxResponse*) override;
  grpc::Status AppendMessage(grpc::ServerContext*,
                             grpc::ServerReader<v1::AppendMessageRequest>*,
                             v1::AppendMessageResponse*) override;
  grpc::Status DeliverMessage(grpc::ServerContext*,
                              grpc::ServerReader<v1::DeliverMessageRequest>*,
                              v1::DeliverMessageResponse*) override;
  grpc::Status FetchMessages(grpc::ServerContext*, const v1::FetchMessagesRequest*,
                             grpc::ServerWriter<v1::FetchMessagesResponse>*) override;
  grpc::Status ReadMessage(grpc::ServerContext*, const v1::ReadMessageRequest*,
                           grpc::ServerWriter<v1::ReadMessageResponse>*) override;
  grpc::Status StoreFlags(grpc::ServerContext*, const v1::StoreFlagsRequest*,
                          v1::StoreFlagsResponse*) override;
  grpc::Status CopyMessages(grpc::ServerContext*, const v1::CopyMessagesRequest*,
                            v1::CopyMessagesResponse*) override;
  grpc::Status Expunge(grpc::ServerContext*, const v1::ExpungeRequest*,
                       v1::ExpungeResponse*) override;
  grpc::Status SearchMessages(grpc::ServerContext*, const v1::SearchMessagesRequest*,
                              v1::SearchMessagesResponse*) override;
  grpc::Status GetExpunged(grpc::ServerContext*, const v1::GetExpungedRequest*,
                           v1::GetExpungedResponse*) override;
  grpc::Status AcquireLease(grpc::ServerContext*, const v1::AcquireLeaseRequest*,
                            v1::AcquireLeaseResponse*) override;
  grpc::Status RenewLease(grpc::ServerContext*, const v1::RenewLeaseRequest*,
                          v1::RenewLeaseResponse*) override;
  grpc::Status ReleaseLease(grpc::ServerContext*, const v1::ReleaseLeaseRequest*,
                            v1::ReleaseLeaseResponse*) override;

  grpc::ServerWriteReactor<v1::ChangeEvent>* Watch(grpc::CallbackServerContext* context,
                                                   const v1::WatchRequest* request) override;

 private:
  // AppendMessage of one message (the stream's only one) and of several (RFC 3502), whose
  // first message `raw` was read and whose next header `next` arrived (mail_store_append.cc).
  grpc::Status AppendOne(const v1::AppendMessageRequest::Header& header,
                         const std::string& mailbox, const std::string& raw,
                         v1::AppendMessageResponse* response);
  grpc::Status AppendSeveral(grpc::ServerContext* context,
                             grpc::ServerReader<v1::AppendMessageRequest>* reader,
                             const v1::AppendMessageRequest::Header& first,
                             const std::string& mailbox, std::string raw,
                             v1::AppendMessageRequest::Header next,
                             v1::AppendMessageResponse* response);

  db::MailDb* const db_;
  WatchHub* const hub_;
  const ServiceLimits limits_;
};

}  // namespace mailroom::store

#endif  // MAILROOM_SERVICES_STORE_SERVICE_MAIL_STORE_SERVICE_H_
