// StoreClient: the front ends' (smtp, pop3, imap) asynchronous client of the mailbox store's
// gRPC contract, proto/mailroom/store/v1/store.proto (service MailStore).
//
// Every RPC is an asio C++20 coroutine: `co_await client.GetQuota(request)` suspends the
// calling coroutine and resumes it on the coroutine's own executor once the store answered.
// Underneath is the gRPC callback API; gRPC's threads never run front-end code.
//
// Errors come back as absl::Status with the store's gRPC code and message unchanged
// (see status_mapping.h), plus:
//   DEADLINE_EXCEEDED  the call took longer than Options::unary_deadline / stream_deadline;
//   UNAVAILABLE        no store replica reachable (after the retries of idempotent reads);
//   CANCELLED          the awaiting coroutine was cancelled (asio per-operation cancellation)
//                      or the stream was cancelled through its handle.
// The store's own codes per RPC are documented in store.proto (NOT_FOUND, ALREADY_EXISTS,
// INVALID_ARGUMENT, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, PERMISSION_DENIED, ...).
//
// Retries (DESIGN.md invariant 9): the idempotent reads ResolveAddress, GetQuota,
// ListMailboxes, GetMailboxStatus, SelectMailbox, FetchMessages, ReadMessage, SearchMessages and
// GetExpunged are retried on UNAVAILABLE with a short jittered backoff (an asio timer, never a
// sleep). Writes are never retried, except DeliverMessage when its header carries a non-empty
// transaction_id (the store deduplicates on it). Authenticate is not retried either: every
// attempt counts against the user's failure throttle.
//
// Thread safety: a StoreClient may be copied freely and used from any number of coroutines and
// threads at once. A stream object (StreamWriter, StreamReader) belongs to one coroutine at a
// time; its awaitable methods must not overlap.
#ifndef MAILROOM_SERVICES_SHARED_STORE_CLIENT_STORE_CLIENT_H_
#define MAILROOM_SERVICES_SHARED_STORE_CLIENT_STORE_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "asio/any_io_executor.hpp"
#include "asio/awaitable.hpp"
#include "mailroom/store/v1/store.pb.h"
#include "services/shared/store_client/options.h"

namespace grpc {
class ChannelInterface;
}  // namespace grpc

namespace mailroom::store_client {

namespace v1 = ::mailroom::store::v1;

// Size of the body chunks sent by AppendMessage/DeliverMessage and by StreamWriter::Write.
inline constexpr size_t kBodyChunkBytes = 64 * 1024;

namespace internal {
struct ClientCore;
template <typename Request, typename Response>
struct WriterState;
template <typename Response>
struct ReaderState;
class WatchCall;
}  // namespace internal

// A client-streaming call (AppendMessage, DeliverMessage) fed piece by piece, e.g. by SMTP as
// DATA/BDAT arrives, so the whole message is never held in memory. The header was given when
// the stream was started; it goes out with the first Write() or Finish(). One write is in flight
// at a time: Write() completes when gRPC has taken the data (flow control reaches back to the
// caller). Destroying the writer before Finish() completes cancels the call, and the store then
// stores nothing.
template <typename Request, typename Response>
class StreamWriter {
 public:
  StreamWriter(StreamWriter&&) noexcept;
  StreamWriter& operator=(StreamWriter&&) noexcept;
  ~StreamWriter();

  // Sends `data` as the next body bytes (split into kBodyChunkBytes messages; empty data sends
  // nothing). Returns OK once sent. If the store ended the call early, returns its final status
  // (e.g. RESOURCE_EXHAUSTED over quota or size, DEADLINE_EXCEEDED); further calls then return
  // that status again. FAILED_PRECONDITION if another Write()/Finish() is still running or the
  // stream was finished or cancelled.
  asio::awaitable<absl::Status> Write(std::string data);

  // Ends the current message's body and starts the next message of the same stream with
  // `header`; its body follows through Write(). AppendMessage only (IMAP MULTIAPPEND, RFC 3502):
  // Finish() then commits every message of the stream in one transaction, and Cancel() (or an
  // error) stores none of them. The store answers INVALID_ARGUMENT on DeliverMessage. Returns
  // as Write() does.
  asio::awaitable<absl::Status> NextMessage(typename Request::Header header);

