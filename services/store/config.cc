#include "services/store/config.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "gRPC listen address (host:port)");
ABSL_FLAG(std::string, database_url, "postgresql://mailroom@127.0.0.1:5432/mailroom",
          "libpq connection string of the PostgreSQL database");
ABSL_FLAG(std::string, listen_database_url, "",
          "connection string for LISTEN/NOTIFY; must reach PostgreSQL directly, not through a "
          "transaction-mode pooler (default: --database_url)");
ABSL_FLAG(int, pool_size, 16, "PostgreSQL connections in the pool");
ABSL_FLAG(int, statement_timeout_ms, 30000, "PostgreSQL statement_timeout");
ABSL_FLAG(bool, prepared_statements, true,
          "run the store's fixed SQL as prepared statements of each connection; off behind a "
          "transaction-mode pooler without protocol-level prepared statements (pgbouncer "
          "before 1.21, or max_prepared_statements = 0)");
ABSL_FLAG(uint64_t, max_message_bytes, 64ull << 20, "largest message accepted (octets)");
ABSL_FLAG(int, max_recipients, 1000, "recipients per delivery");
ABSL_FLAG(int, max_append_messages, 1000,
          "messages in one AppendMessage stream (IMAP MULTIAPPEND, RFC 3502)");
ABSL_FLAG(std::string, default_domain, "", "domain appended to logins without '@'");
ABSL_FLAG(int, password_ops, 2, "argon2id passes for new password hashes");
ABSL_FLAG(int, password_mem_kib, 19456, "argon2id memory (KiB) for new password hashes");
ABSL_FLAG(int, drain_seconds, 20, "on SIGTERM, how long in-flight calls may take");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");
ABSL_FLAG(bool, migrate, true, "apply schema migrations at start");

namespace mailroom::store {

Config ConfigFromFlags() {
  Config c;
  c.listen = absl::GetFlag(FLAGS_listen);
  c.pool.dsn = absl::GetFlag(FLAGS_database_url);
  c.listen_dsn = absl::GetFlag(FLAGS_listen_database_url);
  if (c.listen_dsn.empty()) c.listen_dsn = c.pool.dsn;
  c.pool.size = absl::GetFlag(FLAGS_pool_size);
  c.pool.statement_timeout_ms = absl::GetFlag(FLAGS_statement_timeout_ms);
  c.pool.prepared_statements = absl::GetFlag(FLAGS_prepared_statements);
  c.limits.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  c.limits.max_recipients = absl::GetFlag(FLAGS_max_recipients);
  c.limits.max_append_messages = absl::GetFlag(FLAGS_max_append_messages);
  c.limits.default_domain = absl::GetFlag(FLAGS_default_domain);
  c.password_cost.ops = static_cast<unsigned long long>(absl::GetFlag(FLAGS_password_ops));
  c.password_cost.mem_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_password_mem_kib)) << 10;
  c.drain_seconds = absl::GetFlag(FLAGS_drain_seconds);
  c.log_level = absl::GetFlag(FLAGS_log_level);
  c.migrate = absl::GetFlag(FLAGS_migrate);
  return c;
}

}  // namespace mailroom::store
