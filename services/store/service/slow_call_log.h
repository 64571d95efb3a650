// A server interceptor that logs every unary RPC of the store that took longer than a
// threshold (method, milliseconds, status code), so that an operator (or a failing test) can
// tell a slow store from a slow network when front ends report "Deadline Exceeded".
#ifndef MAILROOM_SERVICES_STORE_SERVICE_SLOW_CALL_LOG_H_
#define MAILROOM_SERVICES_STORE_SERVICE_SLOW_CALL_LOG_H_

#include <memory>

#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"

namespace mailroom::store {

// For grpc::ServerBuilder::experimental().SetInterceptorCreators(). Streaming calls are not
// timed (they last as long as their client wants).
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeSlowCallLogger(
    absl::Duration threshold);

}  // namespace mailroom::store

#endif  // MAILROOM_SERVICES_STORE_SERVICE_SLOW_CALL_LOG_H_