  // Ends the body and waits for the store's answer; OK means the message is committed
  // (DESIGN.md invariant 1). Returns the store's error status otherwise. Calling it again
  // returns the same result. FAILED_PRECONDITION while a Write() is running.
  asio::awaitable<absl::StatusOr<Response>> Finish();

  // Cancels the call (the store commits nothing); a running Write()/Finish() completes with
  // CANCELLED. No-op once finished.
  void Cancel();

 private:
  friend class StoreClient;
  explicit StreamWriter(std::shared_ptr<internal::WriterState<Request, Response>> state);
  std::shared_ptr<internal::WriterState<Request, Response>> state_;
};

using AppendWriter = StreamWriter<v1::AppendMessageRequest, v1::AppendMessageResponse>;
using DeliverWriter = StreamWriter<v1::DeliverMessageRequest, v1::DeliverMessageResponse>;

// A server-streaming call (FetchMessages, ReadMessage) read one response at a time, for results
// too large to collect. Destroying the reader before the end cancels the call.
template <typename Response>
class StreamReader {
 public:
  StreamReader(StreamReader&&) noexcept;
  StreamReader& operator=(StreamReader&&) noexcept;
  ~StreamReader();

  // Returns the next response; std::nullopt once the stream ended with OK; or the store's error
  // (NOT_FOUND for an unknown mailbox/message, DEADLINE_EXCEEDED after Options::stream_deadline,
  // CANCELLED after Cancel()). An UNAVAILABLE failure before the first response is retried like
  // other idempotent reads. After the end every call returns the same result.
  // FAILED_PRECONDITION if another Next() is still running.
  asio::awaitable<absl::StatusOr<std::optional<Response>>> Next();

  // Cancels the stream; a running Next() completes with CANCELLED. No-op once ended.
  void Cancel();

 private:
  friend class StoreClient;
  explicit StreamReader(std::shared_ptr<internal::ReaderState<Response>> state);
  std::shared_ptr<internal::ReaderState<Response>> state_;
};

using FetchReader = StreamReader<v1::FetchMessagesResponse>;
using MessageReader = StreamReader<v1::ReadMessageResponse>;

// Callbacks of a Watch stream. Both run on the executor given to Watch(), one at a time and in
// stream order when that executor is a strand or a single-threaded io_context.
struct WatchCallbacks {
  // Each ChangeEvent; the first one of every stream is KIND_READY.
  std::function<void(v1::ChangeEvent event)> on_event;
  // The stream ended without Cancel(): the store's status (UNAVAILABLE when the replica went
  // away, NOT_FOUND for an unknown mailbox, OK if the store closed it, e.g. while draining).
  // The session should re-subscribe and resync (e.g. SelectMailbox with changed_since_modseq),
  // since changes may have been missed meanwhile. Called at most once, after the last on_event.
  std::function<void(absl::Status end)> on_end;
};

// Owns a running Watch stream. Destruction or Cancel() ends the stream; neither callback runs
// after Cancel() when it is called on the callbacks' executor.
class WatchHandle {
 public:
  WatchHandle() = default;
  WatchHandle(WatchHandle&&) noexcept = default;
  WatchHandle& operator=(WatchHandle&& other) noexcept;
  ~WatchHandle();

  // Ends the stream (the store sees the call cancelled). No-op on an empty handle.
  void Cancel();
  // True while the stream has not ended and was not cancelled.
  bool active() const;

 private:
  friend class StoreClient;
  explicit WatchHandle(std::shared_ptr<internal::WatchCall> call);
  std::shared_ptr<internal::WatchCall> call_;
};

// ReadMessage() collected: the requested bytes and the size of the full selected section.
struct MessageBytes {
  std::string data;
  uint64_t total_size = 0;
};

class StoreClient {
 public:
  // Returns a client over a channel made by CreateStoreChannel(options) (round_robin over the
  // replicas behind options.target). Errors as CreateStoreChannel().
  static absl::StatusOr<StoreClient> Create(const Options& options);

