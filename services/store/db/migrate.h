// Applies the numbered, append-only migrations of services/store/schema/ (embedded at build
// time) under a PostgreSQL advisory lock, so that several store replicas may start at once.
#ifndef MAILROOM_SERVICES_STORE_DB_MIGRATE_H_
#define MAILROOM_SERVICES_STORE_DB_MIGRATE_H_

#include <string>

#include "absl/status/statusor.h"

namespace mailroom::store::db {

// Brings the database at `dsn` to the newest schema version and returns that version.
// UNAVAILABLE when PostgreSQL cannot be reached; INTERNAL when a migration fails (nothing of
// that migration stays applied: each runs in its own transaction).
absl::StatusOr<int> Migrate(const std::string& dsn);

}  // namespace mailroom::store::db

#endif  // MAILROOM_SERVICES_STORE_DB_MIGRATE_H_
