// Server-streaming calls (FetchMessages, ReadMessage): a grpc::ClientReadReactor read one
// response at a time, wrapped as StreamReader, and the collecting convenience calls.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/client_callback.h"
#include "services/shared/store_client/internal/core.h"
#include "services/shared/store_client/status_mapping.h"
#include "services/shared/store_client/store_client.h"

namespace mailroom::store_client {
namespace internal {
namespace {

template <typename Request, typename Response>
using ReadMethod = void (AsyncStub::*)(grpc::ClientContext*, const Request*,
                                       grpc::ClientReadReactor<Response>*);

// The reactor of one server-streaming call. Reads are started from outside the reactions (when
// the consumer asks for the next response), so a hold keeps the call alive until the stream
// ends or is cancelled; the reactor keeps itself alive until OnDone.
template <typename Response>
class ReadCall final : public grpc::ClientReadReactor<Response>,
                       public std::enable_shared_from_this<ReadCall<Response>> {
 public:
  template <typename Request>
  static std::shared_ptr<ReadCall> Start(std::shared_ptr<const ClientCore> core,
                                         ReadMethod<Request, Response> method,
                                         const Request& request, absl::Duration deadline) {
    auto call = std::shared_ptr<ReadCall>(new ReadCall());
    call->self_ = call;
    SetDeadline(call->context_, deadline);
    // gRPC may serialize the request as late as StartCall; the call owns a copy.
    auto owned = std::make_unique<Request>(request);
    const Request* request_ptr = owned.get();
    call->request_ = std::move(owned);
    (core->stub->async()->*method)(&call->context_, request_ptr, call.get());
    call->core_ = std::move(core);
    call->AddHold();
    call->StartCall();
    return call;
  }

  // Reads the next response into message(); false at the end of the stream (or on failure).
  asio::awaitable<bool> Read() {
    auto self = this->shared_from_this();
    auto start = [self](Resume<bool> resume) { self->BeginRead(std::move(resume)); };
    std::function<void()> cancel = [self] { self->context_.TryCancel(); };
    co_return co_await AwaitCallback<bool>(std::move(start), std::move(cancel));
  }

  // Waits for the final status; call after Read() returned false.
  asio::awaitable<grpc::Status> Finish() {
    auto self = this->shared_from_this();
    auto start = [self](Resume<grpc::Status> resume) { self->BeginFinish(std::move(resume)); };
    std::function<void()> cancel = [self] { self->context_.TryCancel(); };
    co_return co_await AwaitCallback<grpc::Status>(std::move(start), std::move(cancel));
  }

  void Cancel() {
    context_.TryCancel();
    ReleaseHold();
  }

  Response& message() { return message_; }

  void OnReadDone(bool ok) override {
    Resume<bool> resume;
    {
      absl::MutexLock lock(&mu_);
      resume = std::move(on_read_);
    }
    if (!ok) ReleaseHold();
    if (resume) resume(ok);
  }

  void OnDone(const grpc::Status& status) override {
    GrpcThreadScope on_grpc_thread;
    Resume<grpc::Status> resume;
    std::shared_ptr<ReadCall> self;
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      status_ = status;
      resume = std::move(on_done_);
      self = std::move(self_);
    }
    if (resume) resume(status);
  }

 private:
  ReadCall() = default;

  void BeginRead(Resume<bool> resume) {
    {
      absl::MutexLock lock(&mu_);
      if (hold_released_) {
        resume(false);
        return;
      }
      on_read_ = std::move(resume);
    }
    this->StartRead(&message_);
  }

  void BeginFinish(Resume<grpc::Status> resume) {
    std::optional<grpc::Status> final_status;
    {
      absl::MutexLock lock(&mu_);
      if (done_) {
        final_status = status_;
      } else {
        on_done_ = resume;
      }
    }
    ReleaseHold();
    if (final_status) resume(*final_status);
  }

