// Watch: a long-lived server stream of ChangeEvents (IMAP IDLE/NOTIFY, DESIGN.md invariant 4)
// delivered to callbacks on the session's executor.
#include <atomic>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/client_callback.h"
#include "services/shared/store_client/internal/core.h"
#include "services/shared/store_client/status_mapping.h"
#include "services/shared/store_client/store_client.h"

namespace mailroom::store_client {
namespace internal {

// The reactor of one Watch stream. Every read is started from a reaction (the first one before
// StartCall), so no hold is needed; the reactor keeps itself alive until OnDone and the
// callbacks posted to the executor keep it alive until they ran.
class WatchCall final : public grpc::ClientReadReactor<v1::ChangeEvent>,
                        public std::enable_shared_from_this<WatchCall> {
 public:
  static std::shared_ptr<WatchCall> Start(std::shared_ptr<const ClientCore> core,
                                          v1::WatchRequest request,
                                          asio::any_io_executor executor,
                                          WatchCallbacks callbacks) {
    auto call = std::shared_ptr<WatchCall>(
        new WatchCall(std::move(request), std::move(executor), std::move(callbacks)));
    {
      absl::MutexLock lock(&call->mu_);
      call->self_ = call;
    }
    core->stub->async()->Watch(&call->context_, &call->request_, call.get());
    call->core_ = std::move(core);
    call->StartRead(&call->event_);
    call->StartCall();
    return call;
  }

  // Ends the stream; callbacks that have not started yet will not run. Waits (briefly) until
  // gRPC has delivered OnDone, so that nothing is posted to the executor afterwards: the
  // executor's io_context may be destroyed right after its owner cancels the watch.
  void Cancel() {
    cancelled_.store(true);
    context_.TryCancel();
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&posted_done_), absl::Seconds(5));
  }

  bool active() const { return !cancelled_.load() && !done_.load(); }

  void OnReadDone(bool ok) override {
    // On !ok the stream is over; OnDone follows with the status.
    if (!ok) return;
    asio::post(executor_, [self = shared_from_this(), event = std::move(event_)]() mutable {
      if (!self->cancelled_.load() && self->callbacks_.on_event) {
        self->callbacks_.on_event(std::move(event));
      }
    });
    event_.Clear();
    StartRead(&event_);
  }

  void OnDone(const grpc::Status& status) override {
    GrpcThreadScope on_grpc_thread;
    done_.store(true);
    std::shared_ptr<WatchCall> self;
    {
      absl::MutexLock lock(&mu_);
      self = std::move(self_);
    }
    // The last reference normally goes with this task, on the executor: the callbacks may own
    // session objects that must not be destroyed on a gRPC thread.
    // Keep a raw pointer: `self` may be the last reference and goes into the task.
    WatchCall* const call = this;
    asio::post(executor_, [self = std::move(self), end = FromGrpcStatus(status)]() {
      if (!self->cancelled_.load() && self->callbacks_.on_end) self->callbacks_.on_end(end);
    });
    // Still alive: the WatchHandle keeps a reference until its Cancel() has seen this flag.
    absl::MutexLock lock(&call->mu_);
    call->posted_done_ = true;
  }

 private:
  WatchCall(v1::WatchRequest request, asio::any_io_executor executor, WatchCallbacks callbacks)
      : request_(std::move(request)),
        executor_(std::move(executor)),
        callbacks_(std::move(callbacks)) {}

  std::shared_ptr<const ClientCore> core_;  // keeps the channel alive for the call
  grpc::ClientContext context_;
  const v1::WatchRequest request_;
  const asio::any_io_executor executor_;
  const WatchCallbacks callbacks_;
  v1::ChangeEvent event_;  // written by gRPC between StartRead and OnReadDone
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> done_{false};
  absl::Mutex mu_;
  std::shared_ptr<WatchCall> self_ ABSL_GUARDED_BY(mu_);
  bool posted_done_ ABSL_GUARDED_BY(mu_) = false;  // OnDone's last post has been made
};

}  // namespace internal

WatchHandle::WatchHandle(std::shared_ptr<internal::WatchCall> call) : call_(std::move(call)) {}

WatchHandle& WatchHandle::operator=(WatchHandle&& other) noexcept {
  if (this != &other) {
    Cancel();
    call_ = std::move(other.call_);
  }
  return *this;
}

WatchHandle::~WatchHandle() { Cancel(); }

void WatchHandle::Cancel() {
  if (call_) call_->Cancel();
  call_.reset();
}

bool WatchHandle::active() const { return call_ && call_->active(); }

WatchHandle StoreClient::Watch(uint64_t user_id, uint64_t mailbox_id,
                               asio::any_io_executor executor, WatchCallbacks callbacks) {
  v1::WatchRequest request;
  request.set_user_id(user_id);
  request.set_mailbox_id(mailbox_id);
  return WatchHandle(internal::WatchCall::Start(core_, std::move(request), std::move(executor),
                                                std::move(callbacks)));
}

}  // namespace mailroom::store_client
