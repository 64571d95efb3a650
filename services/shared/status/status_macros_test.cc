#include "services/shared/status/status_macros.h"

#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom {
namespace {

using ::mailroom::testing::IsOk;
using ::mailroom::testing::IsOkAndHolds;
using ::mailroom::testing::StatusIs;

absl::StatusOr<int> Half(int n) {
  if (n % 2 != 0) return absl::InvalidArgumentError("odd");
  return n / 2;
}

absl::StatusOr<int> Quarter(int n) {
  ASSIGN_OR_RETURN(int half, Half(n));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status CheckEven(int n) {
  RETURN_IF_ERROR(Half(n).status());
  return absl::OkStatus();
}

TEST(StatusMacros, AssignOrReturnPropagates) {
  EXPECT_THAT(Quarter(8), IsOkAndHolds(2));
  EXPECT_THAT(Quarter(6), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Quarter(3), StatusIs(absl::StatusCode::kInvalidArgument, "odd"));
}

TEST(StatusMacros, ReturnIfError) {
  EXPECT_THAT(CheckEven(4), IsOk());
  EXPECT_THAT(CheckEven(5), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(StatusMacros, AnnotateKeepsCode) {
  absl::Status s = Annotate(absl::NotFoundError("no mailbox"), "select");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kNotFound, "select: no mailbox"));
  EXPECT_THAT(Annotate(absl::OkStatus(), "x"), IsOk());
}

}  // namespace
}  // namespace mailroom
