// Private to store_client: what the client and its streams share, and the helpers that turn
// gRPC callbacks into asio awaitables. Includes the generated stub and asio; never include it
// from a public header.
#ifndef MAILROOM_SERVICES_SHARED_STORE_CLIENT_INTERNAL_CORE_H_
#define MAILROOM_SERVICES_SHARED_STORE_CLIENT_INTERNAL_CORE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "asio/associated_cancellation_slot.hpp"
#include "asio/associated_executor.hpp"
#include "asio/async_result.hpp"
#include "asio/awaitable.hpp"
#include "asio/execution/outstanding_work.hpp"
#include "asio/post.hpp"
#include "asio/prefer.hpp"
#include "asio/use_awaitable.hpp"
#include "grpcpp/client_context.h"
#include "mailroom/store/v1/store.grpc.pb.h"
#include "services/shared/store_client/options.h"

namespace mailroom::store_client::internal {

namespace v1 = ::mailroom::store::v1;

using AsyncStub = v1::MailStore::StubInterface::async_interface;

struct ClientCore {
  std::shared_ptr<v1::MailStore::StubInterface> stub;
  Options options;
  std::shared_ptr<grpc::ChannelInterface> channel;  // for its connectivity state
};

// Returns a new ClientCore over `channel`. Destroying a grpc::Channel on one of gRPC's own
// callback threads is a use-after-free inside gRPC, so when the last reference goes away inside a
// GrpcThreadScope the core is destroyed on a short-lived thread of its own instead.
std::shared_ptr<const ClientCore> NewClientCore(std::shared_ptr<grpc::ChannelInterface> channel,
                                                Options options);

// Marks the current thread, while alive, as running a gRPC reaction (OnDone and the like).
class GrpcThreadScope {
 public:
  GrpcThreadScope();
  ~GrpcThreadScope();
  GrpcThreadScope(const GrpcThreadScope&) = delete;
  GrpcThreadScope& operator=(const GrpcThreadScope&) = delete;

  static bool Active();
};

// Sets a deadline `timeout` from now on `context` (none for an infinite duration).
void SetDeadline(grpc::ClientContext& context, absl::Duration timeout);

// NOTE g++ 12 destroys a lambda passed as a prvalue argument inside a co_await expression twice
// (`co_await F([x] {...})` corrupts x). Every lambda handed to a coroutine here is therefore a
// named local first: `auto f = [x] {...}; co_await F(std::move(f));`. Likewise a co_await
// stands alone in its statement (`T x = co_await ...;`), never inside ?: or a call's arguments.

// Resumes a suspended coroutine with a value; may be called once, from any thread.
template <typename T>
using Resume = std::function<void(T)>;

// Suspends the calling coroutine, runs `start(resume)` and resumes the coroutine on its own
// executor (via asio::post) once some thread calls `resume(value)`; until then the executor
// counts the wait as outstanding work. When the coroutine is
// cancelled through asio per-operation cancellation meanwhile, `on_cancel` runs (it should make
// the operation complete soon, e.g. ClientContext::TryCancel()).
template <typename T, typename Start>
asio::awaitable<T> AwaitCallback(Start start, std::function<void()> on_cancel) {
  auto initiation = [start = std::move(start),
                     on_cancel = std::move(on_cancel)](auto handler) mutable {
    using Handler = decltype(handler);
    // A tracked executor counts as outstanding work: io_context::run() must not return while
    // a coroutine waits for gRPC.
    auto executor = asio::prefer(asio::get_associated_executor(handler),
                                 asio::execution::outstanding_work.tracked);
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (on_cancel && slot.is_connected()) {
      slot.assign([on_cancel](asio::cancellation_type) { on_cancel(); });
    }
    auto shared = std::make_shared<Handler>(std::move(handler));
    // `resume` hands the handler (and with it the coroutine frames) over to the executor, so
    // that whatever gRPC keeps of the callback afterwards holds no frame: frames must not be
    // destroyed on gRPC's threads (see GrpcThreadScope).
    start(Resume<T>([shared, executor, slot](T value) mutable {
      asio::post(executor, [handler = std::move(shared), slot, value = std::move(value)]() mutable {
        if (slot.is_connected()) slot.clear();
        (*handler)(std::move(value));
      });
    }));
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>, void(T)>(
      std::move(initiation), asio::use_awaitable);
}

// Waits before retry number `attempt` (0-based): Options' initial backoff doubled per attempt,
// capped at the maximum, with +-20% jitter. Uses an asio timer on the caller's executor.
asio::awaitable<void> RetryBackoff(const Options& options, int attempt);

// Logs that `rpc` failed with `status` and is about to be tried again.
void LogRetry(const char* rpc, const absl::Status& status, int attempt);

// Runs `attempt()` (returning asio::awaitable<absl::StatusOr<T>>) and, when `retryable`,
// repeats it after a backoff while it fails with UNAVAILABLE, at most options.max_retries
// more times. Returns the last result.
template <typename T, typename Attempt>
asio::awaitable<absl::StatusOr<T>> WithRetries(const Options& options, const char* rpc,
                                              bool retryable, Attempt attempt) {
  for (int i = 0;; ++i) {
    absl::StatusOr<T> result = co_await attempt();
    if (result.ok() || !retryable || i >= options.max_retries ||
        result.status().code() != absl::StatusCode::kUnavailable) {
      co_return result;
    }
    LogRetry(rpc, result.status(), i + 1);
    co_await RetryBackoff(options, i);
  }
}

}  // namespace mailroom::store_client::internal

#endif  // MAILROOM_SERVICES_SHARED_STORE_CLIENT_INTERNAL_CORE_H_
