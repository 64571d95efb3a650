#include "services/shared/store_client/fake_mail_store_for_test.h"

#include <chrono>
#include <thread>

#include "grpcpp/server_context.h"

namespace mailroom::store_client::testing {
namespace {

// Bounded wait for the client to cancel (or the deadline to pass) on a server thread.
void WaitForCancel(grpc::ServerContext* context, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!context->IsCancelled() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Decrements `counter` if positive; true when it was (a failure is due).
bool TakeFailure(std::atomic<int>& counter) {
  int n = counter.load();
  while (n > 0 && !counter.compare_exchange_weak(n, n - 1)) {
  }
  return n > 0;
}

}  // namespace

char FakeMessageByte(size_t i) { return static_cast<char>((i * 131 + i / 977) & 0xff); }

FakeMailStore::Received FakeMailStore::last_received() const {
  absl::MutexLock lock(&mu_);
  return received_;
}

grpc::Status FakeMailStore::GetQuota(grpc::ServerContext*, const v1::GetQuotaRequest* request,
                                     v1::GetQuotaResponse* response) {
  if (request->user_id() != 1) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such user");
  response->set_quota_bytes(1000);
  response->set_used_bytes(10);
  return grpc::Status::OK;
}

grpc::Status FakeMailStore::ListMailboxes(grpc::ServerContext*, const v1::ListMailboxesRequest*,
                                          v1::ListMailboxesResponse* response) {
  ++list_calls;
  if (TakeFailure(list_unavailable)) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "database down");
  }
  response->add_mailboxes()->set_name("INBOX");
  response->add_mailboxes()->set_name("Sent");
  return grpc::Status::OK;
}

grpc::Status FakeMailStore::CreateMailbox(grpc::ServerContext*, const v1::CreateMailboxRequest*,
                                          v1::CreateMailboxResponse*) {
  ++create_calls;
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "database down");
}

grpc::Status FakeMailStore::DeleteMailbox(grpc::ServerContext*,
                                          const v1::DeleteMailboxRequest* request,
                                          v1::DeleteMailboxResponse*) {
  if (request->name() == "Trash") return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such mailbox");
}

grpc::Status FakeMailStore::GetMailboxStatus(grpc::ServerContext* context,
                                             const v1::GetMailboxStatusRequest*,
                                             v1::GetMailboxStatusResponse*) {
  WaitForCancel(context, std::chrono::seconds(5));
  return grpc::Status::OK;
}

template <typename Request>
grpc::Status FakeMailStore::ReadBody(grpc::ServerReader<Request>* reader,
                                     std::string* header_debug, bool several, int* messages) {
  Request request;
  if (!reader->Read(&request) || !request.has_header()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "header must come first");
  }
  Received received;
  received.header_debug = request.header().ShortDebugString();
  while (reader->Read(&request)) {
    if (request.has_header()) {
      if (!several) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "second header");
      ++received.messages;
      received.header_debug += " | " + request.header().ShortDebugString();
      received.body += "|";
      continue;
    }
    if (request.part_case() == Request::kEnd) {
      received.ended = true;
      continue;
    }
    received.body += request.chunk();
    ++received.chunks;
    received.largest_chunk = std::max(received.largest_chunk, request.chunk().size());
  }
  *header_debug = received.header_debug;
  if (messages != nullptr) *messages = received.messages;
  // Like the real store: a stream without its end marker was cancelled and stores nothing.
  if (!received.ended) return grpc::Status(grpc::StatusCode::CANCELLED, "no end marker");
  absl::MutexLock lock(&mu_);
  received_ = std::move(received);
  return grpc::Status::OK;
}

grpc::Status FakeMailStore::AppendMessage(grpc::ServerContext*,
                                          grpc::ServerReader<v1::AppendMessageRequest>* reader,
                                          v1::AppendMessageResponse* response) {
  std::string header;
  int messages = 0;
  grpc::Status status = ReadBody(reader, &header, /*several=*/true, &messages);
  if (!status.ok()) return status;
  response->set_uid(42);
  for (int i = 0; i < messages; ++i) response->add_uids(42 + i);
  return grpc::Status::OK;
}

grpc::Status FakeMailStore::DeliverMessage(
    grpc::ServerContext*, grpc::ServerReader<v1::DeliverMessageRequest>* reader,
    v1::DeliverMessageResponse* response) {
  ++deliver_calls;
  std::string header;
  grpc::Status status = ReadBody(reader, &header);
  if (!status.ok()) return status;
  if (TakeFailure(deliver_unavailable)) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "database down");
  }
  response->add_results()->set_uid(7);
  response->set_sha256("fake-digest");
  return grpc::Status::OK;
}

grpc::Status FakeMailStore::FetchMessages(
    grpc::ServerContext*, const v1::FetchMessagesRequest*,
    grpc::ServerWriter<v1::FetchMessagesResponse>* writer) {
  ++fetch_calls;
  for (uint32_t uid = 1; uid <= kFakeFetchCount; uid += 2) {
    v1::FetchMessagesResponse batch;
    for (uint32_t u = uid; u < uid + 2; ++u) {
      v1::FetchedMessage* m = batch.add_messages();
      m->set_uid(u);
      m->set_size(1000);
      m->set_body(std::string(1000, 'x'));
    }
    if (!writer->Write(batch)) return grpc::Status(grpc::StatusCode::CANCELLED, "gone");
    if (uid == 1 && TakeFailure(fetch_unavailable)) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "replica stopping");
    }
  }
  return grpc::Status::OK;
}

grpc::Status FakeMailStore::ReadMessage(grpc::ServerContext*,
                                        const v1::ReadMessageRequest* request,
                                        grpc::ServerWriter<v1::ReadMessageResponse>* writer) {
  if (request->uid() != 1) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such message");
  constexpr size_t kChunk = 64 * 1024;
  for (size_t offset = 0; offset < kFakeMessageBytes; offset += kChunk) {
    v1::ReadMessageResponse response;
    if (offset == 0) response.set_total_size(kFakeMessageBytes);
    std::string* chunk = response.mutable_chunk();
    for (size_t i = offset; i < std::min(offset + kChunk, kFakeMessageBytes); ++i) {
      chunk->push_back(FakeMessageByte(i));
    }
    if (!writer->Write(response)) return grpc::Status(grpc::StatusCode::CANCELLED, "gone");
  }
  return grpc::Status::OK;
}

grpc::Status FakeMailStore::Watch(grpc::ServerContext* context, const v1::WatchRequest* request,
                                  grpc::ServerWriter<v1::ChangeEvent>* writer) {
  v1::ChangeEvent ready;
  ready.set_kind(v1::ChangeEvent::KIND_READY);
  ready.set_user_id(request->user_id());
  ready.set_mailbox_id(request->mailbox_id());
  if (!writer->Write(ready)) return grpc::Status(grpc::StatusCode::CANCELLED, "gone");
  if (request->mailbox_id() == kFakeMissingMailbox) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such mailbox");
  }
  for (uint32_t uid = 1; uid <= 3; ++uid) {
    v1::ChangeEvent added;
    added.set_kind(v1::ChangeEvent::KIND_MESSAGE_ADDED);
    added.set_user_id(request->user_id());
    added.set_mailbox_id(request->mailbox_id());
    added.set_modseq(10 + uid);
    added.add_uids(uid);
    if (!writer->Write(added)) return grpc::Status(grpc::StatusCode::CANCELLED, "gone");
  }
  WaitForCancel(context, std::chrono::seconds(10));
  if (context->IsCancelled()) watch_cancelled = true;
  return grpc::Status::OK;
}

}  // namespace mailroom::store_client::testing
