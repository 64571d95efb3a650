// Small helpers shared by the MailDb implementation files (internal to store/db).
#ifndef MAILROOM_SERVICES_STORE_DB_SQL_UTIL_H_
#define MAILROOM_SERVICES_STORE_DB_SQL_UTIL_H_

#include <cstdint>
#include <pqxx/binarystring>
#include <pqxx/row>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "mailroom/store/v1/store.pb.h"
#include "services/store/db/pool.h"

namespace mailroom::store::db {

namespace v1 = ::mailroom::store::v1;

// PostgreSQL array literals ("{...}") for passing arrays as one text parameter.
std::string IntArray(const std::vector<int64_t>& values);
std::string TextArray(const std::vector<std::string>& values);
// A bytea[] literal of raw byte strings (hex escaped).
std::string ByteaArray(const std::vector<std::string>& values);
// Parses a text[] column value.
std::vector<std::string> ParseTextArray(const std::string& literal);

// A UID set as two bigint arrays (range starts, range ends; `last` 0 = no upper bound).
struct UidArrays {
  std::string firsts;
  std::string lasts;
};
UidArrays ToArrays(const v1::UidSet& set);
// Builds a compact UidSet from sorted UIDs.
v1::UidSet ToUidSet(const std::vector<uint32_t>& sorted_uids);

// Reads m.flags (int) and m.keywords (text[]) at the given columns.
v1::Flags FlagsFromRow(const pqxx::row& row, int flags_col, int keywords_col);

// Queues a change announcement on the transaction's pooled connection; the pool publishes it
// once the transaction committed, and drops it on rollback (pool.cc).
void Notify(pqxx::transaction_base& txn, const v1::ChangeEvent& event);
// The NOTIFY payload of `event` on kChangeChannel (mail_db.h), for statements that announce
// a change themselves (pg_notify): base64 of the serialized event, without its UIDs when that
// would not fit (listeners then resynchronise from the MODSEQ).
std::string NotifyPayload(const v1::ChangeEvent& event);

// The name under which ExecFixed prepares `sql` on a connection.
std::string PreparedName(const char* sql);

// Runs `sql`, one of store/db's SQL constants (a fixed text with $n parameters), as a named
// prepared statement of the transaction's pooled connection, prepared there on first use:
// PostgreSQL parses and analyses it once per connection instead of at every call (it still
// plans every execution, see pool.cc). With PoolOptions::prepared_statements off it runs as
// an unnamed statement. `txn` must run on a ConnectionPool's connection (as every MailDb
// transaction does).
template <typename... Args>
pqxx::result ExecFixed(pqxx::transaction_base& txn, const char* sql, Args&&... args) {
  if (!static_cast<const PooledConnection&>(txn.conn()).prepared_statements()) {
    return txn.exec_params(sql, std::forward<Args>(args)...);
  }
  const std::string name = PreparedName(sql);
  txn.conn().prepare(name, sql);  // registers once; the server sees it at first execution
  return txn.exec_prepared(name, std::forward<Args>(args)...);
}

// Bytes of a bytea column.
std::string Bytes(const pqxx::field& field);

// Microseconds since the Unix epoch of a timestamptz column selected as
// (extract(epoch from x) * 1000000)::bigint.
int64_t Micros(const pqxx::field& field);

}  // namespace mailroom::store::db

#endif  // MAILROOM_SERVICES_STORE_DB_SQL_UTIL_H_
