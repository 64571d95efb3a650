// The one place where libpqxx exceptions become absl::Status (STYLE.md §5).
#ifndef MAILROOM_SERVICES_STORE_DB_ERRORS_H_
#define MAILROOM_SERVICES_STORE_DB_ERRORS_H_

#include "absl/status/status.h"

namespace mailroom::store::db {

// Maps the exception being handled (call only inside a catch block) to a Status:
// broken connection / cannot connect / admin shutdown → UNAVAILABLE; serialization failure
// and deadlock → ABORTED (the caller retries); unique violation → ALREADY_EXISTS; foreign key
// violation → FAILED_PRECONDITION; statement timeout → DEADLINE_EXCEEDED; anything else →
// INTERNAL. The message names the SQLSTATE, never parameter values.
absl::Status TranslateCurrentException();

// True for the statuses that TranslateCurrentException gives for retryable conflicts.
inline bool IsRetryable(const absl::Status& s) { return s.code() == absl::StatusCode::kAborted; }

}  // namespace mailroom::store::db

#endif  // MAILROOM_SERVICES_STORE_DB_ERRORS_H_
