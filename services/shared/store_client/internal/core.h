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
#include "asio/post.hpp"
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
};

// Sets a deadline `timeout` from now on `context` (none for an infinite duration).
void SetDeadline(grpc::ClientContext& context, absl::Duration timeout);

// Resumes a suspended coroutine with a value; may be called once, from any thread.
template <typename T>
using Resume = std::function<void(T)>;

// Suspends the calling coroutine, runs `start(resume)` and resumes the coroutine on its own
// executor (via asio::post) once some thread calls `resume(value)`. When the coroutine is
// cancelled through asio per-operation cancellation meanwhile, `on_cancel` runs (it should make
// the operation complete soon, e.g. ClientContext::TryCancel()).
template <typename T, typename Start>
asio::awaitable<T> AwaitCallback(Start start, std::function<void()> on_cancel) {
  auto initiation = [start = std::move(start),
                     on_cancel = std::move(on_cancel)](auto handler) mutable {
    using Handler = decltype(handler);
    auto executor = asio::get_associated_executor(handler);
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (on_cancel && slot.is_connected()) {
      slot.assign([on_cancel](asio::cancellation_type) { on_cancel(); });
    }
    auto shared = std::make_shared<Handler>(std::move(handler));
    start(Resume<T>([shared, executor, slot](T value) mutable {
      asio::post(executor, [shared, slot, value = std::move(value)]() mutable {
        if (slot.is_connected()) slot.clear();
        (*shared)(std::move(value));
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
