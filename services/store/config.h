// Configuration of mailroom-stored: one struct, filled from flags / MAILROOM_* variables in
// config.cc (STYLE.md §13).
#ifndef MAILROOM_SERVICES_STORE_CONFIG_H_
#define MAILROOM_SERVICES_STORE_CONFIG_H_

#include <string>

#include "services/store/db/pool.h"
#include "services/store/domain/password.h"
#include "services/store/service/mail_store_service.h"

namespace mailroom::store {

struct Config {
  std::string listen = "127.0.0.1:50051";
  db::PoolOptions pool;            // pool.dsn from --database_url
  std::string listen_dsn;          // LISTEN connection: direct to PostgreSQL, never a pooler
  ServiceLimits limits;
  PasswordCost password_cost;
  int drain_seconds = 20;
  std::string log_level = "info";
  bool migrate = true;             // apply schema migrations at start
};

// Reads the flags (after config::ParseFlagsWithEnv).
Config ConfigFromFlags();

}  // namespace mailroom::store

#endif  // MAILROOM_SERVICES_STORE_CONFIG_H_
