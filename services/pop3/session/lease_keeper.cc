#include "services/pop3/session/lease_keeper.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <utility>

#include "services/shared/log/log.h"

namespace mailroom::pop3 {

struct LeaseKeeper::State {
  State(asio::any_io_executor ex, Pop3Store& s) : timer(ex), store(s) {}
  asio::steady_timer timer;
  Pop3Store& store;
  uint64_t user_id = 0;
  std::string lease_id;
  absl::Duration ttl;
  bool stopped = false;
  bool lost = false;
};

namespace {

asio::awaitable<void> RenewLoop(std::shared_ptr<LeaseKeeper::State> s) {
  const auto period = absl::ToChronoMilliseconds(s->ttl / 3);
  while (!s->stopped) {
    s->timer.expires_after(period);
    auto [ec] = co_await s->timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (ec || s->stopped) break;
    absl::Status st = co_await s->store.RenewLease(s->user_id, s->lease_id, s->ttl);
    if (absl::IsFailedPrecondition(st)) {
      s->lost = true;
      log::Warning("pop3 maildrop lease lost", {{"user_id", s->user_id}});
      break;
    }
    if (!st.ok()) {
      // A store hiccup: the next tick tries again while the lease is still valid.
      log::Warning("pop3 lease renewal failed", {{"error", std::string(st.message())}});
    }
  }
}

}  // namespace

LeaseKeeper::LeaseKeeper(asio::any_io_executor executor, Pop3Store& store, uint64_t user_id,
                         std::string lease_id, absl::Duration ttl)
    : state_(std::make_shared<State>(executor, store)) {
  state_->user_id = user_id;
  state_->lease_id = std::move(lease_id);
  state_->ttl = ttl;
  asio::co_spawn(executor, RenewLoop(state_), asio::detached);
}

LeaseKeeper::~LeaseKeeper() { Stop(); }

void LeaseKeeper::Stop() {
  state_->stopped = true;
  state_->timer.cancel();
}

bool LeaseKeeper::lost() const { return state_->lost; }
const std::string& LeaseKeeper::lease_id() const { return state_->lease_id; }

}  // namespace mailroom::pop3