  // A client over an existing channel, e.g. an in-process test server's.
  StoreClient(std::shared_ptr<grpc::ChannelInterface> channel, Options options);

  StoreClient(const StoreClient&) = default;
  StoreClient& operator=(const StoreClient&) = default;
  StoreClient(StoreClient&&) noexcept = default;
  StoreClient& operator=(StoreClient&&) noexcept = default;
  ~StoreClient();

  const Options& options() const;

  // Whether the channel has a connection to at least one store replica right now. With
  // `try_to_connect`, an idle channel starts resolving and connecting (front ends call it at
  // start-up, so the first session does not pay for DNS and the TCP/TLS handshake, and from
  // their readiness probe). Thread-safe and non-blocking.
  bool Connected(bool try_to_connect) const;
  // Blocks the calling thread until the channel's connectivity changes or `timeout` passes
  // (for a monitor on its own thread, see connection_monitor.h; never from a coroutine).
  void AwaitConnectivityChange(absl::Duration timeout) const;

  // --- Accounts -------------------------------------------------------------------------
  // PERMISSION_DENIED for bad credentials or a disabled user; not retried.
  asio::awaitable<absl::StatusOr<v1::AuthenticateResponse>> Authenticate(
      v1::AuthenticateRequest request);
  // OK with no principal for an unknown user (is_local_domain tells whether to say 550).
  asio::awaitable<absl::StatusOr<v1::ResolveAddressResponse>> ResolveAddress(
      v1::ResolveAddressRequest request);
  // NOT_FOUND for an unknown user.
  asio::awaitable<absl::StatusOr<v1::GetQuotaResponse>> GetQuota(v1::GetQuotaRequest request);

  // --- Mailboxes ------------------------------------------------------------------------
  asio::awaitable<absl::StatusOr<v1::ListMailboxesResponse>> ListMailboxes(
      v1::ListMailboxesRequest request);
  // ALREADY_EXISTS, INVALID_ARGUMENT for a bad name.
  asio::awaitable<absl::StatusOr<v1::CreateMailboxResponse>> CreateMailbox(
      v1::CreateMailboxRequest request);
  // NOT_FOUND, INVALID_ARGUMENT (e.g. INBOX).
  asio::awaitable<absl::Status> DeleteMailbox(v1::DeleteMailboxRequest request);
  // NOT_FOUND for from_name, ALREADY_EXISTS for to_name.
  asio::awaitable<absl::Status> RenameMailbox(v1::RenameMailboxRequest request);
  asio::awaitable<absl::Status> Subscribe(v1::SubscribeRequest request);
  // NOT_FOUND for an unknown mailbox.
  asio::awaitable<absl::StatusOr<v1::GetMailboxStatusResponse>> GetMailboxStatus(
      v1::GetMailboxStatusRequest request);
  // NOT_FOUND for an unknown mailbox.
  asio::awaitable<absl::StatusOr<v1::SelectMailboxResponse>> SelectMailbox(
      v1::SelectMailboxRequest request);

  // --- Messages -------------------------------------------------------------------------
  // APPEND of a whole message: sends `header` (its size set to body.size() when 0) and `body`
  // in kBodyChunkBytes chunks. NOT_FOUND (TRYCREATE), RESOURCE_EXHAUSTED (quota/size).
  // Not retried.
  asio::awaitable<absl::StatusOr<v1::AppendMessageResponse>> AppendMessage(
      v1::AppendMessageRequest::Header header, std::string body);
  // Starts an APPEND whose body is written piece by piece; deadline stream_writer_deadline.
  AppendWriter StartAppendMessage(v1::AppendMessageRequest::Header header);

