#include "services/store/db/errors.h"

#include <exception>
#include <pqxx/except>
#include <string>

#include "absl/strings/str_cat.h"

namespace mailroom::store::db {

absl::Status TranslateCurrentException() {
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError("database connection lost");
  } catch (const pqxx::in_doubt_error& e) {
    return absl::UnavailableError("database commit outcome unknown");
  } catch (const pqxx::serialization_failure& e) {
    return absl::AbortedError("serialization failure");
  } catch (const pqxx::deadlock_detected& e) {
    return absl::AbortedError("deadlock detected");
  } catch (const pqxx::unique_violation& e) {
    return absl::AlreadyExistsError("already exists");
  } catch (const pqxx::foreign_key_violation& e) {
    return absl::FailedPreconditionError("referenced row missing");
  } catch (const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
    // Class 57 (operator intervention: admin shutdown, crash shutdown, cannot connect now),
    // 08 (connection exception), 53 (insufficient resources) are transient.
    if (state.rfind("57", 0) == 0 || state.rfind("08", 0) == 0 || state.rfind("53", 0) == 0) {
      if (state == "57014") return absl::DeadlineExceededError("statement timeout");
      return absl::UnavailableError(absl::StrCat("database unavailable (", state, ")"));
    }
    if (state == "40001" || state == "40P01") return absl::AbortedError("conflict, retry");
    return absl::InternalError(absl::StrCat("database error ", state));
  } catch (const pqxx::failure& e) {
    return absl::UnavailableError(absl::StrCat("database failure: ", e.what()));
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory");
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("unexpected error: ", e.what()));
  }
}

}  // namespace mailroom::store::db
