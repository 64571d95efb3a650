// One message on its way to the store: a DeliverMessage stream fed while DATA or BDAT arrives,
// through a bounded buffer (the front end never holds the whole message). The store commits
// the message in Finish(); only then may the session answer 250 (DESIGN.md invariant 1).
#ifndef MAILROOM_SERVICES_SMTP_SESSION_DELIVERY_H_
#define MAILROOM_SERVICES_SMTP_SESSION_DELIVERY_H_

#include <asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/shared/store_client/store_client.h"

namespace mailroom::smtp {

class Delivery {
 public:
  // Opens the stream. `preamble` (Return-Path and Received) goes before the message bytes and
  // does not count towards `max_bytes`.
  Delivery(store_client::StoreClient& store, store_client::v1::DeliverMessageRequest::Header header,
           std::string preamble, uint64_t max_bytes);
  ~Delivery();

  // Adds message bytes; sends a chunk to the store whenever the buffer is full. Past
  // `max_bytes` nothing more is sent (too_big() turns true); after a store error nothing more
  // is sent either (error() says why). Both keep the caller reading to the end of the data.
  asio::awaitable<void> Append(std::string_view bytes);
  // Sends the rest and waits for the store's commit.
  asio::awaitable<absl::StatusOr<store_client::v1::DeliverMessageResponse>> Finish();
  // Abandons the message: the store stores nothing.
  void Cancel();

  uint64_t bytes() const { return bytes_; }
  bool too_big() const { return bytes_ > max_bytes_; }
  const absl::Status& error() const { return error_; }
  const std::string& transaction_id() const { return transaction_id_; }
  absl::Time started() const { return started_; }

 private:
  asio::awaitable<void> Flush();

  store_client::DeliverWriter writer_;
  const uint64_t max_bytes_;
  const std::string transaction_id_;
  const absl::Time started_;
  size_t preamble_size_ = 0;
  std::string buffer_;
  uint64_t bytes_ = 0;          // message octets seen (without the preamble)
  absl::Status error_;
  bool cancelled_ = false;
};

// 16 random hex digits: the transaction's id in logs, the queue id in the 250 reply and the
// store's idempotency key.
std::string NewTransactionId();

}  // namespace mailroom::smtp

#endif  // MAILROOM_SERVICES_SMTP_SESSION_DELIVERY_H_
