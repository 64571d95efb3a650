#include "services/store/testing/test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "services/store/db/errors.h"
#include "services/store/db/migrate.h"

namespace mailroom::store::testing {

std::string WithDatabase(const std::string& dsn, const std::string& database) {
  if (dsn.rfind("postgres", 0) == 0) {  // URL form: postgresql://user@host:port/db?params
    size_t authority = dsn.find("//");
    size_t slash = dsn.find('/', authority == std::string::npos ? 0 : authority + 2);
    std::string base = slash == std::string::npos ? dsn : dsn.substr(0, slash);
    size_t query = slash == std::string::npos ? std::string::npos : dsn.find('?', slash);
    return absl::StrCat(base, "/", database,
                        query == std::string::npos ? "" : dsn.substr(query));
  }
  return absl::StrCat(dsn, " dbname=", database);
}

absl::StatusOr<TestDatabase> TestDatabase::Create() {
  const char* url = std::getenv("MAILROOM_TEST_DATABASE_URL");
  if (url == nullptr || *url == '\0') {
    return absl::FailedPreconditionError(
        "MAILROOM_TEST_DATABASE_URL is not set: run the db tests through scripts/test, which "
        "starts a private PostgreSQL");
  }
  static std::atomic<int> counter{0};
  const std::string name = absl::StrCat("mailroom_test_", getpid(), "_", counter++);
  try {
    pqxx::connection admin(url);
    pqxx::nontransaction txn(admin);
    txn.exec(absl::StrCat("DROP DATABASE IF EXISTS ", name));
    txn.exec(absl::StrCat("CREATE DATABASE ", name));
  } catch (...) {
    return db::TranslateCurrentException();
  }
  TestDatabase out(url, name, WithDatabase(url, name));
  absl::StatusOr<int> version = db::Migrate(out.dsn_);
  if (!version.ok()) return version.status();
  return out;
}

TestDatabase::~TestDatabase() {
  if (name_.empty()) return;
  try {
    pqxx::connection admin(admin_dsn_);
    pqxx::nontransaction txn(admin);
    txn.exec(absl::StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"));
  } catch (...) {
    // Best effort: the private cluster is thrown away after the run anyway.
  }
}

}  // namespace mailroom::store::testing
