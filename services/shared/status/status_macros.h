// Small helpers for absl::Status / absl::StatusOr plumbing (Abseil 20220623 has none).
#ifndef MAILROOM_SERVICES_SHARED_STATUS_STATUS_MACROS_H_
#define MAILROOM_SERVICES_SHARED_STATUS_STATUS_MACROS_H_

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MAILROOM_STATUS_CONCAT_INNER_(a, b) a##b
#define MAILROOM_STATUS_CONCAT_(a, b) MAILROOM_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                                            \
  do {                                                                   \
    ::absl::Status mailroom_status_ = (expr);                            \
    if (!mailroom_status_.ok()) return mailroom_status_;                 \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, Foo());` declares/assigns the value or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  MAILROOM_ASSIGN_OR_RETURN_IMPL_(MAILROOM_STATUS_CONCAT_(statusor_, __LINE__), lhs, expr)
#define MAILROOM_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

namespace mailroom {

// Returns a copy of `status` whose message is prefixed with `context: `.
absl::Status Annotate(const absl::Status& status, std::string_view context);

}  // namespace mailroom

#endif  // MAILROOM_SERVICES_SHARED_STATUS_STATUS_MACROS_H_
