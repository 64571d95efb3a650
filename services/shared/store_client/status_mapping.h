// The one mapping between grpc::Status and absl::Status on the client side of the store
// contract. Both use the canonical status codes with equal numeric values, so the code and the
// message pass through unchanged.
#ifndef MAILROOM_SERVICES_SHARED_STORE_CLIENT_STATUS_MAPPING_H_
#define MAILROOM_SERVICES_SHARED_STORE_CLIENT_STATUS_MAPPING_H_

#include "absl/status/status.h"

namespace grpc {
class Status;
}  // namespace grpc

namespace mailroom::store_client {

// Returns an absl::Status with the same code and message as `status` (OK for OK). A code
// outside the canonical range becomes UNKNOWN.
absl::Status FromGrpcStatus(const grpc::Status& status);

// Returns a grpc::Status with the same code and message as `status`; used by in-process fakes
// of the store in tests.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace mailroom::store_client

#endif  // MAILROOM_SERVICES_SHARED_STORE_CLIENT_STATUS_MAPPING_H_
