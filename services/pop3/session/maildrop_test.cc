#include "services/pop3/session/maildrop.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::pop3 {
namespace {

using ::mailroom::testing::IsOk;
using ::mailroom::testing::StatusIs;
using ::testing::ElementsAre;

Maildrop Sample() { return Maildrop(Inbox{7, 99, {{3, 100}, {5, 200}, {9, 300}, {10, 5000}}}); }

TEST(Pop3MaildropTest, NumbersAndTotals) {
  Maildrop m = Sample();
  EXPECT_EQ(m.count(), 4u);
  EXPECT_EQ(m.live_count(), 4u);
  EXPECT_EQ(m.live_size(), 5600u);
  EXPECT_EQ(m.Get(2)->uid, 5u);
  EXPECT_THAT(m.Get(0), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(m.Get(5), StatusIs(absl::StatusCode::kNotFound));
}

TEST(Pop3MaildropTest, DeleteAndReset) {
  Maildrop m = Sample();
  EXPECT_THAT(m.MarkDeleted(2), IsOk());
  EXPECT_THAT(m.MarkDeleted(2), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(m.Get(2), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(m.MarkDeleted(4), IsOk());
  EXPECT_EQ(m.live_count(), 2u);
  EXPECT_EQ(m.live_size(), 400u);
  EXPECT_THAT(m.DeletedUids(), ElementsAre(5, 10));
  m.ResetMarks();
  EXPECT_EQ(m.live_count(), 4u);
  EXPECT_EQ(m.live_size(), 5600u);
  EXPECT_TRUE(m.DeletedUids().empty());
}

TEST(Pop3MaildropTest, PrefetchWindow) {
  Maildrop m = Sample();
  EXPECT_THAT(m.UidsFrom(1, 1000, 10000, 10), ElementsAre(3, 5, 9));  // stops at the big one
  EXPECT_THAT(m.UidsFrom(1, 1000, 350, 10), ElementsAre(3, 5));       // total budget
  EXPECT_THAT(m.UidsFrom(1, 1000, 10000, 1), ElementsAre(3));         // count budget
  ASSERT_THAT(m.MarkDeleted(2), IsOk());
  EXPECT_THAT(m.UidsFrom(1, 1000, 10000, 10), ElementsAre(3, 9));     // skips deleted
  EXPECT_TRUE(m.UidsFrom(4, 1000, 10000, 10).empty());
}

}  // namespace
}  // namespace mailroom::pop3
