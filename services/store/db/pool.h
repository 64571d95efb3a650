// A pool of PostgreSQL connections and the one-transaction-per-RPC runner (STYLE.md §9).
// Internal to store/db: only db/*.cc include this header.
#ifndef MAILROOM_SERVICES_STORE_DB_POOL_H_
#define MAILROOM_SERVICES_STORE_DB_POOL_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <pqxx/transaction>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace mailroom::store::db {

struct PoolOptions {
  std::string dsn;                     // libpq connection string
  int size = 8;                        // connections at most
  absl::Duration acquire_timeout = absl::Seconds(10);
  int max_attempts = 5;                // of one transaction, on serialization failure/deadlock
  int statement_timeout_ms = 30000;
  // Fixed statements run as named prepared statements of each connection (sql_util.h
  // ExecFixed). Off for a pooler that does not keep protocol-level prepared statements in
  // transaction mode (pgbouncer before 1.21, or max_prepared_statements = 0).
  bool prepared_statements = true;
};

// A pooled connection: a pqxx::connection that knows whether statements may be prepared on it,
// and holds the change announcements of its running transaction (sql_util.h Notify), which the
// pool publishes once that transaction committed.
class PooledConnection final : public pqxx::connection {
 public:
  PooledConnection(const std::string& dsn, bool prepared_statements)
      : pqxx::connection(dsn), prepared_statements_(prepared_statements) {}
  bool prepared_statements() const { return prepared_statements_; }

  void QueueNotify(std::string payload) { notifies_.push_back(std::move(payload)); }
  size_t queued_notifies() const { return notifies_.size(); }
  // Forgets all but the first `keep` (those of a savepoint that was rolled back, or all).
  void DropNotifies(size_t keep = 0) {
    if (keep < notifies_.size()) notifies_.resize(keep);
  }
  std::vector<std::string> TakeNotifies() {
    std::vector<std::string> out;
    out.swap(notifies_);
    return out;
  }

 private:
  const bool prepared_statements_;
  std::vector<std::string> notifies_;
};

class ConnectionPool {
 public:
  explicit ConnectionPool(PoolOptions options);
  ~ConnectionPool();

  // Runs `fn` inside one READ COMMITTED transaction and commits when it returns OK. `fn` may
  // run more than once (serialization failures and deadlocks are retried), so it must reset
  // whatever it outputs at its start. Returns fn's error (nothing committed), UNAVAILABLE when
  // no connection can be had or the connection broke, DEADLINE_EXCEEDED when no connection was
  // free within the acquire timeout, or the translated database error.
  absl::Status Run(std::string_view what, const std::function<absl::Status(pqxx::work&)>& fn);

  // As Run, for `fn` running ONE read-only statement: it runs in autocommit (no BEGIN and
  // COMMIT, two round trips fewer), which for a single statement is the same transaction.
  absl::Status RunRead(std::string_view what,
                       const std::function<absl::Status(pqxx::transaction_base&)>& fn);

  // Opens one connection and checks it answers; UNAVAILABLE otherwise.
  absl::Status Ping();

  // NOTIFYs `payloads` on the change channel now (outside any transaction); UNAVAILABLE when
  // the database cannot be reached.
  absl::Status PublishNow(const std::vector<std::string>& payloads);

  const PoolOptions& options() const { return options_; }

  // Transactions run again after a serialization failure or deadlock, since start-up.
  uint64_t conflicts_retried() const { return conflicts_retried_.load(std::memory_order_relaxed); }

 private:
  std::unique_ptr<PooledConnection> Acquire(absl::Status* status);
  void Release(std::unique_ptr<PooledConnection> conn, bool healthy);
  std::unique_ptr<PooledConnection> Connect(absl::Status* status);
  // One attempt: `fn` in a transaction (committed when it returns OK) or, without
  // `transactional`, in autocommit.
  absl::Status Attempt(std::string_view what, bool transactional,
                       const std::function<absl::Status(pqxx::transaction_base&)>& fn);
  absl::Status Retrying(std::string_view what, bool transactional,
                        const std::function<absl::Status(pqxx::transaction_base&)>& fn);
  // NOTIFYs `payloads` on the change channel, on `conn` or, should that fail, on another
  // connection; false when neither worked (logged).
  bool Publish(PooledConnection& conn, const std::vector<std::string>& payloads);

  const PoolOptions options_;
  std::atomic<uint64_t> conflicts_retried_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PooledConnection>> idle_;
  int open_ = 0;
};

}  // namespace mailroom::store::db

#endif  // MAILROOM_SERVICES_STORE_DB_POOL_H_
