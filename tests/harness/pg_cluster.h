// A private PostgreSQL cluster for one test (through scripts/pgctl), for tests that stop or
// crash PostgreSQL on purpose. Other db tests share the server of MAILROOM_TEST_DATABASE_URL.
#ifndef MAILROOM_TESTS_HARNESS_PG_CLUSTER_H_
#define MAILROOM_TESTS_HARNESS_PG_CLUSTER_H_

#include <string>

#include "absl/status/statusor.h"

namespace mailroom::testing {

class PgCluster {
 public:
  // Creates and starts a cluster on a free port with database "mailroom".
  static absl::StatusOr<PgCluster> Start();
  PgCluster(PgCluster&& other) noexcept;
  ~PgCluster();  // stops it and removes its folder

  std::string dsn() const;
  int port() const { return port_; }
  bool Kill();     // immediate shutdown, as a crash
  bool Restart();  // start again on the same port

 private:
  PgCluster(std::string dir, int port) : dir_(std::move(dir)), port_(port) {}
  std::string dir_;
  int port_ = 0;
};

}  // namespace mailroom::testing

#endif  // MAILROOM_TESTS_HARNESS_PG_CLUSTER_H_
