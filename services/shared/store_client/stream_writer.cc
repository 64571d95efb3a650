// Client-streaming calls (AppendMessage, DeliverMessage): a grpc::ClientWriteReactor with one
// write in flight at a time, wrapped as StreamWriter, and the whole-body convenience calls.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/client_callback.h"
#include "services/shared/store_client/internal/core.h"
#include "services/shared/store_client/status_mapping.h"
#include "services/shared/store_client/store_client.h"

namespace mailroom::store_client {
namespace internal {
namespace {

template <typename Request, typename Response>
using WriteMethod = void (AsyncStub::*)(grpc::ClientContext*, Response*,
                                        grpc::ClientWriteReactor<Request>*);

// The reactor of one client-streaming call. It keeps itself alive until gRPC calls OnDone. A
// hold keeps the call open between writes (they are started from outside the reactions) until
// Finish() or Cancel() releases it.
template <typename Request, typename Response>
class WriteCall final : public grpc::ClientWriteReactor<Request>,
                        public std::enable_shared_from_this<WriteCall<Request, Response>> {
 public:
  static std::shared_ptr<WriteCall> Start(std::shared_ptr<const ClientCore> core,
                                          WriteMethod<Request, Response> method,
                                          absl::Duration deadline) {
    auto call = std::shared_ptr<WriteCall>(new WriteCall());
    call->self_ = call;
    SetDeadline(call->context_, deadline);
    (core->stub->async()->*method)(&call->context_, &call->response_, call.get());
    call->core_ = std::move(core);
    call->AddHold();
    call->StartCall();
    return call;
  }

  // Writes one message; true once gRPC took it, false when the call is broken or finished.
  asio::awaitable<bool> Write(Request message) {
    auto self = this->shared_from_this();
    auto start = [self, message = std::move(message)](Resume<bool> resume) mutable {
      self->BeginWrite(std::move(message), std::move(resume));
    };
    std::function<void()> cancel = [self] { self->context_.TryCancel(); };
    co_return co_await AwaitCallback<bool>(std::move(start), std::move(cancel));
  }

  // Half-closes the stream (unless a write failed) and waits for the final status.
  asio::awaitable<grpc::Status> Finish() {
    auto self = this->shared_from_this();
    auto start = [self](Resume<grpc::Status> resume) { self->BeginFinish(std::move(resume)); };
    std::function<void()> cancel = [self] { self->context_.TryCancel(); };
    co_return co_await AwaitCallback<grpc::Status>(std::move(start), std::move(cancel));
  }

  void Cancel() {
    bool release = false;
    {
      absl::MutexLock lock(&mu_);
      if (!hold_released_) {
        hold_released_ = true;
        release = true;
      }
    }
    context_.TryCancel();
    if (release) this->RemoveHold();
  }

  // Valid once Finish() returned OK.
  Response& response() { return response_; }

  void OnWriteDone(bool ok) override {
    Resume<bool> resume;
    {
      absl::MutexLock lock(&mu_);
      if (!ok) write_failed_ = true;
      resume = std::move(on_write_);
    }
    if (resume) resume(ok);
  }

  void OnDone(const grpc::Status& status) override {
    GrpcThreadScope on_grpc_thread;
    Resume<grpc::Status> resume;
    std::shared_ptr<WriteCall> self;
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      status_ = status;
      resume = std::move(on_done_);
      self = std::move(self_);
    }
    if (resume) resume(status);
    // `self` may be the last reference: `this` can be gone after return.
  }

 private:
  WriteCall() = default;

  void BeginWrite(Request message, Resume<bool> resume) {
    {
      absl::MutexLock lock(&mu_);
      if (hold_released_) {
        resume(false);
        return;
      }
      pending_ = std::move(message);
      on_write_ = std::move(resume);
    }
    this->StartWrite(&pending_);
  }

  void BeginFinish(Resume<grpc::Status> resume) {
    bool release = false;
    bool send_writes_done = false;
    std::optional<grpc::Status> final_status;
    {
      absl::MutexLock lock(&mu_);
      if (done_) {
        final_status = status_;
      } else {
        on_done_ = resume;
      }
      if (!hold_released_) {
        hold_released_ = true;
        release = true;
        send_writes_done = !write_failed_;
      }
    }
    if (send_writes_done) this->StartWritesDone();
    if (release) this->RemoveHold();
    if (final_status) resume(*final_status);
  }

