// The one mapping from absl::Status to grpc::Status on the store's side (STYLE.md §6-7).
#ifndef MAILROOM_SERVICES_STORE_SERVICE_GRPC_STATUS_H_
#define MAILROOM_SERVICES_STORE_SERVICE_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <string_view>

#include "absl/status/status.h"

namespace mailroom::store {

// Same code; INTERNAL and UNKNOWN details go to the log (with `rpc`), the client sees a generic
// message.
grpc::Status ToGrpc(const absl::Status& status, std::string_view rpc);

}  // namespace mailroom::store

#endif  // MAILROOM_SERVICES_STORE_SERVICE_GRPC_STATUS_H_
