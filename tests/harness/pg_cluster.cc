#include "tests/harness/pg_cluster.h"

#include "absl/strings/str_cat.h"
#include "tests/harness/process.h"

namespace mailroom::testing {
namespace {
std::string PgCtl(const std::string& args) {
  return absl::StrCat(MAILROOM_SOURCE_DIR, "/scripts/pgctl ", args);
}
}  // namespace

absl::StatusOr<PgCluster> PgCluster::Start() {
  std::string base = TempDir("mailroom-pg-");
  if (base.empty()) return absl::InternalError("cannot make a temp dir");
  Shell(absl::StrCat("chmod 755 ", base));
  const std::string dir = base + "/data";
  const int port = FreePort();
  if (Shell(PgCtl(absl::StrCat("init ", dir))) != 0 ||
      Shell(PgCtl(absl::StrCat("start ", dir, " ", port))) != 0 ||
      Shell(PgCtl(absl::StrCat("createdb ", dir, " ", port, " mailroom"))) != 0) {
    return absl::InternalError(absl::StrCat("cannot start PostgreSQL in ", dir));
  }
  return PgCluster(dir, port);
}

PgCluster::PgCluster(PgCluster&& other) noexcept : dir_(other.dir_), port_(other.port_) {
  other.dir_.clear();
}

PgCluster::~PgCluster() {
  if (dir_.empty()) return;
  Shell(PgCtl(absl::StrCat("stop ", dir_, " >/dev/null 2>&1")));
  Shell(absl::StrCat("rm -rf ", dir_.substr(0, dir_.rfind('/'))));
}

std::string PgCluster::dsn() const {
  return absl::StrCat("postgresql://postgres@127.0.0.1:", port_, "/mailroom");
}

bool PgCluster::Kill() { return Shell(PgCtl(absl::StrCat("kill ", dir_))) == 0; }

bool PgCluster::Restart() {
  return Shell(PgCtl(absl::StrCat("start ", dir_, " ", port_))) == 0;
}

}  // namespace mailroom::testing
