#include "services/imap/protocol/sequence_set.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/shared/status/status_matchers.h"

namespace mailroom::imap {
namespace {

using ::mailroom::testing::StatusIs;
using ::testing::ElementsAre;

TEST(SequenceSetTest, ParseAndResolve) {
  struct Case {
    std::string text;
    uint32_t max;
    std::string resolved;  // RenderCompact of Resolve(max)
  };
  const std::vector<Case> cases = {
      {"1", 10, "1"},
      {"1:4,7,9:*", 10, "1:4,7,9:10"},
      {"4:2", 10, "2:4"},
      {"*", 10, "10"},
      {"*:3", 10, "3:10"},
      {"12:*", 10, "10:12"},  // RFC 9051 §6.4.9: n:* includes max even when n > max
      {"3,1,2", 10, "1:3"},
      {"1:3,2:5,7:8", 10, "1:5,7:8"},
      {"*", 0, ""},
      {"1:*", 0, "1"},
      {"4294967295", 1, "4294967295"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<SequenceSet> set = SequenceSet::Parse(c.text);
    ASSERT_TRUE(set.ok()) << set.status();
    EXPECT_EQ(set->ToString(), c.text);
    EXPECT_EQ(RenderCompact(set->Resolve(c.max)), c.resolved);
  }
}

TEST(SequenceSetTest, Invalid) {
  for (const char* text : {"", "0", "1:0", "a", "1,", ",1", "1::2", "1:2:3", "4294967296",
                           "$,1", "01", "-1", "1 2", "**"}) {
    SCOPED_TRACE(text);
    EXPECT_THAT(SequenceSet::Parse(text), StatusIs(absl::StatusCode::kInvalidArgument));
  }
  EXPECT_THAT(SequenceSet::Parse("1,2,3", 2), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SequenceSetTest, SavedResult) {
  absl::StatusOr<SequenceSet> set = SequenceSet::Parse("$");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->is_saved_result());
  EXPECT_EQ(set->ToString(), "$");
}

TEST(SequenceSetTest, MembershipAndIteration) {
  SequenceSet set = *SequenceSet::Parse("2:4,9:*");
  EXPECT_FALSE(set.Contains(1, 12));
  EXPECT_TRUE(set.Contains(3, 12));
  EXPECT_TRUE(set.Contains(12, 12));
  EXPECT_FALSE(set.Contains(13, 12));
  EXPECT_TRUE(set.HasStar());
  EXPECT_THAT(set.Numbers(11, 100), ElementsAre(2, 3, 4, 9, 10, 11));
  EXPECT_THAT(set.Numbers(11, 2), ElementsAre(2, 3));
  std::vector<uint32_t> seen;
  set.ForEach(10, [&](uint32_t n) {
    seen.push_back(n);
    return n < 4;
  });
  EXPECT_THAT(seen, ElementsAre(2, 3, 4));
}

TEST(SequenceSetTest, RenderCompact) {
  EXPECT_EQ(RenderCompact(std::vector<uint32_t>{5, 1, 2, 3, 9, 8}), "1:3,5,8:9");
  EXPECT_EQ(RenderCompact(std::vector<uint32_t>{}), "");
  EXPECT_EQ(RenderCompact(std::vector<SeqRange>{{7, 5}, {1, 1}}), "1,5:7");
  EXPECT_EQ(SequenceSet::FromNumbers({4294967295u, 4294967294u}).ToString(),
            "4294967294:4294967295");
}

}  // namespace
}  // namespace mailroom::imap
