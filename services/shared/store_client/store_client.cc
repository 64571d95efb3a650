// StoreClient construction and the retry/deadline helpers shared by all calls.
#include "services/shared/store_client/store_client.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include "absl/random/random.h"
#include "asio/steady_timer.hpp"
#include "asio/this_coro.hpp"
#include "grpcpp/channel.h"
#include "services/shared/log/log.h"
#include "services/shared/store_client/channel.h"
#include "services/shared/store_client/internal/core.h"

namespace mailroom::store_client {

namespace internal {
namespace {

thread_local int grpc_thread_depth = 0;

}  // namespace

GrpcThreadScope::GrpcThreadScope() { ++grpc_thread_depth; }
GrpcThreadScope::~GrpcThreadScope() { --grpc_thread_depth; }
bool GrpcThreadScope::Active() { return grpc_thread_depth > 0; }

std::shared_ptr<const ClientCore> NewClientCore(std::shared_ptr<grpc::ChannelInterface> channel,
                                                Options options) {
  auto* core = new ClientCore{v1::MailStore::NewStub(channel), std::move(options), channel};
  return std::shared_ptr<const ClientCore>(core, [](const ClientCore* c) {
    if (GrpcThreadScope::Active()) {
      std::thread([c] { delete c; }).detach();
    } else {
      delete c;
    }
  });
}

void SetDeadline(grpc::ClientContext& context, absl::Duration timeout) {
  if (timeout == absl::InfiniteDuration()) return;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
}

asio::awaitable<void> RetryBackoff(const Options& options, int attempt) {
  absl::Duration delay = options.retry_initial_backoff;
  for (int i = 0; i < attempt && delay < options.retry_max_backoff; ++i) delay *= 2;
  delay = std::min(delay, options.retry_max_backoff);
  // Jitter spreads the retries of many sessions that saw the same replica go away.
  thread_local absl::BitGen bitgen;
  delay *= absl::Uniform(bitgen, 0.8, 1.2);
  asio::any_io_executor executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, absl::ToChronoMilliseconds(delay));
  co_await timer.async_wait(asio::use_awaitable);
}

void LogRetry(const char* rpc, const absl::Status& status, int attempt) {
  log::Warning("store call failed, retrying",
               {{"rpc", rpc},
                {"code", absl::StatusCodeToString(status.code())},
                {"error", std::string(status.message())},
                {"attempt", attempt}});
}

}  // namespace internal

absl::StatusOr<StoreClient> StoreClient::Create(const Options& options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = CreateStoreChannel(options);
  if (!channel.ok()) return channel.status();
  return StoreClient(*std::move(channel), options);
}

StoreClient::StoreClient(std::shared_ptr<grpc::ChannelInterface> channel, Options options)
    : core_(internal::NewClientCore(std::move(channel), std::move(options))) {}

StoreClient::~StoreClient() = default;

const Options& StoreClient::options() const { return core_->options; }

bool StoreClient::Connected(bool try_to_connect) const {
  return core_->channel->GetState(try_to_connect) == GRPC_CHANNEL_READY;
}

void StoreClient::AwaitConnectivityChange(absl::Duration timeout) const {
  const grpc_connectivity_state state = core_->channel->GetState(/*try_to_connect=*/false);
  core_->channel->WaitForStateChange(
      state, std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
}

}  // namespace mailroom::store_client
