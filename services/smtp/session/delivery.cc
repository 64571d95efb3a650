#include "services/smtp/session/delivery.h"

#include <random>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace mailroom::smtp {
namespace {
constexpr size_t kChunkBytes = store_client::kBodyChunkBytes;
}  // namespace

std::string NewTransactionId() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return absl::StrFormat("%016x", rng());
}

Delivery::Delivery(store_client::StoreClient& store,
                   store_client::v1::DeliverMessageRequest::Header header, std::string preamble,
                   uint64_t max_bytes)
    : writer_(store.StartDeliverMessage(header)),
      max_bytes_(max_bytes),
      transaction_id_(header.transaction_id()),
      started_(absl::Now()),
      preamble_size_(preamble.size()),
      buffer_(std::move(preamble)) {}

Delivery::~Delivery() {
  if (!cancelled_) writer_.Cancel();
}

asio::awaitable<void> Delivery::Flush() {
  if (buffer_.empty() || !error_.ok() || cancelled_) {
    buffer_.clear();
    co_return;
  }
  std::string chunk;
  chunk.swap(buffer_);
  error_ = co_await writer_.Write(std::move(chunk));
}

asio::awaitable<void> Delivery::Append(std::string_view bytes) {
  bytes_ += bytes.size();
  if (too_big() || cancelled_ || !error_.ok()) {
    if (too_big() && !cancelled_) Cancel();
    buffer_.clear();
    co_return;
  }
  buffer_.append(bytes);
  if (buffer_.size() >= kChunkBytes) co_await Flush();
}

asio::awaitable<absl::StatusOr<store_client::v1::DeliverMessageResponse>> Delivery::Finish() {
  if (cancelled_) co_return absl::CancelledError("delivery abandoned");
  co_await Flush();
  if (!error_.ok()) {
    Cancel();
    co_return error_;
  }
  cancelled_ = true;  // the writer is finished; nothing to cancel any more
  co_return co_await writer_.Finish();
}

void Delivery::Cancel() {
  if (cancelled_) return;
  cancelled_ = true;
  writer_.Cancel();
}

}  // namespace mailroom::smtp