  void ReleaseHold() {
    {
      absl::MutexLock lock(&mu_);
      if (hold_released_) return;
      hold_released_ = true;
    }
    this->RemoveHold();
  }

  std::shared_ptr<const ClientCore> core_;  // keeps the channel alive for the call
  grpc::ClientContext context_;
  std::unique_ptr<google::protobuf::Message> request_;
  Response message_;
  absl::Mutex mu_;
  std::shared_ptr<ReadCall> self_ ABSL_GUARDED_BY(mu_);
  Resume<bool> on_read_ ABSL_GUARDED_BY(mu_);
  Resume<grpc::Status> on_done_ ABSL_GUARDED_BY(mu_);
  bool hold_released_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

template <typename Response>
struct ReaderState {
  ~ReaderState() {
    if (call && !ended) call->Cancel();
  }

  std::shared_ptr<const ClientCore> core;
  const char* rpc = "";
  // Starts (or restarts, for a retry) the call.
  std::function<std::shared_ptr<ReadCall<Response>>()> start;
  std::shared_ptr<ReadCall<Response>> call;
  bool retryable = false;
  bool received_any = false;
  bool busy = false;
  bool ended = false;
  absl::Status end_status;
};

namespace {

template <typename Request, typename Response>
std::shared_ptr<ReaderState<Response>> StartReader(std::shared_ptr<const ClientCore> core,
                                                   const char* rpc,
                                                   ReadMethod<Request, Response> method,
                                                   Request request, bool retryable) {
  auto state = std::make_shared<ReaderState<Response>>();
  state->core = core;
  state->rpc = rpc;
  state->retryable = retryable;
  // Capturing the core (not the state) keeps this free of reference cycles.
  state->start = [core, method, request = std::move(request)] {
    return ReadCall<Response>::Start(core, method, request, core->options.stream_deadline);
  };
  state->call = state->start();
  return state;
}

template <typename Response>
asio::awaitable<absl::StatusOr<std::optional<Response>>> NextResponse(
    ReaderState<Response>& state) {
  for (int attempt = 0;; ++attempt) {
    const bool got = co_await state.call->Read();
    if (got) {
      state.received_any = true;
      co_return std::optional<Response>(std::move(state.call->message()));
    }
    const grpc::Status final_status = co_await state.call->Finish();
    absl::Status status = FromGrpcStatus(final_status);
    const Options& options = state.core->options;
    // A restart is invisible to the consumer only while nothing was delivered yet.
    if (status.code() == absl::StatusCode::kUnavailable && state.retryable &&
        !state.received_any && attempt < options.max_retries) {
      LogRetry(state.rpc, status, attempt + 1);
      co_await RetryBackoff(options, attempt);
      state.call = state.start();
      continue;
    }
    state.ended = true;
    state.end_status = status;
    if (status.ok()) co_return std::optional<Response>();
    co_return status;
  }
}

// Collects a whole stream through `consume(response)` (which returns the bytes it kept), bounded
// by Options::max_collected_bytes.
template <typename Response, typename Consume>
asio::awaitable<absl::Status> Collect(ReaderState<Response>& state, Consume consume) {
  uint64_t collected = 0;
  for (;;) {
    absl::StatusOr<std::optional<Response>> next = co_await NextResponse(state);
    if (!next.ok()) co_return next.status();
    if (!next->has_value()) co_return absl::OkStatus();
    collected += consume(**next);
    if (collected > state.core->options.max_collected_bytes) {
      co_return absl::ResourceExhaustedError(
          absl::StrCat(state.rpc, " result exceeds ", state.core->options.max_collected_bytes,
                       " bytes"));
    }
  }
}

}  // namespace
}  // namespace internal

template <typename Response>
StreamReader<Response>::StreamReader(std::shared_ptr<internal::ReaderState<Response>> state)
    : state_(std::move(state)) {}

template <typename Response>
StreamReader<Response>::StreamReader(StreamReader&&) noexcept = default;

template <typename Response>
StreamReader<Response>& StreamReader<Response>::operator=(StreamReader&&) noexcept = default;

template <typename Response>
StreamReader<Response>::~StreamReader() = default;

template <typename Response>
asio::awaitable<absl::StatusOr<std::optional<Response>>> StreamReader<Response>::Next() {
  std::shared_ptr<internal::ReaderState<Response>> state = state_;
  if (!state || state->busy) {
    co_return absl::FailedPreconditionError("another Next() is running on the stream");
  }
  if (state->ended) {
    if (state->end_status.ok()) co_return std::optional<Response>();
    co_return state->end_status;
  }
  state->busy = true;
  absl::StatusOr<std::optional<Response>> next = co_await internal::NextResponse(*state);
  state->busy = false;
  co_return next;
}

template <typename Response>
void StreamReader<Response>::Cancel() {
  if (state_ && !state_->ended) {
    // A retry must not resurrect a stream the consumer cancelled.
    state_->retryable = false;
    state_->call->Cancel();
  }
}

template class StreamReader<v1::FetchMessagesResponse>;
template class StreamReader<v1::ReadMessageResponse>;

asio::awaitable<absl::StatusOr<std::vector<v1::FetchedMessage>>> StoreClient::FetchMessages(
    v1::FetchMessagesRequest request) {
  std::shared_ptr<const internal::ClientCore> core = core_;
  // Lambdas are named, not temporaries in co_await expressions (see internal/core.h).
  auto attempt = [&]() -> asio::awaitable<absl::StatusOr<std::vector<v1::FetchedMessage>>> {
    auto state = internal::StartReader(core, "FetchMessages",
                                       &internal::AsyncStub::FetchMessages, request, false);
    std::vector<v1::FetchedMessage> messages;
    auto consume = [&messages](v1::FetchMessagesResponse& batch) {
      const uint64_t bytes = batch.ByteSizeLong();
      for (v1::FetchedMessage& m : *batch.mutable_messages()) messages.push_back(std::move(m));
      return bytes;
    };
    absl::Status status = co_await internal::Collect(*state, consume);
    if (!status.ok()) co_return status;
    co_return messages;
  };
  co_return co_await internal::WithRetries<std::vector<v1::FetchedMessage>>(
      core->options, "FetchMessages", true, attempt);
}

FetchReader StoreClient::StartFetchMessages(v1::FetchMessagesRequest request) {
  return FetchReader(internal::StartReader(core_, "FetchMessages",
                                           &internal::AsyncStub::FetchMessages,
                                           std::move(request), true));
}

asio::awaitable<absl::StatusOr<MessageBytes>> StoreClient::ReadMessage(
    v1::ReadMessageRequest request) {
  std::shared_ptr<const internal::ClientCore> core = core_;
  auto attempt = [&]() -> asio::awaitable<absl::StatusOr<MessageBytes>> {
    auto state = internal::StartReader(core, "ReadMessage", &internal::AsyncStub::ReadMessage,
                                       request, false);
    MessageBytes result;
    bool first = true;
    auto consume = [&result, &first](v1::ReadMessageResponse& response) {
      if (first) result.total_size = response.total_size();
      first = false;
      result.data.append(response.chunk());
      return static_cast<uint64_t>(response.chunk().size());
    };
    absl::Status status = co_await internal::Collect(*state, consume);
    if (!status.ok()) co_return status;
    co_return result;
  };
  co_return co_await internal::WithRetries<MessageBytes>(core->options, "ReadMessage", true,
                                                         attempt);
}

MessageReader StoreClient::StartReadMessage(v1::ReadMessageRequest request) {
  return MessageReader(internal::StartReader(core_, "ReadMessage",
                                             &internal::AsyncStub::ReadMessage,
                                             std::move(request), true));
}

}  // namespace mailroom::store_client