  std::shared_ptr<const ClientCore> core_;  // keeps the channel alive for the call
  grpc::ClientContext context_;
  Response response_;
  Request pending_;  // the message being written; gRPC reads it until OnWriteDone
  absl::Mutex mu_;
  std::shared_ptr<WriteCall> self_ ABSL_GUARDED_BY(mu_);
  Resume<bool> on_write_ ABSL_GUARDED_BY(mu_);
  Resume<grpc::Status> on_done_ ABSL_GUARDED_BY(mu_);
  bool hold_released_ ABSL_GUARDED_BY(mu_) = false;
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

template <typename Request, typename Response>
struct WriterState {
  // An unfinished call is cancelled, so that its hold is released and the store commits nothing.
  ~WriterState() {
    if (call && !result) call->Cancel();
  }

  std::shared_ptr<WriteCall<Request, Response>> call;
  std::optional<Request> header;  // until sent
  bool busy = false;
  std::optional<absl::StatusOr<Response>> result;  // once finished
};

namespace {

template <typename Request, typename Response>
std::shared_ptr<WriterState<Request, Response>> StartWriter(
    std::shared_ptr<const ClientCore> core, WriteMethod<Request, Response> method, Request header,
    absl::Duration deadline) {
  auto state = std::make_shared<WriterState<Request, Response>>();
  state->call = WriteCall<Request, Response>::Start(std::move(core), method, deadline);
  state->header = std::move(header);
  return state;
}

template <typename Request, typename Response>
asio::awaitable<absl::StatusOr<Response>> FinishWriter(WriterState<Request, Response>& state) {
  grpc::Status status = co_await state.call->Finish();
  if (status.ok()) {
    state.result = std::move(state.call->response());
  } else {
    state.result = FromGrpcStatus(status);
  }
  co_return *state.result;
}

// Sends the header if still pending, then `data` in kBodyChunkBytes messages. On a broken
// stream, finishes it and returns the store's status.
template <typename Request, typename Response>
asio::awaitable<absl::Status> WriteChunks(WriterState<Request, Response>& state,
                                          absl::string_view data) {
  bool ok = true;
  if (state.header) {
    ok = co_await state.call->Write(*std::move(state.header));
    state.header.reset();
  }
  while (ok && !data.empty()) {
    const size_t n = std::min(data.size(), kBodyChunkBytes);
    Request message;
    message.set_chunk(std::string(data.substr(0, n)));
    data.remove_prefix(n);
    ok = co_await state.call->Write(std::move(message));
  }
  if (ok) co_return absl::OkStatus();
  absl::StatusOr<Response> result = co_await FinishWriter(state);
  if (result.ok()) co_return absl::UnavailableError("store closed the stream early");
  co_return result.status();
}

// Sends one stream message; on a broken stream, finishes it and returns the store's status.
template <typename Request, typename Response>
asio::awaitable<absl::Status> WriteMessage(WriterState<Request, Response>& state,
                                           Request message) {
  const bool ok = co_await state.call->Write(std::move(message));
  if (ok) co_return absl::OkStatus();
  absl::StatusOr<Response> result = co_await FinishWriter(state);
  if (result.ok()) co_return absl::UnavailableError("store closed the stream early");
  co_return result.status();
}

// Sends the end marker: without it the store stores nothing (a cancelled stream looks the
// same as a finished one to a synchronous server).
template <typename Request, typename Response>
asio::awaitable<absl::Status> WriteEnd(WriterState<Request, Response>& state) {
  Request message;
  message.set_end(true);
  co_return co_await WriteMessage(state, std::move(message));
}

absl::Status NotUsable(bool busy) {
  return absl::FailedPreconditionError(busy ? "another operation is running on the stream"
                                            : "stream already finished");
}

// One attempt of a whole-body call.
template <typename Request, typename Response>
asio::awaitable<absl::StatusOr<Response>> WholeBodyAttempt(
    std::shared_ptr<const ClientCore> core, WriteMethod<Request, Response> method,
    Request header, absl::string_view body) {
  const absl::Duration deadline = core->options.stream_deadline;
  auto state = StartWriter(core, method, std::move(header), deadline);
  absl::Status written = co_await WriteChunks(*state, body);
  if (!written.ok()) co_return written;
  absl::Status ended = co_await WriteEnd(*state);
  if (!ended.ok()) co_return ended;
  co_return co_await FinishWriter(*state);
}

}  // namespace
}  // namespace internal

template <typename Request, typename Response>
StreamWriter<Request, Response>::StreamWriter(
    std::shared_ptr<internal::WriterState<Request, Response>> state)
    : state_(std::move(state)) {}

template <typename Request, typename Response>
StreamWriter<Request, Response>::StreamWriter(StreamWriter&&) noexcept = default;

template <typename Request, typename Response>
StreamWriter<Request, Response>& StreamWriter<Request, Response>::operator=(
    StreamWriter&& other) noexcept {
  state_ = std::move(other.state_);
  return *this;
}

template <typename Request, typename Response>
StreamWriter<Request, Response>::~StreamWriter() = default;

template <typename Request, typename Response>
asio::awaitable<absl::Status> StreamWriter<Request, Response>::Write(std::string data) {
  std::shared_ptr<internal::WriterState<Request, Response>> state = state_;
  if (!state || state->busy || state->result) {
    if (state && state->result && !state->result->ok()) co_return state->result->status();
    co_return internal::NotUsable(state && state->busy);
  }
  state->busy = true;
  absl::Status status = co_await internal::WriteChunks(*state, data);
  state->busy = false;
  co_return status;
}

template <typename Request, typename Response>
asio::awaitable<absl::Status> StreamWriter<Request, Response>::NextMessage(
    typename Request::Header header) {
  std::shared_ptr<internal::WriterState<Request, Response>> state = state_;
  if (!state || state->busy || state->result) {
    if (state && state->result && !state->result->ok()) co_return state->result->status();
    co_return internal::NotUsable(state && state->busy);
  }
  state->busy = true;
  // The previous message's header may not have gone out yet (a message without body bytes).
  absl::Status status = co_await internal::WriteChunks(*state, absl::string_view());
  if (status.ok()) {
    Request message;
    *message.mutable_header() = std::move(header);
    status = co_await internal::WriteMessage(*state, std::move(message));
  }
  state->busy = false;
  co_return status;
}

template <typename Request, typename Response>
asio::awaitable<absl::StatusOr<Response>> StreamWriter<Request, Response>::Finish() {
  std::shared_ptr<internal::WriterState<Request, Response>> state = state_;
  if (!state || state->busy) co_return internal::NotUsable(state != nullptr);
  if (state->result) co_return *state->result;
  state->busy = true;
  absl::Status status = co_await internal::WriteChunks(*state, absl::string_view());
  if (status.ok()) status = co_await internal::WriteEnd(*state);
  if (!status.ok()) {
    state->busy = false;
    co_return status;
  }
  absl::StatusOr<Response> result = co_await internal::FinishWriter(*state);
  state->busy = false;
  co_return result;
}

template <typename Request, typename Response>
void StreamWriter<Request, Response>::Cancel() {
  if (state_ && !state_->result) state_->call->Cancel();
}

template class StreamWriter<v1::AppendMessageRequest, v1::AppendMessageResponse>;
template class StreamWriter<v1::DeliverMessageRequest, v1::DeliverMessageResponse>;

asio::awaitable<absl::StatusOr<v1::AppendMessageResponse>> StoreClient::AppendMessage(
    v1::AppendMessageRequest::Header header, std::string body) {
  if (header.size() == 0) header.set_size(body.size());
  v1::AppendMessageRequest first;
  *first.mutable_header() = std::move(header);
  co_return co_await internal::WholeBodyAttempt(core_, &internal::AsyncStub::AppendMessage,
                                                std::move(first), body);
}

AppendWriter StoreClient::StartAppendMessage(v1::AppendMessageRequest::Header header) {
  v1::AppendMessageRequest first;
  *first.mutable_header() = std::move(header);
  return AppendWriter(internal::StartWriter(core_, &internal::AsyncStub::AppendMessage,
                                            std::move(first),
                                            core_->options.stream_writer_deadline));
}

asio::awaitable<absl::StatusOr<v1::DeliverMessageResponse>> StoreClient::DeliverMessage(
    v1::DeliverMessageRequest::Header header, std::string body) {
  if (header.size() == 0) header.set_size(body.size());
  const bool retryable = !header.transaction_id().empty();
  v1::DeliverMessageRequest first;
  *first.mutable_header() = std::move(header);
  std::shared_ptr<const internal::ClientCore> core = core_;
  // Named, not a temporary in the co_await expression (see internal/core.h).
  auto attempt = [&] {
    return internal::WholeBodyAttempt(core, &internal::AsyncStub::DeliverMessage, first, body);
  };
  co_return co_await internal::WithRetries<v1::DeliverMessageResponse>(
      core->options, "DeliverMessage", retryable, attempt);
}

DeliverWriter StoreClient::StartDeliverMessage(v1::DeliverMessageRequest::Header header) {
  v1::DeliverMessageRequest first;
  *first.mutable_header() = std::move(header);
  return DeliverWriter(internal::StartWriter(core_, &internal::AsyncStub::DeliverMessage,
                                             std::move(first),
                                             core_->options.stream_writer_deadline));
}

}  // namespace mailroom::store_client
