#include "services/store/db/pool.h"

#include <chrono>
#include <pqxx/except>
#include <pqxx/nontransaction>

#include "absl/strings/str_cat.h"
#include "services/shared/log/log.h"
#include "services/store/db/errors.h"
#include "services/store/db/mail_db.h"
#include "services/store/db/sql_util.h"

namespace mailroom::store::db {
namespace {

constexpr char kPublishSql[] = "SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p";

}  // namespace

ConnectionPool::ConnectionPool(PoolOptions options) : options_(std::move(options)) {}
ConnectionPool::~ConnectionPool() = default;

std::unique_ptr<PooledConnection> ConnectionPool::Connect(absl::Status* status) {
  try {
    auto conn = std::make_unique<PooledConnection>(options_.dsn, options_.prepared_statements);
    // Durable before acknowledged (DESIGN.md invariant 1).
    conn->set_variable("synchronous_commit", "on");
    conn->set_variable("statement_timeout", std::to_string(options_.statement_timeout_ms));
    // Prepared statements keep PostgreSQL's default plan caching: after five executions a
    // statement reuses its generic plan unless planning for the parameters pays. Planning the
    // multi-CTE writes (STORE, EXPUNGE) cost as much as running them; the statements that take
    // UID sets read them one index range scan per range (mail_db_flags.cc), so a generic plan
    // never scans a whole mailbox for a few UIDs.
    return conn;
  } catch (...) {
    *status = TranslateCurrentException();
    if (status->code() == absl::StatusCode::kInternal) {
      *status = absl::UnavailableError(absl::StrCat("cannot connect: ", status->message()));
    }
    return nullptr;
  }
}

std::unique_ptr<PooledConnection> ConnectionPool::Acquire(absl::Status* status) {
  std::unique_lock<std::mutex> lock(mu_);
  auto deadline = std::chrono::steady_clock::now() +
                  absl::ToChronoMilliseconds(options_.acquire_timeout);
  while (idle_.empty() && open_ >= options_.size) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.size) {
      *status = absl::DeadlineExceededError("no database connection free");
      return nullptr;
    }
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }
  ++open_;
  lock.unlock();
  auto conn = Connect(status);
  if (conn == nullptr) {
    lock.lock();
    --open_;
    cv_.notify_one();
  }
  return conn;
}

void ConnectionPool::Release(std::unique_ptr<PooledConnection> conn, bool healthy) {
  std::lock_guard<std::mutex> lock(mu_);
  if (healthy && conn->is_open()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  cv_.notify_one();
}

absl::Status ConnectionPool::Attempt(
    std::string_view what, bool transactional,
    const std::function<absl::Status(pqxx::transaction_base&)>& fn) {
  absl::Status acquire_status;
  std::unique_ptr<PooledConnection> conn = Acquire(&acquire_status);
  if (conn == nullptr) return acquire_status;
  absl::Status result;
  bool healthy = true;
  conn->DropNotifies();
  try {
    if (transactional) {
      pqxx::work txn(*conn, std::string(what));
      result = fn(txn);
      if (result.ok()) txn.commit();
    } else {
      pqxx::nontransaction txn(*conn, std::string(what));
      result = fn(txn);
    }
  } catch (...) {
    result = TranslateCurrentException();
    healthy = result.code() != absl::StatusCode::kUnavailable && conn->is_open();
  }
  // Announced after the commit, not inside the transaction: PostgreSQL serialises the commits
  // of notifying transactions on one lock that it holds through their WAL flush, so a NOTIFY
  // inside let only one writing transaction of the whole database commit at a time (at 8 IMAP
  // clients most write transactions waited on that lock, no commits shared a flush). The
  // announcement follows the commit by one round trip; should the store stop just between
  // them, the announcement it sends when it starts again makes every watcher resynchronise
  // (MailDb::AnnounceStart).
  std::vector<std::string> notifies = conn->TakeNotifies();
  if (result.ok() && !notifies.empty() && !Publish(*conn, notifies)) healthy = false;
  Release(std::move(conn), healthy);
  return result;
}

bool ConnectionPool::Publish(PooledConnection& conn, const std::vector<std::string>& payloads) {
  try {
    pqxx::nontransaction txn(conn, "notify");
    txn.exec_params(kPublishSql, kChangeChannel, TextArray(payloads));
    return true;
  } catch (...) {
    const absl::Status s = TranslateCurrentException();
    log::Warning("announcing a change failed; trying another connection",
                 {{"error", std::string(s.message())}});
  }
  const absl::Status again = PublishNow(payloads);
  if (!again.ok()) {
    log::Error("a committed change was not announced",
               {{"error", std::string(again.message())}});
  }
  return false;
}

absl::Status ConnectionPool::PublishNow(const std::vector<std::string>& payloads) {
  return Attempt("notify", false, [&](pqxx::transaction_base& txn) {
    txn.exec_params(kPublishSql, kChangeChannel, TextArray(payloads));
    return absl::OkStatus();
  });
}

absl::Status ConnectionPool::Retrying(
    std::string_view what, bool transactional,
    const std::function<absl::Status(pqxx::transaction_base&)>& fn) {
  absl::Status last;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    absl::Status result = Attempt(what, transactional, fn);
    if (!IsRetryable(result)) return result;
    last = result;
    conflicts_retried_.fetch_add(1, std::memory_order_relaxed);
    log::Debug("retrying transaction", {{"what", std::string(what)}, {"attempt", attempt}});
  }
  return absl::UnavailableError(absl::StrCat("too many conflicts: ", last.message()));
}

absl::Status ConnectionPool::Run(std::string_view what,
                                 const std::function<absl::Status(pqxx::work&)>& fn) {
  return Retrying(what, true, [&fn](pqxx::transaction_base& txn) {
    return fn(static_cast<pqxx::work&>(txn));
  });
}

absl::Status ConnectionPool::RunRead(
    std::string_view what, const std::function<absl::Status(pqxx::transaction_base&)>& fn) {
  return Retrying(what, false, fn);
}

absl::Status ConnectionPool::Ping() {
  return Run("ping", [](pqxx::work& txn) {
    txn.exec("SELECT 1");
    return absl::OkStatus();
  });
}

}  // namespace mailroom::store::db