  // Delivery of a whole message to its local recipients, body in kBodyChunkBytes chunks.
  // Retried on UNAVAILABLE only when header.transaction_id() is non-empty.
  // RESOURCE_EXHAUSTED (quota/size), INVALID_ARGUMENT (no recipients).
  asio::awaitable<absl::StatusOr<v1::DeliverMessageResponse>> DeliverMessage(
      v1::DeliverMessageRequest::Header header, std::string body);
  // Starts a delivery whose body is written as it arrives (SMTP DATA/BDAT); deadline
  // stream_writer_deadline. Never retried by the client (the body is not kept): on UNAVAILABLE
  // the SMTP session answers 451 and the sending MTA retries.
  DeliverWriter StartDeliverMessage(v1::DeliverMessageRequest::Header header);

  // All FetchedMessages of the stream, in stream order. RESOURCE_EXHAUSTED when they exceed
  // Options::max_collected_bytes; NOT_FOUND for an unknown mailbox.
  asio::awaitable<absl::StatusOr<std::vector<v1::FetchedMessage>>> FetchMessages(
      v1::FetchMessagesRequest request);
  // The same stream, one batch at a time.
  FetchReader StartFetchMessages(v1::FetchMessagesRequest request);

  // The requested bytes concatenated. RESOURCE_EXHAUSTED past Options::max_collected_bytes;
  // NOT_FOUND for an unknown message or part.
  asio::awaitable<absl::StatusOr<MessageBytes>> ReadMessage(v1::ReadMessageRequest request);
  // The same stream, one chunk at a time (total_size is set in the first response).
  MessageReader StartReadMessage(v1::ReadMessageRequest request);

  // Not retried. NOT_FOUND for an unknown mailbox.
  asio::awaitable<absl::StatusOr<v1::StoreFlagsResponse>> StoreFlags(
      v1::StoreFlagsRequest request);
  // Not retried. NOT_FOUND for the destination (TRYCREATE), RESOURCE_EXHAUSTED (quota).
  asio::awaitable<absl::StatusOr<v1::CopyMessagesResponse>> CopyMessages(
      v1::CopyMessagesRequest request);
  // Not retried.
  asio::awaitable<absl::StatusOr<v1::ExpungeResponse>> Expunge(v1::ExpungeRequest request);
  // INVALID_ARGUMENT for an unsupported key.
  asio::awaitable<absl::StatusOr<v1::SearchMessagesResponse>> SearchMessages(
      v1::SearchMessagesRequest request);
  asio::awaitable<absl::StatusOr<v1::GetExpungedResponse>> GetExpunged(
      v1::GetExpungedRequest request);

  // --- Changes --------------------------------------------------------------------------
  // Subscribes to the changes of one mailbox (mailbox_id 0: all of the user's mailboxes).
  // Returns at once; events and the end of the stream arrive through `callbacks`, posted to
  // `executor` (pass the session's strand). The stream has no deadline; keepalive detects a
  // vanished store replica. Both callbacks must be set.
  WatchHandle Watch(uint64_t user_id, uint64_t mailbox_id, asio::any_io_executor executor,
                    WatchCallbacks callbacks);

  // --- POP3 maildrop lease ----------------------------------------------------------------
  // FAILED_PRECONDITION while another session holds the lease ([IN-USE]). Not retried.
  asio::awaitable<absl::StatusOr<v1::AcquireLeaseResponse>> AcquireLease(
      v1::AcquireLeaseRequest request);
  // FAILED_PRECONDITION when the lease expired or is held by another session.
  asio::awaitable<absl::Status> RenewLease(v1::RenewLeaseRequest request);
  asio::awaitable<absl::Status> ReleaseLease(v1::ReleaseLeaseRequest request);

 private:
  std::shared_ptr<const internal::ClientCore> core_;
};

extern template class StreamWriter<v1::AppendMessageRequest, v1::AppendMessageResponse>;
extern template class StreamWriter<v1::DeliverMessageRequest, v1::DeliverMessageResponse>;
extern template class StreamReader<v1::FetchMessagesResponse>;
extern template class StreamReader<v1::ReadMessageResponse>;

}  // namespace mailroom::store_client

#endif  // MAILROOM_SERVICES_SHARED_STORE_CLIENT_STORE_CLIENT_H_
