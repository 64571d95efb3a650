// MailStore.Watch: a server-streaming reactor per watcher, fed by the WatchHub. The first
// event is KIND_READY (the subscription is in place); events then follow in commit order.
#include <deque>
#include <mutex>
#include <optional>

#include "services/shared/log/log.h"
#include "services/store/service/mail_store_service.h"

namespace mailroom::store {
namespace {

class WatchReactor final : public grpc::ServerWriteReactor<v1::ChangeEvent> {
 public:
  WatchReactor(WatchHub* hub, const v1::WatchRequest& request, size_t max_backlog)
      : hub_(hub), max_backlog_(max_backlog) {
    v1::ChangeEvent ready;
    ready.set_kind(v1::ChangeEvent::KIND_READY);
    ready.set_user_id(request.user_id());
    ready.set_mailbox_id(request.mailbox_id());
    // READY is queued first and the subscription made before it is sent, so no change
    // committed after the client saw READY is missed.
    queue_.push_back(ready);
    handle_ = hub_->Subscribe(request.user_id(), request.mailbox_id(),
                              [this](const v1::ChangeEvent& e) { Enqueue(e); });
    std::lock_guard<std::mutex> lock(mu_);
    WriteNextLocked();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (ok) queue_.pop_front();
    // A finish decided while the write was in flight (cancelled, backlog too long) happens
    // now, whether the write succeeded or failed: without it gRPC never calls OnDone and the
    // server's Shutdown waits for this stream forever.
    if (pending_finish_) {
      Finish(*pending_finish_);
      pending_finish_.reset();
      return;
    }
    if (!ok) {
      FinishLocked(grpc::Status::CANCELLED);
      return;
    }
    WriteNextLocked();
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    hub_->Unsubscribe(handle_);
    delete this;
  }

 private:
  void Enqueue(const v1::ChangeEvent& event) {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    if (queue_.size() >= max_backlog_) {
      // A watcher this far behind resynchronises from MODSEQs after reconnecting.
      FinishLocked(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "watch backlog too long"));
      return;
    }
    queue_.push_back(event);
    WriteNextLocked();
  }

  void WriteNextLocked() {
    if (writing_ || finished_ || queue_.empty()) return;
    writing_ = true;
    StartWrite(&queue_.front());
  }

  void FinishLocked(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    // Unsubscribe happens in OnDone; events arriving meanwhile are dropped by `finished_`.
    if (!writing_) Finish(status);
    else pending_finish_ = status;
  }

  WatchHub* const hub_;
  const size_t max_backlog_;
  uint64_t handle_ = 0;
  std::mutex mu_;
  std::deque<v1::ChangeEvent> queue_;
  bool writing_ = false;
  bool finished_ = false;
  std::optional<grpc::Status> pending_finish_;
};

}  // namespace

grpc::ServerWriteReactor<v1::ChangeEvent>* MailStoreService::Watch(
    grpc::CallbackServerContext*, const v1::WatchRequest* request) {
  return new WatchReactor(hub_, *request, limits_.max_watch_backlog);
}

}  // namespace mailroom::store
