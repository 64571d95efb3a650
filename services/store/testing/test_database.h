// TestDatabase: a fresh, migrated PostgreSQL database per test binary, created inside the
// server named by MAILROOM_TEST_DATABASE_URL (scripts/test starts a private cluster and sets
// it). Tests with label `db` use it; without the variable they fail with a clear message.
#ifndef MAILROOM_SERVICES_STORE_TESTING_TEST_DATABASE_H_
#define MAILROOM_SERVICES_STORE_TESTING_TEST_DATABASE_H_

#include <string>

#include "absl/status/statusor.h"

namespace mailroom::store::testing {

class TestDatabase {
 public:
  // Creates database `mailroom_test_<pid>_<n>` and applies every migration.
  static absl::StatusOr<TestDatabase> Create();
  TestDatabase(TestDatabase&&) = default;
  ~TestDatabase();

  // libpq connection string of the new database.
  const std::string& dsn() const { return dsn_; }
  const std::string& name() const { return name_; }

 private:
  TestDatabase(std::string admin_dsn, std::string name, std::string dsn)
      : admin_dsn_(std::move(admin_dsn)), name_(std::move(name)), dsn_(std::move(dsn)) {}
  std::string admin_dsn_;
  std::string name_;
  std::string dsn_;
};

// Replaces the database name of a URL-style or key=value DSN.
std::string WithDatabase(const std::string& dsn, const std::string& database);

}  // namespace mailroom::store::testing

#endif  // MAILROOM_SERVICES_STORE_TESTING_TEST_DATABASE_H_
